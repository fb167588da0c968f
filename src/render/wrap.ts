// Word wrap for the human report's prose: the diagnosis and the message's sender rules.

/** Word-wrap plain text (network text already cleaned) to the width, first line with `first` indent, the rest with `rest`. */
export function wrap(text: string, width: number, first: string, rest = first): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = first;
  for (const word of words) {
    const prefix = lines.length ? rest : first;
    if (line.length > prefix.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else {
      line += (line.length > prefix.length ? ' ' : '') + word;
    }
  }
  lines.push(line);
  return lines;
}
