/**
 * The date forms a directory sends for one calendar day: ISO 8601 (plugins/dates.ts reads its many
 * spellings) and Active Directory's generalized time (`20260301000000.0Z`, what an on-premises attribute
 * such as whenCreated looks like after Entra Connect), which ISO's basic form does not cover.
 */
import { parseIsoDate, type CalendarDate } from '../plugins/dates.js';

// Anchored, fixed widths: linear on any input. Seconds, fraction and zone are optional in X.680's GeneralizedTime.
const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,]\d{1,7})?(?:Z|[+-]\d{4})?$/;

/** The calendar date of a directory's date value, as written (time and zone dropped), or undefined. */
export function parseDirectoryDate(text: string): CalendarDate | undefined {
  const iso = parseIsoDate(text);
  if (iso) return iso;
  const m = text.length <= 32 ? GENERALIZED.exec(text) : null;
  if (!m) return undefined;
  const [, y, mo, d, hh, mm, ss] = m;
  if (Number(hh) > 23 || Number(mm ?? 0) > 59 || Number(ss ?? 0) > 60) return undefined;
  // Same calendar checks as ISO: reuse them on the ISO spelling of the day.
  return parseIsoDate(`${y}-${mo}-${d}`);
}
