// Authentication-Results (RFC 8601) and ARC-Authentication-Results (RFC 8617
// §4.1.1) as a receiver wrote them: who wrote them (authserv-id) and each
// method's result with its properties (smtp.mailfrom, header.d, header.from...).

export interface MethodResult {
  /** spf, dkim, dmarc, arc, ... lower case. */
  method: string;
  result: string;
  /** e.g. { 'smtp.mailfrom': 'example.com', 'header.d': 'example.com' }. */
  properties: Record<string, string>;
}

export interface ReportedResults {
  authservId: string;
  /** The ARC instance (i=), for ARC-Authentication-Results. */
  instance?: number;
  results: MethodResult[];
}

/** RFC 8601 comments are parenthesised and may nest; they carry no results. */
function withoutComments(value: string): string {
  let depth = 0;
  let out = '';
  for (const ch of value) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (!depth) out += ch;
  }
  return out;
}

export function parseAuthenticationResults(value: string, arc = false): ReportedResults | undefined {
  const parts = withoutComments(value).split(';').map(p => p.trim());
  const instance = arc ? Number(/^i\s*=\s*(\d+)$/i.exec(parts.shift() ?? '')?.[1]) : undefined;
  const authservId = parts.shift()?.split(/\s+/)[0];
  if (!authservId || (arc && !instance)) return undefined;
  const results = parts.flatMap(part => {
    const [head, ...props] = part.split(/\s+/).filter(Boolean);
    const method = /^([a-z0-9_-]+)(?:\/\d+)?=([a-z0-9_-]+)$/i.exec(head ?? '');
    if (!method) return [];
    const properties = Object.fromEntries(props.flatMap(p => {
      const eq = p.indexOf('=');
      return eq > 0 ? [[p.slice(0, eq).toLowerCase(), p.slice(eq + 1).replace(/^"|"$/g, '')]] : [];
    }));
    return [{ method: method[1]!.toLowerCase(), result: method[2]!.toLowerCase(), properties }];
  });
  return { authservId: authservId.toLowerCase(), ...(instance ? { instance } : {}), results };
}

/** A method's results in one header, e.g. every dkim= result. */
export const resultsFor = (reported: ReportedResults, method: string): MethodResult[] => reported.results.filter(r => r.method === method);
