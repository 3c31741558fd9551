/** The dialects by the name an app's `dialect:` gives: the door (src/http/dialect.ts) and explain use the same. */
import { entraDialect } from './entra.js';
import { strictDialect } from './strict.js';
import type { Dialect } from './types.js';

export type { Dialect, DialectContext } from './types.js';

export const DIALECTS: Readonly<Record<'entra' | 'strict', Dialect>> = Object.freeze({ entra: entraDialect, strict: strictDialect });
