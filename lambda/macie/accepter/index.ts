/**
 * Lambda entry for MacieInvitationAccepter. `handler` is the custom-resource contract (returns the physical ID and
 * Data); `onEvent` is what the Lambda function calls: it runs `handler` and answers CloudFormation.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { Macie2Client } from '@aws-sdk/client-macie2';
import { MacieAccepterClients, macieInvitationAccepterLifecycle } from './lifecycle';
import { clientConfig, withSignals } from '../../shared/clients';
import { cfnEntryPoint, makeHandler } from '../../shared/runtime';

/**
 * New SDK clients on the function's own role. The SDK's standard retry strategy (shared `clientConfig`) retries
 * ThrottlingException (429) and InternalServerException (500) with backoff; waiting for the invitation is a separate,
 * bounded poll.
 */
export function createClients(): MacieAccepterClients {
  return { macie: new Macie2Client(clientConfig()), cloudformation: new CloudFormationClient(clientConfig()) };
}

// one set per container, created on first use (cold start matters); each request gets a view honouring its signal
let own: MacieAccepterClients | undefined;
const ownClients = () => (own ??= createClients());

export const handler = makeHandler(macieInvitationAccepterLifecycle, (_event, ctx) => withSignals(ownClients(), ctx.signal), {
  stackClient: () => ownClients().cloudformation!,
});

export const onEvent = cfnEntryPoint(handler);
