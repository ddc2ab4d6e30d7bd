/**
 * Reading ResourceProperties. CloudFormation passes every scalar as a string ("true", "42"), so parsing is explicit.
 * Validation failures are user-facing: the construct validates at synth time, these catch what only deploy time
 * knows (values from parameters or imports).
 */
import { InvitationError } from './errors';

export function requiredString(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvitationError(`The property ${key} is required and must be a non-empty string.`);
  }
  return value;
}

export function optionalString(raw: Record<string, unknown>, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new InvitationError(`The property ${key} must be a string.`);
  return value;
}

export function booleanProp(raw: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new InvitationError(`The property ${key} must be true or false, got ${JSON.stringify(value)}.`);
}

export function stringMap(raw: Record<string, unknown>, key: string): Record<string, string> {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvitationError(`The property ${key} must be a map of strings.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new InvitationError(`The value of ${key}.${k} must be a string.`);
    out[k] = v;
  }
  return out;
}

// the ID patterns are defined once, with the constructs' synth-time checks (bundled into each handler)
export { ACCOUNT_ID, ACCOUNT_LINK_ID, EMAIL, HANDSHAKE_ID, ORGANIZATION_ID, ROLE_NAME } from '../../src/private/patterns';

/** Email addresses compare case-insensitively (as AWS matches account emails). */
export function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
