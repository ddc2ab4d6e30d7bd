/**
 * MacieInvitations: makes accounts members of the stack account's Amazon Macie (the administrator side) and invites
 * them: CreateMember for accounts that are not members yet, CreateInvitations (50 accounts per call) for members that
 * have no open or accepted invitation. Update applies the difference between the old and the new list; Delete
 * disassociates and deletes the members (unless the removal policy is RETAIN). Members managed through AWS
 * Organizations are never touched.
 *
 * Known state comes from one ListMembers scan per request (25 members per page): for 1,000 members that is 40 calls
 * instead of 1,000 GetMember calls. GetMember is only used when CreateMember reports a conflict (a member created
 * meanwhile).
 */
import { createHash } from 'crypto';
import {
  CreateInvitationsCommand,
  CreateMemberCommand,
  DeleteMemberCommand,
  DisassociateMemberCommand,
  GetMacieSessionCommand,
  GetMemberCommand,
  ListMembersCommand,
  Macie2Client,
  Member,
} from '@aws-sdk/client-macie2';
import { MacieNotEnabledError, acceptMacieInvitation } from '../accepter/lifecycle';
import type { AssumedClients } from '../../shared/assume-role';
import { chunk, settleWithConcurrency } from '../../shared/concurrency';
import { Hints, InvitationError, describeAwsError, errorMessage, errorName, failedWith, hintFor, isAwsError } from '../../shared/errors';
import { log, maskEmail } from '../../shared/log';
import { isMacieNotEnabled } from '../service';
import { ACCOUNT_ID, EMAIL, booleanProp, optionalString, sameEmail } from '../../shared/props';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { StackClients, StackTargets, UNRESOLVED, isRollback, madeSince, stackLocation, targetsKeptByStack } from '../../shared/stack';

/** The clients of a member account, acting there through the acceptance role. */
export interface MemberMacieClients {
  readonly macie: Macie2Client;
}

export interface MacieClients extends StackClients {
  readonly macie: Macie2Client;
  /**
   * Clients in a member account through role `roleName` (`acceptance`): each call assumes the role in one account
   * (lambda/shared/assume-role.ts). Absent: nothing can be accepted.
   */
  readonly inMember?: (roleName: string) => AssumedClients<MemberMacieClients>;
}

export interface MemberSpec {
  readonly accountId: string;
  readonly email: string;
}

/** DESTROY: members removed from the list (and all of them on delete) are disassociated and deleted. RETAIN: never. */
export type RemovalMode = 'DESTROY' | 'RETAIN';

export interface MacieInvitationsProps {
  readonly members: readonly MemberSpec[];
  /** Never logged. */
  readonly message?: string;
  readonly disableEmailNotification: boolean;
  readonly removalPolicy: RemovalMode;
  /** `acceptance`: the role assumed in each member account to accept there. */
  readonly acceptRoleName?: string;
}

/** Calls per member (CreateMember, DisassociateMember, DeleteMember) in flight at once. */
export const CONCURRENCY = 10;
/** Account IDs per CreateInvitations call. The API documents no maximum; this stays well within any. */
export const INVITATION_BATCH_SIZE = 50;
/** ListMembers' maximum page size. */
export const LIST_PAGE_SIZE = 25;
/** An administrator account can manage at most 1,000 members by invitation. */
export const MAX_MEMBERS = 1000;
/** CreateInvitations' message: "as many as 80 alphanumeric characters". */
export const MAX_MESSAGE_LENGTH = 80;
/** IAM role names (no path), as src/private/acceptance.ts checks them at synth. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** Acceptances (assume the role, accept) in flight at once. */
export const ACCEPT_CONCURRENCY = 10;
/** How long each member's acceptance waits for the invitation just sent to show in the member account. */
export const ACCEPT_WAIT_MS = 30_000;
/**
 * The whole acceptance step's budget for waiting: members whose turn comes after it look once. 1,000 members at 10
 * at a time must still end well before the Lambda's 15 minutes (after the members were created and invited).
 */
export const ACCEPT_BUDGET_MS = 4 * 60_000;
/** Control characters (line breaks, tabs, ...) have no place in the one-line message. */
const CONTROL_CHARACTERS = /\p{Cc}/u;

/** Relationship states that need no new invitation. */
const NO_NEW_INVITATION = new Set(['Invited', 'Enabled', 'Paused']);
/** States where the member accepted the invitation: its email no longer matters. */
const ACCEPTED = new Set(['Enabled', 'Paused']);

/** An unprocessed account whose error says that it is already invited or already our member. */
const ALREADY_INVITED = /\balready\b.*\b(invited|invitation|member|associated)\b/i;
/** ... unless it is about another administrator account. */
const OTHER_ADMINISTRATOR = /\b(another|different|other)\b/i;
/** A DisassociateMember error that says the account is not associated (anymore). */
const NOT_ASSOCIATED = /\bnot\b.*\b(associated|a member)\b|\bisn't\b.*\b(associated|a member)\b|\balready disassociated\b/i;

