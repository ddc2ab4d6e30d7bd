/**
 * WorkSpacesAccountLinkAccepter: in the target account, accept the Amazon WorkSpaces account link invitation sent by
 * the expected source account, waiting (bounded) while it has not arrived yet; adopt a link that is already LINKED.
 *
 * The lifecycle is the one every accepter shares (lambda/shared/accepter.ts: physical ID, wait bounded by the
 * deadline, rollback rule, what Delete keeps); this module says how WorkSpaces looks (`../accept`) and reports. Delete
 * never unlinks: a LINKED link cannot be undone through the API.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { AccountLink } from '@aws-sdk/client-workspaces';
import { AccountLinkData, LinkAccepterProps, WORKSPACES_ACCEPTER } from '../../../src/private/contract/workspaces';
import { AccepterSpec, NO_INVITATION, Recorded, accepterLifecycle } from '../../shared/accepter';
import { clientConfig } from '../../shared/clients';
import type { ClientsSpec } from '../../shared/entry';
import { InvitationError } from '../../shared/errors';
import type { RequestContext } from '../../shared/runtime';
import { StackClients, stackLocation } from '../../shared/stack';
import { AcceptLinkRequest, acceptWords, acceptedData, getLink, linkFromSource, linkedLink, lookForLink } from '../accept';
import { LINK_NOT_FOUND, LinkClients, isLinkId, workspacesClient } from '../service';

/** The status reported when the link cannot be read (attributes are never empty). */
export const STATUS_UNKNOWN = 'UNKNOWN';

/** The accepter's clients: WorkSpaces, and CloudFormation for the rollback rule. */
export type AccepterClients = LinkClients & StackClients;

/** The accepter's clients, on the function's own role. */
export const ACCEPTER_CLIENTS: ClientsSpec<LinkClients & { readonly cloudformation: CloudFormationClient }, {}> = {
  own: () => ({ workspaces: workspacesClient(), cloudformation: new CloudFormationClient(clientConfig()) }),
  stack: (own) => own.cloudformation,
};

/** This account: the stack's, from its ARN. */
function ownAccount(ctx: Pick<RequestContext, 'stackId'>): string {
  const account = stackLocation(ctx.stackId).account;
  if (account === undefined) {
    throw new InvitationError(`The stack ID '${ctx.stackId}' names no account: cannot tell which account accepts. Please report this.`);
  }
  return account;
}

function requestFor(props: LinkAccepterProps, ctx: Pick<RequestContext, 'stackId'>): AcceptLinkRequest {
  return { sourceAccountId: props.sourceAccountId, targetAccountId: ownAccount(ctx), accountLinkId: props.accountLinkId };
}

/** The attributes of a link read by ID (the recorded or the given one), LINK_NOT_FOUND when it is gone. */
function reported(link: AccountLink | undefined, linkId: string, request: AcceptLinkRequest): AccountLinkData {
  return acceptedData({ ...link, AccountLinkId: link?.AccountLinkId ?? linkId }, request, true, LINK_NOT_FOUND);
}

/** WorkSpaces' part of the accepter lifecycle. The relationship: the source account and the link ID. */
export const WORKSPACES_ACCEPTER_SPEC: AccepterSpec<LinkAccepterProps, AccepterClients, AccountLinkData> = {
  what: 'WorkSpaces account link acceptance',
  prefix: 'workspaces-account-link-accepter',
  cannotLeave: 'a LINKED link cannot be undone through the WorkSpaces API, by either account',
  parse: (raw) => WORKSPACES_ACCEPTER.parse(raw),
  words: (props, ctx) => acceptWords(requestFor(props, ctx)),
  inviterAccount: (props) => props.sourceAccountId,
  look: (clients, props, ctx) => lookForLink(clients, requestFor(props, ctx), ctx),
  identify: (props, attributes) => ({ inviter: props.sourceAccountId, invitationId: attributes.accountLinkId }),
  // a given link ID must be the recorded one; without one, any link from the source satisfies the expectation
  expects: (props, recorded) =>
    recorded.inviter === props.sourceAccountId && (props.accountLinkId === undefined || props.accountLinkId === recorded.invitationId),
  sameExpectation: (props, oldProps) => props.sourceAccountId === oldProps.sourceAccountId && props.accountLinkId === oldProps.accountLinkId,
  current: async (clients, props, ctx) => {
    const link = await linkedLink(clients, requestFor(props, ctx));
    return link?.SourceAccountId ? { inviter: link.SourceAccountId, invitationId: link.AccountLinkId } : undefined;
  },
  report: async (clients, props, recorded, ctx) => {
    const request = requestFor(props, ctx);
    const linkId = recorded?.invitationId ?? props.accountLinkId;
    if (linkId !== undefined) return reported(await getLink(clients, linkId, request), linkId, request);
    // the answer of a rollback records nothing: the link from the expected source, as it is
    const link = await linkFromSource(clients, request);
    return link?.AccountLinkId ? reported(link, link.AccountLinkId, request) : reported(undefined, NO_INVITATION, request);
  },
  unreadable: (props, recorded, ctx) => acceptedData(
    { AccountLinkId: recorded?.invitationId ?? props.accountLinkId ?? NO_INVITATION },
    requestFor(props, ctx), true, STATUS_UNKNOWN,
  ),
  // Adopted: this resource did not accept the link itself (found it LINKED, or cannot tell)
  data: (_props, attributes, how) => WORKSPACES_ACCEPTER.data({ ...attributes, adopted: how !== 'accepted' }),
  // earlier versions answered the link ID itself
  legacy: (physicalId): Omit<Recorded, 'how' | 'legacy'> | undefined => (isLinkId(physicalId) ? { invitationId: physicalId } : undefined),
};

export const linkAccepterLifecycle = {
  ...accepterLifecycle(WORKSPACES_ACCEPTER_SPEC),
  sensitive: (raw: Record<string, unknown>) => WORKSPACES_ACCEPTER.sensitive(raw),
};
