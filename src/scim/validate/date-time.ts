/**
 * RFC 7643 §2.3.5: a dateTime is an xsd:dateTime, e.g. `2008-01-23T04:56:22Z`. We only check the form
 * and field ranges; the string itself is stored exactly as sent (Entra compares what it reads back).
 */

// Linear pattern (no nested quantifiers): year, month, day, 'T', time, optional fraction, optional zone.
const XSD_DATE_TIME = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Leap years repeat every 400 years, so the last four digits decide, however long the year is. */
function isLeapYear(yearDigits: string): boolean {
  const y = Number(yearDigits.slice(-4));
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** True when `text` is an xsd:dateTime (years before 0001 are not accepted: no HR date needs them). */
export function isXsdDateTime(text: string): boolean {
  const m = XSD_DATE_TIME.exec(text);
  if (!m) return false;
  const [, year = '', month, day, hour, minute, second, fraction, , zoneHour, zoneMinute] = m;
  if (/^0+$/.test(year)) return false;
  const mo = Number(month);
  const d = Number(day);
  if (mo < 1 || mo > 12) return false;
  const monthDays = mo === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[mo - 1] ?? 0);
  if (d < 1 || d > monthDays) return false;
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  // xsd allows 24:00:00 as the end of a day, nothing later.
  const endOfDay = h === 24 && mi === 0 && s === 0 && (fraction === undefined || /^\.0+$/.test(fraction));
  if ((h > 23 && !endOfDay) || mi > 59 || s > 59) return false;
  if (zoneHour !== undefined) {
    const zh = Number(zoneHour);
    const zm = Number(zoneMinute);
    if (zm > 59 || zh > 14 || (zh === 14 && zm !== 0)) return false;
  }
  return true;
}
