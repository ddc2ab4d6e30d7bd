/**
 * The member side of a Security Hub invitation, in one place for both handlers: check that the hub is enabled there
 * (DescribeHub; an account without a hub can neither list nor accept invitations), adopt an existing association with
 * the expected administrator (GetAdministratorAccount), otherwise find that administrator's invitation
 * (ListInvitations, paged to the end) and accept it (AcceptAdministratorInvitation), waiting within a budget while it
 * has not arrived (the shared accept flow, lambda/shared/accept.ts); and leave the administrator again
 * (DisassociateFromAdministratorAccount). Invitations from other accounts are never accepted; DeclineInvitations is
 * never called (declining marks the account Resigned).
 *
 * Used by the accepter's spec (./accepter/lifecycle.ts, in its stack's own account) and by the inviter's acceptance
 * adapter (./inviter/acceptance.ts, in each member account through a role there).
 */
import {
  AcceptAdministratorInvitationCommand,
  DisassociateFromAdministratorAccountCommand,
  GetAdministratorAccountCommand,
  Invitation,
  paginateListInvitations,
} from '@aws-sdk/client-securityhub';
import {
  ASSOCIATED_STATES,
  INVITED_STATES,
  ENABLE_HUB,
  MemberSecurityHubClients,
  SECURITYHUB_TRANSIENT_HINTS,
  hubEnabled,
  isHubOff,
  isNoAdministrator,
  whereActing,
} from './service';
import { AcceptOutcome, AcceptSpec, Adopted, Sighting, acceptOrAdopt } from '../shared/accept';
import { Hints, InvitationError, errorName, failedWith } from '../shared/errors';
import { log } from '../shared/log';
import type { RequestContext } from '../shared/runtime';
import { stackLocation } from '../shared/stack';

/** What an acceptance (or an adopted association) reports. Never empty strings. */
export interface SecurityHubAcceptance {
  readonly invitationId: string;
  readonly memberStatus: string;
}

/** ListInvitations' largest page. */
export const LIST_PAGE_SIZE = 50;

/** invitationId of an association that no invitation made (AWS Organizations), or that is unknown. */
export const NO_INVITATION_ID = 'NONE';

/** Where the member side acts: the stack's account, or (`accountId`) a member account acted in through a role. */
export type MemberContext = Pick<RequestContext, 'stackId'> & {
  readonly accountId?: string;
  readonly signal?: AbortSignal;
};

const where = (ctx: MemberContext) => whereActing(ctx.stackId, ctx.accountId);

/** What to do, per Security Hub error name, for the member-side calls. */
export const SECURITYHUB_ACCEPTER_HINTS: Hints = {
  AccessDeniedException:
    'The calling role (the accepter\'s handler role, or the role assumed in the member account) needs this action: ' +
    'check service control policies and permission boundaries, and that role\'s policy; then deploy again.',
  ...SECURITYHUB_TRANSIENT_HINTS,
};

function callFailed(doing: string, error: unknown, ...extra: Hints[]): InvitationError {
  return failedWith(doing, error, { hints: [...extra, SECURITYHUB_ACCEPTER_HINTS] });
}

/** True when the hub is enabled in the member account and Region; false when it is not; other errors throw. */
export function memberHubEnabled(clients: MemberSecurityHubClients, ctx: MemberContext): Promise<boolean> {
  return hubEnabled(clients, where(ctx), { hints: SECURITYHUB_ACCEPTER_HINTS });
}

/**
 * Fails before anything changes when the hub is off in the member account and Region, saying how to turn it on (never
 * turned on here: Security Hub is a paid service).
 */
