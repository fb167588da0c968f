// Every check, in pipeline order: the order the report lists them in.
import type { AnyCheck } from './define.js';
import domain from './domain.js';
import mx from './mx.js';
import hostAddrs from './host-addrs.js';
import smtpReachability from './smtp-reachability.js';
import smtpPolicy from './smtp-policy.js';
import submission from './submission.js';
import ptr from './ptr.js';
import dnsbl from './dnsbl.js';
import dnsblDomain from './dnsbl-domain.js';
import senderIp from './sender-ip.js';
import smtpIdentity from './smtp-identity.js';
import starttls from './starttls.js';
import certificate from './certificate.js';
import dane from './dane.js';
import mtaSts from './mta-sts.js';
import tlsRpt from './tls-rpt.js';
import spf from './spf.js';
import dkim from './dkim.js';
import dmarc from './dmarc.js';
import message from './message.js';
import senderRules from './sender-rules.js';

export const checks: readonly AnyCheck[] = [domain, mx, hostAddrs, smtpReachability, smtpPolicy, submission, ptr, dnsbl, dnsblDomain, senderIp, smtpIdentity, starttls, certificate, dane, mtaSts, tlsRpt, spf, dkim, dmarc, message, senderRules];

export const checkIds = checks.map(c => c.id);
