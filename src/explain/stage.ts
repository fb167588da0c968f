// Which SMTP command the reply answered, recovered from each MTA's wording:
// Postfix "(in reply to RCPT TO command)", Exim "after RCPT TO:<...>", Sendmail
// ">>> RCPT To:<...>", qmail "does not like recipient", and connection-level phrases.
import type { Stage } from './types.js';

const COMMANDS: [RegExp, Stage][] = [
  [/^(?:RCPT(?: TO)?)$/i, 'rcpt'],
  [/^(?:MAIL(?: FROM)?)$/i, 'mail'],
  [/^(?:end of DATA|end of data|BDAT|\.)$/i, 'data-end'],
  [/^DATA$/i, 'data'],
  [/^(?:EHLO|HELO|LHLO)$/i, 'helo'],
  [/^STARTTLS$/i, 'starttls'],
  [/^AUTH$/i, 'auth'],
  [/^initial connection$/i, 'connect'],
];

const commandStage = (command: string) => COMMANDS.find(([re]) => re.test(command.trim()))?.[1];

// Explicit markers first: they name the command.
const EXPLICIT: RegExp[] = [
  /\(in reply to (RCPT TO|MAIL FROM|end of DATA|DATA|EHLO|HELO|LHLO|STARTTLS|AUTH|BDAT) command\)/i,
  /\bafter (?:pipelined )?(RCPT TO|MAIL FROM|end of data|DATA|initial connection|EHLO|HELO|LHLO|STARTTLS|AUTH|BDAT)\b/i,
  /^>>> (RCPT|MAIL|DATA|EHLO|HELO|STARTTLS|AUTH|\.)\b/im,
  /\brejected (RCPT|MAIL)\b/i,
  /: reject: (RCPT|MAIL|DATA|EHLO|HELO) from\b/i,
];

// Phrases that place the failure without naming a command.
const IMPLIED: [RegExp, Stage][] = [
  [/\bdoes not like recipient\b/i, 'rcpt'],
  [/\bdoes not like sender\b|\bsender was rejected\b/i, 'mail'],
  [/\bfailed after I sent the message\b|\bwhile sending (?:message body|end of data)\b/i, 'data-end'],
  [/\brefused to talk to me\b|\binitial server greeting\b|\bgreeting failed\b|\bwhile talking to [^:]*:\s*<<</i, 'connect'],
  [/\bconnect to \S+: |\bConnection (?:timed out|refused)\b|\bno route to host\b|\bunable to connect\b/i, 'connect'],
  [/\bCannot start TLS\b|\bTLS is required, but\b|\bSSL_connect\b|\bTLS session\b/i, 'starttls'],
  [/\bName service error\b|\bHost or domain name not found\b|\bhost lookup did not complete\b|\bDNS (?:Error|query failed|type '\w+' lookup)\b|\bHost unknown\b|\bcouldn't find any host\b|\bcouldn't find a mail exchanger\b|\bnullMX\b|\bUnrouteable address\b|\bMX records point\b|\bname server\b/i, 'dns'],
];

export function findStage(texts: readonly string[]): Stage | undefined {
  for (const text of texts) {
    for (const re of EXPLICIT) {
      const command = text.match(re)?.[1];
      const stage = command ? commandStage(command) : undefined;
      if (stage) return stage;
    }
  }
  for (const text of texts) {
    const implied = IMPLIED.find(([re]) => re.test(text));
    if (implied) return implied[1];
  }
  return undefined;
}