export async function ensureMemberHubEnabled(clients: MemberSecurityHubClients, ctx: MemberContext): Promise<void> {
  if (await memberHubEnabled(clients, ctx)) return;
  const how = ctx.accountId !== undefined
    ? ENABLE_HUB
    : 'Enable Security Hub first: add an aws_securityhub.CfnHub (AWS::SecurityHub::Hub) to this stack and make the ' +
      'accepter depend on it (acceptIn(stack, { enableSecurityHub: true }) declares both), or enable it in the Security Hub console.';
  throw new InvitationError(
    `AWS Security Hub is not enabled in ${where(ctx)} (InvalidAccessException), so that account cannot accept a Security ` +
      `Hub invitation. Nothing was changed. ${how} Then deploy again.`,
  );
}

/** The account's current administrator association (Enabled, Associated), or undefined (none, or the hub is off). */
export async function currentAdministrator(clients: MemberSecurityHubClients, ctx: MemberContext): Promise<Invitation | undefined> {
  try {
    const { Administrator: administrator } = await clients.securityhub.send(new GetAdministratorAccountCommand({}));
    return administrator?.AccountId && ASSOCIATED_STATES.has(administrator.MemberStatus ?? 'Enabled') ? administrator : undefined;
  } catch (error) {
    if (isNoAdministrator(error) || isHubOff(error)) return undefined;
    throw callFailed(`Reading the Security Hub administrator of ${where(ctx)} (securityhub:GetAdministratorAccount)`, error);
  }
}

/** Every invitation this account received, paged to the end. */
export async function listInvitations(clients: MemberSecurityHubClients, ctx: MemberContext): Promise<Invitation[]> {
  const invitations: Invitation[] = [];
  try {
    for await (const page of paginateListInvitations({ client: clients.securityhub, pageSize: LIST_PAGE_SIZE }, {})) {
      invitations.push(...(page.Invitations ?? []));
    }
  } catch (error) {
    throw callFailed(`Listing the Security Hub invitations of ${where(ctx)} (securityhub:ListInvitations)`, error);
  }
  return invitations;
}

/** The attributes of an existing association. */
export function attributesOf(association: Invitation): SecurityHubAcceptance {
  return { invitationId: association.InvitationId || NO_INVITATION_ID, memberStatus: association.MemberStatus || 'Enabled' };
}

/**
 * AcceptAdministratorInvitation with both IDs, then the association as Security Hub reports it (never fails the
 * accept). When the call fails but the account turns out associated with the administrator on that invitation (the
 * SDK retried an accept whose first answer was lost, or another actor accepted meanwhile), the request cannot tell
 * whether it accepted: `Adopted`, so that Delete keeps it.
 */
export async function acceptInvitation(
  clients: MemberSecurityHubClients,
  administratorAccountId: string,
  invitationId: string,
  ctx: MemberContext,
): Promise<SecurityHubAcceptance | Adopted<SecurityHubAcceptance>> {
  try {
    await clients.securityhub.send(new AcceptAdministratorInvitationCommand({ AdministratorId: administratorAccountId, InvitationId: invitationId }));
  } catch (error) {
    const now = await currentAdministrator(clients, ctx).catch(() => undefined);
    if (now?.AccountId === administratorAccountId && (now.InvitationId ?? invitationId) === invitationId) {
      log('WARN', 'the accept failed, but the account is associated with the administrator on this invitation: adopted', { error: errorName(error) });
      return new Adopted(attributesOf(now));
    }
    throw callFailed(`Accepting the Security Hub invitation ${invitationId} from administrator ${administratorAccountId} in ${where(ctx)}`, error, {
      ResourceNotFoundException: `The invitation may have been withdrawn or replaced meanwhile: ask the administrator ${administratorAccountId} ` +
        'to invite again (deploy its SecurityHubInvitations again), then deploy again.',
      InvalidInputException: 'This account may have another Security Hub administrator now: check Security Hub (Settings, Configuration) in this account.',
    });
  }
  log('INFO', 'accepted the Security Hub invitation', { administratorAccountId, invitationId });
  try {
    const now = await currentAdministrator(clients, ctx);
    if (now?.AccountId === administratorAccountId) return { invitationId, memberStatus: now.MemberStatus || 'Enabled' };
  } catch (error) {
    log('WARN', 'could not re-read the administrator after accepting', { error: errorName(error) });
  }
  return { invitationId, memberStatus: 'Enabled' };
}

