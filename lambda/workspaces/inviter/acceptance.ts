/**
 * The inviter's one-stack acceptance (`acceptance: Acceptance.assumeRole(...)`): after inviting, accept the link in the
 * target account through a role there, with the shared mechanism (lambda/shared/acceptance.ts: assume first, one wait
 * bounded by the deadline, assumed clients released, one failure sentence) and the look the accepter uses (`../accept`).
 * A link this request accepted is never undone (a LINKED link cannot be); when the acceptance fails, the pending link
 * this request created is deleted, and the failure says whether it was.
 */
import type { AccountLinkData, AccountLinkProps } from '../../../src/private/contract/workspaces';
import { RoleAcceptanceAdapter, acceptThroughRole } from '../../shared/acceptance';
import type { AcceptanceClients } from '../../shared/assume-role';
import { errorName } from '../../shared/errors';
import { log } from '../../shared/log';
import type { RequestContext } from '../../shared/runtime';
import { acceptAccountLink } from '../accept';
import { ENDED_UNLINKED, LINKED, LINK_NOT_FOUND, LinkClients, workspacesClient } from '../service';
import { stackAccount } from './invite';
import { deleteAccountLink } from './remove';

/** What the acceptance adds to the inviter's clients: `assumeRole`, the clients of the target account's role. */
export type LinkAcceptanceClients = AcceptanceClients<LinkClients>;

/** WorkSpaces' part of the accept-through-a-role mechanism, without the request's link (`linkAdapter`). */
export const LINK_ACCEPTANCE: Pick<RoleAcceptanceAdapter<LinkClients, AccountLinkData>, 'what' | 'clientsFrom' | 'undoByHand'> = {
  what: 'WorkSpaces account link invitation',
  clientsFrom: (credentials) => ({ workspaces: workspacesClient(credentials) }),
  // never reached with one target account; a LINKED link cannot be undone through the API
  undoByHand: 'a LINKED link cannot be undone through the WorkSpaces API',
};

/** The adapter for one request: accept the very link `linkId` (invited or adopted by it) from `sourceAccountId`. */
function linkAdapter(
  sourceAccountId: string,
  linkId: string,
  roleName: string,
  ctx: RequestContext,
): RoleAcceptanceAdapter<LinkClients, AccountLinkData> {
  return {
    ...LINK_ACCEPTANCE,
    // the look and the accept word their AWS errors themselves (`../accept`, with the role's hints): no hint table here
    accept: (clients, accountId, budget) => acceptAccountLink(clients, {
      sourceAccountId,
      targetAccountId: accountId,
      accountLinkId: linkId,
      actingAs: `role ${roleName} in account ${accountId}`,
    }, budget, ctx),
  };
}

/**
 * Accepts the link in the target account through the role. `compensate` (when this request created the link) runs
 * after a failure, before the failure is thrown. Returns the link's attributes with the status the target answered.
 */
export async function acceptInTarget(
  clients: LinkAcceptanceClients,
  props: AccountLinkProps & { readonly acceptRoleName: string },
  invited: AccountLinkData,
  ctx: RequestContext,
  compensate?: () => Promise<string>,
): Promise<AccountLinkData> {
  const sourceAccountId = stackAccount(ctx.stackId) ?? invited.sourceAccountId;
  const [accepted] = await acceptThroughRole(linkAdapter(sourceAccountId, invited.accountLinkId, props.acceptRoleName, ctx), {
    clients,
    roleName: props.acceptRoleName,
    accountIds: [props.targetAccountId],
    ctx,
    ...(compensate ? { compensate } : {}),
  });
  log('INFO', 'accepted in the target account through the role', {
    linkId: accepted.attributes.accountLinkId, status: accepted.attributes.accountLinkStatus, outcome: accepted.outcome,
  });
  return { ...invited, accountLinkStatus: accepted.attributes.accountLinkStatus };
}

/**
 * The inviter's undo after a failed acceptance: deletes the link this request created while it is pending (never a
 * LINKED one: deleteAccountLink reads it first). Says what became of it, for the failure's first sentence; "deleted"
 * only when it was. Never throws.
 */
export function deleteCreatedLink(clients: LinkClients, linkId: string, ctx: RequestContext): () => Promise<string> {
  return async () => {
    try {
      const outcome = await deleteAccountLink(clients, linkId, ctx);
      if (outcome.deleted) return `the pending invitation ${linkId} this deployment created was deleted`;
      const now = `the invitation ${linkId} this deployment created is ${outcome.status} now`;
      if (outcome.status === LINKED) return `${now} and stays (a LINKED link cannot be undone)`;
      if (outcome.status === LINK_NOT_FOUND || ENDED_UNLINKED.has(outcome.status)) return `${now}: there was nothing to delete`;
      return `${now} and was left as it is`;
    } catch (error) {
      // the AWS error code (the read or delete wraps it): the outcome comes first in the Reason and is never cut
      const code = errorName(error instanceof Error && error.cause !== undefined ? error.cause : error) ?? 'error';
      log('WARN', 'the acceptance failed, and the pending link this request created could not be deleted', { linkId, error: code });
      return `the pending invitation ${linkId} this deployment created could not be deleted (${code}): ` +
        'delete it in the WorkSpaces console (Account settings)';
    }
  };
}
