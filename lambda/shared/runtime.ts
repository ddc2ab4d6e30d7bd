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
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
  Context,
} from 'aws-lambda';
import { sendResponse } from './cfn-response';
import { InvitationError, errorName, errorReason, toUserFacing } from './errors';
import { log } from './log';

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
  /** Aborted when the runtime has given up on the request (deadline): long work checks it between steps. */
  readonly signal?: AbortSignal;
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
  /** True for physical IDs this lifecycle produces (Org: handshake IDs and already-member:..., Macie: macie-invitations:..., WS: link-...). */
  ownsPhysicalId(physicalId: string): boolean;
  /** Old properties that no longer parse as a whole (item 8): parse the identifying fields alone, the rest defaulted. Throws InvitationError when even those do not parse. */
  parseOld?(raw: Record<string, unknown>): Props;
  /**
   * Careful cleanup after a Create that did not finish normally (cut off by the deadline, or cancelled by
   * CloudFormation, which then sends a physical ID it made up). `since`: when that Create started (undefined =
   * unknown: keep, and log why).
   */
  abandonedCreate?(clients: Clients, props: Props, ctx: RequestContext, since: Date | undefined): Promise<void>;
}

/** CloudFormation's limit for the whole Data object of a response. */
export const MAX_DATA_BYTES = 4096;

/** The physical ID the entry point answers a failed Create with; the Delete that follows is then answered at once. */
export const CREATE_FAILED_PHYSICAL_ID = 'cdk-account-invitations:create-failed';

/**
 * The physical ID of a Create that was cut off by the Lambda deadline: it may have made something, so the Delete
 * that follows cleans up from the properties (`Lifecycle.abandonedCreate`).
 */
export const CREATE_TIMED_OUT_PHYSICAL_ID = 'cdk-account-invitations:create-timed-out';

/** Property that only exists to let the construct force an update; not part of any handler's props. */
const SERVICE_TOKEN = 'ServiceToken';

