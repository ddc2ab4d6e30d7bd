/**
 * The administrator's Security Hub members: read them (ListMembers with OnlyAssociated=false, 50 per page: 20 calls
 * for 1,000 members), plan each wanted account, create the missing members (CreateMembers, 50 accounts per call) and
 * invite them (InviteMembers, 50 per call), and remove members (DisassociateMembers, then DeleteMembers, 50 per call).
 *
 * These calls answer HTTP 200 even when they refuse accounts: the refused ones come back in `UnprocessedAccounts`
 * with a free-text `ProcessingResult`. Every one of them is a failure that names the account and the reason, except
 * "already a member" (adopted) and, on removal, an account that is not a member any more (already clean).
 */
import {
  CreateMembersCommand,
  DeleteMembersCommand,
  DisassociateMembersCommand,
  InviteMembersCommand,
  Member,
  Result,
  paginateListMembers,
} from '@aws-sdk/client-securityhub';
import type { SecurityHubMemberSpec } from '../../../src/private/contract/securityhub';
import { chunk, mapWithConcurrency } from '../../shared/concurrency';
import { Hints, InvitationError, describeAwsError, errorName } from '../../shared/errors';
import { Failure, formatFailures, hintsFor } from '../../shared/failures';
import { log } from '../../shared/log';
import type { RequestContext } from '../../shared/runtime';
import {
  ASSOCIATED_STATES,
  ENABLE_HUB,
  NO_NEW_INVITATION_STATES,
  SECURITYHUB_TRANSIENT_HINTS,
  SecurityHubClients,
  hubEnabled,
  whereActing,
} from '../service';

/** Accounts per CreateMembers call (the model's maximum of AccountDetails); also used for the other batch calls. */
export const BATCH_SIZE = 50;
/** Batch calls in flight at once: 20 batches of 1,000 members stay within 10 requests per second, burst 30. */
export const CONCURRENCY = 3;
/** ListMembers' largest page. */
export const LIST_PAGE_SIZE = 50;

/** An UnprocessedAccounts text that says the account is a member already (seen: "already a member or associated member"). */
const ALREADY_MEMBER = /\balready\b.*\b(member|associated|invited)\b/i;
/** An UnprocessedAccounts text about an account of the administrator's organization (invitations do not apply). */
const ORGANIZATION = /\borgani[sz]ation\b/i;
/** An UnprocessedAccounts text of a removal that says the account is not a member (already removed). */
const NOT_A_MEMBER = /\bnot (a |an )?(member|associated)\b|\bnot found\b|\bdoes not exist\b/i;

/** The code given to a refused account of the administrator's organization, for the hints (ours: Security Hub gives none). */
export const ORGANIZATION_ACCOUNT = 'OrganizationAccount';
/** The code of any other refused account. */
export const UNPROCESSED = 'UnprocessedAccount';

export type MemberAction = 'create' | 'invite' | 'adopt' | 'organization';

/** What to do, per Security Hub error name or our code of an unprocessed account. */
export const SECURITYHUB_HINTS: Hints = {
  [ORGANIZATION_ACCOUNT]: 'Invitations do not apply to accounts of the administrator\'s own AWS organization: remove them ' +
    'from members and manage them through a delegated administrator (AWS::SecurityHub::DelegatedAdmin).',
  [UNPROCESSED]: 'Security Hub refused these accounts for the reason given: fix or remove them, then deploy again.',
  AccessDeniedException: 'The handler\'s role may call the Security Hub member actions: check service control policies and permission boundaries.',
  InvalidInputException: 'Check the account ID and email address of each account named here.',
  ResourceNotFoundException: 'A member was removed while this deployment ran: deploy again.',
  ResourceConflictException: 'Another change to the same members ran at the same time: deploy again.',
  ...SECURITYHUB_TRANSIENT_HINTS,
};

/** A refused account as a failure: its reason verbatim, the organization case named. */
function unprocessedFailure(doing: string, result: Result): Failure {
  const text = result.ProcessingResult || 'no reason given';
  const organization = ORGANIZATION.test(text);
  return {
    accountId: result.AccountId ?? '(no account ID)',
    error: `${doing} refused it${organization ? ` (${ORGANIZATION_ACCOUNT})` : ''}: ${text}`,
    code: organization ? ORGANIZATION_ACCOUNT : UNPROCESSED,
  };
}

/** The whole batch failed with an AWS error. */
function batchFailure(doing: string, accountIds: readonly string[], error: unknown): Failure[] {
  const reason = describeAwsError(error);
  return accountIds.map((accountId) => ({ accountId, error: `${doing} failed with ${reason}`, code: errorName(error) }));
}

