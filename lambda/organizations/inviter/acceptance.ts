/**
 * OrgInvitation's one-stack acceptance (`acceptance: Acceptance.assumeRole(...)`): after inviting, accept in the
 * invited account through a role there, with the accept flow of the accepter (`../accept.ts`). One step, called by
 * the lifecycle after Create and Update.
 */
import { deleteInvitation, InvitingClients } from './invite';
import type { AssumedClients } from '../../shared/assume-role';
import { InvitationError } from '../../shared/errors';
import { log } from '../../shared/log';
import type { RequestContext } from '../../shared/runtime';
import { stackLocation } from '../../shared/stack';
import { acceptOrganizationInvitation } from '../accept';
import { ACCEPTED, InvitedAccountClients, OrgInvitationData, OrgInvitationProps, isPending } from '../service';

/** The clients the acceptance step needs besides the management account's. */
export interface AcceptingClients extends InvitingClients {
  /**
   * The clients of an invited account, through the role `roleName` there: built per request (`assumedClients`).
   * Absent: acceptance is not possible (tests that do not exercise it).
   */
  readonly acceptingAs?: (roleName: string) => AssumedClients<InvitedAccountClients>;
}

/**
 * How long the inviter waits for its own invitation to become visible in the invited account: far below the
 * function's 5 minutes, which must also cover the invite, a cancel after a failure and the answer.
 */
export const ACCEPT_WAIT_MS = 120_000;

/** The wait, shortened by tests and the emulator through CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS. */
function acceptWaitMs(): number {
  const raw = process.env.CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS;
  const value = raw ? Number(raw) : NaN;
  return Number.isFinite(value) && value >= 0 && value <= ACCEPT_WAIT_MS ? value : ACCEPT_WAIT_MS;
}

/**
 * After inviting: accept the open handshake in the invited account through the role, and report it ACCEPTED. An
 * account that already belongs to the organization, or an accepted handshake, needs nothing. If accepting fails and
 * this request sent the invitation, it is canceled before the failure is reported (it made it); an adopted invitation
 * (another stack's, or one a rollback keeps) stays as it was.
 */
export async function acceptThroughRole(
  clients: AcceptingClients,
  props: OrgInvitationProps,
  invited: OrgInvitationData,
  ctx: RequestContext,
  previousPhysicalId?: string,
): Promise<OrgInvitationData> {
  const roleName = props.acceptRoleName;
  if (!roleName || !isPending(invited.handshakeState)) return invited;
  if (!clients.acceptingAs) throw new InvitationError('Internal error: no clients for the invited account. Please report this.');
  const { handshakeId } = invited;
  const managementAccountId = stackLocation(ctx.stackId).account;
  const principal = `role ${roleName} in account ${props.targetId}`;
  // this request sent the handshake (not adopted, not the resource's own from before): only then is it undone
  const sentNow = !invited.adopted && handshakeId !== previousPhysicalId;
  try {
    const accepterClients = await clients.acceptingAs(roleName)(props.targetId);
    const accepted = await acceptOrganizationInvitation(accepterClients, { managementAccountId, handshakeId }, {
      invitee: `account ${props.targetId}`,
      principal,
      notArrivedHint: 'Organizations had not shown the invitation to the invited account yet (it usually does within ' +
        'seconds); deploy again.',
      wait: { timeoutMs: acceptWaitMs(), signal: ctx.signal },
    });
    log('INFO', 'accepted in the invited account through the role', { handshakeId, accountId: props.targetId, state: accepted.handshakeState });
    return { ...invited, handshakeState: ACCEPTED };
  } catch (error) {
    if (ctx.signal?.aborted) throw error; // the runtime answers, and the Delete that follows cleans up (abandonedCreate)
    let outcome = ` Invitation ${handshakeId} stays open: accept it in account ${props.targetId}, or fix the role and deploy again.`;
    if (sentNow) {
      log('WARN', 'accepting failed: canceling the invitation this request sent', { handshakeId, accountId: props.targetId });
      try {
        await deleteInvitation(clients, handshakeId);
        outcome = ` The invitation ${handshakeId} this deployment sent was canceled.`;
      } catch (cancelError) {
        log('ERROR', 'canceling the invitation failed: it stays open', { handshakeId, error: (cancelError as Error).name });
        outcome = ` Canceling the invitation ${handshakeId} failed too: cancel it in the AWS Organizations console.`;
      }
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new InvitationError(`Accepting the invitation through ${principal}: ${message}${outcome}`, { cause: error });
  }
}
