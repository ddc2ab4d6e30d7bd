/**
 * Readers of custom-resource properties, shared by every kind's contract (`./<service>.ts`). CloudFormation passes
 * every scalar as a string ("true", "42"), so each reader parses explicitly and names the wire key and the value it
 * refuses. Dependency-free but for `../patterns`: the contracts are compiled into the package (the constructs build
 * their properties through them) and bundled into the handlers (which parse with them).
 */
import { ACCOUNT_ID, ROLE_NAME } from '../patterns';

/** The raw ResourceProperties of an event (or the synthesized `Properties` of a custom resource). */
export type RawProperties = Record<string, unknown>;

/**
 * A property that does not parse. The handler runtime reports it as a user-facing error (emails masked); the
 * construct never meets it, because it validates the same values at synth time with clearer, path-naming messages.
 */
export class PropertyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PropertyError';
  }
}

/** What a removal policy means to a handler: `DESTROY` removes what the resource made, `RETAIN` keeps it. */
export type RemovalMode = 'DESTROY' | 'RETAIN';

const shown = (value: unknown) => JSON.stringify(value);

/** A required, non-empty string. */
export function readString(raw: RawProperties, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new PropertyError(`The property ${key} is required and must be a non-empty string, got ${shown(value)}.`);
  }
  return value;
}

/** An optional string: absent, null and '' all mean "not given". */
export function readOptionalString(raw: RawProperties, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new PropertyError(`The property ${key} must be a string, got ${shown(value)}.`);
  return value;
}

/** `true`/`false` (or their strings); absent = `fallback`. */
export function readBoolean(raw: RawProperties, key: string, fallback: boolean): boolean {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new PropertyError(`The property ${key} must be true or false, got ${shown(value)}.`);
}

/** A map of strings; absent = empty. */
export function readStringMap(raw: RawProperties, key: string): Record<string, string> {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new PropertyError(`The property ${key} must be a map of strings.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new PropertyError(`The value of ${key}.${k} must be a string.`);
    out[k] = v;
  }
  return out;
}

/** A string that must match `pattern` when given (`what`: "an organization ID like o-exampleorgid"). */
export function readOptionalPattern(raw: RawProperties, key: string, pattern: RegExp, what: string): string | undefined {
  const value = readOptionalString(raw, key);
  if (value !== undefined && !pattern.test(value)) {
    throw new PropertyError(`The property ${key} must be ${what}, got ${shown(value)}.`);
  }
  return value;
}

/** A required 12-digit AWS account ID. */
export function readAccountId(raw: RawProperties, key: string): string {
  const value = readString(raw, key);
  if (!ACCOUNT_ID.test(value)) throw new PropertyError(`The property ${key} must be a 12-digit AWS account ID, got ${shown(value)}.`);
  return value;
}

/** An optional 12-digit AWS account ID. */
export function readOptionalAccountId(raw: RawProperties, key: string): string | undefined {
  return readOptionalPattern(raw, key, ACCOUNT_ID, 'a 12-digit AWS account ID');
}

/** `DESTROY` (the default) or `RETAIN`. */
export function readRemovalMode(raw: RawProperties, key: string): RemovalMode {
  const value = readOptionalString(raw, key) ?? 'DESTROY';
  if (value !== 'DESTROY' && value !== 'RETAIN') throw new PropertyError(`The property ${key} must be DESTROY or RETAIN, got ${shown(value)}.`);
  return value;
}

/** An optional IAM role name without a path. */
export function readRoleName(raw: RawProperties, key: string): string | undefined {
  return readOptionalPattern(raw, key, ROLE_NAME, 'an IAM role name (1 to 64 letters, digits and +=,.@_-, no path)');
}

/** A whole number from `min` to `max`, absent = `fallback` (CloudFormation sends numbers as strings). */
export function readWholeNumber(raw: RawProperties, key: string, fallback: number, min: number, max: number): number {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return fallback;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new PropertyError(`The property ${key} must be a whole number from ${min} to ${max}, got ${shown(value)}.`);
  }
  return Number(text);
}
