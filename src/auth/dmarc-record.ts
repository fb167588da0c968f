// A DMARC policy record read as RFC 9989 defines it, noting where
// receivers that still follow RFC 7489 read it differently. Only an unusable
// record throws; a bad tag value is a problem the record still carries, since
// receivers ignore that tag (or fall back to p=none) rather than the record.
import { say } from '../causes.js';
import { parseTagList, TagListError, type TagListProblem } from './tag-list.js';

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface DmarcUri {
  uri: string;
  /** mailto: addresses, lower-case domain. */
  address?: string;
  domain?: string;
}

/** What is wrong with a tag, as a code; src/causes.ts says it (formats dmarcProblems, dmarcProblemReason). */
export type DmarcProblem = {
  /** The tag whose value is wrong; empty for a tag-spec that is not name=value at all (value holds it). */
  tag: string;
  value: string;
} & (
  | { code: 'malformed'; malformed: TagListProblem }
  | { code: 'notOneOf'; allowed: readonly string[] }
  | { code: 'leadingSpace' | 'failureOptions' | 'notUri' | 'notAddress' }
);

/** Why a record cannot be used at all; src/causes.ts says it (format dmarcUnreadable). */
export type DmarcUnreadable = TagListProblem | { code: 'vNotFirst' } | { code: 'version'; version: string };

export interface DmarcRecord {
  text: string;
  /** Every tag as published (names lower-cased). */
  tags: Record<string, string>;
  /** Valid policy values only; an invalid one is listed in `problems`. */
  p?: DmarcPolicy;
  sp?: DmarcPolicy;
  np?: DmarcPolicy;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  /** Public Suffix Domain flag (RFC 9989): y, n, or u (the default). */
  psd: 'y' | 'n' | 'u';
  /** t=y: the owner asks receivers not to apply the policy yet. */
  testing: boolean;
  rua: DmarcUri[];
  ruf: DmarcUri[];
  /** pct (RFC 7489 §6.3), removed by RFC 9989 but still honoured by older receivers. */
  pct?: number;
  /** Tags RFC 9989 removed (pct, rf, ri): ignored by its receivers, honoured by RFC 7489 ones. */
  removedTags: string[];
  /** Tags no DMARC version defines: receivers ignore them (RFC 9989). */
  unknownTags: string[];
  problems: DmarcProblem[];
}

export class DmarcSyntaxError extends Error {
  constructor(readonly problem: DmarcUnreadable) {
    super(say('dmarcUnreadable', problem));
    this.name = 'DmarcSyntaxError';
  }
}

/** RFC 9989 §4.10: records that do not start with a DMARC "v=" tag are discarded. */
export const isDmarcRecord = (text: string): boolean => /^\s*v\s*=\s*DMARC1\b/i.test(text);

const POLICIES: readonly string[] = ['none', 'quarantine', 'reject'];
const KNOWN_TAGS: readonly string[] = ['v', 'p', 'sp', 'np', 'adkim', 'aspf', 'fo', 'psd', 'rua', 'ruf', 't'];
const REMOVED_TAGS: readonly string[] = ['pct', 'rf', 'ri'];
/** dmarc-fo (RFC 9989 §4.8): 0, 1, d or s, separated by ":". */
const FAILURE_OPTIONS = /^[01ds](\s*:\s*[01ds])*$/i;

/** t=y (RFC 9989 §4.7): receivers apply the next lower policy, reject → quarantine → none. */
export const testingPolicy = (policy: DmarcPolicy): DmarcPolicy => (policy === 'reject' ? 'quarantine' : 'none');

