/**
 * The environment contract of the default and demo configurations: app `acme-15five` reads its secret from
 * `SCIM_BRIDGE_TOKEN_ACME_15FIVE`, falling back to `SCIM_BRIDGE_TOKEN` (one token for every app).
 */

export const SHARED_TOKEN_ENV = 'SCIM_BRIDGE_TOKEN';

/** The app name upper-cased, every character other than A-Z and 0-9 turned into `_`. */
export function appTokenEnvName(app: string): string {
  return `${SHARED_TOKEN_ENV}_${app.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

