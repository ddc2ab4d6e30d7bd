/**
 * The invitation itself, in the management account: invite (InviteAccountToOrganization), adopt an open invitation
 * instead of duplicating it, invite again once it ended, cancel it while it is still open. Never removes an account.
 */
import {
  CancelHandshakeCommand,
  DescribeAccountCommand,
  Handshake,
  HandshakeResource,
  InviteAccountToOrganizationCommand,
  OrganizationsClient,
  paginateListAccounts,
  paginateListHandshakesForOrganization,
} from '@aws-sdk/client-organizations';
import { InvitationError, errorReason, failedWith, isAwsError } from '../../shared/errors';
import { log, maskEmail } from '../../shared/log';
import { HANDSHAKE_ID, sameEmail } from '../../shared/props';
import { RollbackCheck, madeSince, notRestoredInRollback, surelyMadeSince } from '../../shared/stack';
import { ORG_HINTS } from '../invite-hints';
import {
  ACCEPTED,
  ALREADY_MEMBER,
  ALREADY_MEMBER_ID,
  ENDED_WITHOUT_ACCEPTANCE,
  OrgInvitationData,
  OrgInvitationProps,
  describeHandshake,
  handshakeRequest,
  isPending,
} from '../service';

/** The management account's clients that the invitation needs. */
export interface InvitingClients {
  readonly organizations: OrganizationsClient;
}

/**
 * The physical ID of a rollback that could not find the old target's invitation (see `restoreInvitation`): no
 * invitation stands behind it, so an update invites again and a Delete has nothing to cancel.
 */
export const NOT_INVITED_ID = 'not-invited';

/** How the target is named in messages and logs: account IDs as they are, emails masked. */
export function describeTarget(props: Pick<OrgInvitationProps, 'targetId' | 'targetType'>): string {
  return props.targetType === 'EMAIL' ? `email ${maskEmail(props.targetId)}` : `account ${props.targetId}`;
}

function sameTarget(a: OrgInvitationProps, b: OrgInvitationProps): boolean {
  return a.targetType === b.targetType && (a.targetType === 'EMAIL' ? sameEmail(a.targetId, b.targetId) : a.targetId === b.targetId);
}

function resourcesMatch(resources: HandshakeResource[] | undefined, props: OrgInvitationProps): boolean {
  return (resources ?? []).some((r) =>
    (r.Type === 'ACCOUNT' && props.targetType === 'ACCOUNT' && r.Value === props.targetId) ||
    (r.Type === 'EMAIL' && props.targetType === 'EMAIL' && r.Value !== undefined && sameEmail(r.Value, props.targetId)) ||
    resourcesMatch(r.Resources, props));
}

/**
 * True when the handshake invites the target. Parties may show the resolved email even for an invitation by account
 * ID; the account ID then appears in the nested Resources, so both are looked at.
 */
export function handshakeTargets(handshake: Handshake, props: OrgInvitationProps): boolean {
  const partyMatch = (handshake.Parties ?? []).some((p) =>
    p.Type !== 'ORGANIZATION' && p.Id !== undefined &&
    (props.targetType === 'EMAIL' ? sameEmail(p.Id, props.targetId) : p.Id === props.targetId));
  return partyMatch || resourcesMatch(handshake.Resources, props);
}

/** The newest INVITE handshake to the target in any state (ended ones stay listed 30 days), paging to the end. */
async function newestInvitation(clients: InvitingClients, props: OrgInvitationProps): Promise<Handshake | undefined> {
  let newest: Handshake | undefined;
  const pages = paginateListHandshakesForOrganization({ client: clients.organizations }, { Filter: { ActionType: 'INVITE' } });
  for await (const page of pages) {
    for (const h of page.Handshakes ?? []) {
      if (h.Action !== 'INVITE' || !handshakeTargets(h, props)) continue;
      if (!newest || (h.RequestedTimestamp?.getTime() ?? 0) > (newest.RequestedTimestamp?.getTime() ?? 0)) newest = h;
    }
  }
  return newest;
}

/** The open (REQUESTED/OPEN) INVITE handshake to the target, paging until NextToken is empty. */
export async function findOpenInvitation(clients: InvitingClients, props: OrgInvitationProps): Promise<Handshake | undefined> {
  const pages = paginateListHandshakesForOrganization(
    { client: clients.organizations },
    { Filter: { ActionType: 'INVITE' } },
  );
  for await (const page of pages) {
    const match = (page.Handshakes ?? []).find((h) => h.Action === 'INVITE' && isPending(h.State) && handshakeTargets(h, props));
    if (match) return match;
  }
  return undefined;
}

/** The account ID of the target if it is a member of this organization, else undefined. */
async function memberAccountId(clients: InvitingClients, props: OrgInvitationProps): Promise<string | undefined> {
  if (props.targetType === 'ACCOUNT') {
    try {
      const { Account } = await clients.organizations.send(new DescribeAccountCommand({ AccountId: props.targetId }));
      return Account?.Id;
    } catch (error) {
      if (isAwsError(error, 'AccountNotFoundException')) return undefined;
      throw error;
    }
  }
  for await (const page of paginateListAccounts({ client: clients.organizations }, {})) {
    const account = (page.Accounts ?? []).find((a) => a.Email !== undefined && sameEmail(a.Email, props.targetId));
    if (account) return account.Id;
  }
  return undefined;
}

