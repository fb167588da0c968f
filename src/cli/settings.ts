// Commander's raw option values → the validated settings of a diagnosing run.
import type { FailOn } from './options.js';
import { formatForFile, type Format } from '../render/formats.js';
import {
  defaultHelo, parseDnsbl, parseHelo, parseIdList, parseIp, parseMailbox, parsePositiveInt, parseRelay, parseResolvers, parseTimeout, readCaFile,
} from './options.js';
import { UsageError } from './errors.js';
import { colorEnabled, liveOutput, type LiveOutput } from './terminal.js';
import type { CliIo } from './io.js';
import { defaultRunOptions, type RunOptions } from '../pipeline/options.js';
import { systemResolvers, type DnsServer } from '../net/dns/index.js';
import { checkIds } from '../checks/index.js';
import type { Selection } from '../diagnose.js';
import { MessageFileError, readMessageFileSync } from '../auth/message.js';
import { resolve } from 'node:path';

export interface RunSettings {
  run: RunOptions;
  resolvers: DnsServer[];
  /** --timeout; without it the net's default (src/net/time.ts). */
  timeoutMs?: number;
  format: Format;
  failOn: FailOn;
  color: boolean;
  quiet: boolean;
  /** What stderr shows while targets run (nothing with --quiet). */
  live: LiveOutput;
  /** Colour on stderr (the spinner). */
  liveColor: boolean;
  selection: Selection;
  concurrency: number;
}

const DEFAULT_CONCURRENCY = 16;

export function buildSettings(raw: Record<string, unknown>, io: CliIo, defaultFormat: Format = 'human'): RunSettings {
  const str = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
  const list = (key: string) => (Array.isArray(raw[key]) ? (raw[key] as string[]) : []);
  const output = str('output');
  const format = raw['json'] ? 'json' : ((str('format') as Format | undefined) ?? (output ? formatForFile(output) : undefined) ?? defaultFormat);
  const messageFile = str('message') ? resolve(io.cwd, str('message')!) : undefined;
  if (messageFile) admitMessageFile('--message', str('message')!, messageFile);
  const caFiles = [str('caFile'), io.env['NODE_EXTRA_CA_CERTS']].filter((f): f is string => Boolean(f));
  const run: RunOptions = defaultRunOptions({
    from: raw['from'] === undefined ? '' : parseMailbox('--from', String(raw['from']), true),
    helo: str('helo') !== undefined ? parseHelo(str('helo')!) : defaultHelo(),
    dkimSelectors: list('dkimSelector').map(s => s.trim().toLowerCase()).filter(Boolean).map(s => {
      if (!/^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/.test(s)) throw new UsageError(`--dkim-selector ${JSON.stringify(s)}: not a selector name`);
      return s;
    }),
    dnsbl: raw['dnsbl'] === false ? [] : list('dnsbl').length ? parseDnsbl(list('dnsbl')) : undefined,
    caCerts: caFiles.map(f => readCaFile(resolve(io.cwd, f))),
    allowPrivate: Boolean(raw['allowPrivate']),
    smtp: raw['smtp'] !== false,
    relayTest: raw['relayTest'] !== false,
    verbose: Boolean(raw['verbose']),
    ...(raw['rcpt'] !== undefined ? { rcpt: parseMailbox('--rcpt', String(raw['rcpt']), false) } : {}),
    ...(str('ip') ? { senderIp: parseIp('--ip', str('ip')!) } : {}),
    ...(str('relay') ? { relay: parseRelay(str('relay')!) } : {}),
    ...(messageFile ? { messageFile } : {}),
  });
  const resolvers = raw['resolver'] === undefined ? systemResolvers() : parseResolvers(list('resolver'));
  return {
    run,
    resolvers,
    timeoutMs: str('timeout') === undefined ? undefined : parseTimeout(str('timeout')!),
    format,
    failOn: (str('failOn') ?? 'error') as FailOn,
    color: colorEnabled(raw['color'], io.isTTY, io.env) && format === 'human',
    quiet: Boolean(raw['quiet']),
    live: raw['quiet'] ? 'none' : liveOutput({ isTTY: io.isErrTTY, columns: io.errColumns ?? 0 }, io.env),
    liveColor: colorEnabled(raw['color'], io.isErrTTY, io.env),
    selection: { only: parseIdList('--checks', list('checks'), checkIds), skip: parseIdList('--skip', list('skip'), checkIds) },
    concurrency: str('concurrency') ? parsePositiveInt('--concurrency', str('concurrency')!, 1000) : DEFAULT_CONCURRENCY,
  };
}

/** A message file that is not there or is not a message stops the run before anything is checked. */
export function admitMessageFile(option: string, given: string, path: string): Buffer {
  try {
    return readMessageFileSync(path);
  } catch (err) {
    if (err instanceof MessageFileError) throw new UsageError(`${option} ${given}: ${err.reason}`);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${option} ${given}: no such file`);
    if (code) throw new UsageError(`${option} ${given}: cannot read it (${code})`);
    throw err;
  }
}
