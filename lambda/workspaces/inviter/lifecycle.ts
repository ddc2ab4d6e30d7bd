/**
 * WorkSpacesAccountLink: invite another account of the organization to an Amazon WorkSpaces account link (BYOL),
 * adopt the link when the target is already linked or invited, delete the invitation on delete while it is still
 * pending. A LINKED link cannot be undone through the API: delete leaves it and says so.
 */
import {
  AccountLink,
  CreateAccountLinkInvitationCommand,
  DeleteAccountLinkInvitationCommand,
  GetAccountLinkCommand,
  WorkSpacesClient,
  paginateListAccountLinks,
} from '@aws-sdk/client-workspaces';
import { Hints, InvitationError, describeAwsError, errorName, failedWith, isAwsError } from '../../shared/errors';
import { log } from '../../shared/log';
import { ACCOUNT_ID, ACCOUNT_LINK_ID, optionalString, requiredString } from '../../shared/props';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { StackClients, StackTargets, stackLocation, targetsKeptByStack } from '../../shared/stack';
import {
  LINKED,
  LINK_NOT_FOUND,
  MAX_CLIENT_TOKEN,
  PAGE_SIZE,
  PENDING,
  PRECONDITIONS,
  SERVICE_ERROR_HINT,
  WORKSPACES_TRANSIENT_ERRORS,
  clientToken,
} from '../service';
import { LinkAccepterClients, acceptAccountLink } from '../accepter/lifecycle';

export interface WorkSpacesClients extends StackClients {
  readonly workspaces: WorkSpacesClient;
  /**
   * Clients acting in another account through a role there (`acceptance: Acceptance.assumeRole(...)`): assumes
   * `roleName` in `accountId`. Failures name the account and the role (lambda/shared/assume-role.ts).
   */
  readonly assumeRole?: (roleName: string) => (accountId: string) => Promise<LinkAccepterClients>;
}

