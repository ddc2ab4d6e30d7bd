/**
 * The shared custom-resource runtime: event dispatch to small lifecycle functions, response-size checks, and the
 * Lambda entry point that answers CloudFormation.
 *
 * Each handler module exports
 *   handler(event): Promise<{ PhysicalResourceId, Data? }>
 * (the contract of aws-cdk-lib's Provider `onEvent` and core `CustomResourceProvider`), built with `makeHandler`,
 * and `onEvent`, the Lambda entry point built with `cfnEntryPoint`, which calls `handler` and sends the response to
 * CloudFormation itself. We do not use aws-cdk-lib's entry points because both log the whole event, properties
 * included (emails, notes), and put stack traces into the Reason users read.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
  Context,
} from 'aws-lambda';
import { CfnResponse, sendResponse } from './cfn-response';
import { withSignal } from './clients';
import { InvitationError, errorName, errorReason, toUserFacing } from './errors';
import { log, scrub, withSecrets } from './log';
import { createStartedAt, stillDeclared } from './stack-events';

export type DataValue = string | number | boolean;

export interface HandlerResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, DataValue>;
}

/** What a lifecycle function knows about the request besides the properties. */
export interface RequestContext {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly stackId: string;
  readonly logicalResourceId: string;
  readonly requestId: string;
  /** The custom resource's type, e.g. `Custom::OrgInvitation`. */
  readonly resourceType: string;
  /**
   * Aborted when the runtime gives up on the request at the Lambda deadline (it has answered CloudFormation FAILED):
   * the work must stop. The clients the factory hands out honour it in every call (`withSignal`); a lifecycle may
   * also call `ctx.signal?.throwIfAborted()` between steps. Always set by the runtime; optional so that contexts
   * built by hand in tests need none.
   */
  readonly signal?: AbortSignal;
  /**
   * When the runtime gives up on the request (epoch ms): `signal` aborts then. Set when the Lambda context tells its
   * remaining time; a wait ends early enough before it to still act and answer (`WaitOptions.deadline`). Optional, so
   * that contexts built by hand in tests need none (no deadline: only the wait's own budget counts).
   */
  readonly deadline?: number;
}

/**
 * The lifecycle of one kind of invitation. `parse` turns the raw ResourceProperties (CloudFormation passes every
 * scalar as a string) into typed properties; it throws `InvitationError` for bad input.
 */
export interface Lifecycle<Props, Clients> {
  /** What the handler manages, for messages: "Organizations invitation". */
  readonly what: string;
  parse(raw: Record<string, unknown>): Props;
  create(clients: Clients, props: Props, ctx: RequestContext): Promise<HandlerResponse>;
  update(clients: Clients, physicalId: string, props: Props, oldProps: Props, ctx: RequestContext): Promise<HandlerResponse>;
  delete(clients: Clients, physicalId: string, props: Props, ctx: RequestContext): Promise<void>;
  /**
   * True for physical IDs this lifecycle produces (Org: handshake IDs and already-member:..., Macie:
   * macie-invitations:..., WS: workspaces-account-link:... and earlier versions' link-...). A Delete of any other ID
   * (one CloudFormation made up after canceling the Create) goes to `abandonedCreate`.
   */
  ownsPhysicalId(physicalId: string): boolean;
  /**
   * Old properties that no longer parse as a whole (item 8): parse the identifying fields alone, the rest defaulted.
   * Throws InvitationError when even those do not parse.
   */
  parseOld?(raw: Record<string, unknown>): Props;
  /**
   * The identifying properties a physical ID records, for a Delete whose properties do not parse even by `parseOld`
   * (another version's shape): the cleanup of a replaced physical ID then still removes what that ID names. Undefined
   * when the ID records none: such a Delete removes nothing.
   */
  propsOfPhysicalId?(physicalId: string): Props | undefined;
  /**
   * Careful cleanup after a Create that did not finish normally (cut off by the Lambda deadline, or canceled by
   * CloudFormation). `since`: when that Create started (undefined = unknown: keep). Without it, such a Delete goes to
   * `delete`.
   */
  abandonedCreate?(clients: Clients, props: Props, ctx: RequestContext, since: Date | undefined): Promise<void>;
  /**
   * The sensitive inputs among the raw properties (a notes text, an invitation message; emails are masked anyway):
   * scrubbed from every log line and from the Reason, because AWS error texts can echo what a request carried.
   */
  sensitive?(raw: Record<string, unknown>): readonly (string | undefined)[];
}

