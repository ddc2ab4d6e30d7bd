/**
 * Lambda entry for OrgInvitation. `handler` is the custom-resource contract (returns the physical ID and Data);
 * `onEvent` is what the Lambda function calls: it runs `handler` and answers CloudFormation.
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { ORGANIZATIONS_TRANSIENT_ERRORS, orgInvitationLifecycle } from './lifecycle';
import { clientConfig } from '../shared/clients';
import { cfnEntryPoint, makeHandler } from '../shared/runtime';

export const handler = makeHandler(orgInvitationLifecycle, () => ({
  organizations: new OrganizationsClient(clientConfig(ORGANIZATIONS_TRANSIENT_ERRORS)),
}));

export const onEvent = cfnEntryPoint(handler);
