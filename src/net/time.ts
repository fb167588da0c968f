// Every wait of a run, from one number: --timeout. The net context holds a
// RunTime; the dialer, the SMTP session, TLS, HTTPS and DNS ask it how long to
// wait, and the scheduler asks it each check's budget. Nothing else turns
// --timeout into milliseconds. docs/probes.md shows the results (generated
// from the tables below by `npm run docs`).

/** --timeout when none is given. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The 220 greeting may take this many --timeout periods: servers delay it on
 * purpose (Sendmail greet_pause, an Exim connect ACL "delay", tarpitting
 * appliances) and RFC 5321 §4.5.3.2 has senders wait 5 minutes for it, so a
 * greeting slower than one step is told from none at all.
 */
export const GREETING_PATIENCE = 2;

/**
 * A greeting that takes longer than this is slow, whatever --timeout says: MTAs
 * wait the RFC's 5 minutes for it (Postfix smtp_helo_timeout, Exim and Sendmail
 * 5 m), but applications sending directly give up sooner (Nodemailer's
 * greetingTimeout is 30 s, counted to the greeting's last line). Deliberate
 * pauses are far shorter (postscreen's greet_wait 6 s, Sendmail's greet_pause
 * a few seconds), so those are never slow.
 */
export const SLOW_GREETING_MS = 30_000;

interface Wait {
  /** How it follows from --timeout, in words for the docs. */
  rule: string;
  what: string;
  ms(timeoutMs: number): number;
}

/** After the greeting, the rest of a session may take this many --timeout periods in all. */
const SESSION_STEPS = 4;
const QUIT_MAX_MS = 2000;
const PATH_CONNECT_MAX_MS = 3000;
/**
 * DNS keeps its own cap per try, whatever --timeout says: a lost UDP packet
 * costs a whole try, so a short try and a retry (which a recursive resolver
 * still working on the name answers from its cache) beat one long wait, as
 * stub resolvers do it (glibc: 5 s, 2 attempts).
 */
const DNS_TRY_MAX_MS = 2500;
/** A DNS question is asked once and retried once per resolver. */
const DNS_TRIES = 2;
/**
 * Confirming an NXDOMAIN with the zones' own name servers may take this many
 * DNS questions' time: the NS walk and addresses through the resolver, then
 * the parent's servers and the domain's own, each zone's asked at once.
 */
const CONFIRMATION_QUESTIONS = 4;
/** Confirming a SERVFAIL asks what confirming an NXDOMAIN does, then the resolver once more with checking disabled (CD). */
const SERVFAIL_CONFIRMATION_QUESTIONS = CONFIRMATION_QUESTIONS + 1;

/** Each kind of wait. */
const WAITS = {
  connect: { rule: '--timeout', what: 'a TCP connect (SMTP, HTTPS)', ms: t => t },
  reply: { rule: '--timeout', what: 'one SMTP reply (EHLO, STARTTLS, MAIL, RCPT, RSET); on port 25 and submission ports also cut short by the session limit below', ms: t => t },
  greeting: { rule: `${GREETING_PATIENCE} × --timeout`, what: 'the 220 greeting on port 25 (RFC 5321 §4.5.3.2 allows 5 minutes)', ms: t => t * GREETING_PATIENCE },
  session: { rule: `${SESSION_STEPS} × --timeout`, what: 'the rest of an SMTP session after the greeting, all steps together (port 25, submission)', ms: t => t * SESSION_STEPS },
  tlsHandshake: { rule: '--timeout', what: 'a TLS handshake (STARTTLS, port 465, HTTPS)', ms: t => t },
  httpsResponse: { rule: '--timeout', what: 'an HTTPS response, status line to last byte (the MTA-STS policy)', ms: t => t },
  quit: { rule: `--timeout, at most ${QUIT_MAX_MS / 1000} s`, what: 'the 221 after QUIT, also the QUIT Ctrl-C sends every open session: the answers are in (or no longer wanted), it is only courtesy', ms: t => Math.min(t, QUIT_MAX_MS) },
  pathConnect: { rule: `--timeout, at most ${PATH_CONNECT_MAX_MS / 1000} s`, what: 'a connect to ports 587 and 443 after every port-25 connect timed out: it only confirms the path', ms: t => Math.min(t, PATH_CONNECT_MAX_MS) },
  dnsTry: { rule: `--timeout, at most ${DNS_TRY_MAX_MS / 1000} s`, what: 'one DNS try: one question to one server (and one more over TCP after a truncated answer)', ms: t => Math.min(t, DNS_TRY_MAX_MS) },
  dnsQuery: { rule: `${DNS_TRIES} × the DNS try, per resolver`, what: 'one DNS question: a try and one retry per resolver, one resolver after another', ms: t => DNS_TRIES * Math.min(t, DNS_TRY_MAX_MS) },
  nxdomainConfirmation: {
    rule: `${CONFIRMATION_QUESTIONS} × the DNS question`,
    what: 'asking the name servers of the zone above a domain the resolver calls NXDOMAIN, and the domain\'s own, whether it exists: every lookup and direct question together',
    ms: t => CONFIRMATION_QUESTIONS * DNS_TRIES * Math.min(t, DNS_TRY_MAX_MS),
  },
  servfailConfirmation: {
    rule: `${SERVFAIL_CONFIRMATION_QUESTIONS} × the DNS question`,
    what: 'asking the name servers of the zone above a domain the resolver answers SERVFAIL for, and the domain\'s own, then the resolver again with DNSSEC checking disabled (CD): every lookup and question together',
    ms: t => SERVFAIL_CONFIRMATION_QUESTIONS * DNS_TRIES * Math.min(t, DNS_TRY_MAX_MS),
  },
} satisfies Record<string, Wait>;

