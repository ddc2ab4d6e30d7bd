/**
 * What both Macie handlers (the administrator side, MacieInvitations, and the member side, MacieInvitationAccepter)
 * know about Amazon Macie: their clients, how Macie says it is off, the relationship-state vocabulary, the errors
 * that mean "nothing to disassociate", and the hints for its transient errors.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetMacieSessionCommand, Macie2Client } from '@aws-sdk/client-macie2';
import type { AcceptanceClients } from '../shared/assume-role';
import { clientConfig } from '../shared/clients';
import type { ClientsSpec } from '../shared/entry';
import { FailedWithOptions, Hints, errorMessage, failedWith, isAwsError } from '../shared/errors';
import { log } from '../shared/log';
import { StackClients } from '../shared/stack';

// ---------------------------------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------------------------------

/** The clients of either side on the function's own role. */
export interface MacieClients extends StackClients {
  readonly macie: Macie2Client;
}

/** The clients of a member account, acting there through the acceptance role. */
export interface MemberMacieClients {
  readonly macie: Macie2Client;
}

/**
 * The administrator side's clients: its own, and (with `acceptance`) `assumeRole`, the one clients factory of the
 * member accounts (lambda/shared/assume-role.ts). Without it, nothing can be accepted.
 */
export interface MacieInviterClients extends MacieClients, AcceptanceClients<MemberMacieClients> {}

/**
 * New SDK clients on the function's own role. The SDK's standard retry strategy (shared `clientConfig`) retries
 * ThrottlingException (429) and InternalServerException (500) with backoff; no Macie error that is modeled as a
 * client error is transient, and waiting for an invitation is a separate, bounded poll.
 */
export function createClients(): Required<MacieClients> {
  return { macie: new Macie2Client(clientConfig()), cloudformation: new CloudFormationClient(clientConfig()) };
}

/** Both sides' clients on the function's own role (the administrator side adds its acceptance clients: inviter/acceptance.ts). */
export const MACIE_CLIENTS: ClientsSpec<Required<MacieClients>, {}> = {
  own: createClients,
  stack: (own) => own.cloudformation,
};

// ---------------------------------------------------------------------------------------------------------------
// Macie's answers
// ---------------------------------------------------------------------------------------------------------------

/** Relationship states of an accepted invitation: a working association (the email no longer matters). */
export const ACCEPTED_STATES: ReadonlySet<string> = new Set(['Enabled', 'Paused']);
/** Relationship states that need no new invitation (open or accepted). */
export const NO_NEW_INVITATION_STATES: ReadonlySet<string> = new Set(['Invited', ...ACCEPTED_STATES]);
/** Relationship states of an existing association with an administrator, possibly impaired. */
export const ASSOCIATED_STATES: ReadonlySet<string> = new Set([...ACCEPTED_STATES, 'RegionDisabled', 'AccountSuspended']);
/** Invitation states that are still being sent (administrator side): not acceptable yet, not ended either. */
export const BEING_SENT_STATES: ReadonlySet<string> = new Set(['Created', 'EmailVerificationInProgress']);

/** Macie answers AccessDeniedException "Macie is not enabled" (or ResourceNotFoundException) when it is off. */
export function isMacieNotEnabled(error: unknown): boolean {
  if (isAwsError(error, 'AccessDeniedException', 'ResourceNotFoundException')) {
    return /\bnot\s+(been\s+)?enabled\b|\bisn't\s+enabled\b/i.test(errorMessage(error));
  }
  return false;
}

/** The text of a DisassociateMember or DisassociateFromAdministratorAccount error that says nothing is associated. */
const NOT_ASSOCIATED_TEXT = /\bnot\b.*\b(associated|a member)\b|\bisn't\b.*\b(associated|a member)\b|\balready disassociated\b|\bno\b.*\badministrator\b/i;

/** A Disassociate* error that means there is nothing (left) to disassociate: already clean. */
export function isNotAssociated(error: unknown): boolean {
  return isAwsError(error, 'ResourceNotFoundException') ||
    (isAwsError(error, 'ValidationException', 'ConflictException') && NOT_ASSOCIATED_TEXT.test(errorMessage(error)));
}

/** What to do after Macie's transient errors, once the SDK's retries gave up (both sides). */
export const MACIE_TRANSIENT_HINTS: Hints = {
  ThrottlingException: 'Macie throttled the calls beyond the retries: deploy again later.',
  InternalServerException: 'A Macie service error that persisted through the retries: deploy again later.',
};

// the words every service uses for where it acts (lambda/shared/stack.ts)
export { whereActing } from '../shared/stack';

/**
 * True when Macie is enabled (or paused) in the account and Region `where`; false when it is off. Other errors (a
 * role without permission, an SCP) throw a user-facing error with the side's hints.
 */
export async function macieEnabled(clients: Pick<MacieClients, 'macie'>, where: string, hints: FailedWithOptions): Promise<boolean> {
  try {
    const session = await clients.macie.send(new GetMacieSessionCommand({}));
    if (session.status === 'PAUSED') log('INFO', 'Macie is paused in this account and Region: invitations still work', {});
    return true;
  } catch (error) {
    if (isMacieNotEnabled(error) || isAwsError(error, 'ResourceNotFoundException')) return false;
    throw failedWith(`Reading the Macie session of ${where} (macie2:GetMacieSession)`, error, hints);
  }
}
