/**
 * Checks of the auth configuration that a schema cannot express, run by the loader so that
 * `scim-bridge validate` and start-up report them with every other problem: stored hashes parse and
 * have sane costs, secret files are made absolute, every app can be called, rate-limit overrides name apps.
 */
import { isAbsolute, resolve } from 'node:path';
import type { AppAuthConfig, SecurityConfig } from './config-schema.js';
import { parseSecretHash, SecretHashError } from './secret-hash.js';

/** Returns the app's auth with secret file paths made absolute (relative to the configuration file). */
export function checkAppAuth(auth: AppAuthConfig, configDir: string, where: string, problems: string[]): AppAuthConfig {
  if (auth.secrets.length === 0 && auth.whenUnset === 'refuse' && !auth.entra) {
    problems.push(`${where}: no secret sources, no entra and whenUnset is "refuse": nobody could call this app`);
  }
  const secrets = auth.secrets.map((source, i) => {
    if (source.hash !== undefined) {
      try {
        parseSecretHash(source.hash);
      } catch (error) {
        if (!(error instanceof SecretHashError)) throw error;
        problems.push(`${where}.secrets.${i}.hash: ${error.message}`);
      }
    }
    if (source.file !== undefined && !isAbsolute(source.file)) return { ...source, file: resolve(configDir, source.file) };
    return source;
  });
  return { ...auth, secrets };
}

export function checkSecurity(security: SecurityConfig, appNames: ReadonlySet<string>, where: string, problems: string[]): void {
  for (const name of Object.keys(security.appRateLimit.apps)) {
    if (!appNames.has(name)) problems.push(`${where}.appRateLimit.apps.${name}: no such app`);
  }
}
