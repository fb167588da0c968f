// What servers say reaches people's terminals and tickets. Strip escape
// sequences (CSI, OSC — colour, cursor moves, titles, OSC 8 links — and the
// rest of ECMA-48) and every other C0/C1 control character before a human or
// markdown renderer prints it. JSON keeps the raw text, escaped by JSON itself.

// ESC [ ... final byte | ESC ] ... (BEL | ESC \) | ESC P/X/^/_ ... ST | ESC + one char | 8-bit CSI/OSC forms
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[\]PX^_][\s\S]*?(?:\u0007|\u001b\\|\u009c|$)|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]|[\u009d\u0090\u0098\u009e\u009f][\s\S]*?(?:\u0007|\u009c|$)/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Bidirectional overrides can make printed text read differently from what it is.
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

export function clean(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '').replace(BIDI, '');
}

/** One line: also folds tabs and newlines into spaces. */
export function cleanLine(text: string): string {
  return clean(text.replace(/[\t\r\n]+/g, ' ')).trim();
}

/** Characters JSON.stringify leaves as they are that a terminal may still act on: C1 controls, bidirectional controls, line separators. */
const UNQUOTED_CONTROLS = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** Any character that is not text: C0 and C1 controls, DEL, bidirectional controls, line separators. */
export const hasControlCharacters = (text: string): boolean => /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/.test(text);

/** A value the user gave, quoted for a one-line message: JSON string syntax, with every control character escaped. */
export function quote(text: string): string {
  return JSON.stringify(text).replace(UNQUOTED_CONTROLS, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
