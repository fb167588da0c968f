// TLS on top of an open connection (STARTTLS, RFC 3207): the handshake as a
// value. Verification is not enforced here: the caller wants to see the
// certificate whatever it is, and judges trust, dates and name itself.
import tls from 'node:tls';
import type net from 'node:net';

export type TlsHandshake =
  | {
      kind: 'ok';
      socket: tls.TLSSocket;
      protocol: string;
      cipher: string;
      /** Leaf first, DER, as the server sent it (its issuers as far as it sent them). */
      chain: Buffer[];
      /** OpenSSL's verdict against the trusted CAs, e.g. DEPTH_ZERO_SELF_SIGNED_CERT; undefined when trusted. */
      authorizationError?: string;
    }
  | { kind: 'failed'; reason: string }
  | { kind: 'timeout' };

export interface TlsOptions {
  servername?: string;
  timeoutMs: number;
  /** Trusted CAs in addition to Node's (PEM). */
  caCerts: string[];
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** OpenSSL security level 0 lets TLS 1.0/1.1 and old ciphers through, to tell "old" from "broken". */
  allowLegacy?: boolean;
}

export function upgradeToTls(socket: net.Socket, options: TlsOptions): Promise<TlsHandshake> {
  return new Promise(resolve => {
    const secure = tls.connect({
      socket,
      servername: options.servername && !/^[\d.:]+$/.test(options.servername) ? options.servername : undefined,
      rejectUnauthorized: false,
      ca: options.caCerts.length ? [...tls.rootCertificates, ...options.caCerts] : undefined,
      minVersion: options.minVersion ?? 'TLSv1.2',
      maxVersion: options.maxVersion,
      ...(options.allowLegacy ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
    });
    const finish = (result: TlsHandshake) => {
      clearTimeout(timer);
      secure.removeAllListeners('secureConnect');
      if (result.kind !== 'ok') secure.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), options.timeoutMs);
    secure.once('error', err => finish({ kind: 'failed', reason: opensslReason(err) }));
    secure.once('secureConnect', () => {
      secure.removeAllListeners('error');
      secure.on('error', () => undefined); // later errors surface through the SMTP reader
      const cipher = secure.getCipher();
      finish({
        kind: 'ok',
        socket: secure,
        protocol: secure.getProtocol() ?? 'unknown',
        cipher: cipher?.standardName ?? cipher?.name ?? 'unknown',
        chain: peerChain(secure),
        ...(secure.authorizationError ? { authorizationError: String(secure.authorizationError) } : {}),
      });
    });
  });
}

function peerChain(socket: tls.TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  while (cert?.raw && !chain.some(c => c.equals(cert!.raw))) {
    chain.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** OpenSSL's own words ("wrong version number", "unsupported protocol"), not Node's wrapper. */
function opensslReason(err: Error & { code?: string; reason?: string }): string {
  return err.reason ?? err.code ?? err.message;
}

/** A handshake as recorded in a probe result: the outcome without the live socket. */
export type TlsResult = Exclude<TlsHandshake, { kind: 'ok' }> | Omit<Extract<TlsHandshake, { kind: 'ok' }>, 'socket'>;

export function recordHandshake(handshake: TlsHandshake): TlsResult {
  if (handshake.kind !== 'ok') return handshake;
  const { socket: _socket, ...rest } = handshake;
  return rest;
}
