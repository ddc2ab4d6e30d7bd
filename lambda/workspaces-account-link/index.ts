/**
 * Lambda entry for WorkSpacesAccountLink. `handler` is the custom-resource contract (returns the physical ID and
 * Data); `onEvent` is what the Lambda function calls: it runs `handler` and answers CloudFormation.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { WORKSPACES_TRANSIENT_ERRORS, WorkSpacesClients, accountLinkLifecycle } from './lifecycle';
import { clientConfig } from '../shared/clients';
import { cfnEntryPoint, makeHandler } from '../shared/runtime';

/** The clients of the handler: the standard retry strategy, InternalServerException (HTTP 400) counted as transient. */
export function createClients(): WorkSpacesClients {
  return {
    workspaces: new WorkSpacesClient(clientConfig(WORKSPACES_TRANSIENT_ERRORS)),
    cloudformation: new CloudFormationClient(clientConfig()),
  };
}

export const handler = makeHandler(accountLinkLifecycle, createClients);

export const onEvent = cfnEntryPoint(handler);