/** True when the hub is enabled in the administrator account and Region; other errors throw user-facing. */
export function adminHubEnabled(clients: SecurityHubClients, ctx: Pick<RequestContext, 'stackId'>): Promise<boolean> {
  return hubEnabled(clients, whereActing(ctx.stackId), {
    hints: [{ AccessDeniedException: 'The handler\'s role may call securityhub:DescribeHub; check service control policies and permission boundaries.' }, SECURITYHUB_TRANSIENT_HINTS],
  });
}

/** Fails before anything changes when the hub is off in the administrator account and Region. */
export async function ensureHubEnabled(clients: SecurityHubClients, ctx: Pick<RequestContext, 'stackId'>): Promise<void> {
  if (await adminHubEnabled(clients, ctx)) return;
  throw new InvitationError(
    `AWS Security Hub is not enabled in ${whereActing(ctx.stackId)} (InvalidAccessException), so it cannot have members. ` +
      `Deploy SecurityHubInvitations in the Security Hub administrator account, in a Region where it is enabled. ${ENABLE_HUB} ` +
      'Then deploy again. Nothing was changed.',
  );
}

/** Every member of the administrator (any status), by account ID, paging to the end. */
export async function listMembers(clients: SecurityHubClients): Promise<Map<string, Member>> {
  const members = new Map<string, Member>();
  for await (const page of paginateListMembers({ client: clients.securityhub, pageSize: LIST_PAGE_SIZE }, { OnlyAssociated: false })) {
    for (const member of page.Members ?? []) {
      if (member.AccountId) members.set(member.AccountId, member);
    }
  }
  return members;
}

/**
 * A member associated through AWS Organizations (the organization's delegated administrator enabled it): associated,
 * and never invited. Never touched by these calls.
 */
export function isOrganizationManaged(live: Member | undefined): boolean {
  return live !== undefined && !live.InvitedAt && ASSOCIATED_STATES.has(live.MemberStatus ?? '');
}

/**
 * What to do for a wanted account, given what Security Hub knows about it: unknown = create the member, then invite
 * it; associated through AWS Organizations = leave it alone; Invited, Enabled or Associated = adopt (no new
 * invitation); any other status (Created, Removed, Resigned, Deleted, ...) = invite again.
 */
export function planMember(live: Member | undefined): MemberAction {
  if (!live) return 'create';
  if (isOrganizationManaged(live)) return 'organization';
  return NO_NEW_INVITATION_STATES.has(live.MemberStatus ?? '') ? 'adopt' : 'invite';
}

/** Runs one batch call per 50 accounts, a few at a time; collects the failures and the accounts refused as already members. */
async function inBatches(
  accountIds: readonly string[],
  doing: string,
  call: (batch: string[]) => Promise<Result[] | undefined>,
  signal?: AbortSignal,
): Promise<{ failures: Failure[]; already: string[] }> {
  // per batch, in the order of `accountIds` (the message names the first accounts first)
  const results = await mapWithConcurrency(chunk(accountIds, BATCH_SIZE), CONCURRENCY, async (batch) => {
    // a cut-off request starts no new call (the runtime has answered already)
    signal?.throwIfAborted();
    let unprocessed: Result[] | undefined;
    try {
      unprocessed = await call(batch);
    } catch (error) {
      return { failures: batchFailure(doing, batch, error), already: [] };
    }
    const failures: Failure[] = [];
    const already: string[] = [];
    for (const result of unprocessed ?? []) {
      if (ALREADY_MEMBER.test(result.ProcessingResult ?? '') && !ORGANIZATION.test(result.ProcessingResult ?? '')) {
        already.push(result.AccountId ?? '');
      } else {
        failures.push(unprocessedFailure(doing, result));
      }
    }
    return { failures, already };
  });
  return { failures: results.flatMap((r) => r.failures), already: results.flatMap((r) => r.already) };
}

/** DisassociateMembers then DeleteMembers, 50 accounts per call; accounts that are not members any more are clean. */
export async function removeMembers(clients: SecurityHubClients, accountIds: readonly string[]): Promise<{ removed: string[]; failures: Failure[] }> {
  const disassociated = await inBatches(accountIds, 'DisassociateMembers', async (batch) => {
    await clients.securityhub.send(new DisassociateMembersCommand({ AccountIds: batch }));
    return [];
  });
  const failed = new Set(disassociated.failures.map((f) => f.accountId));
  const toDelete = accountIds.filter((id) => !failed.has(id));
  const deleted = await mapWithConcurrency(chunk(toDelete, BATCH_SIZE), CONCURRENCY, async (batch) => {
    try {
      const { UnprocessedAccounts: unprocessed } = await clients.securityhub.send(new DeleteMembersCommand({ AccountIds: batch }));
      return (unprocessed ?? []).filter((r) => !NOT_A_MEMBER.test(r.ProcessingResult ?? '')).map((r) => unprocessedFailure('DeleteMembers', r));
    } catch (error) {
      return batchFailure('DeleteMembers', batch, error);
    }
  });
  const failures = [...disassociated.failures, ...deleted.flat()];
  const notRemoved = new Set(failures.map((f) => f.accountId));
  return { removed: accountIds.filter((id) => !notRemoved.has(id)), failures };
}