function withoutServiceToken(raw: Record<string, unknown> | undefined): Record<string, unknown> {
  const { [SERVICE_TOKEN]: _ignored, ...rest } = raw ?? {};
  return rest;
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
 * Builds the `handler(event)` of a lifecycle: parses properties, dispatches on RequestType, and turns unexpected
 * errors into user-facing ones. Clients are created once per Lambda container, on first use.
 */
export function makeHandler<Props, Clients>(
  lifecycle: Lifecycle<Props, Clients>,
  createClients: () => Clients,
): (event: CloudFormationCustomResourceEvent) => Promise<HandlerResponse> {
  let clients: Clients | undefined;
  const getClients = () => (clients ??= createClients());

  return async (event) => {
    const ctx: RequestContext = {
      requestType: event.RequestType,
      stackId: event.StackId,
      logicalResourceId: event.LogicalResourceId,
      requestId: event.RequestId,
      resourceType: event.ResourceType,
    };
    const physicalId = (event as { PhysicalResourceId?: string }).PhysicalResourceId;
    log('INFO', `${event.RequestType} ${lifecycle.what}`, { logicalResourceId: event.LogicalResourceId, physicalId });
    try {
      switch (event.RequestType) {
        case 'Create': {
          const props = lifecycle.parse(withoutServiceToken((event as CloudFormationCustomResourceCreateEvent).ResourceProperties));
          return checkResponse(await lifecycle.create(getClients(), props, ctx));
        }
        case 'Update': {
          const e = event as CloudFormationCustomResourceUpdateEvent;
          const props = lifecycle.parse(withoutServiceToken(e.ResourceProperties));
          let oldProps: Props;
          try {
            oldProps = lifecycle.parse(withoutServiceToken(e.OldResourceProperties));
          } catch (wholeError) {
            try {
              // the identifying fields alone (a changed target, removed Macie accounts) still count
              if (!lifecycle.parseOld) throw wholeError;
              oldProps = lifecycle.parseOld(withoutServiceToken(e.OldResourceProperties));
              log('WARN', 'Update with old properties that do not parse as a whole: comparing their identifying fields', { physicalId, error: errorName(wholeError) });
            } catch (error) {
              // Old properties that no longer parse (an older library version, tightened validation) must not make
              // both the update and its rollback fail: compare against the new properties, i.e. treat nothing as removed.
              log('WARN', 'Update with old properties that do not parse: treating them as unchanged', { physicalId, error: errorName(error) });
              oldProps = props;
            }
          }
          return checkResponse(await lifecycle.update(getClients(), e.PhysicalResourceId, props, oldProps, ctx));
        }
        case 'Delete': {
          const e = event as CloudFormationCustomResourceDeleteEvent;
          let props: Props;
          try {
            props = lifecycle.parse(withoutServiceToken(e.ResourceProperties));
          } catch (wholeError) {
            try {
              // an older version's properties (the old physical ID of a replacement): the identifying fields suffice
              if (!lifecycle.parseOld) throw wholeError;
              props = lifecycle.parseOld(withoutServiceToken(e.ResourceProperties));
            } catch (error) {
              // Properties that never passed validation cannot name anything this handler created.
              log('WARN', 'Delete with properties that do not parse: nothing to clean up', { physicalId, error: errorName(error) });
              return { PhysicalResourceId: e.PhysicalResourceId };
            }
          }
          if (e.PhysicalResourceId === CREATE_TIMED_OUT_PHYSICAL_ID && lifecycle.abandonedCreate) {
            // the start of the cut-off Create is not known here (the runtime branch supplies it)
            await lifecycle.abandonedCreate(getClients(), props, ctx, undefined);
          } else {
            await lifecycle.delete(getClients(), e.PhysicalResourceId, props, ctx);
          }
          return { PhysicalResourceId: e.PhysicalResourceId };
        }
        default:
          throw new InvitationError(`Unknown request type ${(event as { RequestType: string }).RequestType}`);
      }
    } catch (error) {
      log('ERROR', `${event.RequestType} ${lifecycle.what} failed`, {
        logicalResourceId: event.LogicalResourceId,
        physicalId,
        error: errorName(error),
        reason: errorReason(error),
      });
      throw toUserFacing(error, `${event.RequestType} of the ${lifecycle.what}`);
    }
  };
}

/** Leave this much of the Lambda's time to answer CloudFormation when the handler has not finished. */
const RESPONSE_RESERVE_MS = 15_000;

/**
 * The Lambda entry point: runs `handler`, then answers CloudFormation at the pre-signed ResponseURL.
 * - A failed Create is answered with a marker physical ID, and the Delete CloudFormation sends for it succeeds at
 *   once (the handler already undid what the failed Create did).
 * - If the handler is still running shortly before the Lambda times out, CloudFormation gets a FAILED answer with
 *   a message, instead of waiting an hour for a response that never comes.
 * - The Reason is the error's message, never a stack trace.
 */
export function cfnEntryPoint(
  handler: (event: CloudFormationCustomResourceEvent) => Promise<HandlerResponse>,
): (event: CloudFormationCustomResourceEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<void> {
  return async (event, context) => {
    const physicalId = (event as { PhysicalResourceId?: string }).PhysicalResourceId;
    if (event.RequestType === 'Delete' && physicalId === CREATE_FAILED_PHYSICAL_ID) {
      log('INFO', 'Delete of a resource whose Create failed: nothing to do', { logicalResourceId: event.LogicalResourceId });
      await sendResponse(event, { Status: 'SUCCESS', PhysicalResourceId: physicalId });
      return;
    }

    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const remaining = context?.getRemainingTimeInMillis?.();
    const deadline = new Promise<never>((_, reject) => {
      if (remaining !== undefined && remaining > RESPONSE_RESERVE_MS) {
        timer = setTimeout(
          () => {
            timedOut = true;
            reject(new InvitationError(
              `${event.RequestType} did not finish within the handler's timeout. ` +
            'The service may be throttling or unreachable; retry the deployment later.',
            ));
          },
          remaining - RESPONSE_RESERVE_MS,
        );
      }
    });
    try {
      const result = await Promise.race([handler(event), deadline]);
      await sendResponse(event, {
        Status: 'SUCCESS',
        PhysicalResourceId: result.PhysicalResourceId ?? physicalId ?? event.RequestId,
        Data: result.Data,
      });
    } catch (error) {
      await sendResponse(event, {
        Status: 'FAILED',
        PhysicalResourceId: physicalId ?? (timedOut ? CREATE_TIMED_OUT_PHYSICAL_ID : CREATE_FAILED_PHYSICAL_ID),
        Reason: error instanceof Error ? error.message : String(error),
      });
    } finally {
      if (timer) clearTimeout(timer);
    }
  };
}