/** One look: the current association first, then the invitations (only the expected administrator's count). */
export async function lookForInvitation(
  clients: MemberSecurityHubClients,
  administratorAccountId: string,
  ctx: MemberContext,
): Promise<Sighting<SecurityHubAcceptance>> {
  const current = await currentAdministrator(clients, ctx);
  if (current) {
    if (current.AccountId === administratorAccountId) return { kind: 'accepted', attributes: attributesOf(current) };
    return {
      kind: 'other-inviter',
      inviter: `Security Hub administrator ${current.AccountId}`,
      detail: `is a member of Security Hub administrator ${current.AccountId} (status ${current.MemberStatus ?? 'Enabled'})`,
    };
  }
  const ours = (await listInvitations(clients, ctx))
    .filter((i) => i.AccountId === administratorAccountId && !!i.InvitationId)
    // newest first: a re-sent invitation supersedes an older one
    .sort((a, b) => (b.InvitedAt?.getTime() ?? 0) - (a.InvitedAt?.getTime() ?? 0));
  const pending = ours.find((i) => i.MemberStatus === undefined || INVITED_STATES.has(i.MemberStatus));
  if (pending) {
    const id = pending.InvitationId!;
    return { kind: 'pending', id, accept: () => acceptInvitation(clients, administratorAccountId, id, ctx) };
  }
  if (ours.length > 0) return { kind: 'ended', id: ours[0].InvitationId!, state: ours[0].MemberStatus ?? 'unknown' };
  return { kind: 'none' };
}

/** The words of the accept flow for the member side. */
export function securityHubAcceptWords(administratorAccountId: string, ctx: MemberContext): Omit<AcceptSpec<SecurityHubAcceptance>, 'look' | 'wait'> {
  const invitee = ctx.accountId ?? stackLocation(ctx.stackId).account;
  return {
    what: 'Security Hub membership invitation',
    inviter: `Security Hub administrator ${administratorAccountId}`,
    invitee: invitee ? `account ${invitee}` : 'this account',
    otherInviterHint: 'An account has one Security Hub administrator per Region: disassociate from that administrator first ' +
      '(Security Hub console: Settings, Configuration; or securityhub:DisassociateFromAdministratorAccount), or have it ' +
      'remove this account; then deploy again.',
  };
}

/** How an acceptance waits, and what its failures say. */
export type SecurityHubAcceptWait = Pick<AcceptSpec<SecurityHubAcceptance>, 'wait' | 'notArrivedHint' | 'endedHint'>;

/** Checks the hub, then adopts the association with the administrator or accepts its invitation, waiting within `wait`. */
export async function acceptSecurityHubInvitation(
  clients: MemberSecurityHubClients,
  administratorAccountId: string,
  ctx: MemberContext,
  wait: SecurityHubAcceptWait,
): Promise<AcceptOutcome<SecurityHubAcceptance>> {
  await ensureMemberHubEnabled(clients, ctx);
  return acceptOrAdopt({
    ...securityHubAcceptWords(administratorAccountId, ctx),
    ...wait,
    look: () => lookForInvitation(clients, administratorAccountId, ctx),
  });
}

/**
 * DisassociateFromAdministratorAccount (it takes no parameters: it leaves whichever administrator, so callers check
 * the current one first). `not-associated` when there was nothing to leave; other errors are thrown as they are.
 */
export async function leaveAdministrator(clients: MemberSecurityHubClients): Promise<'left' | 'not-associated'> {
  try {
    await clients.securityhub.send(new DisassociateFromAdministratorAccountCommand({}));
    return 'left';
  } catch (error) {
    if (isHubOff(error) || isNoAdministrator(error)) {
      log('INFO', 'already disassociated', { error: errorName(error) });
      return 'not-associated';
    }
    throw error;
  }
}
