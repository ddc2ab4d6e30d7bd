/**
 * Lambda entry for OrgInvitationAccepter (deployed in the invited account). `handler` is the custom-resource contract
 * (returns the physical ID and Data); `onEvent` is what the Lambda function calls: it runs `handler` and answers
 * CloudFormation.
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { OrgAccepterClients, orgInvitationAccepterLifecycle } from './lifecycle';
import { ORGANIZATIONS_TRANSIENT_ERRORS } from '../org-invitation/lifecycle';
import { clientConfig } from '../shared/clients';
import { cfnEntryPoint, makeHandler } from '../shared/runtime';

/** The invited account's clients (one factory: the cross-account acceptance builds the same from an assumed role). */
export function createClients(): OrgAccepterClients {
  return { organizations: new OrganizationsClient(clientConfig(ORGANIZATIONS_TRANSIENT_ERRORS)) };
}

export const handler = makeHandler(orgInvitationAccepterLifecycle, createClients);

export const onEvent = cfnEntryPoint(handler);
