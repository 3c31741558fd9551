/** A native answer: lower-cased headers and a body parsed by its content type (read by transport.ts, size-capped). */

/** A native answer larger than this is refused rather than buffered (a broken or hostile API). */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export class ResponseTooLargeError extends Error {
  constructor(readonly status: number) {
    super('native response too large');
    this.name = 'ResponseTooLargeError';
  }
}

export interface ReadResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** JSON when the content type says so (application/json, any +json), the text otherwise, undefined when empty. */
export function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (!isJson(contentType)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Mislabelled or truncated JSON: the caller's error rules still get to see the text.
    return text;
  }
}

function isJson(contentType: string | undefined): boolean {
  const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return mime === 'application/json' || mime === 'text/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}
