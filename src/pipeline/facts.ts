// Facts are what checks hand each other: a check `needs` some and `provides`
// others, and the runner passes them along as soon as they exist. Every key
// has exactly one provider (or is seeded from the target by the runner).

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

export interface HostAddr {
  /** The MX host name, or the address itself for an IP target. */
  host: string;
  ip: string;
  family: 4 | 6;
  preference: number;
}

export interface Facts {
  /** The target domain exists (ASCII form). */
  domain: string;
  /** MX hosts in preference order. Empty never: a null MX or no MX at all leaves it unavailable. */
  mxHosts: MxHost[];
  /** Addresses to deliver to, in preference order (IP targets: the address). */
  hostAddrs: HostAddr[];
}

export type FactKey = keyof Facts;
