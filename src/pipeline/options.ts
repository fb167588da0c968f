// Settings of one diagnosis run, already validated by the CLI.
// How long anything may take is the net's (src/net/time.ts), not the run's options.
export interface RunOptions {
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

export function defaultRunOptions(overrides: Partial<RunOptions> = {}): RunOptions {
  return {
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
