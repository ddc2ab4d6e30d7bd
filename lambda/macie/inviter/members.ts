/**
 * The administrator's members: read them (one ListMembers scan per request, 25 members per page: for 1,000 members
 * that is 40 calls instead of 1,000 GetMember calls), plan each wanted account, create the missing members
 * (CreateMember), invite them (CreateInvitations, 50 accounts per call), and remove members (DisassociateMember, then
 * DeleteMember). GetMember is only used when CreateMember reports a conflict (a member created meanwhile).
 *
 * A failure of many accounts is one message: every account named, grouped by error, with the hints of its errors.
 */
import {
  CreateInvitationsCommand,
  CreateMemberCommand,
  DeleteMemberCommand,
  DisassociateMemberCommand,
  GetMemberCommand,
  ListMembersCommand,
  Member,
} from '@aws-sdk/client-macie2';
import type { MacieInviterProps, MacieMemberSpec } from '../../../src/private/contract/macie';
import { chunk, settleWithConcurrency } from '../../shared/concurrency';
import { Hints, InvitationError, describeAwsError, errorMessage, errorName, isAwsError } from '../../shared/errors';
import { Failure, failuresFrom, formatFailures, hintsFor as failureHints } from '../../shared/failures';
import { log } from '../../shared/log';
import { sameEmail } from '../../shared/props';
import type { RequestContext } from '../../shared/runtime';
import {
  ACCEPTED_STATES,
  MACIE_TRANSIENT_HINTS,
  MacieClients,
  NO_NEW_INVITATION_STATES,
  isMacieNotEnabled,
  isNotAssociated,
  macieEnabled,
  whereActing,
} from '../service';

/** Calls per member (CreateMember, DisassociateMember, DeleteMember) in flight at once. */
export const CONCURRENCY = 10;
/** Account IDs per CreateInvitations call. The API documents no maximum; this stays well within any. */
export const INVITATION_BATCH_SIZE = 50;
/** ListMembers' maximum page size. */
export const LIST_PAGE_SIZE = 25;

/** An unprocessed account whose error says that it is already invited or already our member. */
const ALREADY_INVITED = /\balready\b.*\b(invited|invitation|member|associated)\b/i;
/** ... unless it is about another administrator account. */
const OTHER_ADMINISTRATOR = /\b(another|different|other)\b/i;

export type { Failure };
export { formatFailures };

export type MemberAction = 'create' | 'invite' | 'adopt' | 'recreate' | 'organization';

/** What to do, per Macie error name or unprocessed-account error code. */
export const MACIE_HINTS: Hints = {
  AccessDeniedException:
    'The handler\'s role may call the Macie member actions: check service control policies and permission boundaries (they may also deny the tag cdk-account-invitations:owner on CreateMember).',
  ServiceQuotaExceededException: 'A Macie administrator can manage at most 1,000 member accounts by invitation: remove members or accounts, then deploy again.',
  ValidationException: 'Check the account ID and email address of each account named here.',
  ConflictException: 'Another change to the same member ran at the same time: deploy again.',
  ClientError: 'Macie refused these accounts (for example, an account that already has another Macie administrator): fix or remove them, then deploy again.',
  InternalError: 'A Macie service error: deploy again later.',
  ...MACIE_TRANSIENT_HINTS,
};

