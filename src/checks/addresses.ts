// The addresses the reverse-DNS and blocklist checks examine, and whose they
// are: an MX address is the recipient domain's to fix, the sending IP the
// sender's. Shared by the ptr, dnsbl and sender-ip checks.
import type { Side } from '../causes.js';
import { nonGlobalReason } from '../net/ip.js';
import type { HostAddr, TargetKind } from '../pipeline/facts.js';
import type { RunOptions } from '../pipeline/options.js';

/** An address under examination, and whose it is: that decides the wording and who fixes it. */
export interface CheckedAddress {
  ip: string;
  /** An MX address of the target domain, the IP target itself, or the sending IP given with --ip. */
  role: 'mx' | 'target' | 'sender';
  /** The MX host name, for an MX address. */
  host?: string;
}

/** Subjects and side of a finding about this address: an MX address is the recipient domain's to fix. */
export function placement(address: CheckedAddress): { subjects: string[]; side?: Side } {
  if (address.role === 'mx') return { subjects: [address.ip, address.host!], side: 'recipient' };
  return { subjects: [address.ip], ...(address.role === 'sender' ? { side: 'sender' as const } : {}) };
}

/** Why an address is left out: reverse DNS and blocklists of private ranges mean nothing on the internet. */
export function exclusionReason(ip: string, options: RunOptions): string | undefined {
  return options.allowPrivate ? undefined : nonGlobalReason(ip);
}

/** The distinct addresses of hostAddrs worth checking, and those left out (non-global without --allow-private). */
export function checkableAddresses(hostAddrs: HostAddr[], targetKind: TargetKind, options: RunOptions) {
  const distinct = hostAddrs.filter((h, i) => hostAddrs.findIndex(other => other.ip === h.ip) === i);
  const addresses = distinct.map((h): CheckedAddress => (targetKind === 'ip' ? { ip: h.ip, role: 'target' } : { ip: h.ip, role: 'mx', host: h.host }));
  const excluded = addresses.flatMap(a => {
    const reason = exclusionReason(a.ip, options);
    return reason ? [{ ip: a.ip, reason }] : [];
  });
  return { checked: addresses.filter(a => !excluded.some(e => e.ip === a.ip)), excluded };
}
