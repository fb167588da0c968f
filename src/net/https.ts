// One bounded HTTPS GET, as an MTA-STS policy fetch needs it (RFC 8461 §3.3):
// to an address from our own resolver, through the run's dialer (address map,
// one connection per address), certificate verified against Node's CAs plus
// --ca-file, redirects reported and never followed, the body capped in bytes
// and the whole response in time (a server dribbling bytes cannot hold us).
import http from 'node:http';
import tls from 'node:tls';
import type { Net } from './context.js';
import { peerChain, upgradeToTls, type TlsFailure } from './tls.js';
import { VERSION } from '../version.js';

export interface HttpsRequest {
  /** The server's name: SNI, Host header and the name its certificate must carry. */
  host: string;
  ip: string;
  port?: number;
  path: string;
}

export interface HttpsOptions {
  maxBytes: number;
  caCerts: string[];
  signal?: AbortSignal;
}

export type HttpsResult =
  /** Any status: the caller decides what a 3xx or 404 means. */
  | { kind: 'response'; status: number; headers: Record<string, string>; body: Buffer }
  | { kind: 'too-large'; status: number; maxBytes: number }
  | { kind: 'connect-failed'; outcome: 'refused' | 'reset' | 'timeout' | 'unreachable' }
  | { kind: 'tls-failed'; reason: TlsFailure }
  /** The handshake worked but the certificate is not valid for the host (OpenSSL's reason, or the name check's); `chain`, as presented, leaf first (DER). */
  | { kind: 'cert-invalid'; reason: string; chain: Buffer[] }
  | { kind: 'timeout'; phase: 'handshake' | 'response' }
  /** Not HTTP, a header section over the parser's limit, or the connection cut mid-response. */
  | { kind: 'http-error'; reason: HttpFailure };

/** Why a response could not be read: the connection ended before its end, or Node's HTTP parser said why (its error code or message). */
export type HttpFailure = { code: 'cutShort' } | { code: 'error'; error: string };

const MAX_HEADER_BYTES = 16 * 1024;

/** The connect, the handshake and the whole response (status line to last body byte) each have their wait from the net's time. */
export async function httpsGet({ dialer, time }: Pick<Net, 'dialer' | 'time'>, request: HttpsRequest, options: HttpsOptions): Promise<HttpsResult> {
  const port = request.port ?? 443;
  return dialer.exclusive(request.ip, port, async () => {
    const dialed = await dialer.connect(request.ip, port, { timeoutMs: time.connectMs, signal: options.signal });
    if (dialed.kind !== 'connected') return { kind: 'connect-failed', outcome: dialed.kind };
    try {
      const handshake = await upgradeToTls(dialed.socket, { servername: request.host, caCerts: options.caCerts }, time.tlsHandshakeMs);
      if (handshake.kind === 'timeout') return { kind: 'timeout', phase: 'handshake' };
      if (handshake.kind === 'failed') return { kind: 'tls-failed', reason: handshake.reason };
      try {
        const problem = certificateProblems(handshake.socket, request.host, handshake.authorizationError);
        if (problem) return { kind: 'cert-invalid', reason: problem, chain: peerChain(handshake.socket) };
        return await readResponse(handshake.socket, request, options, time.httpsResponseMs);
      } finally {
        handshake.socket.destroy();
      }
    } finally {
      dialed.socket.destroy();
    }
  });
}

/** OpenSSL's verdict and the name check; Node folds a name mismatch into authorizationError as a bare code, the check's message says more. */
function certificateProblems(socket: tls.TLSSocket, host: string, authorizationError: string | undefined): string {
  const nameError = tls.checkServerIdentity(host, socket.getPeerCertificate());
  return [authorizationError, nameError?.message].filter(p => p && p !== 'ERR_TLS_CERT_ALTNAME_INVALID').join('; ');
}

function readResponse(socket: tls.TLSSocket, request: HttpsRequest, options: HttpsOptions, timeoutMs: number): Promise<HttpsResult> {
  return new Promise(resolve => {
    const req = http.request({
      method: 'GET',
      path: request.path,
      setHost: false,
      headers: { Host: request.host, 'User-Agent': `maildiag/${VERSION}`, Accept: 'text/plain', Connection: 'close' },
      maxHeaderSize: MAX_HEADER_BYTES,
      createConnection: () => socket,
    });
    let settled = false;
    const finish = (result: HttpsResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ kind: 'timeout', phase: 'response' });
    const timer = setTimeout(onAbort, timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', err => finish({ kind: 'http-error', reason: { code: 'error', error: (err as NodeJS.ErrnoException).code ?? err.message } }));
    req.on('response', res => {
      const status = res.statusCode ?? 0;
      const tooLarge = { kind: 'too-large', status, maxBytes: options.maxBytes } as const;
      if (Number(res.headers['content-length']) > options.maxBytes) return finish(tooLarge);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) return finish(tooLarge);
        chunks.push(chunk);
      });
      res.on('aborted', () => finish({ kind: 'http-error', reason: { code: 'cutShort' } }));
      res.on('error', err => finish({ kind: 'http-error', reason: { code: 'error', error: err.message } }));
      res.on('end', () => finish({ kind: 'response', status, headers: flatten(res.headers), body: Buffer.concat(chunks) }));
    });
    req.end();
  });
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])));
}