export function parseDmarcRecord(text: string): DmarcRecord {
  const problems: DmarcProblem[] = [];
  let tags: Map<string, string>;
  try {
    // A malformed tag-spec is ignored, not the record (RFC 9989 §4.8).
    const onMalformed = (tagSpec: string, malformed: TagListProblem) => problems.push({ tag: '', value: tagSpec, code: 'malformed', malformed });
    tags = parseTagList(text, { lowerCaseNames: true, onMalformed });
  } catch (err) {
    if (err instanceof TagListError) throw new DmarcSyntaxError(err.problem);
    throw err;
  }
  const [first] = tags.keys();
  if (first !== 'v') throw new DmarcSyntaxError({ code: 'vNotFirst' });
  if (tags.get('v') !== 'DMARC1') throw new DmarcSyntaxError({ code: 'version', version: tags.get('v')! });

  if (/^\s/.test(text)) {
    problems.push({ tag: 'v', value: 'DMARC1', code: 'leadingSpace' });
  }
  const fo = tags.get('fo');
  if (fo !== undefined && !FAILURE_OPTIONS.test(fo)) problems.push({ tag: 'fo', value: fo, code: 'failureOptions' });
  const choice = <T extends string>(tag: string, allowed: readonly T[], fallback: T): T => {
    const value = tags.get(tag);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase() as T;
    if (allowed.includes(lower)) return lower;
    problems.push({ tag, value, code: 'notOneOf', allowed });
    return fallback;
  };
  const policy = (tag: string): DmarcPolicy | undefined => {
    const value = tags.get(tag);
    if (value === undefined) return undefined;
    if (POLICIES.includes(value.toLowerCase())) return value.toLowerCase() as DmarcPolicy;
    problems.push({ tag, value, code: 'notOneOf', allowed: POLICIES });
    return undefined;
  };
  const p = policy('p');
  const sp = policy('sp');
  const np = policy('np');
  const pct = percentage(tags.get('pct'));
  return {
    text,
    tags: Object.fromEntries(tags),
    ...(p ? { p } : {}),
    ...(sp ? { sp } : {}),
    ...(np ? { np } : {}),
    adkim: choice('adkim', ['r', 's'] as const, 'r'),
    aspf: choice('aspf', ['r', 's'] as const, 'r'),
    psd: choice('psd', ['y', 'n', 'u'] as const, 'u'),
    testing: choice('t', ['y', 'n'] as const, 'n') === 'y',
    rua: reportUris('rua', tags.get('rua'), problems),
    ruf: reportUris('ruf', tags.get('ruf'), problems),
    ...(pct !== undefined ? { pct } : {}),
    removedTags: [...tags.keys()].filter(t => REMOVED_TAGS.includes(t)),
    unknownTags: [...tags.keys()].filter(t => !KNOWN_TAGS.includes(t) && !REMOVED_TAGS.includes(t)),
    problems,
  };
}

/** RFC 7489 §6.3: an integer from 0 to 100; anything else is ignored. */
function percentage(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,3}$/.test(value)) return undefined;
  const pct = Number(value);
  return pct <= 100 ? pct : undefined;
}

/**
 * rua/ruf: comma-separated URIs (RFC 9989). A "!size" suffix is obsolete
 * and ignored; mailto: is the scheme every receiver supports.
 */
function reportUris(tag: string, value: string | undefined, problems: DmarcProblem[]): DmarcUri[] {
  if (value === undefined) return [];
  const uris: DmarcUri[] = [];
  for (const raw of value.split(',').map(u => u.trim())) {
    const uri = raw.replace(/!\d+[kmgt]?$/i, '');
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):(.+)$/.exec(uri);
    if (!scheme) {
      problems.push({ tag, value: raw, code: 'notUri' });
      continue;
    }
    if (scheme[1]!.toLowerCase() !== 'mailto') {
      uris.push({ uri });
      continue;
    }
    const address = decodeAddress(scheme[2]!);
    const at = address?.lastIndexOf('@') ?? -1;
    const domain = address?.slice(at + 1).toLowerCase().replace(/\.$/, '');
    if (!address || at < 1 || !domain || !/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/.test(domain)) {
      problems.push({ tag, value: raw, code: 'notAddress' });
      continue;
    }
    uris.push({ uri, address, domain });
  }
  return uris;
}

function decodeAddress(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.split('?')[0]!);
  } catch {
    return undefined;
  }
}
