/**
 * The inviter's one-stack acceptance (`acceptance: Acceptance.assumeRole(...)`): after inviting, accept the link in the
 * target account through a role there, with the accept logic the accepter uses (`../accept`) over the assumed role's
 * clients. When that fails, the pending link this request created is deleted again.
 */
import type { AccountLinkData, AccountLinkProps } from '../../../src/private/contract/workspaces';
import { InvitationError, describeAwsError, errorName } from '../../shared/errors';
import { log } from '../../shared/log';
import type { RequestContext } from '../../shared/runtime';
import { acceptAccountLink } from '../accept';
import type { LinkClients } from '../service';
import { stackAccount } from './invite';
import { deleteAccountLink } from './remove';

/** What the acceptance adds to the inviter's clients. */
export interface AcceptanceClients {
  /**
   * Clients acting in another account through a role there: assumes `roleName` in `accountId`. Failures name the
   * account and the role (lambda/shared/assume-role.ts).
   */
  readonly assumeRole?: (roleName: string) => (accountId: string) => Promise<LinkClients>;
}

/**
 * How long the inviter waits, after inviting, for its invitation to become visible to the target account through the
 * assumed role: short, well inside the handler's 5-minute Lambda timeout, which must still leave time to delete the
 * pending link again when the acceptance fails. Overridable for tests.
 */
export function acceptWaitMs(): number {
  const value = Number(process.env.CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS);
  return Number.isFinite(value) && value >= 0 && process.env.CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS !== '' ? value : 60_000;
}

/**
 * Accepts the invited link in the target account through the role, waiting briefly for the invitation to be visible
 * there. Returns the invited link's attributes with the accepted status.
 */
export async function acceptThroughRole(
  clients: AcceptanceClients,
  props: AccountLinkProps,
  roleName: string,
  invited: AccountLinkData,
  ctx: RequestContext,
): Promise<AccountLinkData> {
  const sourceAccountId = stackAccount(ctx.stackId);
  if (!clients.assumeRole || sourceAccountId === undefined) {
    throw new InvitationError('Internal error: the handler cannot assume a role in the target account here. Please report this.');
  }
  const target = await clients.assumeRole(roleName)(props.targetAccountId);
  const accepted = await acceptAccountLink(target, {
    sourceAccountId,
    targetAccountId: props.targetAccountId,
    accountLinkId: invited.accountLinkId,
    actingAs: `role ${roleName} in account ${props.targetAccountId}`,
    wait: { timeoutMs: acceptWaitMs(), signal: ctx.signal },
  }, ctx);
  log('INFO', 'accepted in the target account through the role', { linkId: accepted.accountLinkId, status: accepted.accountLinkStatus });
  return { ...invited, accountLinkStatus: accepted.accountLinkStatus };
}

/**
 * After a failed acceptance: deletes the pending link this request created (never a LINKED one: deleteAccountLink
 * reads it first and deletes only while pending), and returns the error to throw. A failed clean-up is added to the
 * message, with how to delete the invitation by hand.
 */
export async function undoInvitation(clients: LinkClients, linkId: string, ctx: RequestContext, cause: unknown): Promise<Error> {
  const message = cause instanceof Error ? cause.message : String(cause);
  try {
    await deleteAccountLink(clients, linkId, ctx);
    log('INFO', 'the acceptance failed: deleted the pending link this request created', { linkId });
    // first: the Reason CloudFormation shows is cut at 1,000 characters
    return new InvitationError(`The pending invitation ${linkId} this deployment created was deleted again, because accepting it failed: ${message}`, { cause });
  } catch (error) {
    log('WARN', 'the acceptance failed, and the pending link this request created could not be deleted', { linkId, error: errorName(error) });
    return new InvitationError(`Accepting the invitation failed, and the pending invitation ${linkId} this deployment created ` +
      `could not be deleted (${describeAwsError(error)}): delete it in the WorkSpaces console (Account settings). ${message}`, { cause });
  }
}