/** CloudFormation's limit for the whole Data object of a response. */
export const MAX_DATA_BYTES = 4096;

const MARKER_PREFIX = 'cdk-account-invitations:';

/** The physical ID the entry point answers a failed Create with; the Delete that follows is then answered at once. */
export const CREATE_FAILED_PHYSICAL_ID = `${MARKER_PREFIX}create-failed`;

/**
 * The physical ID of a Create that was cut off by the Lambda deadline, followed by `:<epoch ms>` when that Create
 * started (`createTimedOutPhysicalId`): it may have made something, so the Delete that follows cleans up carefully
 * (`Lifecycle.abandonedCreate`). Earlier versions answered the bare marker: its Create's start is unknown.
 */
export const CREATE_TIMED_OUT_PHYSICAL_ID = `${MARKER_PREFIX}create-timed-out`;

/** `cdk-account-invitations:create-timed-out:<epoch ms of the Create's start>` */
export function createTimedOutPhysicalId(startedAt: number): string {
  return `${CREATE_TIMED_OUT_PHYSICAL_ID}:${Math.floor(startedAt)}`;
}

/** A physical ID the runtime answered instead of the lifecycle's: a Create that did not finish. */
export type Marker =
  | { readonly kind: 'create-failed' }
  /** `since` undefined: the bare marker of earlier versions (or an unreadable time). */
  | { readonly kind: 'create-timed-out'; readonly since?: Date };

/** The runtime marker a physical ID is, if it is one. */
export function parseMarker(physicalId: string | undefined): Marker | undefined {
  if (physicalId === CREATE_FAILED_PHYSICAL_ID) return { kind: 'create-failed' };
  if (physicalId === CREATE_TIMED_OUT_PHYSICAL_ID) return { kind: 'create-timed-out' };
  if (physicalId?.startsWith(`${CREATE_TIMED_OUT_PHYSICAL_ID}:`)) {
    const ms = physicalId.slice(CREATE_TIMED_OUT_PHYSICAL_ID.length + 1);
    return /^\d{1,15}$/.test(ms) ? { kind: 'create-timed-out', since: new Date(Number(ms)) } : { kind: 'create-timed-out' };
  }
  return undefined;
}

/**
 * Properties that are not the handler's: CloudFormation passes the custom resource's own ServiceToken and
 * ServiceTimeout among the ResourceProperties.
 */
const RESOURCE_OWN_PROPERTIES = ['ServiceToken', 'ServiceTimeout'];

function handlerProperties(raw: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw ?? {}).filter(([key]) => !RESOURCE_OWN_PROPERTIES.includes(key)));
}

function checkResponse(response: HandlerResponse): HandlerResponse {
  const bytes = Buffer.byteLength(JSON.stringify(response.Data ?? {}));
  if (bytes > MAX_DATA_BYTES) {
    throw new InvitationError(
      `Internal error: the response data is ${bytes} bytes, over CloudFormation's ${MAX_DATA_BYTES}. Please report this.`,
    );
  }
  return response;
}

/**
 * Makes the clients of one request. It sees the event (credentials may later depend on it: a role to assume in
 * the invited account) and the request context, whose `signal` the clients must honour (`withSignal`). SDK clients
 * on the function's own role should be created once per container and only wrapped per request (cold start).
 */
export type ClientFactory<Clients> = (event: CloudFormationCustomResourceEvent, ctx: RequestContext) => Clients;

export interface HandlerOptions {
  /**
   * The CloudFormation client of the runtime's own reads of its stack (when a Create began; whether a Delete is the
   * cleanup of a replaced physical ID), on the function's own role: return one cached per container. Without it,
   * nothing is read: a Create's start is unknown and every such Delete keeps.
   */
  readonly stackClient?: () => CloudFormationClient;
}