export interface AccountLinkProps {
  readonly targetAccountId: string;
  /** Accept in the target account through this role after inviting (one-stack acceptance). */
  readonly acceptRoleName?: string;
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

// the facts both sides share (statuses, client tokens, preconditions) live in ../service
export { LINKED, LINK_NOT_FOUND, MAX_CLIENT_TOKEN, PENDING, PRECONDITIONS, WORKSPACES_TRANSIENT_ERRORS, clientToken };
/** The pattern of an account link ID in the service model. */
const LINK_ID = ACCOUNT_LINK_ID;

/** The resource property that names the role to accept through (src/private/acceptance.ts). */
const ACCEPT_ROLE_NAME = 'AcceptRoleName';

/** Statuses in which the link blocks a new invitation to the same target (ConflictException). */
const ACTIVE = new Set([PENDING, LINKED]);
/** Statuses that need no clean-up on delete. */
const ENDED = new Set(['REJECTED', 'LINKING_FAILED', 'LINK_NOT_FOUND']);
const ROLE_HINT =
  'Check that the handler\'s role may call the WorkSpaces account-link actions (service control policies and ' +
  'permission boundaries can deny them).';

const DELETE_ANYWAY =
  'To delete the stack without deleting the invitation, delete it in the WorkSpaces console (Account settings), ' +
  'then retry the delete.';

/** What to do, per WorkSpaces error name (WorkSpaces errors carry no reason code). */
export const WORKSPACES_HINTS: Hints = {
  ValidationException: `Check that targetAccountId is another account than the stack's own. ${PRECONDITIONS} Fix the cause, then deploy again.`,
  AccessDeniedException: `${ROLE_HINT} WorkSpaces also denies account links to accounts that are not eligible: ${PRECONDITIONS}`,
  InternalServerException: SERVICE_ERROR_HINT,
  ResourceNotFoundException: `WorkSpaces does not know the account or link named here. ${PRECONDITIONS}`,
};

function region(): string {
  return process.env.AWS_REGION ?? 'this region';
}

export function parseProps(raw: Record<string, unknown>): AccountLinkProps {
  const targetAccountId = requiredString(raw, 'TargetAccountId');
  if (!ACCOUNT_ID.test(targetAccountId)) {
    throw new InvitationError(`TargetAccountId must be a 12-digit AWS account ID, got '${targetAccountId}'.`);
  }
  const acceptRoleName = optionalString(raw, ACCEPT_ROLE_NAME);
  return { targetAccountId, ...(acceptRoleName !== undefined ? { acceptRoleName } : {}) };
}

/** What identifies a link for "another resource of the stack still declares it": the target account. */
export const WORKSPACES_TARGETS: StackTargets<AccountLinkProps> = {
  keys: (props) => [props.targetAccountId],
  templateValues: (properties) => [properties.TargetAccountId],
  key: (value) => (ACCOUNT_ID.test(value) ? value : undefined),
};

/** The physical IDs this lifecycle answers with: account link IDs. */
export function ownsPhysicalId(physicalId: string): boolean {
  return LINK_ID.test(physicalId);
}

/** The account of the stack, from its ARN (`arn:aws:cloudformation:<region>:<account>:stack/...`), if it has one. */
export function stackAccount(stackId: string): string | undefined {
  return stackLocation(stackId).account;
}

/** The response: physical ID = link ID; Data holds only bounded, known fields (never the whole AccountLink). */
export function linkResponse(link: AccountLink, adopted: boolean): HandlerResponse {
  if (!link.AccountLinkId) {
    throw new InvitationError('WorkSpaces returned an account link without an ID. Please report this.');
  }
  return {
    PhysicalResourceId: link.AccountLinkId,
    Data: {
      AccountLinkId: link.AccountLinkId,
      AccountLinkStatus: link.AccountLinkStatus ?? PENDING,
      SourceAccountId: link.SourceAccountId ?? '',
      TargetAccountId: link.TargetAccountId ?? '',
      Adopted: adopted,
    },
  };
}

/**
 * The link from this account to the target, for adoption after a ConflictException. Pages until NextToken is empty
 * (pages may be empty). A pending or linked link wins; otherwise the first other link to the target. Links in the
 * other direction (the target invited this account) are returned separately, for the message.
 */
export async function findLink(clients: WorkSpacesClients, targetAccountId: string, ownAccount?: string): Promise<{
  match?: AccountLink;
  reverse?: AccountLink;
}> {
  let fallback: AccountLink | undefined;
  let reverse: AccountLink | undefined;
  const pages = paginateListAccountLinks({ client: clients.workspaces }, { MaxResults: PAGE_SIZE });
  for await (const page of pages) {
    for (const link of page.AccountLinks ?? []) {
      const fromUs = link.SourceAccountId === undefined || ownAccount === undefined || link.SourceAccountId === ownAccount;
      if (link.TargetAccountId === targetAccountId && fromUs) {
        if (ACTIVE.has(link.AccountLinkStatus ?? '')) return { match: link };
        fallback ??= link;
      } else if (link.SourceAccountId === targetAccountId && (ownAccount === undefined || link.TargetAccountId === ownAccount)) {
        reverse ??= link;
      }
    }
  }
  return { match: fallback, reverse };
}

async function adoptOrFail(
  clients: WorkSpacesClients,
  props: AccountLinkProps,
  ownAccount: string | undefined,
  cause: unknown,
): Promise<HandlerResponse> {
  let found: Awaited<ReturnType<typeof findLink>>;
  try {
    found = await findLink(clients, props.targetAccountId, ownAccount);
  } catch (error) {
    throw accessOrGeneric(
      error,
      `Adopting the existing WorkSpaces account link to account ${props.targetAccountId} (WorkSpaces says it is already ` +
        `linked or invited): ListAccountLinks in ${region()}`,
    );
  }
  const { match, reverse } = found;
  if (match) {
    log('INFO', 'the target is already linked or invited: adopted the existing link', {
      linkId: match.AccountLinkId,
      status: match.AccountLinkStatus,
    });
    return linkResponse(match, true);
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
      `ListAccountLinks in ${region()} shows no link to it. Check the account links in the WorkSpaces console ` +
      '(Account settings) and delete a stale invitation, then deploy again.',
    { cause },
  );
}

function failCreate(props: AccountLinkProps, error: unknown): never {
  throw failedWith(`Creating the WorkSpaces account link invitation to account ${props.targetAccountId} in ${region()}`, error, {
    hints: WORKSPACES_HINTS,
  });
}

/** Sends CreateAccountLinkInvitation with `token`; on ConflictException adopts the existing link. */
async function createLink(clients: WorkSpacesClients, props: AccountLinkProps, ctx: RequestContext, token: string): Promise<HandlerResponse> {
  const ownAccount = stackAccount(ctx.stackId);
  if (ownAccount === props.targetAccountId) {
    throw new InvitationError(
      `TargetAccountId ${props.targetAccountId} is the stack's own account; an account link needs another account of ` +
        'the same organization.',
    );
  }
  try {
    const { AccountLink: link } = await clients.workspaces.send(new CreateAccountLinkInvitationCommand({
      TargetAccountId: props.targetAccountId,
      ClientToken: token,
    }));
    log('INFO', 'created the account link invitation', { linkId: link?.AccountLinkId, status: link?.AccountLinkStatus });
    return linkResponse(link ?? {}, false);
  } catch (error) {
    if (isAwsError(error, 'ConflictException')) return adoptOrFail(clients, props, ownAccount, error);
    return failCreate(props, error);
  }
}

/**
 * Invites (createLink), then, with `acceptRoleName`, accepts in the target account through that role. When the
 * acceptance fails (the role cannot be assumed, the accept is denied, the invitation does not show up in time), a
 * link this request created (not an adopted one) is deleted again while it is pending, then the request fails.
 */
async function inviteAndAccept(clients: WorkSpacesClients, props: AccountLinkProps, ctx: RequestContext, token: string): Promise<HandlerResponse> {
  const invited = await createLink(clients, props, ctx, token);
  if (props.acceptRoleName === undefined) return invited;
  const made = invited.Data?.Adopted === false;
  try {
    return await acceptThroughRole(clients, props, props.acceptRoleName, invited, ctx);
  } catch (error) {
    if (!made) throw error;
    throw await undoInvitation(clients, invited.PhysicalResourceId, ctx, error);
  }
}

/**
 * Accepts the invited link in the target account through the role (the accepter's own accept logic, over the assumed
 * role's clients), waiting briefly for the invitation to be visible there. The response reports the accepted state.
 */
async function acceptThroughRole(
  clients: WorkSpacesClients,
  props: AccountLinkProps,
  roleName: string,
  invited: HandlerResponse,
  ctx: RequestContext,
): Promise<HandlerResponse> {
  const sourceAccountId = stackAccount(ctx.stackId);
  if (!clients.assumeRole || sourceAccountId === undefined) {
    throw new InvitationError('Internal error: the handler cannot assume a role in the target account here. Please report this.');
  }
  const target = await clients.assumeRole(roleName)(props.targetAccountId);
  const accepted = await acceptAccountLink(target, {
    sourceAccountId,
    targetAccountId: props.targetAccountId,
    accountLinkId: invited.PhysicalResourceId,
    actingAs: `role ${roleName} in account ${props.targetAccountId}`,
    wait: { timeoutMs: acceptWaitMs(), signal: ctx.signal },
  }, ctx);
  log('INFO', 'accepted in the target account through the role', { linkId: accepted.accountLinkId, status: accepted.accountLinkStatus });
  return {
    PhysicalResourceId: invited.PhysicalResourceId,
    Data: { ...invited.Data, AccountLinkStatus: accepted.accountLinkStatus },
  };
}

/**
 * After a failed acceptance: deletes the pending link this request created (never a LINKED one: deleteAccountLink
 * reads it first and deletes only while pending), and returns the error to throw. A failed clean-up is added to the
 * message, with how to delete the invitation by hand.
 */
async function undoInvitation(clients: WorkSpacesClients, linkId: string, ctx: RequestContext, cause: unknown): Promise<Error> {
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

/** Create: invite the target with a token derived from the request; adopt the existing link on conflict; accept through the role when asked. */
export async function createAccountLink(clients: WorkSpacesClients, props: AccountLinkProps, ctx: RequestContext): Promise<HandlerResponse> {
  return inviteAndAccept(clients, props, ctx, clientToken('create', ctx, props.targetAccountId));
}

/** GetAccountLink, or undefined when the link does not exist (any more). */
async function getLink(clients: WorkSpacesClients, linkId: string, doing: string, next = ''): Promise<AccountLink | undefined> {
  try {
    const { AccountLink: link } = await clients.workspaces.send(new GetAccountLinkCommand({ LinkId: linkId }));
    return link;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
    throw accessOrGeneric(error, `${doing} of the WorkSpaces account link: reading ${linkId} in ${region()}`, next);
  }
}

/** A failure of a read or delete, with what to do next. */
function accessOrGeneric(error: unknown, doing: string, next = ''): InvitationError {
  return failedWith(doing, error, {
    hints: { AccessDeniedException: ROLE_HINT },
    fallback: 'If this is transient, retry; otherwise fix the cause named here.',
    next: next || undefined,
  });
}

/**
 * Update: a new target is a new link invitation (new physical ID, so CloudFormation then deletes the old one), sent
 * with a token that also names the replaced link, so A -> B -> A does not reuse the first token. A link that ended
 * without being linked (REJECTED, LINKING_FAILED, or gone) is invited again, like an Organizations invitation that was
 * declined or expired: the template still asks for the link. A pending or LINKED link sends nothing.
 */
export async function updateAccountLink(
  clients: WorkSpacesClients,
  physicalId: string,
  props: AccountLinkProps,
  oldProps: AccountLinkProps,
  ctx: RequestContext,
): Promise<HandlerResponse> {
  if (props.targetAccountId !== oldProps.targetAccountId) {
    log('INFO', 'target changed: inviting the new target', { oldPhysicalId: physicalId, targetAccountId: props.targetAccountId });
    return inviteAndAccept(clients, props, ctx, clientToken('update', ctx, props.targetAccountId, physicalId));
  }
  const link = LINK_ID.test(physicalId) ? await getLink(clients, physicalId, 'Update') : undefined;
  const status = link?.AccountLinkStatus;
  if (link && ACTIVE.has(status ?? '')) {
    log('INFO', 'account link unchanged', { linkId: physicalId, status });
    const response = linkResponse({ ...link, AccountLinkId: link.AccountLinkId ?? physicalId }, false);
    // acceptance added to a link still pending: accept it now (this request made nothing, so nothing to undo)
    if (status === PENDING && props.acceptRoleName !== undefined) return acceptThroughRole(clients, props, props.acceptRoleName, response, ctx);
    return response;
  }
  if (link && status !== undefined && !ENDED.has(status)) {
    log('WARN', 'unknown account link status: nothing sent', { linkId: physicalId, status });
    return linkResponse({ ...link, AccountLinkId: link.AccountLinkId ?? physicalId }, false);
  }
  log('INFO', 'the account link ended without being linked: inviting again', { linkId: physicalId, status: status ?? LINK_NOT_FOUND });
  // the token names the ended link: a new one for each ended link, the same one when this very update is retried
  return inviteAndAccept(clients, props, ctx, clientToken('update', ctx, props.targetAccountId, physicalId));
}

function logEnded(linkId: string, status: string | undefined): void {
  if (status === LINKED) {
    log('WARN', 'the account link is LINKED and cannot be undone through the WorkSpaces API: it stays in place. ' +
      'Unlink it in the WorkSpaces console if it is no longer wanted.', { linkId });
  } else if (status === undefined || ENDED.has(status)) {
    log('INFO', 'nothing to delete', { linkId, status: status ?? LINK_NOT_FOUND });
  } else {
    log('WARN', 'unknown account link status: left as it is', { linkId, status });
  }
}

/**
 * Delete: a pending invitation is deleted (DeleteAccountLinkInvitation with a token). A LINKED link cannot be undone
 * through the API: it is left, with a warning. Ended links, unknown links and non-link IDs succeed.
 */
export async function deleteAccountLink(clients: WorkSpacesClients, physicalId: string, ctx: RequestContext): Promise<void> {
  if (!LINK_ID.test(physicalId)) {
    log('INFO', 'not an account link ID: nothing to delete', { physicalId });
    return;
  }
  const link = await getLink(clients, physicalId, 'Delete', DELETE_ANYWAY);
  if (link?.AccountLinkStatus !== PENDING) {
    logEnded(physicalId, link?.AccountLinkStatus);
    return;
  }
  try {
    await clients.workspaces.send(new DeleteAccountLinkInvitationCommand({
      LinkId: physicalId,
      ClientToken: clientToken('delete', ctx, physicalId),
    }));
    log('INFO', 'deleted the pending account link invitation', { linkId: physicalId });
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) {
      log('INFO', 'nothing to delete', { linkId: physicalId, error: errorName(error) });
      return;
    }
    if (isAwsError(error, 'ConflictException')) {
      // accepted, rejected or deleted meanwhile
      const now = await getLink(clients, physicalId, 'Delete', DELETE_ANYWAY);
      if (now?.AccountLinkStatus !== PENDING) {
        logEnded(physicalId, now?.AccountLinkStatus);
        return;
      }
    }
    throw accessOrGeneric(
      error,
      `Deleting the pending WorkSpaces account link invitation ${physicalId} in ${region()}`,
      DELETE_ANYWAY,
    );
  }
}

/** True when a resource of the stack still declares this target (a renamed construct, a replacement): then it stays. */
export async function keptByStack(clients: WorkSpacesClients, props: AccountLinkProps, ctx: RequestContext): Promise<boolean> {
  return (await targetsKeptByStack(clients, ctx, WORKSPACES_TARGETS, props)).size > 0;
}

/**
 * After a Create that did not finish normally: keep. An account link has neither a creation time nor tags, so nothing
 * shows that a pending link to the target was made by this Create rather than by another stack or by hand (the same
 * target may be invited by one source account only once). A pending invitation is cheap and the target can reject
 * it; the log names it and says how to delete it.
 */
export async function keepAbandonedLink(clients: WorkSpacesClients, props: AccountLinkProps, ctx: RequestContext): Promise<void> {
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

export const accountLinkLifecycle: Lifecycle<AccountLinkProps, WorkSpacesClients> = {
  what: 'WorkSpaces account link',
  parse: parseProps,
  // the target account is the only property: what does not parse as a whole does not parse at all
  parseOld: parseProps,
  ownsPhysicalId,
  create: (clients, props, ctx) => createAccountLink(clients, props, ctx),
  update: (clients, physicalId, props, oldProps, ctx) => updateAccountLink(clients, physicalId, props, oldProps, ctx),
  delete: async (clients, physicalId, props, ctx) => {
    if (LINK_ID.test(physicalId) && await keptByStack(clients, props, ctx)) return;
    await deleteAccountLink(clients, physicalId, ctx);
  },
  abandonedCreate: (clients, props, ctx) => keepAbandonedLink(clients, props, ctx),
};
