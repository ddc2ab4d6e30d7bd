/**
 * The member side of a Macie invitation, in one place for both handlers: check that Macie is enabled there, adopt an
 * existing association with the expected administrator, otherwise find the administrator's invitation
 * (ListInvitations, paged to the end) and accept it, waiting within a budget while it has not arrived (the shared
 * accept flow, lambda/shared/accept.ts); and leave the administrator again.
 *
 * Used by MacieInvitationAccepter's spec (./accepter/lifecycle.ts, in its stack's own account) and by
 * MacieInvitations' acceptance adapter (./inviter/acceptance.ts, in each member account through a role there). The
 * clients are injected, so each caller says where it acts.
 */
import {
  AcceptInvitationCommand,
  DisassociateFromAdministratorAccountCommand,
  GetAdministratorAccountCommand,
  Invitation,
  ListInvitationsCommand,
} from '@aws-sdk/client-macie2';
import {
  ACCEPTED_STATES,
  ASSOCIATED_STATES,
  BEING_SENT_STATES,
  MACIE_TRANSIENT_HINTS,
  MemberMacieClients,
  isMacieNotEnabled,
  isNotAssociated,
  macieEnabled,
  whereActing,
} from './service';
import { AcceptOutcome, AcceptSpec, Sighting, acceptOrAdopt } from '../shared/accept';
import { Hints, InvitationError, errorName, failedWith, isAwsError } from '../shared/errors';
import { log } from '../shared/log';
import type { RequestContext } from '../shared/runtime';
import { stackLocation } from '../shared/stack';

/** What an acceptance (or an adopted association) reports. Never empty strings: an output of an empty value fails the deploy. */
export interface MacieAcceptance {
  readonly invitationId: string;
  readonly relationshipStatus: string;
}

/** ListInvitations' largest page. */
export const LIST_PAGE_SIZE = 25;

/** invitationId of an association that no invitation made (AWS Organizations), or that is unknown. */
export const NO_INVITATION_ID = 'NONE';

/**
 * Where the member side acts. The accepter's own handler acts in its stack's account; an inviter accepting through a
 * role (`acceptance`) acts in each member account, in the inviting stack's Region, and names it here.
 */
export type MemberContext = Pick<RequestContext, 'stackId'> & {
  /** The member account acted in, when it is not the stack's own (acceptance through a role). */
  readonly accountId?: string;
  readonly signal?: AbortSignal;
};

const where = (ctx: MemberContext) => whereActing(ctx.stackId, ctx.accountId);

/** What to do, per Macie error name, for the member-side calls (`failedWith`). */
export const MACIE_ACCEPTER_HINTS: Hints = {
  AccessDeniedException:
    'The calling role (the accepter\'s handler role, or the role assumed in the member account) needs this action: ' +
    'check service control policies and permission boundaries, and that role\'s policy; then deploy again.',
  ...MACIE_TRANSIENT_HINTS,
};

/** What to do when AcceptInvitation itself fails (searched before `MACIE_ACCEPTER_HINTS`). */
function acceptHints(administratorAccountId: string): Hints {
  const withdrawn = `The invitation may have been withdrawn or replaced meanwhile: ask the administrator ${administratorAccountId} ` +
    'to send a new one (deploy its MacieInvitations again), then deploy again.';
  return {
    ValidationException: withdrawn,
    ResourceNotFoundException: withdrawn,
    ConflictException: 'This account may have joined another Macie administrator meanwhile: check Macie (Settings, Accounts) in this account.',
  };
}

/** A failed member-side call, as users read it: what failed, the AWS error, and what to do. */
function callFailed(doing: string, error: unknown, ...extra: Hints[]): InvitationError {
  return failedWith(doing, error, { hints: [...extra, MACIE_ACCEPTER_HINTS] });
}

/** True when Macie is enabled (or paused) in the member account and region; false when it is not; other errors throw. */
export function memberMacieEnabled(clients: MemberMacieClients, ctx: MemberContext): Promise<boolean> {
  return macieEnabled(clients, where(ctx), { hints: MACIE_ACCEPTER_HINTS });
}

