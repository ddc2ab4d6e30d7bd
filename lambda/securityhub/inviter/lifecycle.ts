/**
 * SecurityHubInvitations: makes accounts members of the stack account's AWS Security Hub (the administrator side) and
 * invites them (./members.ts), then, with `acceptance`, accepts in each member account through a role there
 * (./acceptance.ts). Update applies the difference between the old and the new list; Delete disassociates and deletes
 * the members this resource made (unless the removal policy is RETAIN). Members associated through AWS Organizations
 * are never touched.
 *
 * Made versus adopted: Security Hub members carry no tags, so the evidence is time. The physical ID
 * `securityhub-invitations:<region>:<hash>:<since>` records when CloudFormation began this resource's Create (epoch
 * ms of its CREATE_IN_PROGRESS event, read with DescribeStackEvents: the same for a retried Create, so the physical
 * ID is too). A member was invited by this resource when its `InvitedAt` falls within one of this resource's
 * Creates and Updates since that moment (their IN_PROGRESS to COMPLETE/FAILED events, read again before removing):
 * only its handler invites then. One invited before the Create, or between two of its operations by someone else and
 * adopted by a later Update, stays; so does one invited before the oldest event the page cap let the read reach.
 * When the Create's start cannot be read, the physical ID is `securityhub-invitations:<region>:<hash>` and Delete
 * keeps every member, saying why; so does the Delete of a Create that did not finish, and one whose events cannot be
 * read.
 */
import { Member } from '@aws-sdk/client-securityhub';
import { acceptInMembers } from './acceptance';
import {
  ApplyResult,
  NOTHING_APPLIED,
  SECURITYHUB_HINTS,
  adminHubEnabled,
  applyMembers,
  ensureHubEnabled,
  isOrganizationManaged,
  listMembers,
  removeMembers,
} from './members';
import { SECURITYHUB_INVITATIONS, SecurityHubInviterProps } from '../../../src/private/contract/securityhub';
import type { AcceptedIn } from '../../shared/acceptance';
import { InvitationError, errorName } from '../../shared/errors';
import { formatFailures, hintsFor } from '../../shared/failures';
import { log } from '../../shared/log';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import {
  StackTargets, acceptanceSkippedInRollback, memberListTargets, notRestoredInRollback, resourceHash, rollbackCheck, stackLocation, targetsKeptByStack,
} from '../../shared/stack';
import { OperationHistory, createStartedAt, duringOperation, operationHistory } from '../../shared/stack-events';
import type { SecurityHubAcceptance } from '../accept';
import { ASSOCIATED_STATES, NO_NEW_INVITATION_STATES, SecurityHubInviterClients } from '../service';

export { CONCURRENCY } from './members';

const PREFIX = 'securityhub-invitations';
const PHYSICAL_ID = new RegExp(`^${PREFIX}:[a-z0-9-]+:[0-9a-f]{16}(?::(\\d{1,15}))?$`);

/** `securityhub-invitations:<region>:<hash>[:<since>]` (see the module comment). */
export function physicalResourceId(ctx: Pick<RequestContext, 'stackId' | 'logicalResourceId'>, since: Date | undefined): string {
  const id = `${PREFIX}:${stackLocation(ctx.stackId).region ?? 'unknown'}:${resourceHash(ctx)}`;
  return since === undefined ? id : `${id}:${since.getTime()}`;
}