/** What the runtime passes the handler besides the event. */
export interface InvocationOptions {
  /** Aborted when the entry point gives up on the request (the Lambda deadline is near). */
  readonly signal?: AbortSignal;
  /** When that happens (epoch ms), if the entry point knows it. */
  readonly deadline?: number;
}

/**
 * Builds the `handler(event)` of a lifecycle: parses properties, dispatches on RequestType, and turns unexpected
 * errors into user-facing ones.
 */
export function makeHandler<Props, Clients>(
  lifecycle: Lifecycle<Props, Clients>,
  createClients: ClientFactory<Clients>,
  options: HandlerOptions = {},
): (event: CloudFormationCustomResourceEvent, invocation?: InvocationOptions) => Promise<HandlerResponse> {
  return async (event, invocation = {}) => {
    const signal = invocation.signal ?? new AbortController().signal;
    const ctx: RequestContext = {
      requestType: event.RequestType,
      stackId: event.StackId,
      logicalResourceId: event.LogicalResourceId,
      requestId: event.RequestId,
      resourceType: event.ResourceType,
      signal,
      ...(invocation.deadline !== undefined ? { deadline: invocation.deadline } : {}),
    };
    const physicalId = (event as { PhysicalResourceId?: string }).PhysicalResourceId;
    const stack = () => (options.stackClient ? withSignal(options.stackClient(), signal) : undefined);
    const raws = [event.ResourceProperties, (event as { OldResourceProperties?: Record<string, unknown> }).OldResourceProperties];
    const sensitive = raws.flatMap((raw) => (raw && lifecycle.sensitive ? safely(() => lifecycle.sensitive!(handlerProperties(raw))) : []));
    return withSecrets(sensitive, () => handle(event, ctx, physicalId, signal, stack));
  };

  async function handle(
    event: CloudFormationCustomResourceEvent,
    ctx: RequestContext,
    physicalId: string | undefined,
    signal: AbortSignal,
    stack: () => CloudFormationClient | undefined,
  ): Promise<HandlerResponse> {
    log('INFO', `${event.RequestType} ${lifecycle.what}`, { logicalResourceId: event.LogicalResourceId, physicalId });
    try {
      switch (event.RequestType) {
        case 'Create': {
          const props = lifecycle.parse(handlerProperties((event as CloudFormationCustomResourceCreateEvent).ResourceProperties));
          return checkResponse(await lifecycle.create(createClients(event, ctx), props, ctx));
        }
        case 'Update': {
          const e = event as CloudFormationCustomResourceUpdateEvent;
          const props = lifecycle.parse(handlerProperties(e.ResourceProperties));
          if (parseMarker(e.PhysicalResourceId)) {
            // the resource's Create never finished (a retried deployment): nothing stands behind the marker, so this
            // Update creates; its new physical ID makes CloudFormation delete the marker, which then keeps (stillDeclared)
            log('INFO', 'Update of a resource whose Create did not finish: creating it', { physicalId });
            return checkResponse(await lifecycle.create(createClients(event, ctx), props, ctx));
          }
          const oldProps = parseOldProperties(lifecycle, handlerProperties(e.OldResourceProperties), props, physicalId);
          return checkResponse(await lifecycle.update(createClients(event, ctx), e.PhysicalResourceId, props, oldProps, ctx));
        }
        case 'Delete': {
          const e = event as CloudFormationCustomResourceDeleteEvent;
          let props: Props;
          try {
            props = lifecycle.parse(handlerProperties(e.ResourceProperties));
          } catch (wholeError) {
            try {
              // an older version's properties (the old physical ID of a replacement): the identifying fields suffice
              if (!lifecycle.parseOld) throw wholeError;
              props = lifecycle.parseOld(handlerProperties(e.ResourceProperties));
            } catch (error) {
              const recorded = lifecycle.propsOfPhysicalId?.(e.PhysicalResourceId);
              if (recorded === undefined) {
                // Properties that never passed validation cannot name anything this handler created.
                log('WARN', 'Delete with properties that do not parse: nothing to clean up', { physicalId, error: errorName(error) });
                return { PhysicalResourceId: e.PhysicalResourceId };
              }
              log('WARN', 'Delete with properties that do not parse: cleaning up what the physical ID records', { physicalId, error: errorName(error) });
              props = recorded;
            }
          }
          await deleteResource(lifecycle, createClients(event, ctx), e.PhysicalResourceId, props, ctx, stack);
          return { PhysicalResourceId: e.PhysicalResourceId };
        }
        default:
          throw new InvitationError(`Unknown request type ${(event as { RequestType: string }).RequestType}`);
      }
    } catch (error) {
      const userFacing = toUserFacing(error, `${event.RequestType} of the ${lifecycle.what}`);
      log(signal.aborted ? 'WARN' : 'ERROR', `${event.RequestType} ${lifecycle.what} ${signal.aborted ? 'stopped at the deadline' : 'failed'}`, {
        logicalResourceId: event.LogicalResourceId,
        physicalId,
        error: errorName(error),
        awsReason: errorReason(error),
        // the user-facing message, already masked (InvitationError): what CloudFormation shows, so logs and console agree
        reason: scrub(userFacing.message),
      });
      const scrubbed = scrub(userFacing.message);
      throw scrubbed === userFacing.message ? userFacing : new InvitationError(scrubbed, { cause: error });
    }
  }
}

