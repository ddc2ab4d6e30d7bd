/**
 * Types and loader for test/emulator/service-models.json, the fixture written by
 * scripts/extract-service-models.py from the botocore service models.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type ServiceName = 'organizations' | 'macie2' | 'workspaces' | 'cloudformation' | 'sts' | 'detective' | 'ram' | 'securityhub';

export interface MemberRef {
  readonly shape: string;
  /** Absent for body members. */
  readonly location?: 'uri' | 'querystring';
  readonly locationName?: string;
}

export interface Shape {
  readonly type: string;
  readonly required?: readonly string[];
  readonly members?: Readonly<Record<string, MemberRef>>;
  readonly member?: MemberRef;
  readonly key?: MemberRef;
  readonly value?: MemberRef;
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly min?: number;
  readonly max?: number;
  readonly exception?: boolean;
  readonly fault?: boolean;
  /** `code`: awsQuery only, the error code on the wire when it differs from the shape name. */
  readonly error?: { readonly httpStatusCode: number; readonly code?: string };
}

export interface OperationModel {
  readonly http: { readonly method: string; readonly requestUri: string; readonly responseCode?: number };
  readonly input?: string;
  /** awsQuery only: the element that wraps the output, e.g. `DescribeStacksResult`. */
  readonly resultWrapper?: string;
  readonly errors: readonly string[];
}

export interface ServiceModel {
  readonly protocol: 'awsJson1_1' | 'restJson1' | 'awsQuery';
  readonly apiVersion: string;
  readonly signingName: string;
  /** awsJson1_1 only: the X-Amz-Target prefix. */
  readonly targetPrefix?: string;
  /** awsQuery only: the namespace of the XML answers. */
  readonly xmlNamespace?: string;
  readonly operations: Readonly<Record<string, OperationModel>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

export interface ServiceModels {
  readonly source: string;
  readonly services: Readonly<Record<ServiceName, ServiceModel>>;
}

let cached: ServiceModels | undefined;

export function loadServiceModels(): ServiceModels {
  cached ??= JSON.parse(fs.readFileSync(path.join(__dirname, 'service-models.json'), 'utf8')) as ServiceModels;
  return cached;
}

/** The JSON key of a structure member on the wire. */
export function wireName(memberName: string, ref: MemberRef): string {
  return ref.locationName ?? memberName;
}

/** HTTP status of a modeled error: its httpError trait, else 500 for server faults and 400 for client errors. */
export function errorStatus(model: ServiceModel, errorName: string): number {
  const shape = model.shapes[errorName];
  return shape?.error?.httpStatusCode ?? (shape?.fault ? 500 : 400);
}

/** The wire key that carries an error's message: `Message` (Organizations) or `message` (Macie, WorkSpaces). */
export function errorMessageKey(model: ServiceModel, errorName: string): string {
  const modeled = model.shapes[errorName] ?? Object.values(model.shapes).find(s => s.exception);
  const entry = Object.entries(modeled?.members ?? {}).find(([name]) => name.toLowerCase() === 'message');
  return entry ? wireName(entry[0], entry[1]) : 'message';
}

/** Enum values of a member of a shape (e.g. the `Reason` of an exception). */
export function memberEnum(model: ServiceModel, shapeName: string, memberName: string): readonly string[] {
  const ref = model.shapes[shapeName]?.members?.[memberName];
  return (ref && model.shapes[ref.shape]?.enum) ?? [];
}
