/**
 * Validates requests against the input shapes of the service-model fixture: required members, types, enums,
 * patterns, string/list/map lengths and numeric ranges, recursively. Inputs use wire names (locationName when
 * the model sets one), the same keys the emulator's service handlers read.
 */
import { MemberRef, ServiceModel, Shape, wireName } from './models';

export type ViolationRule = 'required' | 'type' | 'enum' | 'pattern' | 'minLength' | 'maxLength' | 'minValue' | 'maxValue';

export interface Violation {
  /** Path of the offending value, e.g. `Target.Id` or `Tags[0].Key`. */
  readonly path: string;
  readonly rule: ViolationRule;
  /** Coral-style text, e.g. "Value at 'Notes' failed to satisfy constraint: Member must have length less than or equal to 1024". */
  readonly message: string;
}

const patternCache = new Map<string, RegExp | undefined>();
const skipped = new Set<string>();

/**
 * Model patterns are ECMA-262 regular expressions (some use \p{...}, hence the `u` flag). A pattern that does not
 * compile in JavaScript is not enforced; it is listed here.
 */
export function skippedPatterns(): string[] {
  return [...skipped];
}

function compilePattern(pattern: string): RegExp | undefined {
  if (!patternCache.has(pattern)) {
    let compiled: RegExp | undefined;
    for (const flags of ['u', '']) {
      try {
        compiled = new RegExp(pattern, flags);
        break;
      } catch {
        // try the next flags
      }
    }
    if (!compiled) skipped.add(pattern);
    patternCache.set(pattern, compiled);
  }
  return patternCache.get(pattern);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeMatches(shape: Shape, value: unknown): boolean {
  switch (shape.type) {
    case 'structure':
    case 'map':
      return isObject(value);
    case 'list':
      return Array.isArray(value);
    case 'string':
    case 'blob':
      return typeof value === 'string';
    case 'integer':
    case 'long':
      return Number.isInteger(value);
    case 'float':
    case 'double':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'timestamp':
      return typeof value === 'number' || typeof value === 'string';
    default:
      return true;
  }
}

class Validator {
  readonly violations: Violation[] = [];

  constructor(private readonly model: ServiceModel) {}

  check(shapeName: string, value: unknown, path: string): void {
    const shape = this.model.shapes[shapeName];
    if (!shape) throw new Error(`shape ${shapeName} is missing from the fixture`);
    if (!typeMatches(shape, value)) {
      this.add(path, 'type', `Member must be of type ${shape.type}`);
      return;
    }
    if (shape.enum && !shape.enum.includes(value as string)) {
      this.add(path, 'enum', `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
    }
    if (shape.pattern !== undefined && typeof value === 'string') {
      const regexp = compilePattern(shape.pattern);
      if (regexp && !regexp.test(value)) {
        this.add(path, 'pattern', `Member must satisfy regular expression pattern: ${shape.pattern}`);
      }
    }
    this.checkBounds(shape, value, path);
    if (shape.type === 'structure') this.checkStructure(shape, value as Record<string, unknown>, path);
    if (shape.type === 'list' && shape.member) {
      const member = shape.member;
      (value as unknown[]).forEach((item, i) => this.check(member.shape, item, `${path}[${i}]`));
    }
    if (shape.type === 'map' && shape.key && shape.value) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        this.check(shape.key.shape, k, `${path}{key}`);
        this.check(shape.value.shape, v, `${path}.${k}`);
      }
    }
  }

  private checkStructure(shape: Shape, value: Record<string, unknown>, path: string): void {
    const prefix = path ? `${path}.` : '';
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const memberValue = value[wireName(name, ref)];
      if (memberValue === undefined || memberValue === null) {
        if (shape.required?.includes(name)) this.add(`${prefix}${name}`, 'required', 'Member must not be null');
        continue;
      }
      this.check(ref.shape, memberValue, `${prefix}${name}`);
    }
  }

  private checkBounds(shape: Shape, value: unknown, path: string): void {
    if (typeof value === 'number') {
      if (shape.min !== undefined && value < shape.min) {
        this.add(path, 'minValue', `Member must have value greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && value > shape.max) {
        this.add(path, 'maxValue', `Member must have value less than or equal to ${shape.max}`);
      }
      return;
    }
    let length: number;
    if (typeof value === 'string') length = [...value].length;
    else if (Array.isArray(value)) length = value.length;
    else if (shape.type === 'map') length = Object.keys(value as object).length;
    else return;
    if (shape.min !== undefined && length < shape.min) {
      this.add(path, 'minLength', `Member must have length greater than or equal to ${shape.min}`);
    }
    if (shape.max !== undefined && length > shape.max) {
      this.add(path, 'maxLength', `Member must have length less than or equal to ${shape.max}`);
    }
  }

  private add(path: string, rule: ViolationRule, constraint: string): void {
    this.violations.push({ path, rule, message: `Value at '${path}' failed to satisfy constraint: ${constraint}` });
  }
}

/** Validates `input` (wire names) against the structure `shapeName`. Values are never echoed (some are sensitive). */
export function validate(model: ServiceModel, shapeName: string, input: unknown): Violation[] {
  const validator = new Validator(model);
  validator.check(shapeName, input, '');
  return validator.violations;
}

/** The parts of a restJson1 request that carry input members. */
export interface RestRequestParts {
  /** Decoded values of the URI labels, e.g. `{ id: '222222222222' }` for `/members/{id}`. */
  readonly labels: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
}

function fromQueryString(shape: Shape | undefined, raw: string): unknown {
  switch (shape?.type) {
    case 'integer':
    case 'long':
      return /^-?\d+$/.test(raw) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    default:
      return raw;
  }
}

function restMemberValue(model: ServiceModel, name: string, ref: MemberRef, parts: RestRequestParts): unknown {
  const key = wireName(name, ref);
  switch (ref.location) {
    case 'uri':
      return parts.labels[key];
    case 'querystring': {
      const shape = model.shapes[ref.shape];
      const values = parts.query.getAll(key);
      if (shape?.type === 'list') {
        const itemShape = shape.member && model.shapes[shape.member.shape];
        return values.length ? values.map(v => fromQueryString(itemShape, v)) : undefined;
      }
      return values.length ? fromQueryString(shape, values[0]) : undefined;
    }
    default:
      return parts.body[key];
  }
}

/**
 * Gathers a restJson1 input (URI labels, query-string members converted to their modeled types, body members)
 * into one object keyed by wire name, and validates it. A query value that does not convert (e.g. `maxResults=x`)
 * stays a string and is reported as a type violation.
 */
export function restJsonInput(model: ServiceModel, shapeName: string, parts: RestRequestParts): {
  input: Record<string, unknown>;
  violations: Violation[];
} {
  const input: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(model.shapes[shapeName]?.members ?? {})) {
    const value = restMemberValue(model, name, ref, parts);
    if (value !== undefined) input[wireName(name, ref)] = value;
  }
  return { input, violations: validate(model, shapeName, input) };
}

