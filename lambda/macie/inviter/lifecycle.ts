/**
 * MacieInvitations: makes accounts members of the stack account's Amazon Macie (the administrator side) and invites
 * them (./members.ts), then, with `acceptance`, accepts in each member account through a role there
 * (./acceptance.ts) and reports how many members are accepted. Update applies the difference between the old and the
 * new list; Delete disassociates and deletes the members (unless the removal policy is RETAIN); the Delete of a Create
 * that did not finish removes only what it can show it made (./ownership.ts). Members managed through AWS
 * Organizations are never touched.
 */
import { Member } from '@aws-sdk/client-macie2';
import { acceptInMembers } from './acceptance';
import {
  ApplyResult,
  NOTHING_APPLIED,
  adminMacieEnabled,
  applyMembers,
  ensureMacieEnabled,
  formatFailures,
  hintsFor,
  isOrganizationManaged,
  listMembers,
  planMember,
  removeAccounts,
} from './members';
import { MACIE_TARGETS, ownerTags, ownsPhysicalId, physicalResourceId, removeAbandonedMembers } from './ownership';
import { MACIE_INVITATIONS, MacieInviterProps } from '../../../src/private/contract/macie';
import type { AcceptedIn } from '../../shared/acceptance';
import { InvitationError, errorName } from '../../shared/errors';
import { log } from '../../shared/log';
import { sameEmail } from '../../shared/props';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { RollbackCheck, acceptanceSkippedInRollback, notRestoredInRollback, rollbackCheck, targetsKeptByStack } from '../../shared/stack';
import type { MacieAcceptance } from '../accept';
import { ASSOCIATED_STATES, MacieInviterClients } from '../service';

// the bench (bench/macie-load.ts) reads the handler's limit of calls in flight from this module
export { CONCURRENCY } from './members';

/** What happened to the accounts of one request. */
interface Outcome extends ApplyResult {
  readonly removed: readonly string[];
  readonly retained: readonly string[];
}

/** How a member whose invitation a rollback left ended gets invited again (`notRestoredInRollback`). */
const MACIE_INVITE_AGAIN = 'To invite it again, deploy once without the account and once with it, or invite it in the ' +
  'Macie console (Settings, Accounts).';

const NOTHING: Outcome = { ...NOTHING_APPLIED, removed: [], retained: [] };

/** With `acceptance`: how many members are accepted (the association stands), and of those how many are Enabled. */
interface AcceptedTally {
  readonly accepted: number;
  readonly enabled: number;
}

const NONE_ACCEPTED: AcceptedTally = { accepted: 0, enabled: 0 };

function response(physicalId: string, props: MacieInviterProps, outcome: Outcome, accepted = NONE_ACCEPTED): HandlerResponse {
  return {
    PhysicalResourceId: physicalId,
    Data: MACIE_INVITATIONS.data({
      memberCount: props.members.length,
      createdCount: outcome.created.length,
      invitedCount: outcome.invited.length,
      adoptedCount: outcome.adopted.length,
      recreatedCount: outcome.recreated.length,
      organizationManagedCount: outcome.organizationManaged.length,
      removedCount: outcome.removed.length,
      retainedCount: outcome.retained.length,
      // with acceptance, always (a construct may read them): every Create and Update answers them
      ...(props.acceptRoleName !== undefined ? { acceptedCount: accepted.accepted, enabledCount: accepted.enabled } : {}),
    }),
  };
}

/**
 * The accepted members of the properties: as this request's acceptance step found them (accepted or adopted), the
 * others as the members read at the start of the request show them. Members managed through AWS Organizations are
 * not invited, so not counted.
 */
function countAccepted(
  props: MacieInviterProps,
  results: readonly AcceptedIn<MacieAcceptance>[],
  live: ReadonlyMap<string, Member>,
  organization: ReadonlySet<string>,
): AcceptedTally {
  const byAccount = new Map(results.map((r) => [r.accountId, r.attributes.relationshipStatus]));
  let accepted = 0;
  let enabled = 0;
  for (const { accountId } of props.members) {
    if (organization.has(accountId) || isOrganizationManaged(live.get(accountId))) continue;
    const status = byAccount.get(accountId) ?? live.get(accountId)?.relationshipStatus;
    if (!byAccount.has(accountId) && !ASSOCIATED_STATES.has(status ?? '')) continue;
    accepted++;
    if (status === 'Enabled') enabled++;
  }
  return { accepted, enabled };
}

/** The accepted members as Macie shows them now, for an update that does nothing else; never fails the update. */
async function readAccepted(clients: MacieInviterClients, props: MacieInviterProps, ctx: RequestContext): Promise<AcceptedTally> {
  try {
    if (!(await adminMacieEnabled(clients, ctx))) return NONE_ACCEPTED;
    return countAccepted(props, [], await listMembers(clients), new Set());
  } catch (error) {
    ctx.signal?.throwIfAborted();
    log('WARN', 'could not read the members: the accepted and enabled counts report 0 this time', { error: errorName(error) });
    return NONE_ACCEPTED;
  }
}

/**
 * The acceptance step, with `acceptance`: accepts in `accountIds`; on failure undoes and removes `created`, then throws.
 * A rollback assumes no role (the inviter-side rollback rule): it accepts nothing.
 */
