// The key: value lines of an MTA-STS policy file (RFC 8461 §3.2), read as
// mailauth's parsePolicy reads them (the last version, mode and max_age line
// wins, mx lines add up, a missing mode is "none"). Its module pulls in an
// HTTPS client, a DNS resolver and punycode the diagnosis never uses: ~15 ms
// of every start went to loading it for these forty lines.

export interface StsPolicyFields {
  mode: 'enforce' | 'testing' | 'none';
  maxAge: number;
  mx: string[];
}

export type StsPolicyError = 'invalid_sts_version' | 'invalid_sts_mode' | 'invalid_sts_max_age' | 'invalid_sts_mx';

/** RFC 8461 §3.2: max_age is at most 31557600 seconds (one year). */
const MAX_AGE_LIMIT = 31_557_600;

export function readStsPolicy(text: string): { ok: true; policy: StsPolicyFields } | { ok: false; error: StsPolicyError } {
  let version: string | undefined;
  let mode = 'none';
  let maxAge = Number.NaN;
  const mx: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const value = line.slice(colon + 1).trim();
    switch (line.slice(0, colon).toLowerCase().trim()) {
      case 'version': version = value; break;
      case 'mode': mode = value.toLowerCase(); break;
      case 'max_age': maxAge = Number(value); break;
      case 'mx': if (!mx.includes(value.toLowerCase())) mx.push(value.toLowerCase()); break;
    }
  }
  if (version !== 'STSv1') return { ok: false, error: 'invalid_sts_version' };
  if (mode !== 'testing' && mode !== 'enforce' && mode !== 'none') return { ok: false, error: 'invalid_sts_mode' };
  if (Number.isNaN(maxAge) || maxAge < 0 || maxAge > MAX_AGE_LIMIT) return { ok: false, error: 'invalid_sts_max_age' };
  if (mode !== 'none' && !mx.length) return { ok: false, error: 'invalid_sts_mx' };
  return { ok: true, policy: { mode, maxAge, mx } };
}
