// An in-process HTTPS server for MTA-STS policy fixtures (RFC 8461 §3.3): each
// route ("host/path", chosen by the Host header) gets a reply, well-behaved or
// hostile (redirect, endless body, a byte at a time, silence). 127.0.0.1 on an
// ephemeral port; used by tests, the benchmark and `maildiag demo`.
import https from 'node:https';
import type net from 'node:net';

export type SimHttpsReply =
  /** `date`: the Date header to send instead of the server's own clock (a server whose clock disagrees with ours). */
  | { kind: 'body'; body: string | Buffer; status?: number; contentType?: string; date?: string }
  | { kind: 'redirect'; location: string; status?: number }
  /** This many bytes of policy-looking text, chunked, without a Content-Length. */
  | { kind: 'oversized'; bytes: number }
  /** Headers at once, then one body byte every intervalMs, never ending (slowloris). */
  | { kind: 'slow'; intervalMs?: number }
  /** Accept the request and never answer. */
  | { kind: 'silent' };

export interface SimHttpsOptions {
  /** PEM: the certificate (and its intermediates) and its key. */
  cert: string;
  key: string;
  /** "mta-sts.example.com/.well-known/mta-sts.txt" → reply; anything else is a 404. */
  routes: Record<string, SimHttpsReply>;
}

export interface SimHttpsServer {
  port: number;
  /** Requests received, "host/path". */
  readonly log: string[];
  close(): Promise<void>;
}

const FILLER = Buffer.from('mx: filler.example.com\r\n'.repeat(700)); // about 16 KB a write

export async function startSimHttps(options: SimHttpsOptions): Promise<SimHttpsServer> {
  const routes = new Map(Object.entries(options.routes));
  const log: string[] = [];
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = https.createServer({ cert: options.cert, key: options.key }, (req, res) => {
    const route = `${(req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase()}${req.url ?? ''}`;
    log.push(route);
    const reply = routes.get(route);
    if (!reply) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\r\n');
    switch (reply.kind) {
      case 'body':
        res.writeHead(reply.status ?? 200, { 'Content-Type': reply.contentType ?? 'text/plain', ...(reply.date ? { Date: reply.date } : {}) }).end(reply.body);
        return;
      case 'redirect':
        res.writeHead(reply.status ?? 301, { Location: reply.location }).end();
        return;
      case 'oversized':
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        writeFiller(res, reply.bytes);
        return;
      case 'slow': {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        const timer = setInterval(() => res.write('m'), reply.intervalMs ?? 100);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'silent':
        return;
    }
  });
  server.on('secureConnection', socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined); // clients that reject our certificate are part of the tests
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    log,
    close: () =>
      new Promise<void>(resolve => {
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes in step with the client (drain), stopping when it hangs up. */
function writeFiller(res: NodeJS.WritableStream & { destroyed: boolean }, bytes: number): void {
  let left = bytes;
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      const chunk = FILLER.subarray(0, Math.min(FILLER.length, left));
      left -= chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}