export type MemberAction = 'create' | 'invite' | 'adopt' | 'recreate' | 'organization';

/** What happened to the accounts of one request. */
export interface Outcome {
  readonly created: readonly string[];
  readonly invited: readonly string[];
  readonly adopted: readonly string[];
  readonly recreated: readonly string[];
  readonly organizationManaged: readonly string[];
  readonly removed: readonly string[];
  readonly retained: readonly string[];
}

const NOTHING: Outcome = { created: [], invited: [], adopted: [], recreated: [], organizationManaged: [], removed: [], retained: [] };

export interface Failure {
  readonly accountId: string;
  /** User-facing error, emails masked. */
  readonly error: string;
  /** The AWS error name or unprocessed-account error code, for the hint. */
  readonly code?: string;
}

/**
 * The tag every member this library creates carries: its value is the physical ID of the MacieInvitations resource
 * (a hash of the stack ID and the logical ID). It is the evidence that a member was made by this resource, for the
 * cleanup of a Create that did not finish. CreateMember authorizes its tags itself (condition keys aws:RequestTag
 * and aws:TagKeys; no macie2:TagResource needed), and GetMember returns them.
 */
export const OWNER_TAG = 'cdk-account-invitations:owner';

/** What to do, per Macie error name or unprocessed-account error code. */
export const MACIE_HINTS: Hints = {
  AccessDeniedException:
    'The handler\'s role may call the Macie member actions: check service control policies and permission boundaries (they may also deny the tag cdk-account-invitations:owner on CreateMember).',
  ServiceQuotaExceededException: 'A Macie administrator can manage at most 1,000 member accounts by invitation: remove members or accounts, then deploy again.',
  ValidationException: 'Check the account ID and email address of each account named here.',
  ConflictException: 'Another change to the same member ran at the same time: deploy again.',
  ClientError: 'Macie refused these accounts (for example, an account that already has another Macie administrator): fix or remove them, then deploy again.',
  InternalError: 'A Macie service error: deploy again later.',
  ThrottlingException: 'Macie throttled the calls beyond the retries: deploy again later.',
  InternalServerException: 'A Macie service error that persisted through the retries: deploy again later.',
};

/** The distinct hints for the error codes of `failures` (`extra` tables first), or the generic next step. */
function hintsFor(failures: readonly Failure[], extra: readonly Hints[] = [], maxChars = 250): string {
  const hints: string[] = [];
  let length = 0;
  for (const f of failures) {
    const hint = f.code === undefined ? undefined : hintFor({ name: f.code }, ...extra, MACIE_HINTS);
    // CloudFormation shows 1,000 characters of the reason: at most about 250 of them for hints
    if (hint && !hints.includes(hint) && length + hint.length <= maxChars) {
      hints.push(hint);
      length += hint.length + 1;
    }
  }
  return hints.length > 0 ? hints.join(' ') : 'Fix the cause named here, then deploy again.';
}

// ---------------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------------

/** The members' account IDs alone (12 digits, each once): the identifying fields of the properties. */
function parseAccountIds(list: unknown): string[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvitationError('The property Members is required and must list at least one account.');
  }
  const seen = new Set<string>();
  return list.map((entry, i) => {
    const accountId = ((entry ?? {}) as Record<string, unknown>).AccountId;
    if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
      throw new InvitationError(`Members[${i}].AccountId must be a 12-digit AWS account ID, got ${JSON.stringify(accountId)}.`);
    }
    if (seen.has(accountId)) throw new InvitationError(`Members lists account ${accountId} more than once.`);
    seen.add(accountId);
    return accountId;
  });
}

/** Characters as users count them (code points), not UTF-16 units: an emoji is one character. */
export function characterCount(text: string): number {
  return [...text].length;
}

export function parseProps(raw: Record<string, unknown>): MacieInvitationsProps {
  const list = raw.Members;
  if (Array.isArray(list) && list.length > MAX_MEMBERS) {
    throw new InvitationError(`Members lists ${list.length} accounts; a Macie administrator can manage at most ${MAX_MEMBERS} by invitation.`);
  }
  const accountIds = parseAccountIds(list);
  const members = accountIds.map((accountId, i): MemberSpec => {
    const email = ((list as unknown[])[i] as Record<string, unknown>).Email;
    if (typeof email !== 'string' || !EMAIL.test(email)) {
      throw new InvitationError(`Members[${i}].Email (account ${accountId}) must be an email address, got ${typeof email === 'string' ? maskEmail(email) : JSON.stringify(email)}.`);
    }
    return { accountId, email };
  });
  const message = optionalString(raw, 'Message');
  if (message !== undefined && (characterCount(message) > MAX_MESSAGE_LENGTH || CONTROL_CHARACTERS.test(message))) {
    throw new InvitationError(`Message must be at most ${MAX_MESSAGE_LENGTH} characters on one line, got ${characterCount(message)} characters.`);
  }
  const removalPolicy = optionalString(raw, 'RemovalPolicy') ?? 'DESTROY';
  if (removalPolicy !== 'DESTROY' && removalPolicy !== 'RETAIN') {
    throw new InvitationError(`RemovalPolicy must be DESTROY or RETAIN, got ${removalPolicy}.`);
  }
  const acceptRoleName = optionalString(raw, 'AcceptRoleName');
  if (acceptRoleName !== undefined && !ROLE_NAME.test(acceptRoleName)) {
    throw new InvitationError(`AcceptRoleName must be an IAM role name (1 to 64 letters, digits and +=,.@_-, no path), got ${JSON.stringify(acceptRoleName)}.`);
  }
  return {
    members,
    message,
    disableEmailNotification: booleanProp(raw, 'DisableEmailNotification', false),
    removalPolicy,
    ...(acceptRoleName !== undefined ? { acceptRoleName } : {}),
  };
}

