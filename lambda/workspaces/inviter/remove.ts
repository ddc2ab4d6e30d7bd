/**
 * What the source side removes, and what it keeps: Delete deletes a pending invitation this resource made (the
 * lifecycle decides from the physical ID's record; a LINKED link cannot be undone through the API: it stays, with a
 * warning); a link another resource of the stack still declares stays; after a Create that did not finish, nothing
 * shows what it made, so nothing is deleted.
 */
import { AccountLink, DeleteAccountLinkInvitationCommand } from '@aws-sdk/client-workspaces';
import { AccountLinkProps, WORKSPACES_ACCOUNT_LINK } from '../../../src/private/contract/workspaces';
import { errorName, isAwsError } from '../../shared/errors';
import { log } from '../../shared/log';
import { ACCOUNT_ID } from '../../shared/props';
import type { RequestContext } from '../../shared/runtime';
import { StackClients, StackTargets, targetsKeptByStack } from '../../shared/stack';
import { LINKED, LINK_NOT_FOUND, LinkClients, PENDING, clientToken, isLinkId, regionName } from '../service';
import { ENDED, accessOrGeneric, findLink, getLink, stackAccount } from './invite';

const DELETE_ANYWAY =
  'To delete the stack without deleting the invitation, delete it in the WorkSpaces console (Account settings), ' +
  'then retry the delete.';

/** What identifies a link for "another resource of the stack still declares it": the target account. */
export const WORKSPACES_TARGETS: StackTargets<AccountLinkProps> = {
  keys: (props) => [props.targetAccountId],
  templateValues: (properties) => [properties[WORKSPACES_ACCOUNT_LINK.keys.targetAccountId]],
  key: (value) => (ACCOUNT_ID.test(value) ? value : undefined),
};

/**
 * What a Delete did with the link: deleted it (it was pending), or left it as it was and why (its status, or
 * `not-a-link` for a physical ID that names none). A LINKED link is never deleted.
 */
export type DeleteOutcome = { readonly deleted: true } | { readonly deleted: false; readonly status: string };

function logEnded(linkId: string, status: string | undefined): DeleteOutcome {
  if (status === LINKED) {
    log('WARN', 'the account link is LINKED and cannot be undone through the WorkSpaces API: it stays in place. ' +
      'Unlink it in the WorkSpaces console if it is no longer wanted.', { linkId });
  } else if (status === undefined || ENDED.has(status)) {
    log('INFO', 'nothing to delete', { linkId, status: status ?? LINK_NOT_FOUND });
  } else {
    log('WARN', 'unknown account link status: left as it is', { linkId, status });
  }
  return { deleted: false, status: status ?? LINK_NOT_FOUND };
}

/**
 * Delete: a pending invitation is deleted (DeleteAccountLinkInvitation with a token). A LINKED link cannot be undone
 * through the API: it is left, with a warning. Ended links, unknown links and non-link IDs succeed. Whether this
 * resource may delete the link at all is the lifecycle's decision (it made it: the physical ID's record).
 */
export async function deleteAccountLink(clients: LinkClients, linkId: string, ctx: RequestContext): Promise<DeleteOutcome> {
  if (!isLinkId(linkId)) {
    log('INFO', 'not an account link ID: nothing to delete', { linkId });
    return { deleted: false, status: 'not-a-link' };
  }
  const link = await getLink(clients, linkId, 'Delete', DELETE_ANYWAY);
  if (link?.AccountLinkStatus !== PENDING) return logEnded(linkId, link?.AccountLinkStatus);
  try {
    await clients.workspaces.send(new DeleteAccountLinkInvitationCommand({
      LinkId: linkId,
      ClientToken: clientToken('delete', ctx, linkId),
    }));
    log('INFO', 'deleted the pending account link invitation', { linkId });
    return { deleted: true };
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) {
      log('INFO', 'nothing to delete', { linkId, error: errorName(error) });
      return { deleted: false, status: LINK_NOT_FOUND };
    }
    if (isAwsError(error, 'ConflictException')) {
      // accepted, rejected or deleted meanwhile
      const now = await getLink(clients, linkId, 'Delete', DELETE_ANYWAY);
      if (now?.AccountLinkStatus !== PENDING) return logEnded(linkId, now?.AccountLinkStatus);
    }
    throw accessOrGeneric(
      error,
      `Deleting the pending WorkSpaces account link invitation ${linkId} in ${regionName()}`,
      DELETE_ANYWAY,
    );
  }
}

/** True when a resource of the stack still declares this target (a renamed construct, a replacement): then it stays. */
export async function keptByStack(clients: StackClients, props: AccountLinkProps, ctx: RequestContext): Promise<boolean> {
  return (await targetsKeptByStack(clients, ctx, WORKSPACES_TARGETS, props)).size > 0;
}

/**
 * After a Create that did not finish normally: keep. An account link has neither a creation time nor tags, so nothing
 * shows that a pending link to the target was made by this Create rather than by another stack or by hand (the same
 * target may be invited by one source account only once). A pending invitation is cheap and the target can reject
 * it; the log names it and says how to delete it.
 */
export async function keepAbandonedLink(clients: LinkClients, props: AccountLinkProps, ctx: RequestContext): Promise<void> {
  let match: AccountLink | undefined;
  try {
    ({ match } = await findLink(clients, props.targetAccountId, stackAccount(ctx.stackId)));
  } catch (error) {
    log('WARN', 'could not look for a pending link to the target: nothing deleted', { error: errorName(error) });
    return;
  }
  if (match?.AccountLinkStatus === PENDING) {
    log('WARN', 'a pending account link to the target may have been made by the unfinished Create, or by someone else: ' +
      'nothing shows which, so it is kept. Delete it in the WorkSpaces console (Account settings) if it is not wanted.', {
      linkId: match.AccountLinkId,
      targetAccountId: props.targetAccountId,
    });
  } else {
    log('INFO', 'no pending link to the target: nothing to delete', { status: match?.AccountLinkStatus });
  }
}