function invitation(handshake: Handshake, adopted: boolean): OrgInvitationData {
  if (!handshake.Id) throw new InvitationError('Organizations returned a handshake without an ID. Please report this.');
  return { handshakeId: handshake.Id, handshakeArn: handshake.Arn ?? '', handshakeState: handshake.State ?? 'OPEN', adopted };
}

function alreadyMember(accountId: string): OrgInvitationData {
  return { handshakeId: ALREADY_MEMBER_ID.of(accountId), handshakeArn: '', handshakeState: ALREADY_MEMBER, adopted: false };
}

function adopt(open: Handshake): OrgInvitationData {
  log('INFO', 'adopted the open invitation', { handshakeId: open.Id, state: open.State });
  return invitation(open, true);
}

async function adoptOrFail(clients: InvitingClients, props: OrgInvitationProps, cause: unknown): Promise<OrgInvitationData> {
  const open = await findOpenInvitation(clients, props);
  if (open) return adopt(open);
  throw failedWith(`Inviting ${describeTarget(props)}`, cause, {
    fallback: 'Organizations says an invitation to this target is already open, but none was found among the ' +
      'organization\'s open INVITE handshakes. Cancel the invitation in the AWS Organizations console, then deploy again.',
  });
}

async function alreadyInAnOrganization(clients: InvitingClients, props: OrgInvitationProps, cause: unknown): Promise<OrgInvitationData> {
  const accountId = await memberAccountId(clients, props);
  if (accountId) {
    log('INFO', 'the target is already a member of this organization: nothing sent', { accountId });
    return alreadyMember(accountId);
  }
  throw failedWith(`Inviting ${describeTarget(props)}`, cause, { hints: ORG_HINTS });
}

/** Create: adopt an open invitation to the same target, or invite. */
export async function createInvitation(clients: InvitingClients, props: OrgInvitationProps): Promise<OrgInvitationData> {
  const open = await findOpenInvitation(clients, props);
  if (open) return adopt(open);
  const tags = Object.entries(props.tags).map(([Key, Value]) => ({ Key, Value }));
  try {
    const { Handshake: handshake } = await clients.organizations.send(new InviteAccountToOrganizationCommand({
      Target: { Id: props.targetId, Type: props.targetType },
      Notes: props.notes,
      Tags: tags.length > 0 ? tags : undefined,
    }));
    log('INFO', 'invited', { handshakeId: handshake?.Id, state: handshake?.State });
    return invitation(handshake ?? {}, false);
  } catch (error) {
    if (isAwsError(error, 'DuplicateHandshakeException')) return adoptOrFail(clients, props, error);
    if (isAwsError(error, 'HandshakeConstraintViolationException') && errorReason(error) === 'ALREADY_IN_AN_ORGANIZATION') {
      return alreadyInAnOrganization(clients, props, error);
    }
    throw failedWith(`Inviting ${describeTarget(props)}`, error, { hints: ORG_HINTS });
  }
}

/**
 * Update: a new target is a new invitation (new physical ID: CloudFormation then deletes the old one). Otherwise
 * nothing is sent while the invitation is open or accepted; once it ended without acceptance, invite again. Where it
 * would invite, a rollback restores instead (`restoreInvitation`): a rollback never sends an invitation.
 */
export async function updateInvitation(
  clients: InvitingClients,
  physicalId: string,
  props: OrgInvitationProps,
  oldProps: OrgInvitationProps,
  isRollback: RollbackCheck = async () => false,
): Promise<OrgInvitationData> {
  if (!sameTarget(props, oldProps)) {
    if (await isRollback()) return restoreInvitation(clients, physicalId, props, undefined);
    log('INFO', 'target changed: inviting the new target', { oldPhysicalId: physicalId });
    return createInvitation(clients, props);
  }
  if (physicalId.startsWith(ALREADY_MEMBER_ID.prefix)) {
    return alreadyMember(physicalId.slice(ALREADY_MEMBER_ID.prefix.length));
  }
  const handshake = HANDSHAKE_ID.test(physicalId) ? await describeHandshake(clients.organizations, physicalId) : undefined;
  if (handshake && !ENDED_WITHOUT_ACCEPTANCE.has(handshake.State ?? '')) {
    log('INFO', 'invitation unchanged', { handshakeId: physicalId, state: handshake.State });
    return invitation(handshake, false);
  }
  if (await isRollback()) return restoreInvitation(clients, physicalId, props, handshake ?? null);
  log('INFO', 'the invitation ended without acceptance: inviting again', { handshakeId: physicalId, state: handshake?.State });
  return createInvitation(clients, props);
}

