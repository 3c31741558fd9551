/**
 * The `normalize:` section of a scim app or plugin: what changes between the SCIM a client (Entra) sends
 * and the SCIM the app takes. Declared once, checked at load, applied both ways by normalizer.ts.
 */
import { z } from 'zod';

const urn = z.string().regex(/^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s"]+$/, 'must be a URN');
/** `userName`, `name.givenName`, or an extension attribute with its URN: `urn:…:2.0:User:startDate`. */
const attributePath = z
  .string()
  .min(1)
  .max(512)
  .regex(/^(?:urn:[^\s"]+:)?[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z][A-Za-z0-9_-]*)?$/, 'must be an attribute path: "name.givenName" or "urn:…:User:startDate"');

/** One value conversion; exactly one of its kinds. */
const valueRule = z
  .strictObject({
    path: attributePath,
    /** A calendar date in the app's layout (`MM/DD/YYYY`); any ISO 8601 or AD generalized time is read. */
    date: z.string().min(1).max(32).optional(),
    /** The app's case for the value; what the client sent is what the gateway keeps and answers. */
    case: z.enum(['lower', 'upper']).optional(),
    /** A list of strings joined into one string for the app (and split again on the way back). */
    join: z.string().min(1).max(8).optional(),
    /** A string split into a list for the app (and joined again on the way back). */
    split: z.string().min(1).max(8).optional(),
  })
  .refine((r) => [r.date, r.case, r.join, r.split].filter((k) => k !== undefined).length === 1, 'give one of "date", "case", "join", "split"');

export const normalizeRules = z
  .strictObject({
    /** A tenant's own extension URN sent in place of the app's (both ways: the app's URN downstream). */
    urns: z.array(z.strictObject({ from: urn, to: urn })).max(32).default([]),
    /** An attribute moved or renamed on its way to the app (and back). */
    attributes: z.array(z.strictObject({ from: attributePath, to: attributePath })).max(128).default([]),
    /** Value formats, in the app's terms (paths after the URN and attribute moves). */
    values: z.array(valueRule).max(128).default([]),
  });

/** A plugin's section: absent is no rule at all. */
export const normalizeSection = normalizeRules.default({ urns: [], attributes: [], values: [] });

export type NormalizeInput = z.output<typeof normalizeRules>;