/** The sensitive values of properties that may not even parse: a failure here scrubs nothing more, never fails the request. */
function safely(read: () => readonly (string | undefined)[]): readonly (string | undefined)[] {
  try {
    return read();
  } catch {
    return [];
  }
}

/**
 * The old properties of an Update. When they no longer parse (an older library version, tightened validation), the
 * lifecycle's `parseOld` reads their identifying fields; only if that fails too are they taken as unchanged (the new
 * properties), which must not make both the update and its rollback fail.
 */
function parseOldProperties<Props>(lifecycle: Lifecycle<Props, unknown>, raw: Record<string, unknown>, props: Props, physicalId?: string): Props {
  try {
    return lifecycle.parse(raw);
  } catch (error) {
    if (lifecycle.parseOld) {
      try {
        const old = lifecycle.parseOld(raw);
        log('WARN', 'Update with old properties that do not parse as a whole: compared by their identifying fields', { physicalId, error: errorName(error) });
        return old;
      } catch (oldError) {
        log('WARN', 'Update with old properties whose identifying fields do not parse: treating them as unchanged', {
          physicalId, error: errorName(oldError),
        });
        return props;
      }
    }
    log('WARN', 'Update with old properties that do not parse: treating them as unchanged', { physicalId, error: errorName(error) });
    return props;
  }
}

/**
 * A Delete. A physical ID the lifecycle did not produce stands for a Create that did not finish normally: the
 * runtime's create-timed-out marker (cut off at the Lambda deadline) or an ID CloudFormation made up after canceling
 * the Create. Both go to the lifecycle's careful cleanup with the time that Create began, unless the stack still
 * declares the logical ID in a cleanup phase (an Update replaced the marker: what it made is not to be undone).
 */
async function deleteResource<Props, Clients>(
  lifecycle: Lifecycle<Props, Clients>,
  clients: Clients,
  physicalId: string,
  props: Props,
  ctx: RequestContext,
  stack: () => CloudFormationClient | undefined,
): Promise<void> {
  const marker = parseMarker(physicalId);
  if (marker?.kind === 'create-failed') {
    log('INFO', 'Delete of a resource whose Create failed: nothing to do', { physicalId });
    return;
  }
  const abandoned = marker !== undefined || !lifecycle.ownsPhysicalId(physicalId);
  if (!abandoned) {
    await lifecycle.delete(clients, physicalId, props, ctx);
    return;
  }
  const client = stack();
  const declared = await stillDeclared(client, ctx);
  if (declared) {
    log('INFO', `Delete of a Create that did not finish: keeping what may be there, because ${declared}`, { physicalId });
    return;
  }
  if (!lifecycle.abandonedCreate) {
    await lifecycle.delete(clients, physicalId, props, ctx);
    return;
  }
  const since = marker ? marker.since : await createStartedAt(client, ctx);
  log('INFO', 'Delete of a Create that did not finish: cleaning up what it can be shown to have made', {
    physicalId, since: since?.toISOString() ?? 'unknown',
  });
  await lifecycle.abandonedCreate(clients, props, ctx, since);
}

