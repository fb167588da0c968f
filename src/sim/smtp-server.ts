// Scripted SMTP servers for simulated worlds (tests, and `maildiag demo`):
// raw `net` listeners on 127.0.0.1 that follow a persona, a JSON-able
// description of how a server greets, what it offers and how it answers each
// command. Personas cover ordinary servers and hostile ones byte for byte:
// tarpits, 421 at connect, endless or oversized banners, trickling bytes,
// invalid UTF-8, escape codes, broken or aborted TLS, hang-ups after a reply.
// A refusing host needs no persona: it is a closed port. DATA is answered
// with a refusal; probes must never send it.
import net from 'node:net';
import tls from 'node:tls';

export type SmtpVerb = 'EHLO' | 'HELO' | 'MAIL' | 'RCPT' | 'RSET' | 'STARTTLS' | 'NOOP' | 'QUIT' | 'DATA';

export interface SmtpPersona {
  /** Greeting lines, sent as they are with CRLF after each ("220 mx.example.com ESMTP"); null: never greet nor answer (a tarpit). */
  greeting: string[] | null;
  /** Wait this long before greeting (postscreen-style or overloaded servers). */
  greetingDelayMs?: number;
  /** Send every greeting line but the last ("220-"), wait this long, then the last: Postfix postscreen's pregreet test, which catches clients that talk before the greeting ends. */
  greetingPauseMs?: number;
  /** After the greeting, keep sending this line forever: a banner that never ends. */
  endlessLine?: string;
  /** Hang up right after the greeting (a 421 busy server). */
  hangUpAfterGreeting?: boolean;
  /**
   * Drop the connection right after the greeting, or instead of answering this command (only when its line
   * contains `containing`, case-insensitive: an appliance that drops a relay attempt); `reset` aborts it (TCP RST, ECONNRESET) instead of closing.
   */
  hangUp?: { on: 'greeting' | SmtpVerb; reset?: boolean; containing?: string };
  /** Answer this command with `endlessLine` forever instead of its reply (an EHLO reply that never ends). */
  endlessAfter?: SmtpVerb;
  /** Send every byte this many milliseconds apart. */
  byteDelayMs?: number;
  /** latin1 sends each character as one byte, for servers that send invalid UTF-8 ("\u00ff"). */
  encoding?: 'utf8' | 'latin1';
  /** The first word of the EHLO/HELO reply (default: the greeting's second word, or "mx.example.com"). */
  name?: string;
  /** EHLO extension lines ("PIPELINING", "SIZE 1000000"); STARTTLS is added when `tls` is set. */
  extensions?: string[];
  /** Replies by verb, overriding the defaults; a multi-line reply is several lines; null: never answer. */
  replies?: Partial<Record<SmtpVerb, string | string[] | null>>;
  /** RCPT replies by lower-case address, "@domain", or "*" (default "250 2.1.5 Ok"); a multi-line reply is several lines. */
  recipients?: Record<string, string | string[]>;
  /**
   * STARTTLS with this key and certificate chain (PEM); "broken": answer 220, then send bytes that are not TLS;
   * "alert": answer 220, read the ClientHello, then abort the handshake with a fatal TLS alert;
   * "reset": answer 220, read the ClientHello, then reset the connection (TCP RST).
   */
  tls?: { key: string; cert: string; minVersion?: tls.SecureVersion; maxVersion?: tls.SecureVersion } | 'broken' | 'alert' | 'reset';
  /** Close the connection after answering each command (a front end that drops every session after one exchange). */
  closeAfterReply?: boolean;
  /** Answer MAIL with this reply until the session has started TLS (a listener that requires STARTTLS, e.g. Postfix "smtpd_tls_security_level = encrypt"). */
  requireTls?: string;
  /** Accept at most this many recipients per transaction, then answer 452 (Postfix's smtpd_recipient_limit). */
  recipientLimit?: number;
}

