// The command line of shared/spec/cli.md. A fresh Command per call, so tests
// run main() in-process. Heavy modules load inside the actions, never here:
// `maildiag --version` must start as fast as node itself.
import { Command, Option } from 'commander';
import type { CliIo } from './io.js';
import { UsageError } from './errors.js';
import { FAIL_ON } from './options.js';
import { DEFAULT_TIMEOUT_MS } from '../net/time.js';
import { FORMATS } from '../render/formats.js';
import { VERSION } from '../version.js';
import { withOutput } from './output.js';

export interface Outcome {
  status?: number;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
/** Shown in --help only: without --timeout the net takes its own default. */
const TIMEOUT_HELP = `3s, 1500ms, 2m (default: ${DEFAULT_TIMEOUT_MS / 1000}s)`;

/** How a report is written and which resolver it asks: the same for every command that diagnoses. */
function addReportOptions(command: Command, timeoutWhat: string): Command {
  return command
    .option('--json', 'same as --format json')
    .addOption(new Option('--format <format>', 'output format (human on a terminal)').choices(FORMATS))
    .option('--resolver <ip[:port]>', 'DNS server to ask, repeatable or comma-separated (default: the system\'s)', collect)
    .option('-o, --output <file>', 'write the report to this file (format from --format or its extension)')
    .option('--timeout <duration>', `limit for ${timeoutWhat}: ${TIMEOUT_HELP}`);
}

/** Options shared by the diagnosing commands (targets on the command line, and audit). */
function addDiagnoseOptions(command: Command): Command {
  return addReportOptions(command, 'one network operation (connect, reply, DNS query, handshake)')
    .option('--rcpt <address>', 'recipient probed with RCPT TO (default postmaster@<domain>)')
    .option('--from <address>', 'MAIL FROM of probes, and the sender of the SPF evaluation with --ip (default: the null sender <>)')
    .option('--helo <name>', 'EHLO name of probes, and the HELO of the SPF evaluation with --ip (default: this machine\'s name)')
    .option('--ip <address>', 'the sending IP to check too: PTR, DNSBLs, SPF authorisation')
    .option('--relay <host[:port]>', 'submission relay to test on 587 and 2525')
    .option('--dkim-selector <selector>', 'DKIM selector to try besides the common ones, repeatable', collect)
    .option('--dnsbl <zone>', 'DNSBL zone to query instead of the default set, repeatable', collect)
    .option('--no-dnsbl', 'query no DNS blocklists')
    .option('--no-smtp', 'open no SMTP sessions')
    .option('--no-relay-test', 'skip the open-relay probe')
    .option('--message <file>', 'a message received from the domain (.eml) to verify')
    .option('--ca-file <pem>', 'extra trusted CA certificates (NODE_EXTRA_CA_CERTS is honoured too)')
    .option('--allow-private', 'accept loopback/private MX addresses (labs, internal networks)')
    .option('--checks <ids>', 'run only these checks (comma-separated)', collect)
    .option('--skip <ids>', 'skip these checks (comma-separated)', collect)
    .addOption(new Option('--fail-on <severity>', 'severity that makes the exit status 1 (with --compare: only new or worsened causes)').choices(FAIL_ON).default('error'))
    .option('--compare <previous>', 'an earlier --json or --format jsonl run: report what changed since, per target')
    .option('--concurrency <n>', 'targets diagnosed at once')
    .option('--no-color', 'no colour (also NO_COLOR, or when not a terminal)')
    .option('--quiet', 'print less: no spinner, no hints')
    .option('--verbose', 'print more: evidence, informational notes, SMTP transcripts');
}

export function createProgram(io: CliIo, outcome: Outcome): Command {
  const program = new Command('maildiag')
    .description('Why does mail to or from a domain bounce, vanish or land in spam? One command, ranked causes, who fixes what.')
    .version(VERSION, '-V, --version')
    .argument('[targets...]', 'domains or IP addresses')
    .showHelpAfterError('(run maildiag --help for usage)')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  addDiagnoseOptions(program).action(async (targets: string[], options: Record<string, unknown>) => {
    if (!targets.length) {
      io.stdout(program.helpInformation());
      throw new UsageError('give at least one domain or IP address, e.g. maildiag example.com');
    }
    const { runDiagnoseCommand } = await import('./diagnose-command.js');
    outcome.status = await withOutput(options, io, out => runDiagnoseCommand(targets, options, out));
  });

  addDiagnoseOptions(program.command('audit').argument('[file]', 'one target per line, - for stdin (# comments and blank lines ok)'))
    .description('diagnose many targets, concurrently, with shared caches')
    .option('--resume <file.jsonl>', 'skip targets already reported in this JSONL file')
    .option('--shard <k/n>', 'run only share k of n of the list (deterministic)')
    .action(async (file: string | undefined, options: Record<string, unknown>) => {
      const { runAuditCommand } = await import('./audit-command.js');
      outcome.status = await withOutput(options, io, out => runAuditCommand(file ?? '-', options, out));
    });

  addReportOptions(
    program
      .command('check-message')
      .argument('<file>', 'a message as your own mailbox received it (.eml: "Show original", then "Download")')
      .description('why does my mail land in spam? a received message against Gmail\'s, Yahoo\'s and Outlook.com\'s sender rules'),
    'one DNS query',
  )
    .option('--ip <address>', 'the sending IP, when the Received fields do not show it')
    .option('--dnsbl <zone>', 'DNSBL zone to query instead of the default set, repeatable', collect)
    .option('--no-dnsbl', 'query no DNS blocklists')
    .option('--allow-private', 'accept a loopback/private sending address in Received (labs, internal networks)')
    .addOption(new Option('--fail-on <severity>', 'severity that makes the exit status 1').choices(FAIL_ON).default('error'))
    .option('--no-color', 'no colour (also NO_COLOR, or when not a terminal)')
    .option('--quiet', 'print less: no hints')
    .option('--verbose', 'print more: evidence, fixes, informational notes')
    .action(async (file: string, options: Record<string, unknown>) => {
      const { runCheckMessageCommand } = await import('./check-message-command.js');
      outcome.status = await withOutput(options, io, out => runCheckMessageCommand(file, options, out));
    });

  program
    .command('explain')
    .argument('[file]', 'a bounce (.eml), NDR text, SMTP reply or log line; - or nothing for stdin')
    .description('classify a bounce / NDR / SMTP reply / log line')
    .option('--json', 'same as --format json')
    .addOption(new Option('--format <format>', 'output format').choices(['human', 'json', 'markdown']))
    .option('--check', 'run the live checks that can confirm the cause')
    .option('--resolver <ip[:port]>', 'DNS server for --check', collect)
    .option('-o, --output <file>', 'write the explanation to this file (format from --format or its extension)')
    .option('--timeout <duration>', `limit for one network operation in --check: ${TIMEOUT_HELP}`)
    .option('--allow-private', 'let --check look at loopback/private/documentation addresses')
    .option('--no-color', 'no colour')
    .action(async (file: string | undefined, options: Record<string, unknown>) => {
      const { runExplainCli } = await import('./explain-cli.js');
      outcome.status = await withOutput(options, io, out => runExplainCli(file, options, out));
    });

  program
    .command('causes')
    .argument('[id]', 'a cause id, e.g. mx.null')
    .description('list the cause vocabulary, or show one cause')
    .option('--json', 'as JSON')
    .action(async (id: string | undefined, options: { json?: boolean }) => {
      const { runCausesCommand } = await import('./causes-command.js');
      outcome.status = runCausesCommand(id, options, io);
    });

  program
    .command('demo')
    .description('diagnose a few broken example domains in a built-in simulated world (no network needed)')
    .addOption(new Option('--format <format>', 'output format').choices(['human', 'jsonl', 'html']))
    .option('-o, --output <file>', 'write the reports to this file (human, jsonl or html, from its extension)')
    .option('--compare <previous>', 'an earlier demo --format jsonl run: what changed since (edit it to see)')
    .option('--no-color', 'no colour')
    .action(async (options: Record<string, unknown>) => {
      const { runDemoCommand } = await import('./demo-command.js');
      outcome.status = await withOutput(options, io, out => runDemoCommand(options, out));
    });

  return program;
}