/**
 * A rollback's answer where a forward update would invite: what the old properties name, found without sending
 * anything (a rollback must not fail for the reason its update failed, and must not make what the update could not).
 * - The same target (`current` given, the physical ID's handshake, `null` when Organizations no longer knows it): the
 *   physical ID stays, and its handshake is reported as it is.
 * - The target of a replaced resource (`current` undefined): its open invitation, its membership, else its newest
 *   invitation (ended ones stay listed 30 days), else `NOT_INVITED_ID`.
 * What is not open or accepted any more stays so: the log says the next deployment invites again.
 */
async function restoreInvitation(
  clients: InvitingClients,
  physicalId: string,
  props: OrgInvitationProps,
  current: Handshake | null | undefined,
): Promise<OrgInvitationData> {
  const notRestored = (found: Record<string, unknown>) => notRestoredInRollback(found, 'The next deployment invites again.');
  if (current !== undefined) {
    notRestored({ handshakeId: physicalId, state: current?.State ?? 'NOT_FOUND' });
    return current ? invitation(current, false) : { handshakeId: physicalId, handshakeArn: '', handshakeState: 'NOT_FOUND', adopted: false };
  }
  const open = await findOpenInvitation(clients, props);
  if (open) return adopt(open);
  const accountId = await memberAccountId(clients, props);
  if (accountId) return alreadyMember(accountId);
  const newest = await newestInvitation(clients, props);
  notRestored({ oldPhysicalId: physicalId, handshakeId: newest?.Id ?? NOT_INVITED_ID, state: newest?.State ?? 'NOT_FOUND' });
  return newest ? invitation(newest, false) : { handshakeId: NOT_INVITED_ID, handshakeArn: '', handshakeState: 'NOT_FOUND', adopted: false };
}

/**
 * Delete: cancel the handshake while it is open. An accepted invitation is left alone (the account stays in the
 * organization); ended, unknown and non-handshake IDs succeed.
 */
export async function deleteInvitation(clients: InvitingClients, physicalId: string): Promise<void> {
  if (!HANDSHAKE_ID.test(physicalId)) {
    log('INFO', 'not a handshake ID: nothing to cancel', { physicalId });
    return;
  }
  const handshake = await describeHandshake(clients.organizations, physicalId);
  if (!handshake || !isPending(handshake.State)) {
    if (handshake?.State === ACCEPTED) {
      log('WARN', 'the invitation was accepted: the account stays in the organization', { handshakeId: physicalId });
    } else {
      log('INFO', 'nothing to cancel', { handshakeId: physicalId, state: handshake?.State ?? 'NOT_FOUND' });
    }
    return;
  }
  try {
    await clients.organizations.send(new CancelHandshakeCommand(handshakeRequest(physicalId)));
    log('INFO', 'canceled the invitation', { handshakeId: physicalId });
  } catch (error) {
    if (isAwsError(error, 'HandshakeNotFoundException', 'HandshakeAlreadyInStateException')) {
      log('INFO', 'nothing to cancel', { handshakeId: physicalId, error: (error as Error).name });
      return;
    }
    if (isAwsError(error, 'InvalidHandshakeTransitionException')) {
      // accepted or declined meanwhile
      const now = await describeHandshake(clients.organizations, physicalId);
      log(now?.State === ACCEPTED ? 'WARN' : 'INFO', 'the invitation changed state before it could be canceled', {
        handshakeId: physicalId,
        state: now?.State ?? 'NOT_FOUND',
      });
      return;
    }
    throw error;
  }
}

/**
 * After a Create that did not finish normally: cancel the open invitation to the target only if it was surely
 * requested after the Create started (`since`, with the clock-skew slack on the safe side: `surelyMadeSince`). An
 * invitation that was open before (another stack's, or one this Create adopted), one that may be (requested within
 * seconds of the start), and any invitation when the start is unknown are kept: a leaked invitation is cheap.
 */
export async function cancelAbandonedInvitation(clients: InvitingClients, props: OrgInvitationProps, since: Date | undefined): Promise<void> {
  if (since === undefined) {
    log('WARN', 'the start of the unfinished Create is unknown: an open invitation to the target, if any, is kept ' +
      '(it may be another stack\'s). Cancel it in the Organizations console if it is not wanted.', {});
    return;
  }
  const open = await findOpenInvitation(clients, props);
  if (!open?.Id) {
    log('INFO', 'no open invitation to the target: nothing to cancel', {});
    return;
  }
  if (!surelyMadeSince(open.RequestedTimestamp, since)) {
    const fields = {
      handshakeId: open.Id,
      requested: open.RequestedTimestamp?.toISOString?.() ?? String(open.RequestedTimestamp),
      since: since.toISOString(),
    };
    if (!madeSince(open.RequestedTimestamp, since)) {
      log('INFO', 'the open invitation to the target was requested before the unfinished Create started: it is kept', fields);
    } else {
      log('WARN', 'the open invitation to the target was requested within seconds of the unfinished Create\'s start, so it ' +
        'may be older (clock skew): it is kept. Cancel it in the Organizations console if it is not wanted.', fields);
    }
    return;
  }
  await deleteInvitation(clients, open.Id);
}