export interface SimSmtpServer {
  port: number;
  /** Client lines received, across connections, in order. */
  readonly commands: string[];
  /** The client's bytes as they arrived, one entry per read (commands a client pipelines arrive together). */
  readonly chunks: string[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Client lines that came before the greeting was complete (what postscreen logs as PREGREET). */
  readonly pregreeted: string[];
  close(): Promise<void>;
}

const MAX_CLIENT_LINE = 4096;
/** A TLS record (RFC 8446 §5.1, §6): alert, TLS 1.2 record version, 2 bytes, fatal (2) handshake_failure (40). */
const FATAL_HANDSHAKE_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);

/** Listens on 127.0.0.1 and an ephemeral port unless told otherwise (the benchmark binds 127.0.5.x:25). */
export async function startSimSmtp(persona: SmtpPersona, listen: { host: string; port: number } = { host: '127.0.0.1', port: 0 }): Promise<SimSmtpServer> {
  const commands: string[] = [];
  const chunks: string[] = [];
  const pregreeted: string[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer({ noDelay: true }, socket => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    void converse(socket, persona, { commands, chunks, pregreeted });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    commands,
    chunks,
    pregreeted,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>(resolve => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

async function converse(socket: net.Socket, persona: SmtpPersona, { commands, chunks, pregreeted }: { commands: string[]; chunks: string[]; pregreeted: string[] }): Promise<void> {
  let stream: net.Socket | tls.TLSSocket = socket;
  let send = writer(socket, persona);
  let accepted = 0;
  let encrypted = false;
  let greeted = false;
  readLines(socket, chunks, line => {
    if (!greeted) pregreeted.push(line);
    return answerThenMaybeClose(line);
  });
  if (persona.greeting === null) return;
  if (persona.greetingDelayMs) await sleep(persona.greetingDelayMs);
  if (persona.greetingPauseMs) {
    await send(persona.greeting.slice(0, -1));
    await sleep(persona.greetingPauseMs);
    await send(persona.greeting.slice(-1));
  } else await send(persona.greeting);
  greeted = true;
  if (persona.hangUpAfterGreeting) return void socket.end();
  if (persona.hangUp?.on === 'greeting') return hangUp();
  if (persona.endlessLine !== undefined && !persona.endlessAfter) await sendForever(persona.endlessLine);

  async function sendForever(line: string): Promise<void> {
    // Yield between lines: the client under test runs in this same process and must get its turn.
    const burst = Array<string>(64).fill(line);
    while (!stream.destroyed) await send(burst).then(() => new Promise(resolve => setImmediate(resolve)));
  }

  function hangUp(): void {
    if (persona.hangUp?.reset) socket.resetAndDestroy();
    else stream.end();
  }

  async function answerThenMaybeClose(line: string): Promise<void> {
    await answer(line);
    if (persona.closeAfterReply) stream.end();
  }

  async function answer(line: string): Promise<void> {
    commands.push(line);
    if (persona.greeting === null) return;
    const verb = line.split(' ')[0]!.toUpperCase() as SmtpVerb;
    if (persona.hangUp?.on === verb && line.toLowerCase().includes(persona.hangUp.containing?.toLowerCase() ?? '')) return hangUp();
    if (persona.endlessAfter === verb && persona.endlessLine !== undefined) return void sendForever(persona.endlessLine);
    const override = persona.replies?.[verb];
    if (override === null) return;
    if (override !== undefined) return send(typeof override === 'string' ? [override] : override);
    switch (verb) {
      case 'EHLO':
        return send(ehloReply(persona));
      case 'HELO':
        return send([`250 ${serverName(persona)}`]);
      case 'MAIL':
        if (persona.requireTls && !encrypted) return send([persona.requireTls]);
        accepted = 0;
        return send(['250 2.1.0 Ok']);
      case 'RSET':
        accepted = 0;
        return send(['250 2.0.0 Ok']);
      case 'NOOP':
        return send(['250 2.0.0 Ok']);
      case 'QUIT':
        await send(['221 2.0.0 Bye']);
        return void stream.end();
      case 'DATA':
        return send(['554 5.5.1 this simulated server takes no DATA']);
      case 'STARTTLS':
        return startTls();
      case 'RCPT': {
        if (accepted >= (persona.recipientLimit ?? Infinity)) return send(['452 4.5.3 Error: too many recipients']);
        const reply = recipientReply(persona, line);
        if (reply[0]!.startsWith('2')) accepted++;
        return send(reply);
      }
      default:
        return send(['502 5.5.2 Error: command not recognized']);
    }
  }

  async function startTls(): Promise<void> {
    const { tls: config } = persona;
    if (!config) return send(['502 5.5.1 STARTTLS not available']);
    await send(['220 2.0.0 Ready to start TLS']);
    if (config === 'broken') return void socket.end('this is not a TLS handshake\r\n');
    socket.removeAllListeners('data');
    if (config === 'alert') return void socket.once('data', () => socket.end(FATAL_HANDSHAKE_ALERT));
    if (config === 'reset') return void socket.once('data', () => socket.resetAndDestroy());
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: tls.createSecureContext(config) });
    secure.on('error', () => undefined);
    stream = secure;
    encrypted = true;
    send = writer(secure, persona);
    readLines(secure, chunks, line => answerThenMaybeClose(line));
  }
}

function readLines(stream: net.Socket | tls.TLSSocket, chunks: string[], onLine: (line: string) => Promise<void>): void {
  let buffer = '';
  let queue = Promise.resolve();
  stream.on('data', (chunk: Buffer) => {
    chunks.push(chunk.toString('latin1'));
    buffer += chunk.toString('latin1');
    if (buffer.length > MAX_CLIENT_LINE && !buffer.includes('\n')) return void stream.destroy();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    // One command at a time, in order, even when the client pipelines them.
    for (const line of lines) queue = queue.then(() => onLine(line.replace(/\r$/, '')));
  });
}

/** Writes reply lines with CRLF, honouring the persona's encoding and byte delay. */
function writer(stream: net.Socket | tls.TLSSocket, persona: SmtpPersona): (lines: string[]) => Promise<void> {
  return async lines => {
    const bytes = Buffer.from(lines.map(l => `${l}\r\n`).join(''), persona.encoding ?? 'utf8');
    if (!persona.byteDelayMs) return write(stream, bytes);
    for (const byte of bytes) {
      if (stream.destroyed) return;
      await write(stream, Buffer.from([byte]));
      await sleep(persona.byteDelayMs);
    }
  };
}

function write(stream: net.Socket | tls.TLSSocket, bytes: Buffer): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  return new Promise(resolve => {
    if (stream.write(bytes)) return resolve();
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

function serverName(persona: SmtpPersona): string {
  return persona.name ?? persona.greeting?.[0]?.split(/\s+/)[1] ?? 'mx.example.com';
}

function ehloReply(persona: SmtpPersona): string[] {
  const extensions = [...(persona.extensions ?? ['PIPELINING', 'SIZE 52428800', '8BITMIME', 'ENHANCEDSTATUSCODES']), ...(persona.tls ? ['STARTTLS'] : [])];
  const lines = [serverName(persona), ...extensions];
  return lines.map((text, i) => `250${i < lines.length - 1 ? '-' : ' '}${text}`);
}

function recipientReply(persona: SmtpPersona, line: string): string[] {
  const address = /<([^>]*)>/.exec(line)?.[1]?.toLowerCase() ?? '';
  const table = persona.recipients ?? {};
  const reply = table[address] ?? table[`@${address.split('@')[1] ?? ''}`] ?? table['*'] ?? '250 2.1.5 Ok';
  return typeof reply === 'string' ? [reply] : reply;
}

const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));