/**
 * Fails before anything changes when Macie is off in the member account and region, saying how to turn it on: in this
 * stack (the accepter's), or in the member account named (an inviter accepting there through a role).
 */
export async function ensureMemberMacieEnabled(clients: MemberMacieClients, ctx: MemberContext): Promise<void> {
  if (await memberMacieEnabled(clients, ctx)) return;
  if (ctx.accountId !== undefined) {
    throw new InvitationError(
      `Amazon Macie is not enabled in ${where(ctx)}, so that account cannot accept the Macie invitation. Nothing was ` +
        'changed there. Enable Macie in that account and Region (an aws_macie.CfnSession in a stack of that account, or ' +
        'the Macie console), then deploy again.',
    );
  }
  throw new InvitationError(
    `Amazon Macie is not enabled in ${where(ctx)}, so this account cannot accept a Macie invitation. Nothing was ` +
      'changed. Enable Macie first: add an aws_macie.CfnSession to this stack and make the accepter depend on it ' +
      '(accepter.node.addDependency(session)), or enable Macie in the console; then deploy again.',
  );
}

/** The account's current administrator (any relationship state), or undefined when it has none. */
export async function currentAdministrator(clients: MemberMacieClients, ctx: MemberContext): Promise<Invitation | undefined> {
  try {
    const { administrator } = await clients.macie.send(new GetAdministratorAccountCommand({}));
    return administrator?.accountId ? administrator : undefined;
  } catch (error) {
    // no administrator at all is answered with an empty body; some Regions answer ResourceNotFoundException
    if (isAwsError(error, 'ResourceNotFoundException') && !isMacieNotEnabled(error)) return undefined;
    throw callFailed(`Reading the Macie administrator of ${where(ctx)} (macie2:GetAdministratorAccount)`, error);
  }
}

/**
 * The administrator the account is associated with now (Enabled, Paused, RegionDisabled, AccountSuspended), or
 * undefined when it has none: no administrator, only an ended relationship (Resigned, Removed, ...), or Macie off.
 */
export async function currentAssociation(clients: MemberMacieClients, ctx: MemberContext): Promise<Invitation | undefined> {
  let current: Invitation | undefined;
  try {
    current = await currentAdministrator(clients, ctx);
  } catch (error) {
    // Macie off in the account: it has no administrator at all
    if (isMacieNotEnabled((error as { cause?: unknown }).cause)) return undefined;
    throw error;
  }
  return current && ASSOCIATED_STATES.has(current.relationshipStatus ?? 'Enabled') ? current : undefined;
}

/** Every invitation this account received, paging until nextToken is empty. */
export async function listInvitations(clients: MemberMacieClients, ctx: MemberContext): Promise<Invitation[]> {
  const invitations: Invitation[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await clients.macie.send(new ListInvitationsCommand({ maxResults: LIST_PAGE_SIZE, nextToken }));
      invitations.push(...(page.invitations ?? []));
      nextToken = page.nextToken || undefined;
    } while (nextToken);
  } catch (error) {
    throw callFailed(`Listing the Macie invitations of ${where(ctx)} (macie2:ListInvitations)`, error);
  }
  return invitations;
}

/** The attributes of an existing association. */
export function attributesOf(association: Invitation): MacieAcceptance {
  return {
    invitationId: association.invitationId || NO_INVITATION_ID,
    relationshipStatus: association.relationshipStatus || 'Enabled',
  };
}

/**
 * What the invitations from the expected administrator say, in the invitee's view. The invitee's view of ended
 * invitations is not documented (the API reference only says the list holds invitations "received and not responded
 * to"), so the safe reading: only `Invited` (or no status at all) with a non-empty invitationId is accepted; states of
 * an invitation still being sent (`Created`, `EmailVerificationInProgress`) and `Enabled`/`Paused` (an association
 * that GetAdministratorAccount does not show yet) are "not yet"; anything else (Removed, Resigned,
 * EmailVerificationFailed, RegionDisabled, AccountSuspended, or a pending one without an ID) counts as ended.
 */
