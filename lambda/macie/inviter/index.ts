/**
 * Lambda entry for MacieInvitations. `handler` is the custom-resource contract (returns the physical ID and Data);
 * `onEvent` is what the Lambda function calls: it runs `handler` and answers CloudFormation.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { Macie2Client } from '@aws-sdk/client-macie2';
import { MacieClients, macieInvitationsLifecycle } from './lifecycle';
import { assumedClients } from '../../shared/assume-role';
import { clientConfig, withSignal, withSignals } from '../../shared/clients';
import { cfnEntryPoint, makeHandler } from '../../shared/runtime';

/**
 * New SDK clients on the function's own role. The SDK's standard retry strategy (shared `clientConfig`) retries
 * ThrottlingException (429) and InternalServerException (500) with backoff; no Macie error that is modeled as a
 * client error is transient.
 */
export function createClients(): MacieClients {
  return { macie: new Macie2Client(clientConfig()), cloudformation: new CloudFormationClient(clientConfig()) };
}

// one set per container, created on first use (cold start matters); each request gets a view honouring its signal
let own: MacieClients | undefined;
const ownClients = () => (own ??= createClients());

export const handler = makeHandler(macieInvitationsLifecycle, (_event, ctx) => ({
  ...withSignals(ownClients(), ctx.signal),
  // acceptance: a Macie client per member account, on the credentials of the role assumed there (made per request,
  // destroyed after use; the credentials never leave the client)
  inMember: (roleName: string) => assumedClients(ctx, roleName, (credentials) => ({
    macie: withSignal(new Macie2Client({ ...clientConfig(), credentials }), ctx.signal),
  })),
}), {
  stackClient: () => ownClients().cloudformation!,
});

export const onEvent = cfnEntryPoint(handler);
