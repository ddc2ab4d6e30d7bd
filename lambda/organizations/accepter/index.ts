/**
 * Lambda entry for OrgInvitationAccepter (deployed in the invited account). `handler` is the custom-resource contract
 * (returns the physical ID and Data); `onEvent` is what the Lambda function calls: it runs `handler` and answers
 * CloudFormation.
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AwsCredentialIdentity } from '@smithy/types';
import { OrgAccepterClients, orgInvitationAccepterLifecycle } from './lifecycle';
import { ORGANIZATIONS_TRANSIENT_ERRORS } from '../inviter/lifecycle';
import { clientConfig, withSignals } from '../../shared/clients';
import { cfnEntryPoint, makeHandler } from '../../shared/runtime';

/**
 * New clients of the invited account: on the function's own role, or with the given credentials (the inviter's
 * one-stack acceptance builds them from a role it assumed there).
 */
export function createClients(credentials?: AwsCredentialIdentity): OrgAccepterClients {
  return { organizations: new OrganizationsClient({ ...clientConfig(ORGANIZATIONS_TRANSIENT_ERRORS), ...(credentials ? { credentials } : {}) }) };
}

// one set per container, created on first use (cold start matters); each request gets a view honouring its signal
let own: OrgAccepterClients | undefined;
const ownClients = () => (own ??= createClients());

export const handler = makeHandler(orgInvitationAccepterLifecycle, (_event, ctx) => withSignals(ownClients(), ctx.signal));

export const onEvent = cfnEntryPoint(handler);
