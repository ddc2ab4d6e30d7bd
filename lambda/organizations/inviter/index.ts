/**
 * Lambda entry for OrgInvitation. `handler` is the custom-resource contract (returns the physical ID and Data);
 * `onEvent` is what the Lambda function calls: it runs `handler` and answers CloudFormation.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { ORGANIZATIONS_TRANSIENT_ERRORS, OrgClients, orgInvitationLifecycle } from './lifecycle';
import { createClients as createAccepterClients } from '../accepter';
import { assumedClients } from '../../shared/assume-role';
import { clientConfig, withSignals } from '../../shared/clients';
import { cfnEntryPoint, makeHandler } from '../../shared/runtime';

/** New SDK clients on the function's own role. */
export function createClients(): OrgClients {
  return {
    organizations: new OrganizationsClient(clientConfig(ORGANIZATIONS_TRANSIENT_ERRORS)),
    cloudformation: new CloudFormationClient(clientConfig()),
  };
}

// one set per container, created on first use (cold start matters); each request gets a view honouring its signal
let own: OrgClients | undefined;
const ownClients = () => (own ??= createClients());

export const handler = makeHandler(orgInvitationLifecycle, (_event, ctx) => ({
  ...withSignals(ownClients(), ctx.signal),
  // one-stack acceptance: clients in the invited account, assumed per request (credentials are never cached across
  // requests, never logged)
  acceptingAs: (roleName: string) => assumedClients(ctx, roleName, (credentials) => withSignals(createAccepterClients(credentials), ctx.signal)),
}), {
  stackClient: () => ownClients().cloudformation!,
});

export const onEvent = cfnEntryPoint(handler);
