/**
 * WorkSpacesAccountLinkAccepter: in the target account, accept the Amazon WorkSpaces account link invitation sent by
 * the expected source account (`../accept`), waiting (bounded) while it has not arrived yet; adopt a link that is
 * already LINKED. Delete does nothing: a LINKED link cannot be undone through the API.
 *
 * The steps: parse (the contract), create (accept), update (accept again only for a changed expectation), delete.
 */
import type { AccountLink } from '@aws-sdk/client-workspaces';
import { AccountLinkData, LinkAccepterProps, WORKSPACES_ACCEPTER } from '../../../src/private/contract/workspaces';
import type { ClientsSpec } from '../../shared/entry';
import { InvitationError, errorName } from '../../shared/errors';
import { log } from '../../shared/log';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { stackLocation } from '../../shared/stack';
import { AcceptLinkRequest, acceptAccountLink, acceptedData, getLink } from '../accept';
import { LINK_NOT_FOUND, LinkClients, isLinkId, workspacesClient } from '../service';

/** The status an unchanged update reports when the link cannot be read (attributes are never empty). */
export const STATUS_UNKNOWN = 'UNKNOWN';

/** The accepter's clients: WorkSpaces on the function's own role. */
export const ACCEPTER_CLIENTS: ClientsSpec<LinkClients, {}> = {
  own: () => ({ workspaces: workspacesClient() }),
};

/** The same expectation: same source and same given link (the wait does not count). */
function sameExpectation(a: LinkAccepterProps, b: LinkAccepterProps): boolean {
  return a.sourceAccountId === b.sourceAccountId && a.accountLinkId === b.accountLinkId;
}

/** The response: physical ID = link ID, Data = the contract's attributes. */
function respond(data: AccountLinkData): HandlerResponse {
  return { PhysicalResourceId: data.accountLinkId, Data: WORKSPACES_ACCEPTER.data(data) };
}

/** This account: the stack's, from its ARN. */
function ownAccount(ctx: RequestContext): string {
  const account = stackLocation(ctx.stackId).account;
  if (account === undefined) {
    throw new InvitationError(`The stack ID '${ctx.stackId}' names no account: cannot tell which account accepts. Please report this.`);
  }
  return account;
}

function requestFor(props: LinkAccepterProps, ctx: RequestContext): AcceptLinkRequest {
  return {
    sourceAccountId: props.sourceAccountId,
    targetAccountId: ownAccount(ctx),
    accountLinkId: props.accountLinkId,
    wait: { timeoutMs: props.waitTimeoutMs, signal: ctx.signal },
  };
}

export async function createAccepter(clients: LinkClients, props: LinkAccepterProps, ctx: RequestContext): Promise<HandlerResponse> {
  return respond(await acceptAccountLink(clients, requestFor(props, ctx), ctx));
}

/**
 * Update: the same expectation (source and given link) sends no accept and reports the link's current status; a
 * changed one behaves like Create for the new expectation (a new link ID is a new physical ID; the old resource's
 * Delete does nothing).
 */
export async function updateAccepter(
  clients: LinkClients,
  physicalId: string,
  props: LinkAccepterProps,
  oldProps: LinkAccepterProps,
  ctx: RequestContext,
): Promise<HandlerResponse> {
  if (!sameExpectation(props, oldProps) || !isLinkId(physicalId)) {
    log('INFO', 'expectation changed: looking for the link to accept', { oldPhysicalId: physicalId });
    return createAccepter(clients, props, ctx);
  }
  const request = requestFor(props, ctx);
  let link: AccountLink | undefined;
  try {
    link = await getLink(clients, physicalId, request);
  } catch (error) {
    // nothing to change here, and the rollback of this update would read the same way: a failed read must not fail
    // the update (nor its rollback)
    log('WARN', 'expectation unchanged; could not read the link: status unknown', { linkId: physicalId, error: errorName(error) });
    return respond(acceptedData({ AccountLinkId: physicalId }, request, true, STATUS_UNKNOWN));
  }
  log('INFO', 'expectation unchanged: nothing accepted', { linkId: physicalId, status: link?.AccountLinkStatus ?? LINK_NOT_FOUND });
  return respond(acceptedData({ ...link, AccountLinkId: link?.AccountLinkId ?? physicalId }, request, true, LINK_NOT_FOUND));
}

/** Delete: a LINKED link cannot be undone through the WorkSpaces API, by either side; nothing is called. */
export function deleteAccepter(physicalId: string): void {
  if (!isLinkId(physicalId)) {
    log('INFO', 'not an account link ID: nothing to do', { physicalId });
    return;
  }
  log('WARN', 'deleting the accepter leaves the account link as it is: a LINKED link cannot be undone through the ' +
    'WorkSpaces API, by either account: it stays in place.', { linkId: physicalId });
}

export const linkAccepterLifecycle: Lifecycle<LinkAccepterProps, LinkClients> = {
  what: 'WorkSpaces account link acceptance',
  parse: WORKSPACES_ACCEPTER.parse,
  create: (clients, props, ctx) => createAccepter(clients, props, ctx),
  update: (clients, physicalId, props, oldProps, ctx) => updateAccepter(clients, physicalId, props, oldProps, ctx),
  delete: async (_clients, physicalId) => deleteAccepter(physicalId),
  ownsPhysicalId: isLinkId,
};
