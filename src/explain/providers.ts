// Which provider wrote the reply, from the markers each one leaves (Gmail's
// "gsmtp", Microsoft's "[S3150]" and "AS(1450)", Yahoo's "[TSS04]"...). The
// classifier uses it to read provider-specific status codes and wording.

const MARKERS: [provider: string, marker: RegExp][] = [
  ['google', /\bgsmtp\b|\bgcdp\b|support\.google\.com\/mail|\.google\.com\b|googlemail\.com/i],
  ['microsoft', /protection\.outlook\.com|\.outlook\.com\b|outlook\.office365|\bhotmail\.|postmaster\.live\.com|mail\.live\.com|\bAS\(\d+\)|\(S\d{3,6}\)|\[S\d{3,6}\]|\bSTOREDRV\b|\bRESOLVER\.(?:ADR|RST)\b|\bSMTPSEND\b|aka\.ms\/|go\.microsoft\.com|sender\.office\.com|\bATTR\d+\b/i],
  ['yahoo', /yahoodns\.net|\.yahoo\.com|yahooinc\.com|postmaster\.(?:yahoo|verizonmedia)|\[(?:TSS?|BL|GL|IPTS|DM|PH)\d\d\]|\baol\.com\b/i],
  ['apple', /icloud\.com|\bme\.com\b|apple\.com|\[(?:CS|HM)\d\d\]/i],
  ['mimecast', /mimecast/i],
  ['proofpoint', /pphosted\.com|proofpoint/i],
  ['barracuda', /barracuda(?:networks|central)?/i],
  ['mailru', /\bmail\.ru\b/i],
  ['yandex', /yandex|ya\.cc\//i],
  ['gmx', /\bgmx\.(?:net|de|com)\b|\bweb\.de\b/i],
];

export function detectProvider(text: string): string | undefined {
  return MARKERS.find(([, marker]) => marker.test(text))?.[0];
}

// Mail hosts of providers whose inbound MX are never all down at once: a
// timeout to them says more about the sender's network than about them.
const ALWAYS_UP_MX = /(?:\.l\.google\.com|aspmx\.\S*google\.com|\.protection\.outlook\.com|olc\.protection\.outlook\.com|\.yahoodns\.net|mx\d*\.mail\.icloud\.com|\.mx\.aol\.com)\b/i;

export function isAlwaysUpMx(host: string): boolean {
  return ALWAYS_UP_MX.test(host);
}
