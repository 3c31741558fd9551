/**
 * What a native error body may show in a log: configured credentials and current tokens replaced by
 * [redacted], anything shaped like a credential field or an Authorization value too, then cut to 2 KiB.
 * Native APIs do echo requests back (headers in debug bodies, keys in error messages) — and the person
 * the request was about: email addresses anywhere, and the values of fields that name or reach a person
 * (names, phone, address, birth date), are masked as well; the field names and the API's message stay.
 */

export const LOG_BODY_MAX_BYTES = 2048;
const REDACTED = '[redacted]';
/** Shorter configured values are not searched for: replacing "x" everywhere would wreck the log. */
const MIN_SECRET_LENGTH = 4;
/** Redaction scans at most this much before cutting (only the first 2 KiB are kept anyway). */
const SCAN_MAX_CHARS = 64 * 1024;

/** `"Authorization": "Bearer abc"`, `api_key=abc`, `X-API-Key: abc`, `"client_secret":"abc"`… */
const CREDENTIAL_FIELD =
  /\b(proxy-authorization|authorization|x-api-key|api[-_]?key|api[-_]?token|access[-_]?token|refresh[-_]?token|client[-_]?secret|password|passwd|secret|token)(["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token)\s+)?[^\s"',;&}]+/gi;
/**
 * `"first_name": "Ada"`, `lastName=Lovelace`, `"phone": "+1 555…"`: a person's data in a field the APIs
 * use. A list or object after the name is left alone: that is an API's error messages keyed by the field.
 */
const PERSONAL_FIELD =
  /\b((?:first|last|given|family|sur|middle|full|display|preferred|user)[-_]?name|name|surname|e-?mail|work[-_]?email|phone(?:[-_]?number)?|mobile|address|street|birth[-_]?date|date[-_]?of[-_]?birth|ssn)(["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s"',;&}\][{]+)/gi;
/** An email address anywhere (a userName, in a message such as "ada@acme.example already exists"). */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/** A bare `Bearer <token>` or `Basic <credentials>` anywhere in text. */
const AUTH_SCHEME_VALUE = /\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*/gi;

export type Redactor = (text: string) => string;

export function createRedactor(secrets: () => readonly string[]): Redactor {
  return (text) => {
    let out = text.length > SCAN_MAX_CHARS ? text.slice(0, SCAN_MAX_CHARS) : text;
    // Longest first, so a secret that contains another is replaced whole.
    const known = secrets()
      .filter((s) => s.length >= MIN_SECRET_LENGTH)
      .sort((a, b) => b.length - a.length);
    for (const secret of known) out = out.split(secret).join(REDACTED);
    out = out.replace(CREDENTIAL_FIELD, `$1$2${REDACTED}`).replace(AUTH_SCHEME_VALUE, `$1 ${REDACTED}`);
    // Personal data: a quoted value stays quoted, so the body still reads as JSON.
    out = out.replace(PERSONAL_FIELD, (_m, name: string, sep: string, value: string) => `${name}${sep}${/^["']/.test(value) ? `${value[0]}${REDACTED}${value[0]}` : REDACTED}`);
    return out.replace(EMAIL, '[email]');
  };
}

/** Cuts UTF-8 text to `maxBytes` (marker included) without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number = LOG_BODY_MAX_BYTES): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const marker = '…[truncated]';
  let end = maxBytes - Buffer.byteLength(marker, 'utf8');
  // Step back over continuation bytes (10xxxxxx) to the start of the character we would cut.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8') + marker;
}

/** A native body as one redacted, truncated string for a log line. */
export function bodyForLog(body: unknown, redact: Redactor): string | undefined {
  if (body === undefined) return undefined;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return truncateUtf8(redact(text));
}