/** The distinct hints for the error codes of `failures`, or the generic next step. */
export function hintsFor(failures: readonly Failure[], maxChars = 250): string {
  return failureHints(failures, MACIE_HINTS, maxChars);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading Macie's state
// ---------------------------------------------------------------------------------------------------------------

/**
 * True when Macie is enabled in the stack's account and region. `false` when it is not; other errors (a role without
 * permission, an SCP) throw a user-facing error.
 */
export function adminMacieEnabled(clients: MacieClients, ctx: Pick<RequestContext, 'stackId'>): Promise<boolean> {
  return macieEnabled(clients, whereActing(ctx.stackId), {
    hints: [{ AccessDeniedException: 'The handler\'s role may call macie2:GetMacieSession; check service control policies and permission boundaries.' }, MACIE_TRANSIENT_HINTS],
  });
}

/** Fails before anything changes when Macie is off in the administrator account and region. */
export async function ensureMacieEnabled(clients: MacieClients, ctx: Pick<RequestContext, 'stackId'>): Promise<void> {
  if (await adminMacieEnabled(clients, ctx)) return;
  throw new InvitationError(
    `Amazon Macie is not enabled in ${whereActing(ctx.stackId)}, so it cannot have members. Deploy MacieInvitations in the ` +
      'Macie administrator account, in a region where Macie is enabled (enable it in the Macie console or with ' +
      'macie2:EnableMacie), then deploy again. Nothing was changed.',
  );
}

/** Every account associated with the administrator (any relationship state), by account ID, paging to the end. */
export async function listMembers(clients: MacieClients): Promise<Map<string, Member>> {
  const members = new Map<string, Member>();
  let nextToken: string | undefined;
  do {
    const page = await clients.macie.send(new ListMembersCommand({ onlyAssociated: 'false', maxResults: LIST_PAGE_SIZE, nextToken }));
    for (const member of page.members ?? []) {
      if (member.accountId) members.set(member.accountId, member);
    }
    nextToken = page.nextToken || undefined;
  } while (nextToken);
  return members;
}

/** True for a member that AWS Organizations manages (no email): never touched by these APIs. */
export function isOrganizationManaged(live: Member | undefined): boolean {
  return live !== undefined && !live.email;
}

/**
 * What to do for a wanted account, given what Macie knows about it:
 * - unknown: create the member, then invite it;
 * - no email: associated through AWS Organizations: leave it alone;
 * - Enabled/Paused: the invitation was accepted; the email only addressed the invitation, so nothing changes;
 * - a different email (not accepted yet): the pending invitation went elsewhere: delete the member, create it with the
 *   wanted email, invite it;
 * - Invited: adopt the open invitation; any other state (Created, Removed, Resigned, ...): invite again.
 */
export function planMember(wanted: MacieMemberSpec, live: Member | undefined): MemberAction {
  if (!live) return 'create';
  if (isOrganizationManaged(live)) return 'organization';
  const status = live.relationshipStatus ?? '';
  if (ACCEPTED_STATES.has(status)) return 'adopt';
  if (!sameEmail(live.email!, wanted.email)) return 'recreate';
  return NO_NEW_INVITATION_STATES.has(status) ? 'adopt' : 'invite';
}

// ---------------------------------------------------------------------------------------------------------------
// Changing Macie's state
// ---------------------------------------------------------------------------------------------------------------

/** DisassociateMember, then DeleteMember. Not found, not associated and Macie-not-enabled mean already clean. */
export async function removeMember(clients: MacieClients, accountId: string): Promise<'removed' | 'absent'> {
  try {
    await clients.macie.send(new DisassociateMemberCommand({ id: accountId }));
  } catch (error) {
    if (isMacieNotEnabled(error)) return 'absent';
    if (!isNotAssociated(error)) throw error;
  }
  try {
    await clients.macie.send(new DeleteMemberCommand({ id: accountId }));
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException') || isMacieNotEnabled(error)) return 'absent';
    throw error;
  }
  return 'removed';
}

/** CreateMember with `tags`; on a conflict (created meanwhile), what GetMember says to do instead. */
async function createMember(clients: MacieClients, member: MacieMemberSpec, tags: Record<string, string>): Promise<MemberAction> {
  try {
    await clients.macie.send(new CreateMemberCommand({ account: { accountId: member.accountId, email: member.email }, tags }));
    return 'create';
  } catch (error) {
    if (!isAwsError(error, 'ConflictException')) throw error;
    const live = await clients.macie.send(new GetMemberCommand({ id: member.accountId }));
    const action = planMember(member, live);
    // it exists: never delete what another actor just created
    return action === 'adopt' || action === 'organization' ? action : 'invite';
  }
}

/** Sends the invitations, 50 accounts per call, one call at a time. */
export async function sendInvitations(
  clients: MacieClients,
  props: Pick<MacieInviterProps, 'message' | 'disableEmailNotification'>,
  accountIds: readonly string[],
): Promise<{ failures: Failure[]; alreadyInvited: string[] }> {
  const failures: Failure[] = [];
  const alreadyInvited: string[] = [];
  const batches = chunk(accountIds, INVITATION_BATCH_SIZE);
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b];
    let unprocessed;
    try {
      ({ unprocessedAccounts: unprocessed } = await clients.macie.send(new CreateInvitationsCommand({
        accountIds: batch,
        message: props.message,
        disableEmailNotification: props.disableEmailNotification,
      })));
    } catch (error) {
      const reason = describeAwsError(error);
      failures.push(...batch.map((accountId) => ({ accountId, error: `CreateInvitations failed with ${reason}`, code: errorName(error) })));
      for (const rest of batches.slice(b + 1)) {
        failures.push(...rest.map((accountId) => ({ accountId, error: 'not invited: an earlier CreateInvitations call failed' })));
      }
      break;
    }
    for (const u of unprocessed ?? []) {
      const accountId = u.accountId ?? '(no account ID)';
      const text = u.errorMessage ?? '';
      if (ALREADY_INVITED.test(text) && !OTHER_ADMINISTRATOR.test(text)) {
        alreadyInvited.push(accountId);
      } else {
        failures.push({ accountId, error: `${u.errorCode ?? 'Error'}: ${errorMessage(text || 'no reason given')}`, code: u.errorCode });
      }
    }
  }
  return { failures, alreadyInvited };
}

