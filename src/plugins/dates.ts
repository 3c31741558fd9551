/**
 * Calendar dates between SCIM and native APIs. Entra sends ISO 8601 in many spellings (a bare date,
 * a dateTime with or without seconds, fractions of up to 7 digits from .NET, `Z` or an offset, the basic
 * form without separators); native APIs want their own layout (15Five `MM/DD/YYYY`, BambooHR and HiBob
 * `YYYY-MM-DD`). The calendar date is taken as written: a hire date `2024-03-05T00:00:00+02:00` is
 * March 5, not the UTC instant's March 4.
 */

/** A calendar date, month 1-12, day 1-31 (checked against the month). */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const MAX_INPUT = 64;
// Anchored, no nested quantifiers: linear time on any input.
const EXTENDED = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const BASIC = /^(\d{4})(\d{2})(\d{2})(?:[Tt](\d{2})(\d{2})(?:(\d{2})(?:[.,]\d{1,9})?)?([Zz]|[+-]\d{2}(?:\d{2})?)?)?$/;

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

function checked(year: number, month: number, day: number): CalendarDate | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  return { year, month, day };
}

/** The calendar date of an ISO 8601 date or dateTime, or undefined when `text` is not one. */
export function parseIsoDate(text: string): CalendarDate | undefined {
  if (text.length > MAX_INPUT) return undefined;
  const m = EXTENDED.exec(text) ?? BASIC.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, hh, mm, ss] = m;
  if (hh !== undefined && (Number(hh) > 23 || Number(mm) > 59 || (ss !== undefined && Number(ss) > 60))) return undefined;
  return checked(Number(y), Number(mo), Number(d));
}

type Token = { kind: 'YYYY' | 'MM' | 'DD' | 'M' | 'D' } | { kind: 'text'; text: string };

const TOKEN = /YYYY|MM|DD|M|D/g;

/** Splits a layout such as `MM/DD/YYYY` into fields and literal text. */
function tokenize(layout: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const m of layout.matchAll(TOKEN)) {
    if (m.index > last) tokens.push({ kind: 'text', text: layout.slice(last, m.index) });
    tokens.push({ kind: m[0] as 'YYYY' | 'MM' | 'DD' | 'M' | 'D' });
    last = m.index + m[0].length;
  }
  if (last < layout.length) tokens.push({ kind: 'text', text: layout.slice(last) });
  return tokens;
}

/** Why a layout is unusable (it must name the year, month and day once each), or undefined. */
export function checkLayout(layout: string): string | undefined {
  if (layout.length === 0 || layout.length > 32) return 'a date layout has 1 to 32 characters';
  const kinds = tokenize(layout).map((t) => t.kind);
  const count = (...ks: string[]) => kinds.filter((k) => ks.includes(k)).length;
  if (count('YYYY') !== 1 || count('MM', 'M') !== 1 || count('DD', 'D') !== 1) {
    return `date layout "${layout}" must contain YYYY, MM (or M) and DD (or D) once each`;
  }
  return undefined;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function formatDate(date: CalendarDate, layout: string): string {
  return tokenize(layout)
    .map((t) => {
      switch (t.kind) {
        case 'YYYY':
          return pad(date.year, 4);
        case 'MM':
          return pad(date.month, 2);
        case 'DD':
          return pad(date.day, 2);
        case 'M':
          return String(date.month);
        case 'D':
          return String(date.day);
        case 'text':
          return t.text;
      }
    })
    .join('');
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Reads a date written in `layout`, or undefined when `text` does not fit it. */
export function parseLayoutDate(text: string, layout: string): CalendarDate | undefined {
  if (text.length > MAX_INPUT) return undefined;
  const order: ('y' | 'm' | 'd')[] = [];
  const source = tokenize(layout)
    .map((t) => {
      if (t.kind === 'text') return escapeRegex(t.text);
      order.push(t.kind === 'YYYY' ? 'y' : t.kind.startsWith('M') ? 'm' : 'd');
      return t.kind === 'YYYY' ? '(\\d{4})' : t.kind.length === 2 ? '(\\d{2})' : '(\\d{1,2})';
    })
    .join('');
  const m = new RegExp(`^${source}$`).exec(text);
  if (!m) return undefined;
  const parts = { y: 0, m: 0, d: 0 };
  order.forEach((k, i) => (parts[k] = Number(m[i + 1])));
  return checked(parts.y, parts.m, parts.d);
}

/** `YYYY-MM-DD`. */
export const isoDate = (date: CalendarDate): string => formatDate(date, 'YYYY-MM-DD');

/** Seconds since 1970-01-01T00:00:00Z at the start (UTC) of the calendar date: a date as a Unix timestamp. */
export const unixSeconds = (date: CalendarDate): number => Date.UTC(date.year, date.month - 1, date.day) / 1000;

/** The UTC calendar date of a Unix timestamp in seconds, or undefined beyond years 1-9999. */
export function fromUnixSeconds(seconds: number): CalendarDate | undefined {
  if (!Number.isFinite(seconds) || Math.abs(seconds) > 253_402_300_799) return undefined;
  const d = new Date(seconds * 1000);
  return checked(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}
