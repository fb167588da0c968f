// Acceptance against a real Exim 4.96 (Debian's exim4-daemon-light, never
// installed: `apt-get download exim4-daemon-light libidn12` and `dpkg-deb -x`
// into a folder). Each connection is one `exim -bh` session: Exim's own SMTP
// server code on the socket's bytes, with its own config, delivering nothing
// and binding no port of its own. Skipped unless MAILDIAG_EXIM names a command
// that runs that binary with the arguments it is given; the Debian build wants
// its "Debian-exim" user to exist, so on a machine without it the command can
// be a script that, run under `unshare -m`, bind-mounts a copy of /etc/passwd
// and /etc/group with that user added, sets LD_LIBRARY_PATH to the extracted
// libidn12, and execs the extracted usr/sbin/exim4.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startSimDns } from '../../src/sim/dns-server.js';
import { causesOf, checkOf, diagnoseWorld } from '../helpers/diagnosis.js';
import { mxZone } from '../helpers/smtp-world.js';

const EXIM = process.env['MAILDIAG_EXIM'];
const skip = EXIM && existsSync(EXIM) ? false : 'no Exim to test against (set MAILDIAG_EXIM to a command that runs exim4)';
const ONLY = ['smtp-reachability', 'smtp-policy', 'starttls'];

const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map(close => close())));

/** A config for `exim -bh`: example.com is local and only postmaster@ exists; `extra` adds main options and ACLs. */
function eximConfig(extra: { main?: string; connect?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'maildiag-exim-'));
  // Exim drops to its exim_user, which must reach its spool and log files.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'spool'), { mode: 0o777 });
  const file = join(dir, 'exim.conf');
  writeFileSync(file, `exim_user = nobody
exim_group = nogroup
spool_directory = ${dir}/spool
log_file_path = ${dir}/%slog
primary_hostname = mx.example.com
domainlist local_domains = example.com
tls_advertise_hosts =
acl_smtp_rcpt = acl_check_rcpt
${extra.connect ? 'acl_smtp_connect = acl_check_connect' : ''}
${extra.main ?? ''}
begin acl
acl_check_connect:
${extra.connect ?? '  accept'}
acl_check_rcpt:
  require message = relay not permitted
          domains = +local_domains
  require verify = recipient
  accept
begin routers
postmaster:
  driver = redirect
  domains = +local_domains
  local_parts = postmaster
  data = :blackhole:
`);
  return file;
}

/** A port on 127.0.0.1 where every connection is one `exim -bh` session (its "****" preamble dropped). */
async function eximListener(command: string, config: string): Promise<number> {
  const server = net.createServer(socket => {
    const exim = spawn(command, ['-C', config, '-bh', '192.0.2.1'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let preamble = '';
    let talking = false;
    exim.stdout.on('data', (chunk: Buffer) => {
      if (talking) return void socket.write(chunk);
      preamble += chunk.toString('latin1');
      const replyAt = preamble.search(/^\d{3}[ -]/m);
      if (replyAt < 0) return;
      talking = true;
      socket.write(Buffer.from(preamble.slice(replyAt), 'latin1'));
    });
    socket.pipe(exim.stdin);
    exim.stdin.on('error', () => undefined);
    socket.on('error', () => undefined);
    exim.on('close', () => socket.end());
    socket.on('close', () => exim.kill());
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise(resolve => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

async function diagnoseExim(config: string, options = {}) {
  const dns = await startSimDns({ '.': { NS: ['a.root.example'] }, ...mxZone('example.com', { 'mx.example.com': ['192.0.2.10'] }) });
  closers.push(() => dns.close());
  const port = await eximListener(EXIM!, config);
  return diagnoseWorld('example.com', { dns, ports: { '192.0.2.10:25': port }, only: ONLY, options: { timeoutMs: 5000, helo: 'probe.example.net', ...options } });
}

test('Exim: postmaster@ accepted, relaying refused; no STARTTLS offered', { skip }, async () => {
  const report = await diagnoseExim(eximConfig());
  assert.deepEqual(ONLY.flatMap(id => causesOf(report, id)), ['tls.starttls-missing:warning'], JSON.stringify(checkOf(report, 'smtp-reachability').data, null, 1));
});

test('Exim: "550 Unrouteable address" for an unknown user is smtp.recipient-rejected', { skip }, async () => {
  const report = await diagnoseExim(eximConfig(), { rcpt: 'alice@example.com' });
  assert.deepEqual(causesOf(report, 'smtp-policy'), ['smtp.recipient-rejected:error']);
  const finding = checkOf(report, 'smtp-policy').findings[0]!;
  assert.equal(finding.messageId, 'unknownRecipient');
  assert.match(String(finding.data?.['reply']), /550 Unrouteable address/);
});

test('Exim short of spool space: "452 Space shortage" at MAIL FROM is smtp.insufficient-storage, an error', { skip }, async () => {
  const report = await diagnoseExim(eximConfig({ main: 'check_spool_space = 1000000G' }));
  assert.deepEqual(causesOf(report, 'smtp-policy'), ['smtp.insufficient-storage:error']);
  const finding = checkOf(report, 'smtp-policy').findings[0]!;
  assert.equal(finding.messageId, 'outOfStorage');
  assert.match(String(finding.data?.['reply']), /452 Space shortage, please try later/);
});

test('Exim refusing every session in its connect ACL (550 at connect): smtp.service-refused, an error', { skip }, async () => {
  const report = await diagnoseExim(eximConfig({ connect: '  deny message = not accepting mail' }));
  assert.deepEqual(causesOf(report, 'smtp-reachability'), ['smtp.service-refused:error', 'mx.all-unreachable:error']);
  const { messageId, data } = checkOf(report, 'smtp-reachability').findings[0]!;
  assert.deepEqual([messageId, data!['reply']], ['atConnect', '550 not accepting mail']);
});
