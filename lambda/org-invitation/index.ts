/**
 * Lambda entry for OrgInvitation. `handler` is the custom-resource contract (returns the physical ID and Data);
 * `onEvent` is what the Lambda function calls: it runs `handler` and answers CloudFormation.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { ORGANIZATIONS_TRANSIENT_ERRORS, orgInvitationLifecycle } from './lifecycle';
import { clientConfig } from '../shared/clients';
import { cfnEntryPoint, makeHandler } from '../shared/runtime';

export const handler = makeHandler(orgInvitationLifecycle, () => ({
  organizations: new OrganizationsClient(clientConfig(ORGANIZATIONS_TRANSIENT_ERRORS)),
  cloudformation: new CloudFormationClient(clientConfig()),
}));

export const onEvent = cfnEntryPoint(handler);
