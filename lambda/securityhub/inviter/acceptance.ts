/**
 * The acceptance step of SecurityHubInvitations (`acceptance: Acceptance.assumeRole(...)`): the one mechanism of every
 * inviter (`acceptThroughRole`, lambda/shared/acceptance.ts) with Security Hub's part of it: the member side's own
 * accept (lambda/securityhub/accept.ts) and its undo, leaving the administrator again. The inviter's own undo removes
 * the members this request created.
 */
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { removeCreated } from './members';
import { AcceptedIn, RoleAcceptanceAdapter, acceptThroughRole, acceptanceClientsOf } from '../../shared/acceptance';
import { clientConfig } from '../../shared/clients';
import type { ClientsSpec } from '../../shared/entry';
import { InvitationError } from '../../shared/errors';
import type { RequestContext } from '../../shared/runtime';
import { stackLocation } from '../../shared/stack';
import type { WaitOptions } from '../../shared/wait';
import { SECURITYHUB_ACCEPTER_HINTS, SecurityHubAcceptance, acceptSecurityHubInvitation, leaveAdministrator } from '../accept';
import { MemberSecurityHubClients, SECURITYHUB_CLIENTS, SecurityHubClients, SecurityHubInviterClients } from '../service';

/** What to do when only an ended invitation shows in the member account: this deployment invited it just before. */
const ENDED_THROUGH_ROLE = 'This deployment invites every member without an open invitation before accepting, and the new ' +
  'invitation had not reached the account yet (it usually does within seconds); deploy again.';

/** The member accounts' clients, on the credentials of the role assumed there. */
const memberClients: Pick<RoleAcceptanceAdapter<MemberSecurityHubClients, SecurityHubAcceptance>, 'clientsFrom'> = {
  clientsFrom: (credentials) => ({ securityhub: new SecurityHubClient({ ...clientConfig(), credentials }) }),
};

/** The administrator side's clients: the service's own and, per request, the member accounts' factory `assumeRole`. */
export const INVITER_CLIENTS: ClientsSpec<Required<SecurityHubClients>, Pick<SecurityHubInviterClients, 'assumeRole'>> = {
  ...SECURITYHUB_CLIENTS,
  perRequest: acceptanceClientsOf(memberClients),
};

/** Security Hub's part of accepting through a role, for the administrator account of `ctx`'s stack. */
export function securityHubRoleAcceptance(ctx: Pick<RequestContext, 'stackId'>): RoleAcceptanceAdapter<MemberSecurityHubClients, SecurityHubAcceptance> {
  const administratorAccountId = stackLocation(ctx.stackId).account;
  if (!administratorAccountId) throw new InvitationError(`Internal error: no account in the stack ID ${ctx.stackId}. Please report this.`);
  return {
    ...memberClients,
    what: 'Security Hub invitation',
    undoByHand: `disassociate the member in the Security Hub console of administrator ${administratorAccountId} (Settings, Configuration)`,
    hints: SECURITYHUB_ACCEPTER_HINTS,
    accept: (clients, accountId, budget) => {
      const { notArrivedHint, ...wait } = budget;
      return acceptSecurityHubInvitation(clients, administratorAccountId, { stackId: ctx.stackId, accountId, signal: budget.signal }, {
        wait, notArrivedHint, endedHint: ENDED_THROUGH_ROLE,
      });
    },
    // only accounts this request accepted are undone: their administrator is this one
    undo: async (clients) => {
      await leaveAdministrator(clients);
    },
  };
}

/** Accepts in each of `accountIds` through role `roleName`; on any failure undoes, removes `created`, then throws. */
export function acceptInMembers(
  clients: SecurityHubInviterClients,
  roleName: string,
  accountIds: readonly string[],
  created: readonly string[],
  ctx: Pick<RequestContext, 'stackId' | 'signal' | 'deadline'>,
  timing?: Partial<Pick<WaitOptions, 'now' | 'sleep' | 'firstDelayMs' | 'maxDelayMs'>>,
): Promise<AcceptedIn<SecurityHubAcceptance>[]> {
  return acceptThroughRole(securityHubRoleAcceptance(ctx), {
    clients,
    roleName,
    accountIds,
    ctx,
    timing,
    compensate: async () => (created.length === 0 ? undefined : removeCreated(clients, created)),
  });
}
