/**
 * Amazon WorkSpaces account-link facts used by both sides: the inviter (`WorkSpacesAccountLink`, source account) and
 * the accepter (`WorkSpacesAccountLinkAccepter`, target account; also called by the inviter through an assumed role).
 * One definition for both, so that a status, a token or a message never drifts between them.
 */
import { createHash } from 'crypto';
import { WorkSpacesClient } from '@aws-sdk/client-workspaces';
import type { AwsCredentialIdentity } from '@smithy/types';
import { clientConfig } from '../shared/clients';
import type { Hints } from '../shared/errors';
import type { RequestContext } from '../shared/runtime';

export { ACCOUNT_LINK_ID } from '../shared/props';

/**
 * WorkSpaces answers HTTP 400 for every error, InternalServerException included, so the SDK classifies it as a
 * client error and would not retry it: it is reclassified as transient (then retried by the standard strategy).
 */
export const WORKSPACES_TRANSIENT_ERRORS = ['InternalServerException'];

/**
 * A WorkSpaces client with the shared configuration: on the function's own role, or (`credentials`) acting in another
 * account through an assumed role.
 */
export function workspacesClient(credentials?: AwsCredentialIdentity): WorkSpacesClient {
  return new WorkSpacesClient({ ...clientConfig(WORKSPACES_TRANSIENT_ERRORS), ...(credentials ? { credentials } : {}) });
}

/** The longest ClientToken the service accepts (`^.{1,64}$`, "up to 64 ASCII characters"). */
export const MAX_CLIENT_TOKEN = 64;
/** ListAccountLinks' largest page (Limit: 1..25). */
export const PAGE_SIZE = 25;

export const PENDING = 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT';
export const LINKED = 'LINKED';
/** What a resource reports when the link no longer exists. */
export const LINK_NOT_FOUND = 'LINK_NOT_FOUND';

/** What an account link needs, for messages. */
export const PRECONDITIONS =
  'Account links need both accounts in the same AWS Organization under the same payer account, the stack deployed ' +
  'in the region where the target account uses WorkSpaces, BYOL (bring your own license) enabled for this account in ' +
  'WorkSpaces in that region, and a commercial region (account links are not available in AWS GovCloud (US)).';

/** The hint of an error that persisted through the SDK's retries. */
export const SERVICE_ERROR_HINT = 'This is a WorkSpaces service error that persisted through the retries: deploy again later.';

/**
 * A ClientToken derived only from the request, so that retrying the same request (a Lambda retry, a redeployment
 * after a failed Create) sends the same token and gets the same link: sha256 hex of the purpose, the stack ID (its
 * UUID differs between two stacks of the same name), the logical ID and the given parts. 64 ASCII characters.
 */
export function clientToken(
  purpose: 'create' | 'update' | 'delete' | 'accept',
  ctx: Pick<RequestContext, 'stackId' | 'logicalResourceId'>,
  ...parts: string[]
): string {
  return createHash('sha256')
    .update(JSON.stringify([purpose, ctx.stackId, ctx.logicalResourceId, ...parts]))
    .digest('hex')
    .slice(0, MAX_CLIENT_TOKEN);
}

/** What to do after an error of the accepting side (the target account), per WorkSpaces error name. */
export function acceptHints(roleHint: string, throughRole = false): Hints {
  return {
    // through an assumed role the role's permissions are the likely cause: a shorter hint keeps the Reason readable
    AccessDeniedException: throughRole ? roleHint : `${roleHint} WorkSpaces also denies account-link calls where they are not available: ${PRECONDITIONS}`,
    ValidationException: `${PRECONDITIONS} Fix the cause, then deploy again.`,
    InternalServerException: SERVICE_ERROR_HINT,
  };
}