export type WaitKind = keyof typeof WAITS;

interface Budget {
  timeouts: number;
  plusMs: number;
  why: string;
}

/**
 * How long a whole check may take before the scheduler stops it (its `error`
 * says "did not finish within"): so many --timeout periods plus slack for
 * scheduling. A check names its budget; most take `lookups`.
 */
const BUDGETS = {
  lookups: { timeouts: 4, plusMs: 2000, why: 'several lookups or operations in a row' },
  domain: {
    timeouts: 4 + SERVFAIL_CONFIRMATION_QUESTIONS * DNS_TRIES,
    plusMs: 2000,
    why: "the domain's MX and the resolver's sanity probe, then for an NXDOMAIN or a SERVFAIL the confirmation with the zones' own name servers (at most the waits above)",
  },
  blocklists: { timeouts: 8, plusMs: 0, why: "a list that refuses the resolver costs up to five lookups in a row (the list, its NS, their A, the list's own server, TXT)" },
  port25: { timeouts: 3 + GREETING_PATIENCE, plusMs: 8000, why: 'connect, the greeting and the session on every MX address at once, then the path connects when every port-25 connect timed out' },
  tlsRetry: { timeouts: 7, plusMs: 0, why: 'the legacy-TLS retry is a whole new session: connect, greeting, EHLO, STARTTLS, handshake' },
  submission: { timeouts: 7, plusMs: 5000, why: 'connect, TLS (465), the greeting and the session; ports and hosts are probed at once' },
  policyFetch: { timeouts: 6, plusMs: 0, why: 'TXT, A/AAAA, then connect, handshake and response' },
} satisfies Record<string, Budget>;

export type BudgetName = keyof typeof BUDGETS;

/** Every wait of one run, in milliseconds, and the clock certificates and server dates are judged by. */
export type RunTime = { readonly [K in WaitKind as `${K}Ms`]: number } & {
  /** --timeout itself. */
  readonly timeoutMs: number;
  /** Rounds over the resolver list after the first. */
  readonly dnsRetries: number;
  budgetMs(name: BudgetName): number;
  now(): Date;
};

export function runTime(timeoutMs = DEFAULT_TIMEOUT_MS, now: () => Date = () => new Date()): RunTime {
  const waits = Object.fromEntries(Object.entries(WAITS).map(([kind, wait]) => [`${kind}Ms`, wait.ms(timeoutMs)])) as { [K in WaitKind as `${K}Ms`]: number };
  return {
    ...waits,
    timeoutMs,
    dnsRetries: DNS_TRIES - 1,
    budgetMs: name => BUDGETS[name].timeouts * timeoutMs + BUDGETS[name].plusMs,
    now,
  };
}

/** `work`'s result, or undefined once `ms` have passed: the caller stops waiting, and the work's own timeouts end it. */
export async function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>(resolve => (timer = setTimeout(resolve, ms, undefined)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The tables above, for docs/probes.md. */
export const waitRules: readonly (Omit<Wait, 'ms'> & { kind: WaitKind })[] = Object.entries(WAITS).map(([kind, { rule, what }]) => ({ kind: kind as WaitKind, rule, what }));
export const budgetRules: readonly (Budget & { name: BudgetName })[] = Object.entries(BUDGETS).map(([name, budget]) => ({ name: name as BudgetName, ...budget }));