export function classifyInvitations(
  invitations: readonly Invitation[],
  administratorAccountId: string,
): { readonly pending?: Invitation & { invitationId: string }; readonly ended?: { id: string; state: string } } {
  const ours = invitations
    .filter((i) => i.accountId === administratorAccountId)
    // newest first: a re-sent invitation supersedes an older one
    .sort((a, b) => (b.invitedAt?.getTime() ?? 0) - (a.invitedAt?.getTime() ?? 0));
  const pending = ours.find((i) => (i.relationshipStatus === undefined || i.relationshipStatus === 'Invited') && !!i.invitationId);
  if (pending) return { pending: pending as Invitation & { invitationId: string } };
  const ended = ours.find((i) => !BEING_SENT_STATES.has(i.relationshipStatus ?? '') && !ACCEPTED_STATES.has(i.relationshipStatus ?? ''));
  if (ended) {
    const state = ended.invitationId ? (ended.relationshipStatus ?? 'unknown') : `${ended.relationshipStatus ?? 'Invited'} without an invitation ID`;
    return { ended: { id: ended.invitationId || NO_INVITATION_ID, state } };
  }
  return {};
}

/**
 * The association with `administratorAccountId` on `invitationId`, read after AcceptInvitation failed: its answer may
 * have been lost after it took effect (then the SDK's retry gets ValidationException, or the retries time out). Only
 * an association on this very invitation counts (one on another invitation was not accepted here). Undefined when
 * there is none, or when it cannot be read (the failure stands).
 */
async function acceptedAnyway(
  clients: MemberMacieClients,
  administratorAccountId: string,
  invitationId: string,
  ctx: MemberContext,
): Promise<MacieAcceptance | undefined> {
  if (ctx.signal?.aborted) return undefined;
  try {
    const now = await currentAdministrator(clients, ctx);
    const associated = now?.accountId === administratorAccountId && ASSOCIATED_STATES.has(now.relationshipStatus ?? '') &&
      now.invitationId === invitationId;
    return associated ? { invitationId, relationshipStatus: now.relationshipStatus! } : undefined;
  } catch (error) {
    log('WARN', 'could not re-read the administrator after AcceptInvitation failed', { error: errorName(error) });
    return undefined;
  }
}

/**
 * AcceptInvitation with both IDs, then the association as Macie reports it (the re-read never fails the accept). When
 * AcceptInvitation fails, the membership is read again: associated on this invitation, it was accepted (the answer
 * was lost), and the accept succeeds.
 */
export async function acceptInvitation(
  clients: MemberMacieClients,
  administratorAccountId: string,
  invitationId: string,
  ctx: MemberContext,
): Promise<MacieAcceptance> {
  if (!invitationId) throw new InvitationError('Internal error: refusing to accept a Macie invitation without an invitation ID. Please report this.');
  try {
    await clients.macie.send(new AcceptInvitationCommand({ administratorAccountId, invitationId }));
  } catch (error) {
    const accepted = await acceptedAnyway(clients, administratorAccountId, invitationId, ctx);
    if (accepted) {
      log('WARN', 'AcceptInvitation failed, but the account is associated on this invitation: its answer was lost after it took ' +
        'effect, so it counts as accepted', { administratorAccountId, invitationId, error: errorName(error) });
      return accepted;
    }
    throw callFailed(`Accepting the Macie invitation ${invitationId} from administrator ${administratorAccountId} in ${where(ctx)}`,
      error, acceptHints(administratorAccountId));
  }
  log('INFO', 'accepted the Macie invitation', { administratorAccountId, invitationId });
  try {
    const now = await currentAdministrator(clients, ctx);
    if (now?.accountId === administratorAccountId && now.relationshipStatus) {
      return { invitationId, relationshipStatus: now.relationshipStatus };
    }
  } catch (error) {
    // accepted: a failed re-read must not fail the Create (its Delete would not undo the acceptance)
    log('WARN', 'could not re-read the administrator after accepting', { error: errorName(error) });
  }
  return { invitationId, relationshipStatus: 'Enabled' };
}

