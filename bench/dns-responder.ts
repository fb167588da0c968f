// A bare UDP resolver for bench/dns.ts, run as its own process so that its CPU
// is not counted: it encodes each question's answer once, then only patches
// the message id (the simulated world's dns2 server costs more per question
// than the client under test). It prints its port and serves until stdin closes.
import dgram from 'node:dgram';
import packet from 'dns-packet';

const DKIM_KEY = `v=DKIM1; k=rsa; p=${'A'.repeat(230)}`;
const DOMAIN = /^d\d+$/;

/** What the bench's world holds: per domain dN.bench.example an MX, an SPF record, a DMARC record and one DKIM key. */
function answers(name: string, type: string): packet.Answer[] | undefined {
  const [label, second] = name.split('.');
  if (type === 'MX' && DOMAIN.test(label!)) return [{ type, name, data: { preference: 10, exchange: 'mx.hosting.example' } }];
  if (type === 'TXT' && DOMAIN.test(label!)) return [{ type, name, data: ['v=spf1 include:_spf.hosting.example -all'] }];
  if (type === 'TXT' && label === '_dmarc') return [{ type, name, data: [`v=DMARC1; p=reject; rua=mailto:dmarc@${name.slice(7)}`] }];
  if (type === 'TXT' && label === 'default' && second === '_domainkey') return [{ type, name, data: [DKIM_KEY, 'B'.repeat(142)] }];
  return undefined;
}

const encoded = new Map<string, Buffer>();
const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
socket.on('message', (message, from) => {
  const question = message.toString('latin1', 12);
  let response = encoded.get(question);
  if (!response) {
    const asked = packet.decode(message).questions![0]!;
    const found = answers(asked.name, asked.type);
    response = packet.encode({ type: 'response', id: 0, flags: found ? 0x8180 : 0x8183, questions: [asked], answers: found ?? [] });
    encoded.set(question, response);
  }
  const reply = Buffer.from(response);
  reply.writeUInt16BE(message.readUInt16BE(0), 0);
  socket.send(reply, from.port, from.address);
});
socket.bind(0, '127.0.0.1', () => console.log(socket.address().port));
process.stdin.on('end', () => process.exit(0)).resume();
