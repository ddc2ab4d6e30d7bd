import { maskEmails } from '../src/private/patterns';

/**
 * A value as JSON with every email address masked. Each string is masked before it is quoted: masking the JSON text
 * would read the quotes around a value as part of an address (`{"T***@example.com",...`).
 */
export function maskedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => typeof v === 'string' ? maskEmails(v) : v);
}
