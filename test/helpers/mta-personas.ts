// Persona servers that greet and answer EHLO the way real MTAs do (banners
// and extension lists as Exim 4.96, Exchange Online, Gmail, Sendmail 8.17,
// OpenSMTPD 7 and Haraka 3 send them), so a test can put any reply from
// the shared table (src/replies) into the mouth of the family that says it.
import type { MtaFamily } from '../../src/replies/index.js';
import type { SmtpPersona } from '../../src/sim/smtp-server.js';
import { healthyServer } from './smtp-world.js';

/**
 * The server's clock as each family writes it: Exim "Sat, 05 Dec 2026 02:50:00
 * +0000", Exchange "Sat, 5 Dec 2026 02:50:00 +0000", Sendmail "...GMT". The
 * time of the test run, as a real server states its own: maildiag reads it as
 * evidence about its clock, so a fixed date would age into a wrong clock.
 */
const now = new Date().toUTCString();
const unpadded = now.replace(/ 0(\d) /, ' $1 ');
const TIME = { exim: now.replace(/GMT$/, '+0000'), exchange: unpadded.replace(/GMT$/, '+0000'), sendmail: unpadded };

const BANNERS: Record<MtaFamily, { greeting: string[]; extensions: string[] }> = {
  postfix: { greeting: ['220 mx.example.com ESMTP Postfix (Debian/GNU)'], extensions: ['PIPELINING', 'SIZE 36700160', 'ETRN', 'ENHANCEDSTATUSCODES', '8BITMIME', 'DSN', 'SMTPUTF8', 'CHUNKING'] },
  // cPanel's Exim: a multi-line banner.
  exim: {
    greeting: [`220-mx.example.com ESMTP Exim 4.96 #2 ${TIME.exim}`, '220-We do not authorize the use of this system to transport unsolicited,', '220 and/or bulk e-mail.'],
    extensions: ['SIZE 52428800', '8BITMIME', 'PIPELINING', 'PIPECONNECT', 'CHUNKING', 'HELP'],
  },
  exchange: {
    greeting: [`220 BN8NAM12FT011.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at ${TIME.exchange} [08DD1A2B3C4D5E6F]`],
    extensions: ['SIZE 157286400', 'PIPELINING', 'DSN', 'ENHANCEDSTATUSCODES', '8BITMIME', 'BINARYMIME', 'CHUNKING', 'SMTPUTF8'],
  },
  google: { greeting: ['220 mx.google.com ESMTP a1si123456qkb.42 - gsmtp'], extensions: ['SIZE 157286400', '8BITMIME', 'ENHANCEDSTATUSCODES', 'PIPELINING', 'CHUNKING', 'SMTPUTF8'] },
  sendmail: { greeting: [`220 mx.example.com ESMTP Sendmail 8.17.1.9/8.17.1.9; ${TIME.sendmail}`], extensions: ['ENHANCEDSTATUSCODES', 'PIPELINING', '8BITMIME', 'SIZE', 'DSN', 'DELIVERBY', 'HELP'] },
  opensmtpd: { greeting: ['220 mx.example.com ESMTP OpenSMTPD'], extensions: ['8BITMIME', 'ENHANCEDSTATUSCODES', 'SIZE 36700160', 'DSN', 'HELP'] },
  haraka: { greeting: ['220 mx.example.com ESMTP Haraka/3.0.3 ready'], extensions: ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'SIZE 0'] },
  yahoo: { greeting: ['220 mta1042.mail.ne1.yahoo.com ESMTP ready'], extensions: ['PIPELINING', 'SIZE 41943040', '8BITMIME'] },
  any: { greeting: ['220 mx.example.com ESMTP'], extensions: ['PIPELINING', 'SIZE 52428800', '8BITMIME', 'ENHANCEDSTATUSCODES'] },
};

/** A server of this family: its banner and EHLO keywords, relaying denied, and `overrides` on top. */
export function mtaPersona(family: MtaFamily, overrides: Partial<SmtpPersona> = {}): SmtpPersona {
  const { greeting, extensions } = BANNERS[family];
  return healthyServer('mx.example.com', { greeting, extensions, name: 'mx.example.com', ...overrides });
}

/** A table example ("550-5.1.1 ...\n550 5.1.1 ...") as the reply lines a persona sends. */
export const replyLines = (example: string): string[] => example.split('\n');
