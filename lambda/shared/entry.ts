/**
 * A handler folder's `index.ts` in one line of wiring:
 *
 *   export const { handler, onEvent } = entryPoints(someLifecycle, someClients);
 *
 * `handler` is the custom-resource contract (returns the physical ID and Data); `onEvent` is what the Lambda
 * function calls (`index.onEvent`): it runs `handler` and answers CloudFormation.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { withSignals } from './clients';
import { Lifecycle, RequestContext, cfnEntryPoint, makeHandler } from './runtime';

/** How a lifecycle's clients are made (each service module exports one per side). */
export interface ClientsSpec<Own extends object, Extra extends object> {
  /** The SDK clients on the function's own role: created once per container, on first use (cold start matters). */
  readonly own: () => Own;
  /** What each request adds (clients in the invited account, assumed per request): made per request, never cached. */
  readonly perRequest?: (ctx: RequestContext) => Extra;
  /** The CloudFormation client the runtime reads the stack with, when the lifecycle has one. */
  readonly stack?: (own: Own) => CloudFormationClient | undefined;
}

/** The `handler` and `onEvent` of a lifecycle, its clients wrapped per request so every call honours the deadline. */
export function entryPoints<Props, Own extends object, Extra extends object = {}>(
  lifecycle: Lifecycle<Props, Own & Extra>,
  spec: ClientsSpec<Own, Extra>,
) {
  let cached: Own | undefined;
  const own = () => (cached ??= spec.own());
  const handler = makeHandler<Props, Own & Extra>(
    lifecycle,
    (_event, ctx) => ({ ...withSignals(own(), ctx.signal), ...(spec.perRequest?.(ctx) ?? ({} as Extra)) }),
    spec.stack ? { stackClient: () => spec.stack!(own())! } : {},
  );
  return { handler, onEvent: cfnEntryPoint(handler) };
}
