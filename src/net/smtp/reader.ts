// Reads SMTP replies off a socket with hard limits, so a hostile server
// (endless lines, a reply that never ends, binary noise, silence) costs at
// most a few kilobytes and one timeout. RFC 5321 §4.5.3.1.5 caps a reply line
// at 512 octets; real servers stay far below the caps here.
import type { Duplex } from 'node:stream';
import { buildReply, parseReplyLine, type ParsedLine, type SmtpReply } from './reply.js';

export const MAX_LINE_BYTES = 4096;
export const MAX_REPLY_BYTES = 64 * 1024;

export type ReadOutcome =
  | { kind: 'reply'; reply: SmtpReply }
  /** Nothing complete within `waitedMs`; `partial` holds the lines that did arrive, `bytes` all the reply's bytes so far. */
  | { kind: 'timeout'; partial: string[]; waitedMs: number; bytes: number }
  /** The connection ended; `reset` when the peer aborted it (ECONNRESET) rather than closing it. */
  | { kind: 'closed'; partial: string[]; reset?: true }
  /** A line that is not an SMTP reply line. */
  | { kind: 'garbage'; line: string }
  /** A line or a reply over the caps, after `waitedMs` of reading it. */
  | { kind: 'too-long'; bytes: number; waitedMs?: number };

type Terminal = Extract<ReadOutcome, { kind: 'closed' | 'garbage' | 'too-long' }>;

export class ReplyReader {
  private partialLine: Buffer = Buffer.alloc(0);
  private readonly complete: string[] = [];
  private readonly assembling: ParsedLine[] = [];
  private bufferedBytes = 0;
  private terminal?: Terminal;
  private wake?: () => void;

  private readonly onData = (chunk: Buffer) => this.take(chunk);
  private readonly onEnd = () => this.closed();
  private readonly onError = (err: NodeJS.ErrnoException) => this.closed(err.code === 'ECONNRESET');

  constructor(private readonly stream: Duplex) {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onError);
  }

  /** Stop reading this stream (before STARTTLS hands it to TLS); unread bytes are dropped (RFC 3207 §4.2 injection). */
  detach(): void {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onEnd);
    this.stream.off('error', this.onError);
  }

  /** The next whole reply, or why there is none, within `timeoutMs`; undefined when `cancel` fires first. */
  next(timeoutMs: number): Promise<ReadOutcome>;
  next(timeoutMs: number, cancel: AbortSignal | undefined): Promise<ReadOutcome | undefined>;
  next(timeoutMs: number, cancel?: AbortSignal): Promise<ReadOutcome | undefined> {
    const started = performance.now();
    return new Promise(resolve => {
      const timer = setTimeout(() => finish({ kind: 'timeout', partial: this.partialText(), waitedMs: timeoutMs, bytes: this.bufferedBytes }), Math.max(0, timeoutMs));
      const finish = (outcome: ReadOutcome | undefined) => {
        clearTimeout(timer);
        cancel?.removeEventListener('abort', onCancel);
        this.wake = undefined;
        this.assembling.length = 0;
        resolve(outcome?.kind === 'too-long' ? { ...outcome, waitedMs: Math.round(performance.now() - started) } : outcome);
      };
      const onCancel = () => finish(undefined);
      const attempt = () => {
        const outcome = this.assemble();
        if (outcome) finish(outcome);
      };
      this.wake = attempt;
      if (cancel?.aborted) return onCancel();
      cancel?.addEventListener('abort', onCancel, { once: true });
      attempt();
    });
  }

  private take(chunk: Buffer): void {
    if (this.terminal) return;
    this.bufferedBytes += chunk.length;
    let data = this.partialLine.length ? Buffer.concat([this.partialLine, chunk]) : chunk;
    for (let eol = data.indexOf(0x0a); eol !== -1; eol = data.indexOf(0x0a)) {
      const line = data.subarray(0, eol > 0 && data[eol - 1] === 0x0d ? eol - 1 : eol);
      if (line.length > MAX_LINE_BYTES) return this.failAndWake({ kind: 'too-long', bytes: line.length });
      this.complete.push(line.toString('utf8'));
      data = data.subarray(eol + 1);
    }
    this.partialLine = Buffer.from(data);
    if (this.partialLine.length > MAX_LINE_BYTES) return this.failAndWake({ kind: 'too-long', bytes: this.partialLine.length });
    if (this.bufferedBytes > MAX_REPLY_BYTES) return this.failAndWake({ kind: 'too-long', bytes: this.bufferedBytes });
    this.wake?.();
  }

  private closed(reset = false): void {
    if (this.terminal) return;
    // A last line cut off by the close still counts (some servers omit the final CRLF before hanging up).
    if (this.partialLine.length) this.complete.push(this.partialLine.toString('utf8'));
    this.partialLine = Buffer.alloc(0);
    this.terminal = { kind: 'closed', partial: [], ...(reset ? { reset: true as const } : {}) };
    this.wake?.();
  }

  /** A full reply from the lines received so far, a terminal outcome, or undefined to keep waiting. */
  private assemble(): ReadOutcome | undefined {
    while (this.complete.length) {
      const raw = this.complete.shift()!;
      const line = parseReplyLine(raw);
      // Every line of a multi-line reply carries the same code (RFC 5321 §4.2.1).
      if (!line || (this.assembling.length && line.code !== this.assembling[0]!.code)) {
        this.fail({ kind: 'garbage', line: raw });
        return this.terminal;
      }
      this.assembling.push(line);
      if (line.last) {
        const reply = buildReply(this.assembling);
        this.bufferedBytes = this.partialLine.length + this.complete.reduce((n, l) => n + l.length + 2, 0);
        return { kind: 'reply', reply };
      }
    }
    if (!this.terminal) return undefined;
    return this.terminal.kind === 'closed' ? { ...this.terminal, partial: this.partialText() } : this.terminal;
  }

  private partialText(): string[] {
    const lines = this.assembling.map(l => `${l.code}-${l.text}`);
    return this.partialLine.length ? [...lines, this.partialLine.toString('utf8')] : lines;
  }

  private failAndWake(outcome: Extract<Terminal, { kind: 'too-long' }>): void {
    this.fail(outcome);
    this.wake?.();
  }

  /** Give up on the stream: drop what is buffered and stop reading. */
  private fail(outcome: Extract<Terminal, { kind: 'garbage' | 'too-long' }>): void {
    this.terminal ??= outcome;
    this.partialLine = Buffer.alloc(0);
    this.complete.length = 0;
    this.stream.pause();
  }
}
