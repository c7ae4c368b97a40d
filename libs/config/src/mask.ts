import type { ConfigSettingMeta } from './config-settings';

/**
 * Masks the password of a database URL, in the userinfo (`postgres://user:***@host/db`) and in a
 * `password=`/`sslpassword=` query parameter. Works on malformed URLs too, since it runs on
 * values that failed validation.
 */
export function maskDatabaseUrl(url: string): string {
  let masked = url;
  const schemeEnd = masked.indexOf('://');
  if (schemeEnd !== -1) {
    const rest = masked.slice(schemeEnd + 3);
    // The last '@' ends the userinfo even when an unencoded '@' sits inside the password.
    const at = rest.lastIndexOf('@');
    const colon = rest.indexOf(':');
    if (at !== -1 && colon !== -1 && colon < at) {
      masked = `${masked.slice(0, schemeEnd + 3)}${rest.slice(0, colon)}:***@${rest.slice(at + 1)}`;
    }
  }
  return masked.replace(/([?&](?:ssl)?password=)[^&#]*/gi, '$1***');
}

/** Masks the password of every `scheme://user:password@` URL inside free text. */
export function maskUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@"']*:)[^\s/"']*@/gi, '$1***@').replace(/([?&](?:ssl)?password=)[^&#\s"']*/gi, '$1***');
}

const MAX_SHOWN = 100;

/** How a problem shows the raw value of a setting: JSON-quoted, masked or truncated; undefined for secrets. */
export function showRawValue(meta: ConfigSettingMeta, raw: unknown): string | undefined {
  if (meta.secret) return undefined;
  let text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
  if (meta.maskPassword) text = maskDatabaseUrl(text);
  if (text.length > MAX_SHOWN) text = `${text.slice(0, MAX_SHOWN)}…`;
  return typeof raw === 'string' ? JSON.stringify(text) : text;
}
