// Resolvers that cannot be believed, in-process on 127.0.0.1 (UDP): one that
// answers the same error for every question (the root zone included), and one
// that knows the root but rewrites every NXDOMAIN into an address of its own
// (an ISP's "search assist"), as a NOERROR with no records for other types.
import dgram from 'node:dgram';
import { decode, encodeResponse, type WireAnswer } from '../../src/net/dns/wire.js';
import type { DnsServer } from '../../src/net/dns/types.js';

export type Lie = 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | 'REWRITE';

/** Where the rewriting resolver sends every name that does not exist. */
export const SEARCH_ASSIST_ADDRESS = '198.51.100.77';

const RCODES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export async function startLyingResolver(lie: Lie): Promise<{ server: DnsServer; log: string[]; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const log: string[] = [];
  socket.on('message', (message, peer) => {
    const query = decode(message);
    const question = query?.questions?.[0];
    if (!query || !question) return;
    log.push(`${question.name || '.'} ${question.type}`);
    const { rcode, answers } = answer(lie, question.name, question.type);
    const response = encodeResponse({ type: 'response', id: query.id, flags: (1 << 8) | (1 << 7) | RCODES[rcode], questions: [question], answers });
    socket.send(response, peer.port, peer.address);
  });
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: { host: '127.0.0.1', port: socket.address().port },
    log,
    close: () => new Promise<void>(resolve => socket.close(() => resolve())),
  };
}

function answer(lie: Lie, name: string, type: string): { rcode: keyof typeof RCODES; answers: WireAnswer[] } {
  if (lie !== 'REWRITE') return { rcode: lie, answers: [] };
  if (name === '' || name === '.') return { rcode: 'NOERROR', answers: type === 'NS' ? [{ type: 'NS', name: '.', ttl: 300, class: 'IN', data: 'a.root-servers.example' }] : [] };
  return { rcode: 'NOERROR', answers: type === 'A' ? [{ type: 'A', name, ttl: 60, class: 'IN', data: SEARCH_ASSIST_ADDRESS }] : [] };
}
