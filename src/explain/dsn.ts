// RFC 3464 message/delivery-status (and RFC 6533 message/global-delivery-status):
// one block of per-message fields, then one block per recipient.
import { parseHeaders, type Headers } from './mime.js';

export interface DsnRecipient {
  recipient?: string;
  action?: string;
  status?: string;
  remoteMta?: string;
  diagnostic?: string;
}

export interface DeliveryStatus {
  reportingMta?: string;
  sender?: string;
  recipients: DsnRecipient[];
}

const MAX_RECIPIENTS = 500;

export function parseDeliveryStatus(body: string): DeliveryStatus {
  const blocks = body.split(/\n[ \t]*\n/).map(b => b.trim()).filter(Boolean).map(parseHeaders);
  const perMessage = blocks.find(b => !isRecipientBlock(b));
  const recipients = blocks.filter(isRecipientBlock).slice(0, MAX_RECIPIENTS).map(recipientFields);
  return {
    reportingMta: typeField(perMessage?.get('reporting-mta')),
    sender: typeField(perMessage?.get('x-postfix-sender') ?? perMessage?.get('original-envelope-sender')),
    recipients,
  };
}

const isRecipientBlock = (h: Headers) => Boolean(h.get('final-recipient') ?? h.get('original-recipient') ?? h.get('action'));

function recipientFields(h: Headers): DsnRecipient {
  return {
    recipient: typeField(h.get('final-recipient') ?? h.get('original-recipient'))?.replace(/^<|>$/g, ''),
    action: h.get('action')?.trim().toLowerCase(),
    status: h.get('status')?.match(/[245]\.\d{1,3}\.\d{1,3}/)?.[0],
    remoteMta: typeField(h.get('remote-mta')),
    diagnostic: typeField(h.get('diagnostic-code')),
  };
}

/** "rfc822; user@example.com" → "user@example.com"; "dns; mx.example.com" → "mx.example.com". */
function typeField(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const semi = value.indexOf(';');
  const rest = (semi >= 0 && semi < 20 ? value.slice(semi + 1) : value).trim();
  return rest || undefined;
}