async function acceptStep(
  clients: MacieInviterClients,
  props: MacieInviterProps,
  accountIds: readonly string[],
  created: readonly string[],
  ctx: RequestContext,
  rollback: RollbackCheck = async () => false,
): Promise<readonly AcceptedIn<MacieAcceptance>[]> {
  if (props.acceptRoleName === undefined || accountIds.length === 0) return [];
  if (await acceptanceSkippedInRollback(rollback, { accountIds })) return [];
  ctx.signal?.throwIfAborted();
  return acceptInMembers(clients, props.acceptRoleName, accountIds, created, ctx);
}

/** Create: check Macie, read its members once, create and invite what is missing, then accept (with `acceptance`). */
export async function createMembers(clients: MacieInviterClients, props: MacieInviterProps, ctx: RequestContext): Promise<HandlerResponse> {
  await ensureMacieEnabled(clients, ctx);
  ctx.signal?.throwIfAborted();
  const live = await listMembers(clients);
  const applied = await applyMembers(clients, props, props.members, live, 'Creating the Macie members', ownerTags(ctx), ctx.signal);
  const organization = new Set(applied.organizationManaged);
  const accepted = await acceptStep(clients, props, props.members.map((m) => m.accountId).filter((id) => !organization.has(id)),
    applied.created, ctx);
  log('INFO', 'members ready', {
    created: applied.created.length,
    invited: applied.invited.length,
    adopted: applied.adopted.length,
    recreated: applied.recreated.length,
    organizationManaged: applied.organizationManaged.length,
  });
  return response(physicalResourceId(ctx), props, { ...NOTHING, ...applied }, countAccepted(props, accepted, live, organization));
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
 *
 * A rollback (the inviter-side rollback rule, `rollbackCheck`) assumes no role and sends no invitation to a member
 * whose relationship ended (Removed, Resigned, ...): that ended outside the stack, and inviting it again could fail for
 * the reason the update failed. A member the update itself deleted is created and invited again: that restores what
 * the update removed.
 */
export async function updateMembers(
  clients: MacieInviterClients,
  physicalId: string,
  props: MacieInviterProps,
  oldProps: MacieInviterProps,
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
  // a role given (or changed) now: accept in every member, after inviting each member without an open invitation as
  // Create does (one that resigned or was removed meanwhile has nothing to accept); otherwise accept only in the
  // members this update invites
  const acceptAll = props.acceptRoleName !== undefined && props.acceptRoleName !== oldProps.acceptRoleName;
  const asked = acceptAll ? props.members : [...added, ...emailChanged];
  const rollback = rollbackCheck(clients, ctx);
  let wanted = asked;
  if (wanted.length === 0 && candidates.length === 0) {
    log('INFO', 'difference', { added: 0, emailChanged: 0, removed: 0, retained: retained.length });
    return response(physicalId, props, { ...NOTHING, retained },
      props.acceptRoleName !== undefined ? await readAccepted(clients, props, ctx) : undefined);
  }

  if (!(await adminMacieEnabled(clients, ctx))) {
    if (wanted.length === 0) {
      log('INFO', 'Macie is not enabled: there are no members to remove', { physicalId, removed: candidates.length });
      return response(physicalId, props, { ...NOTHING, retained });
    }
    if (await rollback()) {
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
  const ended = asked.filter((m) => planMember(m, live.get(m.accountId)) === 'invite');
  if (ended.length > 0 && await rollback()) {
    notRestoredInRollback({ accountIds: ended.map((m) => m.accountId), status: ended.map((m) => live.get(m.accountId)?.relationshipStatus) },
      MACIE_INVITE_AGAIN);
    wanted = asked.filter((m) => !ended.includes(m));
  }
  const applied = wanted.length > 0
    ? await applyMembers(clients, props, wanted, live, 'Updating the Macie members', ownerTags(ctx), ctx.signal)
    : NOTHING_APPLIED;
  const organization = new Set(applied.organizationManaged);
  const acceptTargets = wanted.map((m) => m.accountId)
    .filter((id) => !organization.has(id) && !isOrganizationManaged(live.get(id)));
  const accepted = await acceptStep(clients, props, acceptTargets, applied.created, ctx, rollback);
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
  }, countAccepted(props, accepted, live, organization));
}

/**
 * Delete: disassociate and delete the members of the properties, except those that a resource of the stack still
 * lists (a renamed construct, an account moved to another MacieInvitations). Unknown members, members managed through
 * AWS Organizations and a Macie that is not enabled (no members at all) mean already clean. With RETAIN,
 * CloudFormation does not call the handler; should it happen anyway, nothing is removed.
 */
export async function deleteMembers(
  clients: MacieInviterClients,
  physicalId: string,
  props: MacieInviterProps,
  ctx: RequestContext,
): Promise<void> {
  if (props.removalPolicy === 'RETAIN') {
    log('INFO', 'removal policy RETAIN: members stay', { physicalId, members: props.members.length });
    return;
  }
  if (!(await adminMacieEnabled(clients, ctx))) {
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

export const macieInvitationsLifecycle: Lifecycle<MacieInviterProps, MacieInviterClients> = {
  what: 'Macie member invitations',
  parse: (raw) => MACIE_INVITATIONS.parse(raw),
  parseOld: (raw) => MACIE_INVITATIONS.parseOld(raw),
  sensitive: (raw) => MACIE_INVITATIONS.sensitive(raw),
  ownsPhysicalId,
  create: (clients, props, ctx) => createMembers(clients, props, ctx),
  update: (clients, physicalId, props, oldProps, ctx) => updateMembers(clients, physicalId, props, oldProps, ctx),
  delete: (clients, physicalId, props, ctx) => deleteMembers(clients, physicalId, props, ctx),
  abandonedCreate: (clients, props, ctx, since) => removeAbandonedMembers(clients, props, ctx, since),
};
