/**
 * The source side's invitation: CreateAccountLinkInvitation with a client token derived from the request, and the
 * adoption of the existing link when WorkSpaces says the target is already linked or invited (ConflictException).
 * Also the source side's reads of a link, with their hints.
 */
import { AccountLink, CreateAccountLinkInvitationCommand } from '@aws-sdk/client-workspaces';
import { AccountLinkData, AccountLinkProps, WORKSPACES_ACCOUNT_LINK } from '../../../src/private/contract/workspaces';
import { Hints, InvitationError, describeAwsError, failedWith, isAwsError } from '../../shared/errors';
import { log } from '../../shared/log';
import type { RequestContext } from '../../shared/runtime';
import { stackLocation } from '../../shared/stack';
import {
  ENDED_UNLINKED,
  LINKED,
  LINK_NOT_FOUND,
  LinkClients,
  PENDING,
  PRECONDITIONS,
  SERVICE_ERROR_HINT,
  accountLinks,
  linkData,
  readLink,
  regionName,
} from '../service';

/** Statuses in which the link blocks a new invitation to the same target (ConflictException). */
export const ACTIVE: ReadonlySet<string> = new Set([PENDING, LINKED]);
/** Statuses of a link that is over: nothing to delete, and an update invites again. */
export const ENDED: ReadonlySet<string> = new Set([...ENDED_UNLINKED, LINK_NOT_FOUND]);

export const ROLE_HINT =
  'Check that the handler\'s role may call the WorkSpaces account-link actions (service control policies and ' +
  'permission boundaries can deny them).';

/** What to do, per WorkSpaces error name (WorkSpaces errors carry no reason code). */
export const WORKSPACES_HINTS: Hints = {
  ValidationException: `Check that targetAccountId is another account than the stack's own. ${PRECONDITIONS} Fix the cause, then deploy again.`,
  AccessDeniedException: `${ROLE_HINT} WorkSpaces also denies account links to accounts that are not eligible: ${PRECONDITIONS}`,
  InternalServerException: SERVICE_ERROR_HINT,
  ResourceNotFoundException: `WorkSpaces does not know the account or link named here. ${PRECONDITIONS}`,
};

/** The account of the stack, from its ARN (`arn:aws:cloudformation:<region>:<account>:stack/...`), if it has one. */
export function stackAccount(stackId: string): string | undefined {
  return stackLocation(stackId).account;
}

/** The attributes of a link this account invited (or adopted); what WorkSpaces left out is what the request knows. */
export function invitedData(link: AccountLink, adopted: boolean, props: AccountLinkProps, ctx: RequestContext): AccountLinkData {
  return linkData(link, adopted, { status: PENDING, sourceAccountId: stackAccount(ctx.stackId), targetAccountId: props.targetAccountId });
}

/** A failure of a read or delete, with what to do next. */
export function accessOrGeneric(error: unknown, doing: string, next = ''): InvitationError {
  return failedWith(doing, error, {
    hints: { AccessDeniedException: ROLE_HINT },
    fallback: 'If this is transient, retry; otherwise fix the cause named here.',
    next: next || undefined,
  });
}

/** GetAccountLink, or undefined when the link does not exist (any more). */
export async function getLink(clients: LinkClients, linkId: string, doing: string, next = ''): Promise<AccountLink | undefined> {
  try {
    return await readLink(clients, linkId);
  } catch (error) {
    throw accessOrGeneric(error, `${doing} of the WorkSpaces account link: reading ${linkId} in ${regionName()}`, next);
  }
}

/**
 * The link from this account to the target, for adoption after a ConflictException. Pages until NextToken is empty
 * (pages may be empty). A pending or linked link wins; otherwise the first other link to the target. Links in the
 * other direction (the target invited this account) are returned separately, for the message.
 */
export async function findLink(clients: LinkClients, targetAccountId: string, ownAccount?: string): Promise<{
  match?: AccountLink;
  reverse?: AccountLink;
}> {
  let fallback: AccountLink | undefined;
  let reverse: AccountLink | undefined;
  for await (const link of accountLinks(clients)) {
    const fromUs = link.SourceAccountId === undefined || ownAccount === undefined || link.SourceAccountId === ownAccount;
    if (link.TargetAccountId === targetAccountId && fromUs) {
      if (ACTIVE.has(link.AccountLinkStatus ?? '')) return { match: link };
      fallback ??= link;
    } else if (link.SourceAccountId === targetAccountId && (ownAccount === undefined || link.TargetAccountId === ownAccount)) {
      reverse ??= link;
    }
  }
  return { match: fallback, reverse };
}

async function adoptOrFail(clients: LinkClients, props: AccountLinkProps, ctx: RequestContext, cause: unknown): Promise<AccountLinkData> {
  let found: Awaited<ReturnType<typeof findLink>>;
  try {
    found = await findLink(clients, props.targetAccountId, stackAccount(ctx.stackId));
  } catch (error) {
    throw accessOrGeneric(
      error,
      `Adopting the existing WorkSpaces account link to account ${props.targetAccountId} (WorkSpaces says it is already ` +
        `linked or invited): ListAccountLinks in ${regionName()}`,
    );
  }
  const { match, reverse } = found;
  if (match) {
    log('INFO', 'the target is already linked or invited: adopted the existing link', {
      linkId: match.AccountLinkId,
      status: match.AccountLinkStatus,
    });
    return invitedData(match, true, props, ctx);
  }
  if (reverse) {
    throw new InvitationError(
      `WorkSpaces says account ${props.targetAccountId} is already linked or invited, and the only link found goes the ` +
        `other way: ${reverse.AccountLinkId} (${reverse.AccountLinkStatus}) from account ${props.targetAccountId} to this ` +
        'account. Accept or reject that invitation in this account (WorkSpaces console, Account settings), or remove ' +
        'this construct, then deploy again.',
      { cause },
    );
  }
  throw new InvitationError(
    `WorkSpaces says account ${props.targetAccountId} is already linked or invited (${describeAwsError(cause)}), but ` +
      `ListAccountLinks in ${regionName()} shows no link to it. Check the account links in the WorkSpaces console ` +
      '(Account settings) and delete a stale invitation, then deploy again.',
    { cause },
  );
}

/** Sends CreateAccountLinkInvitation with `token`; on ConflictException adopts the existing link. */
export async function createLink(clients: LinkClients, props: AccountLinkProps, ctx: RequestContext, token: string): Promise<AccountLinkData> {
  if (stackAccount(ctx.stackId) === props.targetAccountId) {
    throw new InvitationError(
      `${WORKSPACES_ACCOUNT_LINK.keys.targetAccountId} ${props.targetAccountId} is the stack's own account; an account link ` +
        'needs another account of the same organization.',
    );
  }
  try {
    const { AccountLink: link } = await clients.workspaces.send(new CreateAccountLinkInvitationCommand({
      TargetAccountId: props.targetAccountId,
      ClientToken: token,
    }));
    log('INFO', 'created the account link invitation', { linkId: link?.AccountLinkId, status: link?.AccountLinkStatus });
    return invitedData(link ?? {}, false, props, ctx);
  } catch (error) {
    if (isAwsError(error, 'ConflictException')) return adoptOrFail(clients, props, ctx, error);
    throw failedWith(`Creating the WorkSpaces account link invitation to account ${props.targetAccountId} in ${regionName()}`, error, {
      hints: WORKSPACES_HINTS,
    });
  }
}
