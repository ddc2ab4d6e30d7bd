/**
 * Model-validated requests for handler tests: every command an `aws-sdk-client-mock` mock received is checked
 * against the input shape of its operation in the service-model fixture (test/emulator/service-models.json):
 * required members, types, enums, patterns, lengths and ranges, recursively. The same validator the emulator
 * applies (test/emulator/validate.ts), for Organizations, Macie, WorkSpaces and CloudFormation.
 *
 * ```ts
 * const org = mockClient(OrganizationsClient);
 * ... run the lifecycle ...
 * expectModelValidRequests(org, 'organizations');
 * ```
 */
import type { AwsStub } from 'aws-sdk-client-mock';
import { loadServiceModels, ServiceModel, ServiceName, wireName } from '../emulator/models';
import { validate, Violation } from '../emulator/validate';

/** What a mock recorded: the operation name and the command's input. */
export interface RecordedRequest {
  readonly operation: string;
  readonly input: unknown;
}

/** The problems of one request: an operation the model does not know, or the input's violations. */
export interface RequestProblems {
  readonly operation: string;
  readonly unknownOperation?: true;
  readonly violations: Violation[];
}

/** The service model of the fixture. */
export function serviceModel(service: ServiceName): ServiceModel {
  return loadServiceModels().services[service];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStub = AwsStub<any, any, any>;

/** The requests a mock received, in order. */
export function recordedRequests(mock: AnyStub): RecordedRequest[] {
  return mock.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    return { operation: command.constructor.name.replace(/Command$/, ''), input: command.input };
  });
}

/**
 * The input with the model's wire names (the SDK uses member names; the validator, like the emulator, reads wire
 * names, which differ where the model sets a locationName), undefined members dropped as the SDK drops them.
 */
export function toWire(model: ServiceModel, shapeName: string, value: unknown): unknown {
  const shape = model.shapes[shapeName];
  if (!shape || value === null || value === undefined) return value;
  if (shape.type === 'structure' && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      const ref = shape.members?.[name];
      out[ref ? wireName(name, ref) : name] = ref ? toWire(model, ref.shape, v) : v;
    }
    return out;
  }
  if (shape.type === 'list' && Array.isArray(value) && shape.member) return value.map((v) => toWire(model, shape.member!.shape, v));
  if (shape.type === 'map' && typeof value === 'object' && shape.value) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toWire(model, shape.value!.shape, v)]));
  }
  return value;
}

/** The problems of each request that has any (an empty list: every request satisfies the model). */
export function modelProblems(service: ServiceName, requests: readonly RecordedRequest[]): RequestProblems[] {
  const model = serviceModel(service);
  const problems: RequestProblems[] = [];
  for (const { operation, input } of requests) {
    const shape = model.operations[operation]?.input;
    if (!model.operations[operation]) {
      problems.push({ operation, unknownOperation: true, violations: [] });
      continue;
    }
    const violations = shape ? validate(model, shape, toWire(model, shape, input ?? {})) : [];
    if (violations.length > 0) problems.push({ operation, violations });
  }
  return problems;
}

/**
 * Asserts that the mock received at least one request, and that every request satisfies the service model.
 * Failures name the operation, the member path and the rule (never the value: some are sensitive).
 */
export function expectModelValidRequests(mock: AnyStub, service: ServiceName): void {
  const requests = recordedRequests(mock);
  expect(requests.length).toBeGreaterThan(0);
  expect(modelProblems(service, requests)).toEqual([]);
}
