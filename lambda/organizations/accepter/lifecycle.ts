/**
 * OrgInvitationAccepter: the invited account accepts the AWS Organizations invitation (INVITE handshake) of the
 * expected organization, waiting (bounded) for it to arrive (`../accept.ts`). Never leaves an organization, never
 * declines. The steps: Create accepts; an Update that expects the same reports the membership; Delete does nothing.
 */
import type { ClientsSpec } from '../../shared/entry';
import { log } from '../../shared/log';
import { HANDSHAKE_ID, ORGANIZATION_ID } from '../../shared/props';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { stackLocation } from '../../shared/stack';
import { WHAT, acceptOrganizationInvitation, acceptance } from '../accept';
import {
  ACCEPTED,
  ALREADY_MEMBER,
  ALREADY_MEMBER_ID,
  InvitedAccountClients,
  ORG_ACCEPTER,
  OrgAccepterData,
  OrgAccepterProps,
  OrgAcceptanceState,
  OrgExpectation,
  currentOrganization,
  invitedAccountClients,
  isExpected,
  organizationParty,
} from '../service';

/** The accepter's clients: all in the invited account, on the function's own role. */
export const CLIENTS: ClientsSpec<InvitedAccountClients, {}> = { own: () => invitedAccountClients() };

export function sameExpectation(a: OrgExpectation, b: OrgExpectation): boolean {
  return a.managementAccountId === b.managementAccountId && a.organizationId === b.organizationId && a.handshakeId === b.handshakeId;
}

/** True for the physical IDs this lifecycle answers with: a handshake ID, or `already-member:<organization ID>`. */
export function ownsPhysicalId(physicalId: string): boolean {
  return HANDSHAKE_ID.test(physicalId) || ALREADY_MEMBER_ID.parse(physicalId, ORGANIZATION_ID) !== undefined;
}

/**
 * An update that expects the same organization (and handshake) accepts nothing: it reports the membership as it is.
 * It never fails on what it finds (its rollback would expect the same and fail the same way): an account that left,
 * or joined another organization, is reported with a warning.
 */
export async function reportMembership(clients: InvitedAccountClients, physicalId: string, expected: OrgExpectation): Promise<OrgAccepterData> {
  const organization = await currentOrganization(clients.organizations);
  const state: OrgAcceptanceState = physicalId.startsWith(ALREADY_MEMBER_ID.prefix) ? ALREADY_MEMBER : ACCEPTED;
  if (organization?.Id && isExpected(expected, organizationParty(organization))) {
    log('INFO', 'membership unchanged: nothing to accept', { handshakeId: physicalId, organizationId: organization.Id });
    return acceptance(physicalId, organization.Id, state);
  }
  if (organization?.Id) {
    log('WARN', 'this account is now in another organization than expected; nothing was changed', {
      organizationId: organization.Id, managementAccountId: organization.MasterAccountId,
    });
    return acceptance(physicalId, organization.Id, 'OTHER_ORGANIZATION');
  }
  const organizationId = expected.organizationId ?? ALREADY_MEMBER_ID.parse(physicalId, ORGANIZATION_ID) ?? 'none';
  log('WARN', 'this account is no longer in an organization; nothing was accepted (the invitation was used): to join ' +
    'again, have the organization send a new invitation and change the accepter (for example its handshakeId)', { handshakeId: physicalId });
  return acceptance(physicalId, organizationId, 'NOT_A_MEMBER');
}

export function toResponse(result: OrgAccepterData): HandlerResponse {
  return { PhysicalResourceId: result.handshakeId, Data: ORG_ACCEPTER.data(result) };
}

async function create(clients: InvitedAccountClients, props: OrgAccepterProps, ctx: RequestContext): Promise<HandlerResponse> {
  const account = stackLocation(ctx.stackId).account;
  return toResponse(await acceptOrganizationInvitation(clients, props, {
    invitee: account ? `account ${account}` : 'invited account',
    wait: { timeoutMs: props.waitTimeoutMs, signal: ctx.signal },
  }));
}

export const orgInvitationAccepterLifecycle: Lifecycle<OrgAccepterProps, InvitedAccountClients> = {
  what: WHAT,
  parse: ORG_ACCEPTER.parse,
  ownsPhysicalId,
  create,
  update: async (clients, physicalId, props, oldProps, ctx) => {
    if (!sameExpectation(props, oldProps) || !ownsPhysicalId(physicalId)) {
      log('INFO', 'the expected organization changed: accepting as on create', { oldPhysicalId: physicalId });
      return create(clients, props, ctx);
    }
    return toResponse(await reportMembership(clients, physicalId, props));
  },
  delete: async (_clients, physicalId) => {
    log('INFO', 'delete: the account stays in its organization (leaving an organization is never automatic)', { physicalId });
  },
};