/** Whether any parameter is `prefix` itself or lies under it (`prefix.`). */
function hasParamsUnder(params: URLSearchParams, prefix: string): boolean {
  for (const key of params.keys()) if (key === prefix || key.startsWith(`${prefix}.`)) return true;
  return false;
}

/**
 * The value of one member of an awsQuery request: scalars by their key, structures as `Key.Member`, lists as
 * `Key.member.N` (an empty list is `Key=`), maps as `Key.entry.N.key` / `Key.entry.N.value`.
 */
function queryValue(model: ServiceModel, shapeName: string, params: URLSearchParams, key: string): unknown {
  const shape = model.shapes[shapeName];
  if (!shape) throw new Error(`shape ${shapeName} is missing from the fixture`);
  switch (shape.type) {
    case 'structure': {
      if (!hasParamsUnder(params, key)) return undefined;
      const value: Record<string, unknown> = {};
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const member = queryValue(model, ref.shape, params, `${key}.${wireName(name, ref)}`);
        if (member !== undefined) value[wireName(name, ref)] = member;
      }
      return value;
    }
    case 'list': {
      if (params.get(key) === '') return [];
      const member = shape.member;
      if (!member || !hasParamsUnder(params, key)) return undefined;
      const items: unknown[] = [];
      for (let i = 1; hasParamsUnder(params, `${key}.${member.locationName ?? 'member'}.${i}`); i++) {
        items.push(queryValue(model, member.shape, params, `${key}.${member.locationName ?? 'member'}.${i}`));
      }
      return items;
    }
    case 'map': {
      if (!shape.key || !shape.value || !hasParamsUnder(params, key)) return undefined;
      const entries: Record<string, unknown> = {};
      for (let i = 1; hasParamsUnder(params, `${key}.entry.${i}`); i++) {
        const k = params.get(`${key}.entry.${i}.key`);
        if (k !== null) entries[k] = queryValue(model, shape.value.shape, params, `${key}.entry.${i}.value`);
      }
      return entries;
    }
    default: {
      const raw = params.get(key);
      return raw === null ? undefined : fromQueryString(shape, raw);
    }
  }
}

/**
 * Reads an awsQuery input (the form-encoded body without `Action` and `Version`) into one object keyed by wire
 * name, with the modeled types, and validates it. Parameters that are not members of the input are listed in
 * `unknown`.
 */
export function queryInput(model: ServiceModel, shapeName: string, params: URLSearchParams): {
  input: Record<string, unknown>;
  violations: Violation[];
  unknown: string[];
} {
  const input: Record<string, unknown> = {};
  const members = Object.entries(model.shapes[shapeName]?.members ?? {});
  for (const [name, ref] of members) {
    const value = queryValue(model, ref.shape, params, wireName(name, ref));
    if (value !== undefined) input[wireName(name, ref)] = value;
  }
  const known = new Set(['Action', 'Version', ...members.map(([name, ref]) => wireName(name, ref))]);
  const unknown = [...new Set(params.keys())].filter(key => !known.has(key.split('.')[0]));
  return { input, violations: validate(model, shapeName, input), unknown };
}