/**
 * Leave this much of the Lambda's time to answer CloudFormation when the handler has not finished: the response
 * upload's attempts are budgeted to end within it (cfn-response.ts), so a slow upload cannot be killed by the deadline.
 */
export const RESPONSE_RESERVE_MS = 15_000;

/** Stop uploading this long before the Lambda deadline: the invocation must still end (and fail) by itself. */
const DEADLINE_MARGIN_MS = 1_000;

/**
 * The Lambda entry point: runs `handler`, then answers CloudFormation at the pre-signed ResponseURL.
 * - A failed Create is answered with a marker physical ID, and the Delete CloudFormation sends for it succeeds at
 *   once (the handler already undid what the failed Create did).
 * - If the handler is still running shortly before the Lambda times out, its work is aborted (`ctx.signal`) and
 *   CloudFormation gets a FAILED answer with a message, instead of waiting for a response that never comes; a
 *   cut-off Create answers `create-timed-out:<when it started>`, so that its Delete can clean up carefully.
 * - The Reason is the error's message, never a stack trace.
 * - If the answer cannot be uploaded (every attempt within the time left failed), the invocation fails: Lambda
 *   retries the event (asynchronous invocation, 2 retries), and the handlers are idempotent. An upload failure is
 *   never turned into a FAILED answer (a SUCCESS lost that way would leak what the request made).
 */
export function cfnEntryPoint(
  handler: (event: CloudFormationCustomResourceEvent, invocation?: InvocationOptions) => Promise<HandlerResponse>,
): (event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<void> {
  return async (event, context) => {
    const startedAt = Date.now();
    const remaining = context?.getRemainingTimeInMillis?.();
    const uploadDeadline = remaining !== undefined ? startedAt + remaining - DEADLINE_MARGIN_MS : undefined;
    const physicalId = (event as { PhysicalResourceId?: string }).PhysicalResourceId;
    if (event.RequestType === 'Delete' && physicalId === CREATE_FAILED_PHYSICAL_ID) {
      log('INFO', 'Delete of a resource whose Create failed: nothing to do', { logicalResourceId: event.LogicalResourceId });
      await sendResponse(event, { Status: 'SUCCESS', PhysicalResourceId: physicalId }, { deadline: uploadDeadline });
      return;
    }

    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // when the work is given up: the handler's waits end before it (RequestContext.deadline)
    const abortAt = remaining !== undefined && remaining > RESPONSE_RESERVE_MS ? startedAt + remaining - RESPONSE_RESERVE_MS : undefined;
    const deadline = new Promise<never>((_, reject) => {
      if (remaining !== undefined && remaining > RESPONSE_RESERVE_MS) {
        timer = setTimeout(() => {
          const error = new InvitationError(
            `${event.RequestType} did not finish within the handler's timeout. ` +
              'The service may be throttling or unreachable; retry the deployment later.',
          );
          // stop the work before answering: a container Lambda resumes later must not carry on with it
          controller.abort(error);
          reject(error);
        }, remaining - RESPONSE_RESERVE_MS);
      }
    });
    let response: CfnResponse;
    try {
      const invocation: InvocationOptions = { signal: controller.signal, ...(abortAt !== undefined ? { deadline: abortAt } : {}) };
      const result = await Promise.race([handler(event, invocation), deadline]);
      response = {
        Status: 'SUCCESS',
        PhysicalResourceId: result.PhysicalResourceId ?? physicalId ?? event.RequestId,
        Data: result.Data,
      };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      response = {
        Status: 'FAILED',
        PhysicalResourceId: physicalId ?? (controller.signal.aborted ? createTimedOutPhysicalId(startedAt) : CREATE_FAILED_PHYSICAL_ID),
        Reason: reason,
      };
    } finally {
      if (timer) clearTimeout(timer);
    }
    // outside the try: a failed upload must fail the invocation (Lambda retries it), not become a FAILED answer
    await sendResponse(event, response, { deadline: uploadDeadline });
  };
}
