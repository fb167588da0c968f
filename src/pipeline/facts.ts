// Facts are what checks hand each other: a check `needs` some and `provides`
// others, and the runner passes them along as soon as they exist. Every key
// has exactly one provider (or is seeded from the target by the runner).
import type { MxAddress, SmtpProbe } from '../net/smtp/index.js';
import type { DmarcVerdict } from '../auth/dmarc-alignment.js';
import type { ReceivedHop } from '../auth/received.js';
import type { ClockReading } from '../checks/server-clocks.js';

export type TargetKind = 'domain' | 'ip';

export interface Target {
  kind: TargetKind;
  /** As the user typed it (Unicode for IDNs). */
  input: string;
  /** Lower-case, punycode, no trailing dot; the address for IP targets. */
  ascii: string;
  /** For display: Unicode domain, or the address. */
  unicode: string;
}

export interface MxHost {
  name: string;
  preference: number;
  /** No MX records: the domain's own A/AAAA is used (RFC 5321 §5.1). */
  implicit: boolean;
}

/** One address of an MX host, as the port-25 probe takes it. */
export type HostAddr = MxAddress;

export interface PtrNames {
  ip: string;
  /** The address's PTR names; empty when it has none or the lookup failed. */
  names: string[];
  /** At least one PTR name resolves back to the address (FCrDNS). */
  forwardConfirmed: boolean;
}

/** An encrypted session with an MX address on port 25, as a sender would get it after STARTTLS. */
export interface TlsSession {
  host: string;
  ip: string;
  port: number;
  preference: number;
  protocol: string;
  cipher: string;
  /** DER, leaf first: what the server sent, completed with the trusted root Node found, if any. */
  chain: Buffer[];
  /** Negotiated only once TLS 1.0/1.1 and legacy ciphers were allowed. */
  legacy: boolean;
}

/** One DKIM signature of a received message as maildiag verified it. */
export interface SignatureVerdict {
  domain: string;
  selector?: string;
  result: string;
  comment?: string;
  /** The header fields the signature covers (h=) that are present, lower case. */
  signedFields: string[];
}

/** What maildiag itself concludes about a received message (--message), for the checks that judge it further. */
export interface MessageAuth {
  /** Every address in From (RFC 5322 allows one mailbox for a message to be judged). */
  fromAddresses: string[];
  /** The From domain when there is exactly one From address. */
  fromDomain?: string;
  /** The hop where the receiving side took the message from outside. */
  hop?: ReceivedHop;
  /** The sending client SPF was checked for: the hop's address, or --ip. */
  client?: { ip: string; helo?: string; source: string };
  dkim: SignatureVerdict[];
  spf?: { result: string; domain: string; reason: string; sender?: string };
  dmarc?: DmarcVerdict;
}

export interface Facts {
  /** The sending IP given with --ip (seeded from the options). */
  senderIp: string;
  /** A received message to verify, given with --message (seeded from the options). */
  messageFile: string;
  /** maildiag's own verdicts on the message given with --message. */
  messageAuth: MessageAuth;
  /** The target domain exists (ASCII form). */
  domain: string;
  /** MX hosts in preference order. Empty never: a null MX or no MX at all leaves it unavailable. */
  mxHosts: MxHost[];
  /** Addresses to deliver to, in preference order (IP targets: the address). */
  hostAddrs: HostAddr[];
  /** Reverse DNS of every address in hostAddrs. */
  ptrNames: PtrNames[];
  /** Port-25 probes, one per address of hostAddrs: reachability, greeting, EHLO, STARTTLS, RCPT replies. */
  smtp25: SmtpProbe[];
  /** Every MX address where STARTTLS led to a session; unavailable when none did. */
  tlsSessions: TlsSession[];
  /** The time web servers stated while maildiag fetched from them (the MTA-STS policy server's HTTP Date). */
  httpClocks: ClockReading[];
  /** The domain's MTA-STS policy, fetched and valid: the mode senders apply and the pattern that lists each MX host (null: unlisted). */
  stsPolicy: StsPolicyFact;
  /** The MTA-STS policy server's certificate, when it was refused for its dates alone: to judge them by the servers' time too. */
  stsCertificate: PresentedCertificate;
  /**
   * MX hosts whose every TLS session presented a key that a DNSSEC-validated DANE-EE TLSA record (usage 3)
   * matches: DANE senders authenticate them by that key alone, its names and dates aside (RFC 7672 §3.1.1).
   */
  daneVerified: string[];
}

/** A certificate chain a server presented, leaf first (DER), with where it was seen. */
export interface PresentedCertificate {
  host: string;
  ip: string;
  chain: Buffer[];
}

export interface StsPolicyFact {
  domain: string;
  mode: 'enforce' | 'testing' | 'none';
  mxMatches: { host: string; pattern: string | null }[];
}

export type FactKey = keyof Facts;

/** Facts that come from an option rather than a check: a check that needs one runs only when it was given. */
export const OPTION_FACTS: Partial<Record<FactKey, string>> = { senderIp: '--ip', messageFile: '--message' };