/** What became of the members a failed request had created. */
export interface CreatedRemoval {
  /** "2 of the 2 members created by this deployment were removed again" (no final period). */
  readonly outcome: string;
  /** The members that could not be removed, named with what to do (no final period); '' when none. */
  readonly leftover: string;
}

/** Removes the members this request created, after a failure: a failed request leaves nothing behind. */
export async function removeCreated(clients: MacieClients, created: readonly string[]): Promise<CreatedRemoval> {
  const cleanup = await settleWithConcurrency(created, CONCURRENCY, (id) => removeMember(clients, id));
  const notRemoved = failuresFrom(created, cleanup, (id) => id);
  const removedAgain = created.length - notRemoved.length;
  log(notRemoved.length > 0 ? 'WARN' : 'INFO', 'removed the members this request created', {
    removedAgain, notRemoved: notRemoved.map((f) => f.accountId),
  });
  return {
    outcome: created.length === 0
      ? 'no member had been created'
      : `${removedAgain} of the ${created.length} members created by this deployment ${removedAgain === 1 ? 'was' : 'were'} removed again`,
    leftover: notRemoved.length === 0 ? '' :
      `removing these members failed too; remove them in the Macie console (Settings, Accounts): ${formatFailures(notRemoved, 200)}`,
  };
}

/** `text` with its first letter in upper case. */
const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Removes the members this request created (a failed request leaves nothing behind), then throws a message that
 * names every failed account (grouped by error) and the outcome of the cleanup.
 */
export async function failAndCompensate(
  clients: MacieClients,
  doing: string,
  total: number,
  failures: readonly Failure[],
  created: readonly string[],
): Promise<never> {
  log('ERROR', `${doing} failed`, { failed: failures });
  const removal = await removeCreated(clients, created);
  const leftover = removal.leftover ? ` ${sentence(removal.leftover)}.` : '';
  throw new InvitationError(
    // CloudFormation shows 1,000 characters of the reason: leave room for the members that could not be removed
    `${doing}: ${failures.length} of ${total} accounts failed: ${formatFailures(failures, leftover ? 300 : 550)}. ` +
      `${sentence(removal.outcome)}.${leftover} ${hintsFor(failures)}`,
  );
}

/** What `applyMembers` did, by account ID. */
export interface ApplyResult {
  readonly created: readonly string[];
  readonly invited: readonly string[];
  readonly adopted: readonly string[];
  readonly recreated: readonly string[];
  readonly organizationManaged: readonly string[];
}

export const NOTHING_APPLIED: ApplyResult = { created: [], invited: [], adopted: [], recreated: [], organizationManaged: [] };

/**
 * Makes every wanted account a member with an invitation: recreates members whose pending invitation went to another
 * email, creates missing members (with `tags`), invites what needs an invitation. On any failure, the members created
 * here are removed again before the error is thrown.
 */
