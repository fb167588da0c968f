// What other machines say the time is, and what it makes of this machine's
// clock. maildiag judges certificate dates by its own clock; when that clock
// is off, a valid certificate looks expired or not valid yet and the fault
// lands on the wrong side. Servers state their time without being asked: many
// MTAs put it in the SMTP greeting (Exim, Sendmail, Exchange, Domino), and
// every HTTP response carries a Date (RFC 9110 §6.6.1). The certificate and
// MTA-STS checks both read these readings through here, so there is one
// tolerance and one verdict.
import type { SmtpProbe } from '../net/smtp/index.js';

/** Clocks on the internet agree within seconds; an hour apart is a wrong clock (or a wrong time zone), not network delay. */
export const MAX_CLOCK_SKEW_MS = 3_600_000;
export const HOUR_MS = 3_600_000;

/** Where a server stated its time. */
export type ClockSource = 'greeting' | 'ehlo' | 'http-date';

/** One server's statement of the current time. */
export interface ClockReading {
  host: string;
  source: ClockSource;
  /** The date-time as the server wrote it. */
  stated: string;
  /** It, as an ISO 8601 timestamp. */
  at: string;
}

/** An SMTP line is at most 512 octets (RFC 5321 §4.5.3.1.5); a longer one is not read for a date. */
const MAX_LINE = 512;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** RFC 5322 §4.3 obs-zone names, in hours from UTC. */
const ZONE_NAMES: Record<string, number> = { ut: 0, gmt: 0, z: 0, edt: -4, est: -5, cdt: -5, cst: -6, mdt: -6, mst: -7, pdt: -7, pst: -8 };
/**
 * RFC 5322 §3.3 date-time: [day-of-week ","] day month year hour ":" minute
 * [":" second] zone. An HTTP IMF-fixdate ("Sat, 05 Dec 2026 02:50:00 GMT") is
 * one too. The year is exactly four digits, so "99999" is no year.
 */
const DATE_TIME =
  /(?:^|[\s,;(])((?:(?:mon|tue|wed|thu|fri|sat|sun),[ \t]*)?(\d{1,2})[ \t]+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[ \t]+(\d{4})[ \t]+(\d{2}):(\d{2})(?::(\d{2}))?[ \t]+([+-]\d{4}|ut|gmt|z|[ecmp][sd]t))(?=$|[\s);,])/i;
/** Years a running clock can show: a date outside is garbage, not a clock. */
const PLAUSIBLE_YEARS = { from: 1990, to: 2199 };

/** The first RFC 5322 date-time in `text`, or undefined when there is none or it is no real moment (31 Feb, 25:00, year 9999). */
export function parseStatedDate(text: string): { stated: string; at: Date } | undefined {
  if (text.length > MAX_LINE) return undefined;
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, stated, day, month, year, hour, minute, second = '0', zone] = match as unknown as string[];
  const fields = { year: Number(year), month: MONTHS.indexOf(month!.toLowerCase()), day: Number(day), hour: Number(hour), minute: Number(minute), second: Number(second) };
  const offsetMinutes = zoneOffsetMinutes(zone!);
  if (offsetMinutes === undefined || fields.year < PLAUSIBLE_YEARS.from || fields.year > PLAUSIBLE_YEARS.to) return undefined;
  if (fields.hour > 23 || fields.minute > 59 || fields.second > 60) return undefined;
  const utc = Date.UTC(fields.year, fields.month, fields.day, fields.hour, fields.minute, Math.min(fields.second, 59));
  // Date.UTC rolls 31 Feb over into March: a day the month does not have is no date.
  if (new Date(utc).getUTCDate() !== fields.day) return undefined;
  return { stated: stated!, at: new Date(utc - offsetMinutes * 60_000) };
}

/** "+0100" → 60; a named zone by its table; an offset of a day or more is no zone. */
function zoneOffsetMinutes(zone: string): number | undefined {
  const named = ZONE_NAMES[zone.toLowerCase()];
  if (named !== undefined) return named * 60;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(3, 5));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/** The time a server stated in one text, as a reading. */
export function readingFrom(host: string, source: ClockSource, text: string): ClockReading | undefined {
  const parsed = parseStatedDate(text);
  return parsed && { host, source, stated: parsed.stated, at: parsed.at.toISOString() };
}

/** What the port-25 sessions said the time was: each address's greeting, or else the first line of its EHLO reply. */
export function smtpReadings(probes: readonly SmtpProbe[]): ClockReading[] {
  return probes.flatMap(probe => {
    const texts: [ClockSource, string | undefined][] = [
      ...(probe.greeting?.lines ?? []).map(line => ['greeting', line] as [ClockSource, string]),
      ['ehlo', probe.ehlo?.reply.lines[0]],
    ];
    for (const [source, text] of texts) {
      const reading = text === undefined ? undefined : readingFrom(probe.host, source, text);
      if (reading) return [reading];
    }
    return [];
  });
}

/** How far a reading is ahead of this machine's clock (negative: behind). */
export const offsetMs = (reading: ClockReading, now: Date): number => Date.parse(reading.at) - now.getTime();

/**
 * What the readings make of this machine's clock: nothing without readings or
 * when they disagree among themselves; otherwise the clock agrees with them or
 * is off, and `witness` is the reading of the median offset. `lone`: off by
 * the word of fewer servers than WITNESSES (corroborated), which names this
 * clock as a suspect but does not convict it.
 */
export type ClockVerdict =
  | { kind: 'unknown' }
  | { kind: 'agrees'; readings: ClockReading[] }
  | { kind: 'off' | 'lone'; witness: ClockReading; readings: ClockReading[] };

export function judgeClock(readings: readonly ClockReading[], now: Date): ClockVerdict {
  if (!readings.length) return { kind: 'unknown' };
  const sorted = [...readings].sort((a, b) => offsetMs(a, now) - offsetMs(b, now));
  if (offsetMs(sorted.at(-1)!, now) - offsetMs(sorted[0]!, now) > MAX_CLOCK_SKEW_MS) return { kind: 'unknown' };
  const witness = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return Math.abs(offsetMs(witness, now)) <= MAX_CLOCK_SKEW_MS ? { kind: 'agrees', readings: sorted } : { kind: 'off', witness, readings: sorted };
}

/**
 * Servers that must agree before what they say of this clock convicts it: a
 * server's clock can be stuck too (an appliance without NTP, a dead CMOS
 * battery), and one stuck clock alone would blame this one for a certificate
 * that really is out of date.
 */
export const WITNESSES = 2;

/** An 'off' verdict resting on fewer than WITNESSES servers is a lone one. */
export function corroborated(verdict: ClockVerdict): ClockVerdict {
  if (verdict.kind !== 'off' || new Set(verdict.readings.map(r => r.host)).size >= WITNESSES) return verdict;
  return { ...verdict, kind: 'lone' };
}

/** What a clock finding's data says about one reading against this machine's clock. */
export function skewData(reading: ClockReading, now: Date) {
  const skewMs = -offsetMs(reading, now);
  return { clock: now.toISOString(), serverDate: reading.stated, skewMs, hours: Math.round(Math.abs(skewMs) / HOUR_MS), host: reading.host, source: reading.source };
}

/** The evidence line of a reading. */
export const describeReading = (reading: ClockReading): string => `${reading.host} ${SOURCE_LABEL[reading.source]}: ${reading.stated}`;
const SOURCE_LABEL: Record<ClockSource, string> = { greeting: 'SMTP greeting', ehlo: 'EHLO reply', 'http-date': 'HTTP Date' };