/** The moment a physical ID records (undefined when it records none, or is not one of this lifecycle's). */
export function sinceOf(physicalId: string): number | undefined {
  const match = PHYSICAL_ID.exec(physicalId);
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

export function ownsPhysicalId(physicalId: string): boolean {
  return PHYSICAL_ID.test(physicalId);
}

/**
 * Whether this resource sent the member's invitation: invited during one of its operations (`history`), and not an
 * organization member. Undefined when the history does not reach back to the invitation: the caller keeps.
 */
export function madeByThisResource(member: Member | undefined, history: OperationHistory): boolean | undefined {
  const invitedAt = member?.InvitedAt?.getTime();
  if (member === undefined || isOrganizationManaged(member) || invitedAt === undefined) return false;
  return duringOperation(history, invitedAt);
}

const { members: MEMBERS, memberAccountId: MEMBER_ACCOUNT_ID } = SECURITYHUB_INVITATIONS.keys;

/** What identifies members for "another resource of the stack still declares it": their account IDs. */
export const SECURITYHUB_TARGETS: StackTargets<SecurityHubInviterProps> = memberListTargets(MEMBERS, MEMBER_ACCOUNT_ID);

interface Outcome extends ApplyResult {
  readonly removed: readonly string[];
  readonly retained: readonly string[];
}

const NOTHING: Outcome = { ...NOTHING_APPLIED, removed: [], retained: [] };

function response(physicalId: string, props: SecurityHubInviterProps, outcome: Outcome, accepted?: number): HandlerResponse {
  return {
    PhysicalResourceId: physicalId,
    Data: SECURITYHUB_INVITATIONS.data({
      memberCount: props.members.length,
      createdCount: outcome.created.length,
      invitedCount: outcome.invited.length,
      adoptedCount: outcome.adopted.length,
      removedCount: outcome.removed.length,
      retainedCount: outcome.retained.length,
      // with acceptance, always (the construct reads it)
      ...(props.acceptRoleName !== undefined ? { acceptedCount: accepted ?? 0 } : {}),
    }),
  };
}

/** The accepted members: as this request's acceptance found them, the others as the members read at its start showed them. */
function countAccepted(
  props: SecurityHubInviterProps,
  results: readonly AcceptedIn<SecurityHubAcceptance>[],
  live: ReadonlyMap<string, Member>,
): number {
  const accepted = new Set(results.map((r) => r.accountId));
  return props.members.filter(({ accountId }) => {
    const member = live.get(accountId);
    if (isOrganizationManaged(member)) return false;
    return accepted.has(accountId) || ASSOCIATED_STATES.has(member?.MemberStatus ?? '');
  }).length;
}

/** The accepted members as Security Hub shows them now, for an update that does nothing else; never fails it. */
async function readAccepted(clients: SecurityHubInviterClients, props: SecurityHubInviterProps, ctx: RequestContext): Promise<number> {
  try {
    if (!(await adminHubEnabled(clients, ctx))) return 0;
    return countAccepted(props, [], await listMembers(clients));
  } catch (error) {
    ctx.signal?.throwIfAborted();
    log('WARN', 'could not read the members: the accepted count reports 0 this time', { error: errorName(error) });
    return 0;
  }
}

async function acceptStep(
  clients: SecurityHubInviterClients,
  props: SecurityHubInviterProps,
  accountIds: readonly string[],
  created: readonly string[],
  ctx: RequestContext,
): Promise<readonly AcceptedIn<SecurityHubAcceptance>[]> {
  if (props.acceptRoleName === undefined || accountIds.length === 0) return [];
  ctx.signal?.throwIfAborted();
  return acceptInMembers(clients, props.acceptRoleName, accountIds, created, ctx);
}

/** Create: check the hub, read its members once, create and invite what is missing, then accept (with `acceptance`). */
export async function createMembers(
  clients: SecurityHubInviterClients,
  props: SecurityHubInviterProps,
  ctx: RequestContext,
): Promise<HandlerResponse> {
  await ensureHubEnabled(clients, ctx);
  ctx.signal?.throwIfAborted();
  const since = await createStartedAt(clients.cloudformation, ctx);
  if (since === undefined) log('WARN', 'when CloudFormation began this Create cannot be read: Delete will keep every member', {});
  const physicalId = physicalResourceId(ctx, since);
  const live = await listMembers(clients);
  const applied = await applyMembers(clients, props.members, live, 'Creating the Security Hub members', ctx.signal);
  const organization = new Set(applied.organizationManaged);
  const targets = props.members.map((m) => m.accountId).filter((id) => !organization.has(id));
  const accepted = await acceptStep(clients, props, targets, applied.created, ctx);
  log('INFO', 'members ready', {
    created: applied.created.length, invited: applied.invited.length, adopted: applied.adopted.length, organizationManaged: organization.size,
  });
  return response(physicalId, props, { ...NOTHING, ...applied }, countAccepted(props, accepted, live));
}

/**
 * The accounts of `accountIds` this resource may remove: members it invited (`madeByThisResource`), that no other
 * resource of the stack declares. The others are logged with the reason they stay.
 */
async function removable(
  clients: SecurityHubInviterClients,
  physicalId: string,
  props: SecurityHubInviterProps,
  accountIds: readonly string[],
  live: ReadonlyMap<string, Member>,
  ctx: RequestContext,
): Promise<string[]> {
  const since = sinceOf(physicalId);
  if (since === undefined) {
    log('WARN', 'the physical ID does not record when this resource was created (its Create could not read the stack\'s ' +
      'events), so which members it invited cannot be told: every member stays. Remove unwanted ones in the Security Hub ' +
      'console (Settings, Configuration).', { physicalId });
    return [];
  }
  const present = accountIds.filter((id) => live.has(id));
  if (present.length === 0) return [];
  // what another resource of the stack declares stays, whoever invited it (asked first: the stack's own reads say
  // why everything stays when CloudFormation cannot be asked)
  const kept = await targetsKeptByStack(clients, ctx, SECURITYHUB_TARGETS, { ...props, members: present.map((accountId) => ({ accountId })) });
  const candidates = present.filter((id) => !kept.has(id));
  if (candidates.length === 0) return [];
  const history = await operationHistory(clients.cloudformation, ctx, since);
  if (history === undefined) {
    log('WARN', 'the stack\'s events cannot be read, so which members this resource invited cannot be told: every member ' +
      'stays. Remove unwanted ones in the Security Hub console (Settings, Configuration).', { physicalId, accountIds: candidates });
    return [];
  }
  const made = new Map(candidates.map((id) => [id, madeByThisResource(live.get(id), history)]));
  const ours = candidates.filter((id) => made.get(id) === true);
  const notOurs = candidates.filter((id) => made.get(id) === false);
  const unknown = candidates.filter((id) => made.get(id) === undefined);
  if (notOurs.length > 0) {
    log('INFO', 'members this resource did not invite (adopted, or associated through AWS Organizations) stay', { accountIds: notOurs });
  }
  if (unknown.length > 0) {
    log('WARN', 'members invited before the oldest stack event that could be read stay: whether this resource invited ' +
      'them cannot be told', { accountIds: unknown, knownFrom: new Date(history.knownFrom).toISOString() });
  }
  return ours;
}

async function removeOrFail(clients: SecurityHubInviterClients, accountIds: readonly string[], doing: string): Promise<string[]> {
  if (accountIds.length === 0) return [];
  const removal = await removeMembers(clients, accountIds);
  if (removal.failures.length > 0) {
    log('ERROR', 'removing members failed', { failed: removal.failures });
    throw new InvitationError(
      `${doing}: removing ${removal.failures.length} of ${accountIds.length} Security Hub members failed: ` +
        `${formatFailures(removal.failures)}. ${hintsFor(removal.failures, SECURITYHUB_HINTS)} Or remove them in the Security Hub ` +
        'console (Settings, Configuration) and retry.',
    );
  }
  return removal.removed;
}

/**
 * Update: only the difference. Added accounts go through the same plan as on create; removed accounts are
 * disassociated and deleted when this resource invited them, unless the removal policy is RETAIN or a resource of
 * the stack still lists them. A rollback (the stack's status UPDATE_ROLLBACK_*) assumes no role, and invites only to
 * restore members the failed update deleted (a member that exists in any state is not invited again); it removes
 * what the failed update added.
 */
export async function updateMembers(
  clients: SecurityHubInviterClients,
  physicalId: string,
  props: SecurityHubInviterProps,
  oldProps: SecurityHubInviterProps,
  ctx: RequestContext,
): Promise<HandlerResponse> {
  const oldIds = new Set(oldProps.members.map((m) => m.accountId));
  const newIds = new Set(props.members.map((m) => m.accountId));
  const added = props.members.filter((m) => !oldIds.has(m.accountId));
  const dropped = [...oldIds].filter((id) => !newIds.has(id));
  const retained = props.removalPolicy === 'RETAIN' ? dropped : [];
  if (retained.length > 0) log('INFO', 'removal policy RETAIN: removed accounts stay members', { accountIds: retained });
  const candidates = props.removalPolicy === 'DESTROY' ? dropped : [];
  // a role given (or changed) now: accept in every member, after inviting each member without an open invitation
  const acceptAll = props.acceptRoleName !== undefined && props.acceptRoleName !== oldProps.acceptRoleName;
  let wanted = acceptAll ? props.members : added;
  if (wanted.length === 0 && candidates.length === 0) {
    const accepted = props.acceptRoleName !== undefined ? await readAccepted(clients, props, ctx) : undefined;
    return response(physicalId, props, { ...NOTHING, retained }, accepted);
  }
  const isRollback = rollbackCheck(clients, ctx);
  const rollback = wanted.length > 0 && (await isRollback());
  if (!(await adminHubEnabled(clients, ctx))) {
    if (wanted.length === 0) {
      log('INFO', 'Security Hub is not enabled: there are no members to remove', { physicalId });
      return response(physicalId, props, { ...NOTHING, retained });
    }
    if (rollback) {
      // a rollback must not fail for the reason its update failed
      log('WARN', 'Security Hub is not enabled: the rollback cannot restore members, and succeeds so that the stack does not ' +
        'get stuck. Enable Security Hub and deploy again to invite them.', { physicalId, notRestored: wanted.map((m) => m.accountId) });
      return response(physicalId, props, { ...NOTHING, retained });
    }
    await ensureHubEnabled(clients, ctx);
  }
  ctx.signal?.throwIfAborted();
  const live = await listMembers(clients);
  if (rollback) {
    // the inviter-side rollback rule (lambda/shared/stack.ts): a rollback restores only the members the failed update
    // deleted (gone from the list); a member that exists in any state is not invited again, and no role is assumed
    const ended = wanted.filter((m) => live.has(m.accountId) && !NO_NEW_INVITATION_STATES.has(live.get(m.accountId)?.MemberStatus ?? ''));
    if (ended.length > 0) {
      notRestoredInRollback({ accountIds: ended.map((m) => m.accountId), status: ended.map((m) => live.get(m.accountId)?.MemberStatus) },
        'The next deployment invites them again.');
    }
    if (props.acceptRoleName !== undefined) await acceptanceSkippedInRollback(isRollback, { accountIds: wanted.map((m) => m.accountId) });
    wanted = wanted.filter((m) => !live.has(m.accountId));
  }
  const applied = wanted.length > 0 ? await applyMembers(clients, wanted, live, 'Updating the Security Hub members', ctx.signal) : NOTHING_APPLIED;
  const organization = new Set(applied.organizationManaged);
  const acceptTargets = rollback ? [] : wanted.map((m) => m.accountId).filter((id) => !organization.has(id));
  const accepted = await acceptStep(clients, props, acceptTargets, applied.created, ctx);
  ctx.signal?.throwIfAborted();
  const toRemove = await removable(clients, physicalId, props, candidates, live, ctx);
  const removed = await removeOrFail(clients, toRemove, 'Updating the Security Hub members');
  log('INFO', 'difference', { added: added.length, invited: applied.invited.length, removed: removed.length, retained: retained.length });
  return response(physicalId, props, { ...applied, removed, retained }, countAccepted(props, accepted, live));
}

/**
 * Delete: disassociate and delete the members this resource invited, except those another resource of the stack
 * still lists. Adopted members, members associated through AWS Organizations, unknown accounts and a hub that is off
 * (no members at all) mean nothing to remove. With RETAIN, CloudFormation does not call the handler; should it happen
 * anyway, nothing is removed.
 */
export async function deleteMembers(
  clients: SecurityHubInviterClients,
  physicalId: string,
  props: SecurityHubInviterProps,
  ctx: RequestContext,
): Promise<void> {
  if (props.removalPolicy === 'RETAIN') {
    log('INFO', 'removal policy RETAIN: members stay', { physicalId, members: props.members.length });
    return;
  }
  if (!(await adminHubEnabled(clients, ctx))) {
    log('INFO', 'Security Hub is not enabled: there are no members to remove', { physicalId });
    return;
  }
  const live = await listMembers(clients);
  const toRemove = await removable(clients, physicalId, props, props.members.map((m) => m.accountId), live, ctx);
  const removed = await removeOrFail(clients, toRemove, 'Deleting the Security Hub members');
  log('INFO', 'members removed', { removed: removed.length, kept: props.members.length - removed.length });
}

export const securityHubInvitationsLifecycle: Lifecycle<SecurityHubInviterProps, SecurityHubInviterClients> = {
  what: 'Security Hub member invitations',
  parse: (raw) => SECURITYHUB_INVITATIONS.parse(raw),
  parseOld: (raw) => SECURITYHUB_INVITATIONS.parseOld(raw),
  sensitive: (raw) => SECURITYHUB_INVITATIONS.sensitive(raw),
  ownsPhysicalId,
  create: (clients, props, ctx) => createMembers(clients, props, ctx),
  update: (clients, physicalId, props, oldProps, ctx) => updateMembers(clients, physicalId, props, oldProps, ctx),
  delete: (clients, physicalId, props, ctx) => deleteMembers(clients, physicalId, props, ctx),
  // members carry no evidence of which unfinished Create invited them (no tags; its start is not recorded in a physical ID)
  abandonedCreate: async (_clients, props) => {
    log('WARN', 'a Create that did not finish may have created and invited members: nothing shows which, so it is kept ' +
      '(every member stays). Remove unwanted ones in the Security Hub console (Settings, Configuration).', { members: props.members.length });
  },
};
