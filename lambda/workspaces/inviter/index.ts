/**
 * Lambda entry for WorkSpacesAccountLink. `handler` is the custom-resource contract (returns the physical ID and
 * Data); `onEvent` is what the Lambda function calls: it runs `handler` and answers CloudFormation.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { WorkSpacesClients, accountLinkLifecycle } from './lifecycle';
import { assumedClients } from '../../shared/assume-role';
import { clientConfig, withSignals } from '../../shared/clients';
import { cfnEntryPoint, makeHandler } from '../../shared/runtime';
import { workspacesClient } from '../service';

/** New SDK clients on the function's own role: the standard retry strategy, InternalServerException (HTTP 400) counted as transient. */
export function createClients(): WorkSpacesClients {
  return {
    workspaces: workspacesClient(),
    cloudformation: new CloudFormationClient(clientConfig()),
  };
}

// one set per container, created on first use (cold start matters); each request gets a view honouring its signal
let own: WorkSpacesClients | undefined;
const ownClients = () => (own ??= createClients());

export const handler = makeHandler(accountLinkLifecycle, (_event, ctx) => ({
  ...withSignals(ownClients(), ctx.signal),
  // acceptance through a role in the target account: clients made per request from that role's credentials
  assumeRole: (roleName) => assumedClients(ctx, roleName, (credentials) => withSignals({ workspaces: workspacesClient(credentials) }, ctx.signal)),
}), {
  stackClient: () => ownClients().cloudformation!,
});

export const onEvent = cfnEntryPoint(handler);