export async function applyMembers(
  clients: MacieClients,
  props: Pick<MacieInviterProps, 'message' | 'disableEmailNotification'>,
  wanted: readonly MacieMemberSpec[],
  live: ReadonlyMap<string, Member>,
  doing: string,
  tags: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<ApplyResult> {
  const byAction: Record<MemberAction, MacieMemberSpec[]> = { create: [], invite: [], adopt: [], recreate: [], organization: [] };
  for (const member of wanted) byAction[planMember(member, live.get(member.accountId))].push(member);
  for (const member of wanted) {
    const current = live.get(member.accountId);
    if (current?.email && ACCEPTED_STATES.has(current.relationshipStatus ?? '') && !sameEmail(current.email, member.email)) {
      log('WARN', 'the member accepted its invitation already: its email is not changed', { accountId: member.accountId });
    }
  }
  log('INFO', 'plan', Object.fromEntries(Object.entries(byAction).map(([action, members]) => [action, members.length])));

  const failures: Failure[] = [];
  // 1. a pending invitation that went to another email: remove that member first
  const recreate = byAction.recreate;
  const stale = await settleWithConcurrency(recreate, CONCURRENCY, (m) => removeMember(clients, m.accountId));
  failures.push(...failuresFrom(recreate, stale, (m) => m.accountId));
  const recreated = recreate.filter((_, i) => stale[i].status === 'fulfilled');

  // 2. CreateMember
  const toCreate = [...byAction.create, ...recreated];
  signal?.throwIfAborted();
  const createdResults = await settleWithConcurrency(toCreate, CONCURRENCY, (m) => {
    // a cut-off request starts no new call (the runtime has answered already)
    signal?.throwIfAborted();
    return createMember(clients, m, tags);
  });
  failures.push(...failuresFrom(toCreate, createdResults, (m) => m.accountId));
  const created: string[] = [];
  const toInvite = byAction.invite.map((m) => m.accountId);
  const adopted = byAction.adopt.map((m) => m.accountId);
  const organizationManaged = byAction.organization.map((m) => m.accountId);
  createdResults.forEach((r, i) => {
    if (r.status !== 'fulfilled') return;
    const id = toCreate[i].accountId;
    switch (r.value) {
      case 'create':
        created.push(id);
        toInvite.push(id);
        break;
      case 'invite':
        toInvite.push(id);
        break;
      case 'adopt':
        adopted.push(id);
        break;
      default:
        organizationManaged.push(id);
    }
  });
  if (failures.length > 0) return failAndCompensate(clients, doing, wanted.length, failures, created);

  // 3. CreateInvitations
  signal?.throwIfAborted();
  const invitations = await sendInvitations(clients, props, toInvite);
  if (invitations.failures.length > 0) {
    return failAndCompensate(clients, doing, wanted.length, invitations.failures, created);
  }
  const already = new Set(invitations.alreadyInvited);
  return {
    created,
    invited: toInvite.filter((id) => !already.has(id)),
    adopted: [...adopted, ...invitations.alreadyInvited],
    recreated: recreated.map((m) => m.accountId),
    organizationManaged,
  };
}

/** Disassociates and deletes members; accounts Macie does not know, and members managed by Organizations, are skipped. */
export async function removeAccounts(
  clients: MacieClients,
  accountIds: readonly string[],
  live: ReadonlyMap<string, Member>,
): Promise<{ removed: string[]; organizationManaged: string[]; failures: Failure[] }> {
  const organizationManaged = accountIds.filter((id) => isOrganizationManaged(live.get(id)));
  if (organizationManaged.length > 0) {
    log('INFO', 'members managed through AWS Organizations are left alone', { accountIds: organizationManaged });
  }
  const targets = accountIds.filter((id) => live.get(id)?.email);
  const results = await settleWithConcurrency(targets, CONCURRENCY, (id) => removeMember(clients, id));
  return {
    removed: targets.filter((_, i) => results[i].status === 'fulfilled'),
    organizationManaged,
    failures: failuresFrom(targets, results, (id) => id),
  };
}
