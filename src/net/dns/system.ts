// The system's resolvers, as the C library would use them.
import { readFileSync } from 'node:fs';
import type { DnsServer } from './types.js';

export function systemResolvers(path = '/etc/resolv.conf'): DnsServer[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [{ host: '127.0.0.1', port: 53 }];
  }
  const servers = text
    .split('\n')
    .map(line => line.trim().split(/\s+/))
    .filter(([keyword, address]) => keyword === 'nameserver' && address)
    .map(([, address]) => ({ host: address!.replace(/%.*$/, ''), port: 53 }));
  return servers.length ? servers : [{ host: '127.0.0.1', port: 53 }];
}
