/**
 * Structured, redacted logging for the handlers.
 *
 * Handlers log identifiers and states only. Everything that goes through `log` is passed through `redact`, which
 * masks anything that looks like an email address and drops fields whose name says they hold sensitive text, so a
 * careless call cannot put an email, a note or a token into CloudWatch Logs.
 */

import { AsyncLocalStorage } from 'async_hooks';
import { maskEmails } from '../../src/private/patterns';

// email masking is defined once (src/private/patterns.ts), shared with the constructs' synth-time messages
export { maskEmail, maskEmails } from '../../src/private/patterns';

const SENSITIVE_KEYS = /^(email|emails|notes?|message|token|clienttoken|responseurl|resourceproperties|oldresourceproperties)$/i;

/**
 * The sensitive inputs of the request being handled (a notes text, an invitation message: `Lifecycle.sensitive`).
 * AWS error texts can echo what a request carried, so every log line and every Reason is scrubbed of them.
 */
const secrets = new AsyncLocalStorage<readonly string[]>();
/** Shorter values are not scrubbed: replacing every "a" would garble the text and hide nothing worth hiding. */
const MIN_SECRET_LENGTH = 3;
const SCRUBBED = '[redacted]';

/** Runs `fn` with `values` scrubbed from everything it logs and from `scrub`. */
export function withSecrets<T>(values: readonly (string | undefined)[], fn: () => T): T {
  const kept = values.filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH);
  // longest first: a secret that contains another is replaced whole
  return secrets.run([...new Set(kept)].sort((a, b) => b.length - a.length), fn);
}

/** `text` without the current request's sensitive inputs, and with email addresses masked. */
export function scrub(text: string): string {
  let out = text;
  for (const secret of secrets.getStore() ?? []) out = out.split(secret).join(SCRUBBED);
  return maskEmails(out);
}

/** A copy of `value` that is safe to log. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object' || depth > 5) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SENSITIVE_KEYS.test(key) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

/** Writes one JSON line: `{ level, msg, ...fields }`, redacted. */
export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg: scrub(msg), ...(redact(fields) as Record<string, unknown>) });
  if (level === 'INFO') console.log(line);
  else if (level === 'WARN') console.warn(line);
  else console.error(line);
}
