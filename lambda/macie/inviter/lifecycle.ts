/**
 * MacieInvitations: makes accounts members of the stack account's Amazon Macie (the administrator side) and invites
 * them (./members.ts), then, with `acceptance`, accepts in each member account through a role there
 * (./acceptance.ts). Update applies the difference between the old and the new list; Delete disassociates and deletes
 * the members (unless the removal policy is RETAIN); the Delete of a Create that did not finish removes only what it
 * can show it made (./ownership.ts). Members managed through AWS Organizations are never touched.
 */
import { AcceptanceOutcome, acceptOrCompensate } from './acceptance';
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
  removeAccounts,
} from './members';
import { MACIE_TARGETS, ownerTags, ownsPhysicalId, physicalResourceId, removeAbandonedMembers } from './ownership';
import { MACIE_INVITATIONS, MacieInviterProps } from '../../../src/private/contract/macie';
import { InvitationError } from '../../shared/errors';
import { log } from '../../shared/log';
import { sameEmail } from '../../shared/props';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { isRollback, targetsKeptByStack } from '../../shared/stack';
import { MacieInviterClients } from '../service';

// the bench (bench/macie-load.ts) reads the handler's limit of calls in flight from this module
export { CONCURRENCY } from './members';

/** What happened to the accounts of one request. */
interface Outcome extends ApplyResult {
  readonly removed: readonly string[];
  readonly retained: readonly string[];
}

const NOTHING: Outcome = { ...NOTHING_APPLIED, removed: [], retained: [] };

function response(physicalId: string, props: MacieInviterProps, outcome: Outcome, acceptance?: AcceptanceOutcome): HandlerResponse {
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
      acceptedCount: acceptance?.accepted.length,
      enabledCount: acceptance?.enabled.length,
    }),
  };
}

/** Create: check Macie, read its members once, create and invite what is missing, then accept (with `acceptance`). */
export async function createMembers(clients: MacieInviterClients, props: MacieInviterProps, ctx: RequestContext): Promise<HandlerResponse> {
  await ensureMacieEnabled(clients, ctx);
  ctx.signal?.throwIfAborted();
  const live = await listMembers(clients);
  const applied = await applyMembers(clients, props, props.members, live, 'Creating the Macie members', ownerTags(ctx), ctx.signal);
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
  const wanted = [...added, ...emailChanged];
  // a role given (or changed) now: accept in every member; otherwise only in the members this update invites
  const acceptAll = props.acceptRoleName !== undefined && props.acceptRoleName !== oldProps.acceptRoleName;
  if (wanted.length === 0 && candidates.length === 0 && !acceptAll) {
    log('INFO', 'difference', { added: 0, emailChanged: 0, removed: 0, retained: retained.length });
    return response(physicalId, props, { ...NOTHING, retained });
  }

  if (!(await adminMacieEnabled(clients, ctx))) {
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
    ? await applyMembers(clients, props, wanted, live, 'Updating the Macie members', ownerTags(ctx), ctx.signal)
    : NOTHING_APPLIED;
  const organization = new Set(applied.organizationManaged);
  const acceptTargets = (acceptAll ? props.members : wanted).map((m) => m.accountId)
    .filter((id) => !organization.has(id) && !isOrganizationManaged(live.get(id)));
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
  ownsPhysicalId,
  create: (clients, props, ctx) => createMembers(clients, props, ctx),
  update: (clients, physicalId, props, oldProps, ctx) => updateMembers(clients, physicalId, props, oldProps, ctx),
  delete: (clients, physicalId, props, ctx) => deleteMembers(clients, physicalId, props, ctx),
  abandonedCreate: (clients, props, ctx, since) => removeAbandonedMembers(clients, props, ctx, since),
};