/** What `applyMembers` did, by account ID. */
export interface ApplyResult {
  readonly created: readonly string[];
  readonly invited: readonly string[];
  readonly adopted: readonly string[];
  readonly organizationManaged: readonly string[];
}

export const NOTHING_APPLIED: ApplyResult = { created: [], invited: [], adopted: [], organizationManaged: [] };

/** Removes the members this request created (a failed request leaves nothing behind), then throws one message. */
export async function failAndCompensate(
  clients: SecurityHubClients,
  doing: string,
  total: number,
  failures: readonly Failure[],
  created: readonly string[],
): Promise<never> {
  log('ERROR', `${doing} failed`, { failed: failures });
  const outcome = await removeCreated(clients, created);
  throw new InvitationError(
    `${doing}: ${failures.length} of ${total} accounts failed: ${formatFailures(failures, 450)}. ${outcome} ${hintsFor(failures, SECURITYHUB_HINTS)}`,
  );
}

/** Removes the members a failed request created; says what became of them. */
export async function removeCreated(clients: SecurityHubClients, created: readonly string[]): Promise<string> {
  if (created.length === 0) return 'No member had been created.';
  const removal = await removeMembers(clients, created);
  log(removal.failures.length > 0 ? 'WARN' : 'INFO', 'removed the members this request created', {
    removedAgain: removal.removed.length, notRemoved: removal.failures.map((f) => f.accountId),
  });
  const outcome = `${removal.removed.length} of the ${created.length} members created by this deployment were removed again.`;
  return removal.failures.length === 0 ? outcome
    : `${outcome} Remove the others in the Security Hub console (Settings, Configuration): ${formatFailures(removal.failures, 200)}.`;
}

/**
 * Makes every wanted account a member with an invitation: creates the missing members, invites them and the members
 * without an open invitation, adopts open invitations and associations, and skips members associated through AWS
 * Organizations. Any account refused: the members this request created are removed again, and one error names every
 * refused account with its reason.
 */
export async function applyMembers(
  clients: SecurityHubClients,
  wanted: readonly SecurityHubMemberSpec[],
  live: ReadonlyMap<string, Member>,
  doing: string,
  signal?: AbortSignal,
): Promise<ApplyResult> {
  const byAction: Record<MemberAction, SecurityHubMemberSpec[]> = { create: [], invite: [], adopt: [], organization: [] };
  for (const member of wanted) byAction[planMember(live.get(member.accountId))].push(member);
  log('INFO', 'plan', Object.fromEntries(Object.entries(byAction).map(([action, members]) => [action, members.length])));

  // 1. CreateMembers: a member created meanwhile ("already a member") is invited like an existing one
  const emails = new Map(byAction.create.map((m) => [m.accountId, m.email]));
  const creating = await inBatches(byAction.create.map((m) => m.accountId), 'CreateMembers', async (batch) => {
    const out = await clients.securityhub.send(new CreateMembersCommand({
      AccountDetails: batch.map((accountId) => ({ AccountId: accountId, ...(emails.get(accountId) ? { Email: emails.get(accountId) } : {}) })),
    }));
    return out.UnprocessedAccounts;
  }, signal);
  const notCreated = new Set([...creating.failures.map((f) => f.accountId), ...creating.already]);
  const created = byAction.create.map((m) => m.accountId).filter((id) => !notCreated.has(id));
  if (creating.failures.length > 0) return failAndCompensate(clients, doing, wanted.length, creating.failures, created);

  // 2. InviteMembers
  signal?.throwIfAborted();
  const toInvite = [...created, ...creating.already, ...byAction.invite.map((m) => m.accountId)];
  const inviting = await inBatches(toInvite, 'InviteMembers', async (batch) => {
    const out = await clients.securityhub.send(new InviteMembersCommand({ AccountIds: batch }));
    return out.UnprocessedAccounts;
  }, signal);
  if (inviting.failures.length > 0) return failAndCompensate(clients, doing, wanted.length, inviting.failures, created);
  const already = new Set(inviting.already);
  return {
    created,
    invited: toInvite.filter((id) => !already.has(id)),
    adopted: [...byAction.adopt.map((m) => m.accountId), ...inviting.already],
    organizationManaged: byAction.organization.map((m) => m.accountId),
  };
}
