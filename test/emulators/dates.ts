/** Date formats the native APIs insist on: 15Five's MM/DD/YYYY, BambooHR's and HiBob's YYYY-MM-DD. */

const US_DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDay(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one (UTC avoids DST surprises).
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= lastDay;
}

/** `MM/DD/YYYY` naming a real day, e.g. 02/29/2024 but not 02/30/2024 or 2024-02-01. */
export function isUsDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = US_DATE.exec(value);
  return m !== null && isCalendarDay(Number(m[3]), Number(m[1]), Number(m[2]));
}

/** `YYYY-MM-DD` naming a real day. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  return m !== null && isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
}
