/**
 * Lambda entry for WorkSpacesAccountLinkAccepter. `handler` is the custom-resource contract (returns the physical ID
 * and Data); `onEvent` is what the Lambda function calls: it runs `handler` and answers CloudFormation.
 */
import { WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { LinkAccepterClients, linkAccepterLifecycle } from './lifecycle';
import { clientConfig } from '../shared/clients';
import { cfnEntryPoint, makeHandler } from '../shared/runtime';
import { WORKSPACES_TRANSIENT_ERRORS } from '../workspaces-account-link/lifecycle';

/** The clients of the handler: the standard retry strategy, InternalServerException (HTTP 400) counted as transient. */
export function createClients(): LinkAccepterClients {
  return { workspaces: new WorkSpacesClient(clientConfig(WORKSPACES_TRANSIENT_ERRORS)) };
}

export const handler = makeHandler(linkAccepterLifecycle, createClients);

export const onEvent = cfnEntryPoint(handler);
