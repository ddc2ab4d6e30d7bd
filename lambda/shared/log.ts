/**
 * Structured, redacted logging for the handlers.
 *
 * Handlers log identifiers and states only. Everything that goes through `log` is passed through `redact`, which
 * masks anything that looks like an email address and drops fields whose name says they hold sensitive text, so a
 * careless call cannot put an email, a note or a token into CloudWatch Logs.
 */

import { maskEmails } from '../../src/private/patterns';

// email masking is defined once (src/private/patterns.ts), shared with the constructs' synth-time messages
export { maskEmail, maskEmails } from '../../src/private/patterns';

const SENSITIVE_KEYS = /^(email|emails|notes?|message|token|clienttoken|responseurl|resourceproperties|oldresourceproperties)$/i;

/** A copy of `value` that is safe to log. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskEmails(value);
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
  const line = JSON.stringify({ level, msg: maskEmails(msg), ...(redact(fields) as Record<string, unknown>) });
  if (level === 'INFO') console.log(line);
  else if (level === 'WARN') console.warn(line);
  else console.error(line);
}
