/**
 * CloudFormation custom-resource events for handler tests.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { RequestContext } from '../../lambda/shared/runtime';
import { HandlerName, HANDLERS } from '../../src/private/handlers';

export const BASE = {
  ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/response',
  StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/LandingZone/5b1c4e10-0000-0000-0000-000000000000',
  RequestId: 'b4e7a7f6-0000-0000-0000-000000000001',
  LogicalResourceId: 'Invitation1A2B3C4D',
  ResourceType: 'Custom::Test',
};

export function createEvent(props: Record<string, unknown>, overrides: Partial<typeof BASE> = {}): CloudFormationCustomResourceEvent {
  return {
    ...BASE,
    ...overrides,
    RequestType: 'Create',
    ResourceProperties: { ServiceToken: BASE.ServiceToken, ...props },
  } as CloudFormationCustomResourceEvent;
}

export function updateEvent(
  physicalId: string,
  props: Record<string, unknown>,
  oldProps: Record<string, unknown>,
  overrides: Partial<typeof BASE> = {},
): CloudFormationCustomResourceEvent {
  return {
    ...BASE,
    ...overrides,
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: BASE.ServiceToken, ...props },
    OldResourceProperties: { ServiceToken: BASE.ServiceToken, ...oldProps },
  } as CloudFormationCustomResourceEvent;
}

export function deleteEvent(
  physicalId: string,
  props: Record<string, unknown>,
  overrides: Partial<typeof BASE> = {},
): CloudFormationCustomResourceEvent {
  return {
    ...BASE,
    ...overrides,
    RequestType: 'Delete',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: BASE.ServiceToken, ...props },
  } as CloudFormationCustomResourceEvent;
}

/**
 * The request context a lifecycle step receives (lambda/shared/runtime.ts), for the stack and logical ID of the
 * events above and the handler's registered resource type; `overrides` set any field (e.g. `requestType`).
 */
export function requestContext(handler: HandlerName, overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    requestType: 'Create',
    stackId: BASE.StackId,
    logicalResourceId: BASE.LogicalResourceId,
    requestId: BASE.RequestId,
    resourceType: HANDLERS[handler].resourceType,
    ...overrides,
  } as RequestContext;
}

/** An AWS-shaped SDK error, as the SDK's deserializers produce it (name, $fault, $metadata, extra members). */
export function awsError(name: string, message = name, extra: Record<string, unknown> = {}, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 },
    ...extra,
  });
}

/** Captures what the code under test writes to the console, to check that nothing sensitive is logged. */
export function captureLogs(): { text: () => string; restore: () => void } {
  const lines: string[] = [];
  const spies = (['log', 'warn', 'error'] as const).map((level) =>
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    }));
  return { text: () => lines.join('\n'), restore: () => spies.forEach((s) => s.mockRestore()) };
}