/**
 * Old properties that do not parse as a whole (an older version's looser validation): the member account IDs alone,
 * so that removed accounts are still removed. Emails are kept as given (they only decide whether a pending member is
 * recreated, and that decision compares with Macie's own record); the rest is defaulted. The removal policy of an
 * update is the new properties'.
 */
export function parseOldProps(raw: Record<string, unknown>): MacieInvitationsProps {
  const list = raw.Members as unknown[];
  const members = parseAccountIds(list).map((accountId, i): MemberSpec => {
    const email = ((list[i] ?? {}) as Record<string, unknown>).Email;
    return { accountId, email: typeof email === 'string' ? email : '' };
  });
  return { members, disableEmailNotification: false, removalPolicy: 'DESTROY' };
}

/** What identifies members for "another resource of the stack still declares it": their account IDs. */
export const MACIE_TARGETS: StackTargets<MacieInvitationsProps> = {
  keys: (props) => props.members.map((m) => m.accountId),
  templateValues: (properties) => {
    const list = properties.Members;
    if (!Array.isArray(list)) return UNRESOLVED;
    // an entry that is itself an intrinsic (Fn::If, ...) stays as it is: unresolvable
    return list.map((entry) => (entry && typeof entry === 'object' && 'AccountId' in entry ? (entry as { AccountId: unknown }).AccountId : entry));
  },
  key: (value) => (ACCOUNT_ID.test(value) ? value : undefined),
};

/** The physical IDs this lifecycle answers with: `macie-invitations:<region>:<hash>`. */
export function ownsPhysicalId(physicalId: string): boolean {
  return /^macie-invitations:[a-z0-9-]+:[0-9a-f]{16}$/.test(physicalId);
}

/**
 * `macie-invitations:<region>:<16 hex characters of sha256(stackId/logicalId)>`: stable for the life of the resource,
 * unique per stack and resource, and free of account lists and emails.
 */
export function physicalResourceId(ctx: Pick<RequestContext, 'stackId' | 'logicalResourceId'>): string {
  const region = stackLocation(ctx.stackId).region ?? 'unknown';
  const hash = createHash('sha256').update(`${ctx.stackId}/${ctx.logicalResourceId}`).digest('hex').slice(0, 16);
  return `macie-invitations:${region}:${hash}`;
}

/** `account 111111111111 in us-east-1`, from the stack ARN. */
function whereDeployed(ctx: Pick<RequestContext, 'stackId'>): string {
  const { region, account } = stackLocation(ctx.stackId);
  return region && account ? `account ${account} in ${region}` : 'this account and region';
}

// ---------------------------------------------------------------------------------------------------------------
// Reading Macie's state
// ---------------------------------------------------------------------------------------------------------------

// kept here for importers of earlier versions: the rule lives in lambda/macie/service.ts
export { isMacieNotEnabled };

/**
 * True when Macie is enabled in the stack's account and region. `false` when it is not; other errors (a role
 * without permission, an SCP) throw a user-facing error.
 */
export async function macieEnabled(clients: MacieClients, ctx: Pick<RequestContext, 'stackId'>): Promise<boolean> {
  try {
    await clients.macie.send(new GetMacieSessionCommand({}));
    return true;
  } catch (error) {
    if (isMacieNotEnabled(error) || isAwsError(error, 'ResourceNotFoundException')) return false;
    if (isAwsError(error, 'AccessDeniedException')) {
      throw failedWith(`Reading the Macie configuration of ${whereDeployed(ctx)}`, error, {
        fallback: 'The handler\'s role may call macie2:GetMacieSession; check service control policies and permission boundaries.',
      });
    }
    throw error;
  }
}

