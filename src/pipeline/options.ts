// Settings of one diagnosis run, already validated by the CLI.
export interface RunOptions {
  /** Limit for one network operation: connect, reply, DNS query, handshake. */
  timeoutMs: number;
  /** RCPT TO of the probe; default postmaster@<domain>. */
  rcpt?: string;
  /** MAIL FROM of probes ('' = the null sender <>). */
  from: string;
  /** EHLO name of probes. */
  helo: string;
  /** The sender's IP to check as well (--ip). */
  senderIp?: string;
  /** Submission relay to test (--relay). */
  relay?: { host: string; port?: number };
  dkimSelectors: string[];
  /** DNSBL zones to query; undefined = the default set, [] = none. */
  dnsbl?: string[];
  /** Extra trusted CA certificates (PEM). */
  caCerts: string[];
  allowPrivate: boolean;
  /** Open SMTP sessions at all (--no-smtp turns them off). */
  smtp: boolean;
  /** Send the open-relay RCPT probe (--no-relay-test turns it off). */
  relayTest: boolean;
  /** A received message to verify (--message). */
  messageFile?: string;
  verbose: boolean;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export function defaultRunOptions(overrides: Partial<RunOptions> = {}): RunOptions {
  return {
    timeoutMs: DEFAULT_TIMEOUT_MS,
    from: '',
    helo: 'maildiag.invalid',
    dkimSelectors: [],
    caCerts: [],
    allowPrivate: false,
    smtp: true,
    relayTest: true,
    verbose: false,
    ...overrides,
  };
}