/** One look: the current association first, then the invitations. */
export async function lookForInvitation(
  clients: MemberMacieClients,
  administratorAccountId: string,
  ctx: MemberContext,
): Promise<Sighting<MacieAcceptance>> {
  const current = await currentAdministrator(clients, ctx);
  if (current && ASSOCIATED_STATES.has(current.relationshipStatus ?? 'Enabled')) {
    if (current.accountId === administratorAccountId) {
      if (!ACCEPTED_STATES.has(current.relationshipStatus ?? 'Enabled')) {
        log('WARN', 'associated with the administrator, but the relationship is impaired', { status: current.relationshipStatus });
      }
      return { kind: 'accepted', attributes: attributesOf(current) };
    }
    return {
      kind: 'other-inviter',
      inviter: `Macie administrator ${current.accountId}`,
      detail: `is associated with Macie administrator ${current.accountId} (relationship ${current.relationshipStatus ?? 'Enabled'})`,
    };
  }
  const { pending, ended } = classifyInvitations(await listInvitations(clients, ctx), administratorAccountId);
  if (pending) {
    return { kind: 'pending', id: pending.invitationId, accept: () => acceptInvitation(clients, administratorAccountId, pending.invitationId, ctx) };
  }
  if (ended) return { kind: 'ended', id: ended.id, state: ended.state };
  return { kind: 'none' };
}

/** The words of the accept flow for the member side: what is accepted, from whom, by which account, what to do. */
export function macieAcceptWords(administratorAccountId: string, ctx: MemberContext): Omit<AcceptSpec<MacieAcceptance>, 'look' | 'wait'> {
  const invitee = ctx.accountId ?? stackLocation(ctx.stackId).account;
  return {
    what: 'Macie membership invitation',
    inviter: `Macie administrator ${administratorAccountId}`,
    invitee: invitee ? `account ${invitee}` : 'this account',
    otherInviterHint: ctx.accountId === undefined
      ? 'An account has one Macie administrator per Region: disassociate from that administrator first (Macie console: ' +
        'Settings, Accounts; or macie2:DisassociateFromAdministratorAccount), or have it remove this account; then deploy again.'
      // said to the inviting stack, about a member account
      : 'An account has one Macie administrator per Region: disassociate that account from its administrator first (its ' +
        'Macie console: Settings, Accounts), or have that administrator remove it, or remove it from members; then deploy again.',
  };
}

/** How an acceptance waits, and what its failures say (an inviter accepting through a role words them for its stack). */
export type MacieAcceptWait = Pick<AcceptSpec<MacieAcceptance>, 'wait' | 'notArrivedHint' | 'endedHint'>;

/**
 * Checks Macie, then adopts the association with the administrator or accepts its invitation, waiting for it within
 * `wait` (the accepter's waitTimeout, or the shared acceptance budget). Tells whether this request accepted or adopted.
 */
export async function acceptMacieInvitation(
  clients: MemberMacieClients,
  administratorAccountId: string,
  ctx: MemberContext,
  wait: MacieAcceptWait,
): Promise<AcceptOutcome<MacieAcceptance>> {
  await ensureMemberMacieEnabled(clients, ctx);
  return acceptOrAdopt({
    ...macieAcceptWords(administratorAccountId, ctx),
    ...wait,
    look: () => lookForInvitation(clients, administratorAccountId, ctx),
  });
}

/**
 * DisassociateFromAdministratorAccount: the member leaves its administrator (the accepter's Delete, the undo of an
 * inviter's acceptance). `not-associated` when there was nothing to leave (already left, Macie off); other errors
 * are thrown as they are, for the caller to word.
 */
export async function leaveAdministrator(clients: MemberMacieClients): Promise<'left' | 'not-associated'> {
  try {
    await clients.macie.send(new DisassociateFromAdministratorAccountCommand({}));
    return 'left';
  } catch (error) {
    if (isMacieNotEnabled(error) || isNotAssociated(error)) {
      log('INFO', 'already disassociated', { error: errorName(error) });
      return 'not-associated';
    }
    throw error;
  }
}
