/** Reading a native answer: lower-cased headers and a body parsed by its content type, size-capped. */

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

export async function readResponse(res: Response, maxBytes: number = MAX_RESPONSE_BYTES): Promise<ReadResponse> {
  const headers: Record<string, string> = {};
  // Headers iterates names lower-cased already; repeated fields (set-cookie) are joined as RFC 9110 allows.
  res.headers.forEach((value, name) => {
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  });
  const text = await readText(res, maxBytes);
  return { status: res.status, headers, body: parseBody(text, headers['content-type']) };
}

async function readText(res: Response, maxBytes: number): Promise<string> {
  if (res.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    // Leaving the loop cancels the stream, so the rest is never downloaded.
    if (size > maxBytes) throw new ResponseTooLargeError(res.status);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
