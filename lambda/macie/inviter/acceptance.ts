/**
 * The acceptance step of MacieInvitations (`acceptance: Acceptance.assumeRole(...)`): the one mechanism of every
 * inviter (`acceptThroughRole`, lambda/shared/acceptance.ts: every role assumed first, one wait, bounded concurrency,
 * the undo of what this request accepted, one failure sentence) with Macie's part of it: the member side's own accept
 * (lambda/macie/accept.ts) and its undo, leaving the administrator again. The inviter's own undo removes the members
 * this request created.
 */
import { Macie2Client } from '@aws-sdk/client-macie2';
import { removeCreated } from './members';
import { AcceptedIn, RoleAcceptanceAdapter, acceptThroughRole, acceptanceClientsOf } from '../../shared/acceptance';
import { clientConfig } from '../../shared/clients';
import type { ClientsSpec } from '../../shared/entry';
import { InvitationError } from '../../shared/errors';
import type { RequestContext } from '../../shared/runtime';
import { stackLocation } from '../../shared/stack';
import type { WaitOptions } from '../../shared/wait';
import { MACIE_ACCEPTER_HINTS, MacieAcceptance, acceptMacieInvitation, leaveAdministrator } from '../accept';
import { MACIE_CLIENTS, MacieClients, MacieInviterClients, MemberMacieClients } from '../service';

/** What to do when only an ended invitation shows in the member account: this deployment re-invited it just before. */
const ENDED_THROUGH_ROLE = 'This deployment invites every member without an open invitation before accepting, and the new ' +
  'invitation had not reached the account yet (it usually does within seconds); deploy again.';

/** The member accounts' clients, on the credentials of the role assumed there (made per request, released after use). */
const memberClients: Pick<RoleAcceptanceAdapter<MemberMacieClients, MacieAcceptance>, 'clientsFrom'> = {
  clientsFrom: (credentials) => ({ macie: new Macie2Client({ ...clientConfig(), credentials }) }),
};

/**
 * The administrator side's clients: the service's own and, per request, the clients factory `assumeRole` of the
 * member accounts. Here, not in the service module: only this handler bundles the assume-role code.
 */
export const INVITER_CLIENTS: ClientsSpec<Required<MacieClients>, Pick<MacieInviterClients, 'assumeRole'>> = {
  ...MACIE_CLIENTS,
  perRequest: acceptanceClientsOf(memberClients),
};

/** Macie's part of accepting through a role, for the administrator account of `ctx`'s stack. */
export function macieRoleAcceptance(ctx: Pick<RequestContext, 'stackId'>): RoleAcceptanceAdapter<MemberMacieClients, MacieAcceptance> {
  const administratorAccountId = stackLocation(ctx.stackId).account;
  if (!administratorAccountId) throw new InvitationError(`Internal error: no account in the stack ID ${ctx.stackId}. Please report this.`);
  return {
    ...memberClients,
    what: 'Macie invitation',
    undoByHand: `remove the member in the Macie console of administrator ${administratorAccountId} (Settings, Accounts)`,
    hints: MACIE_ACCEPTER_HINTS,
    accept: (clients, accountId, budget) => {
      const { notArrivedHint, ...wait } = budget;
      return acceptMacieInvitation(clients, administratorAccountId, { stackId: ctx.stackId, accountId, signal: budget.signal }, {
        wait, notArrivedHint, endedHint: ENDED_THROUGH_ROLE,
      });
    },
    undo: async (clients) => {
      await leaveAdministrator(clients);
    },
  };
}

/**
 * Accepts the invitation in each of `accountIds` through role `roleName` there. On any failure, what this request
 * accepted is undone and the members it created (`created`) are removed again, then one failure is thrown. `timing`
 * overrides the wait's clock (tests).
 */
export function acceptInMembers(
  clients: MacieInviterClients,
  roleName: string,
  accountIds: readonly string[],
  created: readonly string[],
  ctx: Pick<RequestContext, 'stackId' | 'signal' | 'deadline'>,
  timing?: Partial<Pick<WaitOptions, 'now' | 'sleep' | 'firstDelayMs' | 'maxDelayMs'>>,
): Promise<AcceptedIn<MacieAcceptance>[]> {
  return acceptThroughRole(macieRoleAcceptance(ctx), {
    clients,
    roleName,
    accountIds,
    ctx,
    timing,
    compensate: async () => {
      if (created.length === 0) return undefined;
      const removal = await removeCreated(clients, created);
      return removal.leftover ? `${removal.outcome}; ${removal.leftover}` : removal.outcome;
    },
  });
}
