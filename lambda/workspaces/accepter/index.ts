/**
 * Lambda entry for WorkSpacesAccountLinkAccepter (deployed in the target account). `handler` is the custom-resource
 * contract (returns the physical ID and Data); `onEvent` is what the Lambda function calls: it runs `handler` and
 * answers CloudFormation.
 */
import { LinkAccepterClients, linkAccepterLifecycle } from './lifecycle';
import { withSignals } from '../../shared/clients';
import { cfnEntryPoint, makeHandler } from '../../shared/runtime';
import { workspacesClient } from '../service';

/** New SDK clients on the function's own role: the standard retry strategy, InternalServerException (HTTP 400) counted as transient. */
export function createClients(): LinkAccepterClients {
  return { workspaces: workspacesClient() };
}

// one set per container, created on first use (cold start matters); each request gets a view honouring its signal
let own: LinkAccepterClients | undefined;
const ownClients = () => (own ??= createClients());

export const handler = makeHandler(linkAccepterLifecycle, (_event, ctx) => withSignals(ownClients(), ctx.signal));

export const onEvent = cfnEntryPoint(handler);