/** Fails before anything changes when Macie is off in the administrator account and region. */
export async function ensureMacieEnabled(clients: MacieClients, ctx: Pick<RequestContext, 'stackId'>): Promise<void> {
  if (await macieEnabled(clients, ctx)) return;
  throw new InvitationError(
    `Amazon Macie is not enabled in ${whereDeployed(ctx)}, so it cannot have members. Deploy MacieInvitations in the ` +
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

/**
 * What to do for a wanted account, given what Macie knows about it:
 * - unknown: create the member, then invite it;
 * - no email: associated through AWS Organizations: leave it alone;
 * - Enabled/Paused: the invitation was accepted; the email only addressed the invitation, so nothing changes;
 * - a different email (not accepted yet): the pending invitation went elsewhere: delete the member, create it with the
 *   wanted email, invite it;
 * - Invited: adopt the open invitation; any other state (Created, Removed, Resigned, ...): invite again.
 */
export function planMember(wanted: MemberSpec, live: Member | undefined): MemberAction {
  if (!live) return 'create';
  if (!live.email) return 'organization';
  const status = live.relationshipStatus ?? '';
  if (ACCEPTED.has(status)) return 'adopt';
  if (!sameEmail(live.email, wanted.email)) return 'recreate';
  return NO_NEW_INVITATION.has(status) ? 'adopt' : 'invite';
}

// ---------------------------------------------------------------------------------------------------------------
// Changing Macie's state
// ---------------------------------------------------------------------------------------------------------------

function isNotAssociated(error: unknown): boolean {
  return isAwsError(error, 'ResourceNotFoundException') ||
    (isAwsError(error, 'ValidationException', 'ConflictException') && NOT_ASSOCIATED.test(errorMessage(error)));
}

/**
 * DisassociateMember, then DeleteMember. Not found, not associated and Macie-not-enabled mean already clean.
 */
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

/** CreateMember; on a conflict (created meanwhile), what GetMember says to do instead. */
async function createMember(clients: MacieClients, member: MemberSpec, owner: string): Promise<MemberAction> {
  try {
    await clients.macie.send(new CreateMemberCommand({
      account: { accountId: member.accountId, email: member.email },
      tags: { [OWNER_TAG]: owner },
    }));
    return 'create';
  } catch (error) {
    if (!isAwsError(error, 'ConflictException')) throw error;
    const live = await clients.macie.send(new GetMemberCommand({ id: member.accountId }));
    const action = planMember(member, live);
    // it exists: never delete what another actor just created
    return action === 'adopt' || action === 'organization' ? action : 'invite';
  }
}

/**
 * Groups failures by error: `111111111111, 222222222222 (ValidationException: ...); ...`, at most about `maxChars`
 * long: every error is shown with its first account, then more accounts while there is room.
 */
export function formatFailures(failures: readonly Failure[], maxChars = 700): string {
  const groups = new Map<string, string[]>();
  for (const f of failures) groups.set(f.error, [...(groups.get(f.error) ?? []), f.accountId]);
  const shown = new Map<string, string[]>();
  let length = 0;
  let omitted = 0;
  for (const [error, accountIds] of groups) {
    const extra = accountIds[0].length + error.length + 6;
    if (length + extra > maxChars) continue;
    shown.set(error, [accountIds[0]]);
    length += extra;
  }
  for (const [error, accountIds] of groups) {
    const list = shown.get(error);
    for (const id of accountIds.slice(list ? 1 : 0)) {
      if (list && length + id.length + 2 <= maxChars) {
        list.push(id);
        length += id.length + 2;
      } else {
        omitted++;
      }
    }
  }
  const parts = [...shown].map(([error, ids]) => `${ids.join(', ')} (${error})`);
  return parts.join('; ') + (omitted > 0 ? `; and ${omitted} more accounts` : '');
}

function failuresFrom<T>(items: readonly T[], results: readonly PromiseSettledResult<unknown>[], id: (item: T) => string): Failure[] {
  return results.flatMap((r, i) => (r.status === 'rejected'
    ? [{ accountId: id(items[i]), error: describeAwsError(r.reason), code: errorName(r.reason) }]
    : []));
}

/** Sends the invitations, 50 accounts per call, one call at a time. */
export async function sendInvitations(
  clients: MacieClients,
  props: MacieInvitationsProps,
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

/**
 * Removes the members this request created (a failed request leaves nothing behind), then throws a message that
 * names every failed account (grouped by error) and the outcome of the cleanup.
 */
async function failAndCompensate(
  clients: MacieClients,
  doing: string,
  total: number,
  failures: readonly Failure[],
  created: readonly string[],
  extraHints: readonly Hints[] = [],
): Promise<never> {
  const cleanup = await settleWithConcurrency(created, CONCURRENCY, (id) => removeMember(clients, id));
  const notRemoved = failuresFrom(created, cleanup, (id) => id);
  log('ERROR', `${doing} failed`, {
    failed: failures,
    removedAgain: created.length - notRemoved.length,
    notRemoved: notRemoved.map((f) => f.accountId),
  });
  const removedAgain = created.length - notRemoved.length;
  const cleanupText = created.length === 0
    ? 'No member had been created.'
    : `${removedAgain} of the ${created.length} members created by this deployment ${removedAgain === 1 ? 'was' : 'were'} removed again.`;
  const leftover = notRemoved.length === 0 ? '' :
    ` Removing these members failed too; remove them in the Macie console (Settings, Accounts): ${formatFailures(notRemoved, 200)}.`;
  throw new InvitationError(
    // CloudFormation shows 1,000 characters of the reason: leave room for the members that could not be removed
    `${doing}: ${failures.length} of ${total} accounts failed: ${formatFailures(failures, (leftover ? 300 : 550) - (extraHints.length > 0 ? 100 : 0))}. ` +
      `${cleanupText}${leftover} ${hintsFor(failures, extraHints, extraHints.length > 0 ? 350 : 250)}`,
  );
}

interface ApplyResult {
  readonly created: string[];
  readonly invited: string[];
  readonly adopted: string[];
  readonly recreated: string[];
  readonly organizationManaged: string[];
}

/**
 * Makes every wanted account a member with an invitation: recreates members whose pending invitation went to another
 * email, creates missing members, invites what needs an invitation. On any failure, the members created here are
 * removed again before the error is thrown.
 */
export async function applyMembers(
  clients: MacieClients,
  props: MacieInvitationsProps,
  wanted: readonly MemberSpec[],
  live: ReadonlyMap<string, Member>,
  doing: string,
  ctx: Pick<RequestContext, 'stackId' | 'logicalResourceId' | 'signal'>,
): Promise<ApplyResult> {
  const owner = physicalResourceId(ctx);
  const byAction: Record<MemberAction, MemberSpec[]> = { create: [], invite: [], adopt: [], recreate: [], organization: [] };
  for (const member of wanted) byAction[planMember(member, live.get(member.accountId))].push(member);
  for (const member of wanted) {
    const current = live.get(member.accountId);
    if (current?.email && ACCEPTED.has(current.relationshipStatus ?? '') && !sameEmail(current.email, member.email)) {
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
  ctx.signal?.throwIfAborted();
  const createdResults = await settleWithConcurrency(toCreate, CONCURRENCY, (m) => {
    // a cut-off request starts no new call (the runtime has answered already)
    ctx.signal?.throwIfAborted();
    return createMember(clients, m, owner);
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
  ctx.signal?.throwIfAborted();
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
  const organizationManaged = accountIds.filter((id) => live.has(id) && !live.get(id)?.email);
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

// ---------------------------------------------------------------------------------------------------------------
// Acceptance through a role in each member account
// ---------------------------------------------------------------------------------------------------------------

/** What the acceptance step did. */
export interface AcceptanceOutcome {
  /** Members whose invitation is accepted now (accepted here, or already before). */
  readonly accepted: readonly string[];
  /** Of those, the members whose relationship is Enabled. */
  readonly enabled: readonly string[];
  readonly failures: readonly Failure[];
}

/** What to do, per failure code of the acceptance step (searched before `MACIE_HINTS`). */
export function acceptanceHints(roleName: string, administratorAccountId: string): Hints {
  return {
    AssumeRoleFailed: `Create role ${roleName} in each account named here with the accept permissions (README, "Invite and ` +
      `accept in one deploy"), trusting account ${administratorAccountId}.`,
    MacieNotEnabled: 'Enable Macie in each member account named here, in this Region (aws_macie.CfnSession).',
    AccessDeniedException: `Role ${roleName} needs macie2:GetMacieSession, GetAdministratorAccount, ListInvitations, AcceptInvitation.`,
    NotAccepted: 'Check those accounts in their Macie console (Settings, Accounts).',
  };
}

/** The first sentence of a message, with the account ID left out (so that failures of many accounts group). */
function shortReason(message: string, accountId: string): string {
  const first = message.split(/(?<=\.) /)[0].replace(/\.$/, '');
  return first
    .replace(new RegExp(`\\b(the |The )?account ${accountId}\\b`, 'g'), (_match, the: string | undefined) => `${the ?? 'the '}account`)
    .split(accountId).join('the account');
}

/** One member's failed acceptance, as a grouped failure: short, without the account ID, coded for the hints. */
export function acceptanceFailure(accountId: string, error: unknown, assuming: boolean): Failure {
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  if (assuming) {
    return { accountId, error: `the role cannot be assumed (${describeAwsError(cause ?? error)})`, code: 'AssumeRoleFailed' };
  }
  if (error instanceof MacieNotEnabledError) {
    return { accountId, error: 'Macie is not enabled in the member account', code: 'MacieNotEnabled' };
  }
  if (error instanceof InvitationError) {
    if (cause !== undefined && errorName(cause) !== undefined) {
      return { accountId, error: describeAwsError(cause), code: errorName(cause) };
    }
    return { accountId, error: shortReason(error.message, accountId), code: 'NotAccepted' };
  }
  return { accountId, error: describeAwsError(error), code: errorName(error) };
}

/**
 * Accepts the invitation in each member account, through `roleName` there, at most `ACCEPT_CONCURRENCY` at a time,
 * with the accepter's own function (lambda/macie-invitation-accepter): Macie enabled, already accepted = adopted,
 * another administrator = failure, the invitation just sent awaited briefly. Every account is tried; each failure is
 * returned, none thrown. Credentials stay inside the assumed clients (never logged).
 */
export async function acceptInMembers(
  clients: MacieClients,
  roleName: string,
  accountIds: readonly string[],
  ctx: Pick<RequestContext, 'stackId' | 'signal'>,
  timing: { now?: () => number; sleep?: (ms: number, signal?: AbortSignal) => Promise<void> } = {},
): Promise<AcceptanceOutcome> {
  if (accountIds.length === 0) return { accepted: [], enabled: [], failures: [] };
  if (!clients.inMember) throw new InvitationError('Internal error: no clients for the member accounts. Please report this.');
  const administratorAccountId = stackLocation(ctx.stackId).account;
  if (!administratorAccountId) throw new InvitationError(`Internal error: no account in the stack ID ${ctx.stackId}. Please report this.`);
  const inMember = clients.inMember(roleName);
  const now = timing.now ?? Date.now;
  const budgetEnd = now() + ACCEPT_BUDGET_MS;
  const results = await settleWithConcurrency(accountIds, ACCEPT_CONCURRENCY, async (accountId) => {
    ctx.signal?.throwIfAborted();
    let member: MemberMacieClients;
    try {
      member = await inMember(accountId);
    } catch (error) {
      throw acceptanceFailure(accountId, error, true);
    }
    try {
      return await acceptMacieInvitation(member, {
        administratorAccountId,
        waitTimeoutMs: Math.max(0, Math.min(ACCEPT_WAIT_MS, budgetEnd - now())),
      }, { stackId: ctx.stackId, accountId, signal: ctx.signal }, timing);
    } catch (error) {
      throw acceptanceFailure(accountId, error, false);
    } finally {
      member.macie.destroy();
    }
  });
  // cut off at the deadline: the runtime has answered; stop here (the members' states stay as they are)
  ctx.signal?.throwIfAborted();
  const accepted: string[] = [];
  const enabled: string[] = [];
  const failures: Failure[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      accepted.push(accountIds[i]);
      if (r.value.relationshipStatus === 'Enabled') enabled.push(accountIds[i]);
    } else {
      const reason = r.reason as Partial<Failure> | undefined;
      failures.push(reason?.accountId === accountIds[i] && typeof reason.error === 'string'
        ? reason as Failure
        : acceptanceFailure(accountIds[i], r.reason, false));
    }
  });
  log('INFO', 'acceptance in the member accounts', { roleName, accepted: accepted.length, enabled: enabled.length, failed: failures });
  return { accepted, enabled, failures };
}

/**
 * The acceptance step of a Create or an Update: accepts in `accountIds` when the properties ask for it, and on any
 * failure removes the members this request created (ending the acceptances made for them) and throws.
 */
async function acceptOrCompensate(
  clients: MacieClients,
  props: MacieInvitationsProps,
  accountIds: readonly string[],
  created: readonly string[],
  ctx: RequestContext,
): Promise<AcceptanceOutcome | undefined> {
  if (!props.acceptRoleName) return undefined;
  ctx.signal?.throwIfAborted();
  const outcome = await acceptInMembers(clients, props.acceptRoleName, accountIds, ctx);
  if (outcome.failures.length > 0) {
    const administrator = stackLocation(ctx.stackId).account ?? 'the administrator account';
    return failAndCompensate(clients, `Accepting the Macie invitations in the member accounts (role ${props.acceptRoleName})`,
      accountIds.length, outcome.failures, created, [acceptanceHints(props.acceptRoleName, administrator)]);
  }
  return outcome;
}

function response(physicalId: string, props: MacieInvitationsProps, outcome: Outcome, acceptance?: AcceptanceOutcome): HandlerResponse {
  // counts only: 1,000 account IDs would not fit in CloudFormation's 4,096 bytes of Data
  return {
    PhysicalResourceId: physicalId,
    Data: {
      MemberCount: props.members.length,
      CreatedCount: outcome.created.length,
      InvitedCount: outcome.invited.length,
      AdoptedCount: outcome.adopted.length,
      RecreatedCount: outcome.recreated.length,
      OrganizationManagedCount: outcome.organizationManaged.length,
      RemovedCount: outcome.removed.length,
      RetainedCount: outcome.retained.length,
      // with `acceptance`: the members accepted (now or before) and, of those, Enabled
      ...(acceptance ? { AcceptedCount: acceptance.accepted.length, EnabledCount: acceptance.enabled.length } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------------------------

/** Create: check Macie, read its members once, create and invite what is missing. */
export async function createMembers(clients: MacieClients, props: MacieInvitationsProps, ctx: RequestContext): Promise<HandlerResponse> {
  await ensureMacieEnabled(clients, ctx);
  ctx.signal?.throwIfAborted();
  const live = await listMembers(clients);
  const applied = await applyMembers(clients, props, props.members, live, 'Creating the Macie members', ctx);
  const organization = new Set(applied.organizationManaged);
  const acceptance = await acceptOrCompensate(clients, props, props.members.map((m) => m.accountId).filter((id) => !organization.has(id)),
    applied.created, ctx);
  log('INFO', 'members ready', {
    created: applied.created.length,
    invited: applied.invited.length,
    adopted: applied.adopted.length,
    recreated: applied.recreated.length,
    organizationManaged: applied.organizationManaged.length,
  });
  return response(physicalResourceId(ctx), props, { ...NOTHING, ...applied }, acceptance);
}

/**
 * Update: only the difference. Added accounts (and accounts whose email changed) go through the same plan as on
 * create; removed accounts are disassociated and deleted unless the removal policy is RETAIN or a resource of the
 * stack still lists them; unchanged accounts and a changed message or email setting send nothing. The physical ID
 * stays.
 *
 * With Macie disabled there are no members at all: a removal-only update succeeds (nothing left to remove, as on
 * delete); an update that adds members fails before changing anything, except during CloudFormation's rollback,
 * which must not fail for the reason its update failed: it succeeds and says that the members could not be restored.
 */
export async function updateMembers(
  clients: MacieClients,
  physicalId: string,
  props: MacieInvitationsProps,
  oldProps: MacieInvitationsProps,
  ctx: RequestContext,
): Promise<HandlerResponse> {
  const oldById = new Map(oldProps.members.map((m) => [m.accountId, m]));
  const newIds = new Set(props.members.map((m) => m.accountId));
  const added = props.members.filter((m) => !oldById.has(m.accountId));
  const emailChanged = props.members.filter((m) => {
    const old = oldById.get(m.accountId);
    return old !== undefined && !sameEmail(old.email, m.email);
  });
  const dropped = oldProps.members.map((m) => m.accountId).filter((id) => !newIds.has(id));
  const retained = props.removalPolicy === 'RETAIN' ? dropped : [];
  if (retained.length > 0) log('INFO', 'removal policy RETAIN: removed accounts stay members', { accountIds: retained });
  const candidates = props.removalPolicy === 'DESTROY' ? dropped : [];
  const wanted = [...added, ...emailChanged];
  // a role given (or changed) now: accept in every member; otherwise only in the members this update invites
  const acceptAll = props.acceptRoleName !== undefined && props.acceptRoleName !== oldProps.acceptRoleName;
  if (wanted.length === 0 && candidates.length === 0 && !acceptAll) {
    log('INFO', 'difference', { added: 0, emailChanged: 0, removed: 0, retained: retained.length });
    return response(physicalId, props, { ...NOTHING, retained });
  }

  if (!(await macieEnabled(clients, ctx))) {
    if (wanted.length === 0) {
      log('INFO', 'Macie is not enabled: there are no members to remove', { physicalId, removed: candidates.length });
      return response(physicalId, props, { ...NOTHING, retained });
    }
    if (await isRollback(clients, ctx)) {
      log('WARN', 'Macie is not enabled: the rollback cannot restore members, and succeeds so that the stack does not ' +
        'get stuck. Enable Macie and deploy again to invite them.', { physicalId, notRestored: wanted.map((m) => m.accountId) });
      return response(physicalId, props, { ...NOTHING, retained });
    }
    await ensureMacieEnabled(clients, ctx);
  }

  // an account that a resource of the stack lists (moved there) stays a member
  const dropping = { ...oldProps, members: oldProps.members.filter((m) => candidates.includes(m.accountId)) };
  const kept = candidates.length > 0 ? await targetsKeptByStack(clients, ctx, MACIE_TARGETS, dropping) : new Set<string>();
  const toRemove = candidates.filter((id) => !kept.has(id));
  log('INFO', 'difference', { added: added.length, emailChanged: emailChanged.length, removed: toRemove.length, kept: kept.size, retained: retained.length });

  ctx.signal?.throwIfAborted();
  const live = await listMembers(clients);
  const applied = wanted.length > 0
    ? await applyMembers(clients, props, wanted, live, 'Updating the Macie members', ctx)
    : { created: [], invited: [], adopted: [], recreated: [], organizationManaged: [] };
  const organization = new Set(applied.organizationManaged);
  const acceptTargets = (acceptAll ? props.members : wanted).map((m) => m.accountId)
    .filter((id) => !organization.has(id) && !(live.has(id) && !live.get(id)?.email));
  const acceptance = await acceptOrCompensate(clients, props, acceptTargets, applied.created, ctx);
  ctx.signal?.throwIfAborted();
  const removal = await removeAccounts(clients, toRemove, live);
  if (removal.failures.length > 0) {
    log('ERROR', 'removing members failed', { failed: removal.failures });
    throw new InvitationError(
      `Updating the Macie members: removing ${removal.failures.length} of ${toRemove.length} accounts failed: ` +
        `${formatFailures(removal.failures)}. ${hintsFor(removal.failures)}`,
    );
  }
  return response(physicalId, props, {
    ...applied,
    organizationManaged: [...applied.organizationManaged, ...removal.organizationManaged],
    removed: removal.removed,
    retained,
  }, acceptance);
}

/**
 * Delete: disassociate and delete the members of the properties, except those that a resource of the stack still
 * lists (a renamed construct, an account moved to another MacieInvitations). Unknown members, members managed through
 * AWS Organizations and a Macie that is not enabled (no members at all) mean already clean. With RETAIN,
 * CloudFormation does not call the handler; should it happen anyway, nothing is removed.
 */
export async function deleteMembers(
  clients: MacieClients,
  physicalId: string,
  props: MacieInvitationsProps,
  ctx: RequestContext,
): Promise<void> {
  if (props.removalPolicy === 'RETAIN') {
    log('INFO', 'removal policy RETAIN: members stay', { physicalId, members: props.members.length });
    return;
  }
  if (!(await macieEnabled(clients, ctx))) {
    log('INFO', 'Macie is not enabled: there are no members to remove', { physicalId });
    return;
  }
  const live = await listMembers(clients);
  const kept = await targetsKeptByStack(clients, ctx, MACIE_TARGETS, props);
  const accountIds = props.members.map((m) => m.accountId).filter((id) => !kept.has(id));
  const removal = await removeAccounts(clients, accountIds, live);
  log('INFO', 'members removed', {
    removed: removal.removed.length,
    kept: kept.size,
    organizationManaged: removal.organizationManaged.length,
    unknown: accountIds.filter((id) => !live.has(id)).length,
    failed: removal.failures,
  });
  if (removal.failures.length > 0) {
    throw new InvitationError(
      `Removing ${removal.failures.length} of ${accountIds.length} Macie members failed: ${formatFailures(removal.failures)}. ` +
        `${hintsFor(removal.failures)} Or remove the members in the Macie console (Settings, Accounts) and retry the delete.`,
    );
  }
}

/**
 * After a Create that did not finish normally: remove only the members it can be shown to have made. Evidence, all
 * of it required: the member carries this resource's owner tag (`OWNER_TAG`, value = this resource's physical ID,
 * read with GetMember), it has not accepted (not Enabled or Paused: an accepted membership is never removed here),
 * and its relationship last changed at or after the Create started (`updatedAt` vs `since`, within the clock-skew
 * allowance). Without `since` nothing is removed. Members listed by another resource of the stack stay.
 */
export async function removeAbandonedMembers(
  clients: MacieClients,
  props: MacieInvitationsProps,
  ctx: RequestContext,
  since: Date | undefined,
): Promise<void> {
  if (props.removalPolicy === 'RETAIN') {
    log('INFO', 'removal policy RETAIN: members stay', { members: props.members.length });
    return;
  }
  if (since === undefined) {
    log('WARN', 'the start of the unfinished Create is unknown: no member is removed (nothing shows which ones it ' +
      `made). Members it created carry the tag ${OWNER_TAG}; remove unwanted ones in the Macie console.`, {});
    return;
  }
  if (!(await macieEnabled(clients, ctx))) {
    log('INFO', 'Macie is not enabled: there are no members to remove', {});
    return;
  }
  const owner = physicalResourceId(ctx);
  const live = await listMembers(clients);
  const kept = await targetsKeptByStack(clients, ctx, MACIE_TARGETS, props);
  const candidates = props.members.map((m) => m.accountId).filter((id) => {
    const member = live.get(id);
    return member?.email && !kept.has(id) && !ACCEPTED.has(member.relationshipStatus ?? '') && madeSince(member.updatedAt, since);
  });
  // the tags, from GetMember (the evidence that this resource made the member)
  const tagged = await settleWithConcurrency(candidates, CONCURRENCY, async (id) => {
    const member = await clients.macie.send(new GetMemberCommand({ id }));
    return member.tags?.[OWNER_TAG] === owner && !ACCEPTED.has(member.relationshipStatus ?? '');
  });
  const ours = candidates.filter((_, i) => tagged[i].status === 'fulfilled' && (tagged[i] as PromiseFulfilledResult<boolean>).value);
  const removal = await removeAccounts(clients, ours, live);
  log('INFO', 'cleanup of the unfinished Create', {
    removed: removal.removed,
    keptAccepted: props.members.filter((m) => ACCEPTED.has(live.get(m.accountId)?.relationshipStatus ?? '')).length,
    keptNotOurs: candidates.length - ours.length,
    keptByStack: kept.size,
    failed: removal.failures,
  });
  if (removal.failures.length > 0) {
    throw new InvitationError(
      `Removing ${removal.failures.length} of ${ours.length} Macie members created by the unfinished deployment failed: ` +
        `${formatFailures(removal.failures)}. ${hintsFor(removal.failures)} Or remove them in the Macie console (Settings, ` +
        'Accounts) and retry the delete.',
    );
  }
}

export const macieInvitationsLifecycle: Lifecycle<MacieInvitationsProps, MacieClients> = {
  what: 'Macie member invitations',
  parse: parseProps,
  parseOld: parseOldProps,
  ownsPhysicalId,
  create: (clients, props, ctx) => createMembers(clients, props, ctx),
  update: (clients, physicalId, props, oldProps, ctx) => updateMembers(clients, physicalId, props, oldProps, ctx),
  delete: (clients, physicalId, props, ctx) => deleteMembers(clients, physicalId, props, ctx),
  abandonedCreate: (clients, props, ctx, since) => removeAbandonedMembers(clients, props, ctx, since),
};
