/**
 * What both WorkSpaces handlers know of the service: the inviter (`WorkSpacesAccountLink`, source account) and the
 * accepter (`WorkSpacesAccountLinkAccepter`, target account; the inviter also accepts through an assumed role, with
 * `./accept`). Clients, statuses, client tokens, reads, hints and messages are defined here once, so that none of them
 * drifts between the two sides.
 */
import { createHash } from 'crypto';
import { AccountLink, GetAccountLinkCommand, WorkSpacesClient, paginateListAccountLinks } from '@aws-sdk/client-workspaces';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { AccountLinkData } from '../../src/private/contract/workspaces';
import { clientConfig } from '../shared/clients';
import { Hints, InvitationError, isAwsError } from '../shared/errors';
import { ACCOUNT_LINK_ID } from '../shared/props';
import type { RequestContext } from '../shared/runtime';

/** The clients of one account that every WorkSpaces step needs (its own, or an assumed role's in the target). */
export interface LinkClients {
  readonly workspaces: WorkSpacesClient;
}

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
/** Statuses of a link that ended without being linked: only a new invitation from the source can link the accounts. */
export const ENDED_UNLINKED: ReadonlySet<string> = new Set(['REJECTED', 'LINKING_FAILED']);

/** True for an account link ID: the physical IDs both handlers answer with. */
export function isLinkId(id: string): boolean {
  return ACCOUNT_LINK_ID.test(id);
}

/** The function's region, for messages. */
export function regionName(): string {
  return process.env.AWS_REGION ?? 'this region';
}

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

/** GetAccountLink, or undefined when the link does not exist (yet, or any more). Other errors are the caller's to word. */
export async function readLink(clients: LinkClients, linkId: string): Promise<AccountLink | undefined> {
  try {
    const { AccountLink: link } = await clients.workspaces.send(new GetAccountLinkCommand({ LinkId: linkId }));
    return link;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

/** Every account link this account sees, page by page (ListAccountLinks until NextToken is empty: pages may be empty). */
export async function* accountLinks(clients: LinkClients): AsyncGenerator<AccountLink> {
  for await (const page of paginateListAccountLinks({ client: clients.workspaces }, { MaxResults: PAGE_SIZE })) {
    yield* page.AccountLinks ?? [];
  }
}

/**
 * The attributes of a link as WorkSpaces answered it (never its whole answer: Data stays small). `known` fills what
 * the answer lacks, so that no attribute is empty (a stack output of an empty value fails the deploy).
 */
export function linkData(
  link: AccountLink,
  adopted: boolean,
  known: { readonly status: string; readonly sourceAccountId?: string; readonly targetAccountId?: string },
): AccountLinkData {
  if (!link.AccountLinkId) {
    throw new InvitationError('WorkSpaces returned an account link without an ID. Please report this.');
  }
  return {
    accountLinkId: link.AccountLinkId,
    accountLinkStatus: link.AccountLinkStatus || known.status,
    sourceAccountId: link.SourceAccountId || known.sourceAccountId || '',
    targetAccountId: link.TargetAccountId || known.targetAccountId || '',
    adopted,
  };
}
