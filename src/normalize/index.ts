/** Extension normalization between the client's SCIM and an app's (scim connector apps). */
export { normalizeSection, type NormalizeInput } from './format.js';
export { compileNormalizer, mergeNormalize, type Normalizer } from './normalizer.js';
