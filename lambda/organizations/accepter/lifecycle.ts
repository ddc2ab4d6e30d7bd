/**
 * OrgInvitationAccepter: the invited account accepts the AWS Organizations invitation (INVITE handshake) of the
 * expected organization, waiting (bounded) for it to arrive. The lifecycle is the one of every accepter
 * (`accepterLifecycle`, lambda/shared/accepter.ts); this module says what Organizations knows (`ORG_ACCEPTER_SPEC`):
 * - the relationship is the membership; its inviter is written `<organization ID>/<management account>` (either part
 *   `unknown` when Organizations did not tell it), its invitation is the accepted handshake (`NONE` for a membership
 *   that was there before);
 * - an update whose expectation the recorded membership still satisfies (the same organization's ID added, the
 *   accepted handshake's ID given, the wait changed) keeps the physical ID and the handshake attribute;
 * - Delete never leaves the organization (leaving is never automatic), whatever this resource accepted;
 * - physical IDs of earlier versions (`h-…`, `already-member:o-…`) name no inviter.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { AccepterSpec, NO_INVITATION, Recorded, accepterLifecycle } from '../../shared/accepter';
import { clientConfig } from '../../shared/clients';
import type { ClientsSpec } from '../../shared/entry';
import { log } from '../../shared/log';
import { HANDSHAKE_ID, ORGANIZATION_ID } from '../../shared/props';
import type { RequestContext } from '../../shared/runtime';
import { StackClients, stackLocation } from '../../shared/stack';
import { WHAT, acceptWords, acceptance, lookOnce } from '../accept';
import {
  ACCEPTED,
  ALREADY_MEMBER,
  ALREADY_MEMBER_ID,
  InvitedAccountClients,
  ORG_ACCEPTER,
  OrgAccepterData,
  OrgAccepterProps,
  OrgExpectation,
  OrgParty,
  currentOrganization,
  isExpected,
  organizationParty,
  organizationsClient,
} from '../service';

/** The accepter's clients, on the function's own role: Organizations, and CloudFormation for the rollback rule. */
export type AccepterClients = InvitedAccountClients & StackClients;

/**
 * Without CloudFormation, an update that expects another organization while the account is still a member of the
 * recorded one could not tell a rollback from a forward change: it would succeed with a warning instead of failing.
 */
export const CLIENTS: ClientsSpec<InvitedAccountClients & Required<StackClients>, {}> = {
  own: () => ({ organizations: organizationsClient(), cloudformation: new CloudFormationClient(clientConfig()) }),
  stack: (own) => own.cloudformation,
};

/** The physical ID's first segment. */
export const PHYSICAL_ID_PREFIX = 'org-invitation-accepter';

/** A part of the inviter that Organizations did not tell. */
const UNKNOWN = 'unknown';

/** `<organization ID>/<management account>`: the inviter segment of the physical ID. */
export function inviterOf(party: OrgParty): string {
  const org = party.organizationId && ORGANIZATION_ID.test(party.organizationId) ? party.organizationId : UNKNOWN;
  return `${org}/${party.managementAccountId ?? UNKNOWN}`;
}

/** The organization an inviter segment names (the parts that are known). */
export function partyOf(inviter: string | undefined): OrgParty {
  const [organizationId, managementAccountId] = (inviter ?? '').split('/');
  return {
    ...(organizationId && organizationId !== UNKNOWN ? { organizationId } : {}),
    ...(managementAccountId && managementAccountId !== UNKNOWN ? { managementAccountId } : {}),
  };
}

/** Both expectations name the same organization and handshake (the wait does not count). */
export function sameExpectation(a: OrgExpectation, b: OrgExpectation): boolean {
  return a.managementAccountId === b.managementAccountId && a.organizationId === b.organizationId && a.handshakeId === b.handshakeId;
}

function inviteeOf(ctx: Pick<RequestContext, 'stackId'>): string {
  const account = stackLocation(ctx.stackId).account;
  return account ? `account ${account}` : 'invited account';
}

/**
 * The membership as it is, accepting nothing: an update that still expects the recorded membership, and the answer of
 * a rollback (`recorded` undefined). It never fails on what it finds (its rollback would read the same way): an
 * account that left, or joined another organization, is reported with a warning. The handshake attribute stays the
 * recorded handshake (`already-member:<organization>` when the membership was there before).
 */
