/**
 * OrgInvitation's one-stack acceptance (`acceptance: Acceptance.assumeRole(...)`): after inviting, accept in the
 * invited account through a role there, with the shared mechanism (`acceptThroughRole`, lambda/shared/acceptance.ts:
 * the role assumed first, one wait, the clients released, one failure sentence with the outcome first) and the accept
 * flow of the accepter (`../accept.ts`). Organizations' part: an acceptance is never undone (this library never
 * leaves an organization on anyone's behalf); after a failure, the invitation is canceled only if this request sent it.
 */
import { InvitingClients, deleteInvitation } from './invite';
import { RoleAcceptanceAdapter, acceptThroughRole, acceptanceClientsOf } from '../../shared/acceptance';
import type { AcceptanceClients } from '../../shared/assume-role';
import { log } from '../../shared/log';
import type { RequestContext } from '../../shared/runtime';
import { stackLocation } from '../../shared/stack';
import { WHAT, acceptOrganizationInvitation } from '../accept';
import { ACCEPT_HINTS } from '../accept-hints';
import {
  ACCEPTED,
  InvitedAccountClients,
  OrgAccepterData,
  OrgInvitationData,
  OrgInvitationProps,
  invitedAccountClients,
  isPending,
} from '../service';

/** The inviter's clients with acceptance: the management account's, and `assumeRole` into the invited account. */
export type AcceptingClients = InvitingClients & AcceptanceClients<InvitedAccountClients>;

/** The `perRequest` wiring of the inviter's clients: `assumeRole`, making Organizations clients in the invited account. */
export const ACCEPTING_CLIENTS = acceptanceClientsOf<InvitedAccountClients>({ clientsFrom: invitedAccountClients });

/** Accepting the invitation `handshakeId` of this stack's management account, in the invited account, as `roleName`. */
export function orgAcceptance(
  roleName: string,
  expected: { readonly managementAccountId?: string; readonly handshakeId: string },
): RoleAcceptanceAdapter<InvitedAccountClients, OrgAccepterData> {
  return {
    what: WHAT,
    clientsFrom: invitedAccountClients,
    undoByHand: 'leaving an organization is never automatic; remove the account in the AWS Organizations console if it should not be a member',
    hints: ACCEPT_HINTS,
    accept: (clients, accountId, budget) => acceptOrganizationInvitation(clients, expected, {
      invitee: `account ${accountId}`,
      principal: `role ${roleName} in account ${accountId}`,
      notArrivedHint: budget.notArrivedHint,
      wait: budget,
    }),
    // no undo: an account that joined stays in the organization
  };
}

/**
 * After inviting: accept the open handshake in the invited account through the role, and report it ACCEPTED. An
 * account that already belongs to the organization, or an accepted handshake, needs nothing. If accepting fails, the
 * invitation is canceled when `sentNow` (this request sent it); one it adopted, or the resource's own from before,
 * stays open. The failure says that first.
 */
export async function acceptInInvitedAccount(
  clients: AcceptingClients,
  props: OrgInvitationProps,
  invited: OrgInvitationData,
  ctx: RequestContext,
  sentNow: boolean,
): Promise<OrgInvitationData> {
  const roleName = props.acceptRoleName;
  if (!roleName || !isPending(invited.handshakeState)) return invited;
  const { handshakeId } = invited;
  const managementAccountId = stackLocation(ctx.stackId).account;
  const [accepted] = await acceptThroughRole(orgAcceptance(roleName, { managementAccountId, handshakeId }), {
    clients,
    roleName,
    accountIds: [props.targetId],
    ctx,
    compensate: async () => {
      if (!sentNow) return `invitation ${handshakeId} stays open: accept it in account ${props.targetId}, or fix the role and deploy again`;
      log('WARN', 'accepting failed: canceling the invitation this request sent', { handshakeId, accountId: props.targetId });
      try {
        await deleteInvitation(clients, handshakeId);
        return `the invitation ${handshakeId} this deployment sent was canceled`;
      } catch (error) {
        log('ERROR', 'canceling the invitation failed: it stays open', { handshakeId, error: (error as Error).name });
        return `the invitation ${handshakeId} this deployment sent could not be canceled: cancel it in the AWS Organizations console`;
      }
    },
  });
  log('INFO', 'accepted in the invited account through the role', { handshakeId, accountId: props.targetId, outcome: accepted?.outcome });
  return { ...invited, handshakeState: ACCEPTED };
}