export async function reportMembership(
  clients: InvitedAccountClients,
  expected: OrgExpectation,
  recorded: Pick<Recorded, 'inviter' | 'invitationId'> | undefined,
): Promise<OrgAccepterData> {
  const organization = await currentOrganization(clients.organizations);
  const invitationId = recorded?.invitationId;
  // the organization this resource stands for: recorded, or named by an earlier version's already-member ID
  const standsFor = partyOf(recorded?.inviter).organizationId ??
    (invitationId ? ALREADY_MEMBER_ID.parse(invitationId, ORGANIZATION_ID) : undefined) ?? expected.organizationId;
  const handshakeIdFor = (org: string | undefined) => invitationId ?? (org ? ALREADY_MEMBER_ID.of(org) : NO_INVITATION);
  if (organization?.Id && isExpected(expected, organizationParty(organization))) {
    log('INFO', 'membership unchanged: nothing to accept', { invitationId: invitationId ?? NO_INVITATION, organizationId: organization.Id });
    const state = invitationId && HANDSHAKE_ID.test(invitationId) ? ACCEPTED : ALREADY_MEMBER;
    return acceptance(handshakeIdFor(organization.Id), organization.Id, state, organization.MasterAccountId);
  }
  if (organization?.Id) {
    log('WARN', 'this account is now in another organization than expected; nothing was changed', {
      organizationId: organization.Id, managementAccountId: organization.MasterAccountId,
    });
    return acceptance(handshakeIdFor(standsFor), organization.Id, 'OTHER_ORGANIZATION', organization.MasterAccountId);
  }
  log('WARN', 'this account is no longer in an organization; nothing was accepted (the invitation was used): to join ' +
    'again, have the organization send a new invitation and change the accepter (for example its handshakeId)', {
    invitationId: invitationId ?? NO_INVITATION,
  });
  return acceptance(handshakeIdFor(standsFor), standsFor ?? 'none', 'NOT_A_MEMBER');
}

/** What Organizations knows of the accepter's side, for the one accepter lifecycle. */
export const ORG_ACCEPTER_SPEC: AccepterSpec<OrgAccepterProps, AccepterClients, OrgAccepterData> = {
  what: WHAT,
  prefix: PHYSICAL_ID_PREFIX,
  cannotLeave: 'leaving an organization is never automatic',
  parse: ORG_ACCEPTER.parse,
  words: (props, ctx) => acceptWords(props, { invitee: inviteeOf(ctx) }),
  inviterAccount: (props) => props.managementAccountId,
  look: (clients, props, ctx) => lookOnce(clients, props, { invitee: inviteeOf(ctx) }),
  identify: (props, attributes) => ({
    inviter: inviterOf({
      organizationId: attributes.organizationId,
      managementAccountId: attributes.managementAccountId ?? props.managementAccountId,
    }),
    ...(HANDSHAKE_ID.test(attributes.handshakeId) ? { invitationId: attributes.handshakeId } : {}),
  }),
  // every part the properties give: the organization, its management account, the handshake
  expects: (props, recorded) =>
    isExpected(props, partyOf(recorded.inviter)) && (props.handshakeId === undefined || props.handshakeId === recorded.invitationId),
  sameExpectation,
  current: async (clients) => {
    const organization = await currentOrganization(clients.organizations);
    return organization?.Id ? { inviter: inviterOf(organizationParty(organization)) } : undefined;
  },
  report: (clients, props, recorded) => reportMembership(clients, props, recorded),
  unreadable: (props, recorded) => {
    const party = partyOf(recorded?.inviter);
    return acceptance(recorded?.invitationId ?? NO_INVITATION, party.organizationId ?? props.organizationId ?? UNKNOWN, 'UNKNOWN',
      party.managementAccountId ?? props.managementAccountId);
  },
  data: (_props, attributes) => ORG_ACCEPTER.data(attributes),
  // an earlier version's ID stands in for the invitation: it is what the handshake attribute reported (the handshake, or
  // already-member:<organization>)
  legacy: (physicalId) =>
    HANDSHAKE_ID.test(physicalId) || ALREADY_MEMBER_ID.parse(physicalId, ORGANIZATION_ID) !== undefined ? { invitationId: physicalId } : undefined,
};

export const orgInvitationAccepterLifecycle = accepterLifecycle(ORG_ACCEPTER_SPEC);
