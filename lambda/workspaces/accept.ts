/**
 * Accepting an Amazon WorkSpaces account link in the target account: one look for the link invitation from the
 * expected source account (or at the given link), its accept with a client token derived from the request, and the
 * words of the shared accept flow (lambda/shared/accept.ts), which waits (bounded) while the invitation has not arrived
 * and adopts a link that is already LINKED.
 *
 * Over injected clients and an explicit target account: the accepter (`./accepter`, through the shared accepter
 * lifecycle) looks with its own clients, the inviter (`./inviter`, one-stack acceptance) with the clients of a role it
 * assumed in the target account.
 */
import { AcceptAccountLinkInvitationCommand, AccountLink } from '@aws-sdk/client-workspaces';
import {
  ENDED_UNLINKED,
  LINKED,
  LINK_NOT_FOUND,
  LinkClients,
  PENDING,
  PRECONDITIONS,
  accountLinks,
  acceptHints,
  clientToken,
  linkData,
  readLink,
  regionName,
} from './service';
import type { AccountLinkData } from '../../src/private/contract/workspaces';
import { AcceptOutcome, AcceptSpec, Adopted, InvitationEndedError, Sighting, acceptOrAdopt } from '../shared/accept';
import { InvitationError, failedWith, isAwsError } from '../shared/errors';
import { log } from '../shared/log';
import type { RequestContext } from '../shared/runtime';

/** What a look for (and an accept of) the link from `sourceAccountId` to `targetAccountId` needs. */
export interface AcceptLinkRequest {
  readonly sourceAccountId: string;
  /** The account that accepts: the stack's account, or the invited account of an assumed role. */
  readonly targetAccountId: string;
  readonly accountLinkId?: string;
  /**
   * Who accepts, for messages: "role Accepter in account 222222222222" when the inviter's handler accepts through an
   * assumed role. Default: the handler's role.
   */
  readonly actingAs?: string;
}

/** The accept permissions, for messages (and the README's policy statement). */
const ACCEPT_ACTIONS = 'workspaces:ListAccountLinks, workspaces:GetAccountLink and workspaces:AcceptAccountLinkInvitation';

/** What to do when the principal that accepts lacks a permission: the handler's role, or the assumed role. */
function roleHint(request: Pick<AcceptLinkRequest, 'actingAs'>): string {
  return `Check that ${request.actingAs ?? 'the handler\'s role'} may call ${ACCEPT_ACTIONS} (service control policies ` +
    'and permission boundaries can deny them).';
}

function hints(request: AcceptLinkRequest) {
  return acceptHints(roleHint(request), request.actingAs !== undefined);
}

/** The attributes of a link seen from the target, the request filling what WorkSpaces left out. */
export function acceptedData(link: AccountLink, request: AcceptLinkRequest, adopted: boolean, fallbackStatus: string): AccountLinkData {
  return linkData(link, adopted, { status: fallbackStatus, sourceAccountId: request.sourceAccountId, targetAccountId: request.targetAccountId });
}

/** GetAccountLink, or undefined when it does not exist (yet, or any more); a failed read names the AWS error and what to do. */
export async function getLink(clients: LinkClients, linkId: string, request: AcceptLinkRequest): Promise<AccountLink | undefined> {
  try {
    return await readLink(clients, linkId);
  } catch (error) {
    throw failedWith(`Reading the WorkSpaces account link ${linkId} in ${regionName()}`, error, { hints: hints(request) });
  }
}

/** Every account link this account sees. */
async function listLinks(clients: LinkClients, request: AcceptLinkRequest): Promise<AccountLink[]> {
  const links: AccountLink[] = [];
  try {
    for await (const link of accountLinks(clients)) links.push(link);
  } catch (error) {
    throw failedWith(`Listing the WorkSpaces account links (ListAccountLinks) in ${regionName()}`, error, { hints: hints(request) });
  }
  return links;
}

/** A link addressed to the target (a missing TargetAccountId counts: only the target can accept anyway). */
function toTarget(link: AccountLink, request: AcceptLinkRequest): boolean {
  return link.TargetAccountId === undefined || link.TargetAccountId === request.targetAccountId;
}

/** LINKED wins, then pending, then ended: the order in which a link from the expected source is used. */
function rank(status: string | undefined): number {
  if (status === LINKED) return 0;
  if (status === PENDING) return 1;
  if (ENDED_UNLINKED.has(status ?? '')) return 2;
  return 3;
}

/** A LINKED link from another source to the target, for the message of a refused accept. */
async function otherSourceLinked(clients: LinkClients, request: AcceptLinkRequest): Promise<AccountLink | undefined> {
  try {
    return (await listLinks(clients, request)).find((l) =>
      l.AccountLinkStatus === LINKED && l.SourceAccountId !== undefined && l.SourceAccountId !== request.sourceAccountId && toTarget(l, request));
  } catch {
    return undefined; // only for the message
  }
}

/**
 * AcceptAccountLinkInvitation with a client token derived from the request and the link (a retried deployment
 * sends the same token). ConflictException (already linked or invited): re-read the link and adopt it when LINKED.
 */
async function acceptLink(
  clients: LinkClients,
  link: AccountLink & { AccountLinkId: string },
  request: AcceptLinkRequest,
  ctx: RequestContext,
): Promise<AccountLinkData | Adopted<AccountLinkData>> {
  const linkId = link.AccountLinkId;
  const doing = `Accepting the WorkSpaces account link invitation ${linkId} from source account ${request.sourceAccountId} ` +
    `in ${regionName()}`;
  try {
    const { AccountLink: accepted } = await clients.workspaces.send(new AcceptAccountLinkInvitationCommand({
      LinkId: linkId,
      ClientToken: clientToken('accept', ctx, linkId),
    }));
    const result = acceptedData({ ...link, ...accepted, AccountLinkId: accepted?.AccountLinkId ?? linkId }, request, false, LINKED);
    if (ENDED_UNLINKED.has(result.accountLinkStatus)) {
      throw new InvitationError(`${doing} ended with status ${result.accountLinkStatus}. ${PRECONDITIONS} Fix the cause; ` +
        'the source account must then send a new invitation (deploy the inviting stack again), then deploy this stack again.');
    }
    log('INFO', 'accepted the account link invitation', { linkId, status: result.accountLinkStatus });
    return result;
  } catch (error) {
    if (error instanceof InvitationError || error instanceof InvitationEndedError) throw error;
    if (isAwsError(error, 'ConflictException')) {
      const now = await getLink(clients, linkId, request);
      if (now?.AccountLinkStatus === LINKED) {
        // accepted by someone else meanwhile (or by an earlier try of this request: a conflict cannot tell which), so
        // this request did not make it
        log('INFO', 'the link was already accepted: adopted', { linkId });
        return new Adopted(acceptedData({ ...link, ...now }, request, true, LINKED));
      }
      // rejected or deleted meanwhile: wait for a new invitation, as after an ended sighting
      if (now === undefined || ENDED_UNLINKED.has(now.AccountLinkStatus ?? '')) {
        throw new InvitationEndedError(linkId, now?.AccountLinkStatus ?? LINK_NOT_FOUND);
      }
      const other = await otherSourceLinked(clients, request);
      const why = other
        ? `Account ${request.targetAccountId} is already linked to source account ${other.SourceAccountId} ` +
          `(${other.AccountLinkId}), and WorkSpaces refuses a second link. Nothing was accepted. Keep one source: set ` +
          `sourceAccountId to ${other.SourceAccountId}, or remove this accepter, then deploy again.`
        : `The link is now ${now?.AccountLinkStatus ?? LINK_NOT_FOUND}. Check the account links in the WorkSpaces ` +
          'console (Account settings), then deploy again.';
      throw failedWith(doing, error, { fallback: why });
    }
    // deleted by the source meanwhile: wait for a new invitation
    if (isAwsError(error, 'ResourceNotFoundException')) throw new InvitationEndedError(linkId, LINK_NOT_FOUND);
    throw failedWith(doing, error, { hints: hints(request) });
  }
}

/** The given link (`accountLinkId`), checked against the expected source and target; undefined while it does not exist. */
async function givenLink(clients: LinkClients, linkId: string, request: AcceptLinkRequest): Promise<AccountLink | Sighting<AccountLinkData>> {
  const given = await getLink(clients, linkId, request);
  if (given === undefined) return { kind: 'none' };
  if (given.SourceAccountId === undefined) {
    // an accepted link cannot be undone: never accept one whose source cannot be checked
    throw new InvitationError(`WorkSpaces did not say which account sent the given account link ${linkId}, ` +
      `so it cannot be checked against source account ${request.sourceAccountId}. Nothing was accepted. Accept it in ` +
      'the WorkSpaces console, or remove accountLinkId to let the handler find the link from the source, then deploy again.');
  }
  if (given.SourceAccountId !== request.sourceAccountId) {
    return {
      kind: 'other-inviter',
      inviter: `source account ${given.SourceAccountId}`,
      detail: `is associated with source account ${given.SourceAccountId} through the given account link ` +
        `${linkId} (${given.AccountLinkStatus ?? 'status unknown'})`,
    };
  }
  if (!toTarget(given, request)) {
    throw new InvitationError(`The given account link ${linkId} goes from account ` +
      `${given.SourceAccountId ?? request.sourceAccountId} to account ${given.TargetAccountId}, not to this account ` +
      `(${request.targetAccountId}). Nothing was accepted. Check accountLinkId, then deploy again.`);
  }
  return given;
}

/**
 * The link from the expected source to the target that matters most (LINKED, then pending, then ended), or undefined.
 * Only links from the expected source: a LINKED link from another source is not a conflict by itself (WorkSpaces
 * decides when this one is accepted; see acceptLink).
 */
export async function linkFromSource(clients: LinkClients, request: AcceptLinkRequest): Promise<AccountLink | undefined> {
  return (await listLinks(clients, request))
    .filter((l) => l.SourceAccountId === request.sourceAccountId && toTarget(l, request))
    .sort((a, b) => rank(a.AccountLinkStatus) - rank(b.AccountLinkStatus))[0];
}

/**
 * The LINKED link of the target, from any source (the expected one first), or undefined: the relationship the
 * account is in now.
 */
export async function linkedLink(clients: LinkClients, request: AcceptLinkRequest): Promise<AccountLink | undefined> {
  const linked = (await listLinks(clients, request))
    .filter((l) => l.AccountLinkStatus === LINKED && l.SourceAccountId !== undefined && toTarget(l, request));
  return linked.find((l) => l.SourceAccountId === request.sourceAccountId) ?? linked[0];
}

/** What one look sees of the link from the expected source to the target. */
export async function lookForLink(clients: LinkClients, request: AcceptLinkRequest, ctx: RequestContext): Promise<Sighting<AccountLinkData>> {
  let link: AccountLink | undefined;
  if (request.accountLinkId !== undefined) {
    const given = await givenLink(clients, request.accountLinkId, request);
    if ('kind' in given) return given;
    link = given;
  } else {
    link = await linkFromSource(clients, request);
  }
  const id = link?.AccountLinkId;
  if (link === undefined || id === undefined) return { kind: 'none' };
  const status = link.AccountLinkStatus;
  if (status === LINKED) return { kind: 'accepted', attributes: acceptedData(link, request, true, LINKED) };
  if (status === PENDING) return { kind: 'pending', id, accept: () => acceptLink(clients, { ...link, AccountLinkId: id }, request, ctx) };
  if (status !== undefined && ENDED_UNLINKED.has(status)) return { kind: 'ended', id, state: status };
  log('INFO', 'account link in a status that cannot be accepted: waiting', { linkId: id, status });
  return { kind: 'none' };
}

/** The words of the shared accept flow for the link from the request's source to its target. */
export function acceptWords(request: AcceptLinkRequest): Omit<AcceptSpec<AccountLinkData>, 'look' | 'wait'> {
  return {
    what: 'WorkSpaces account link invitation',
    inviter: `source account ${request.sourceAccountId}`,
    invitee: `account ${request.targetAccountId}`,
    otherInviterHint: 'Check sourceAccountId and accountLinkId, then deploy again.',
  };
}

/**
 * Finds the link invitation from the source account to the target and accepts it, waiting for it within `wait`;
 * adopts a LINKED link. Tells whether this request accepted the link or found it accepted.
 */
export async function acceptAccountLink(
  clients: LinkClients,
  request: AcceptLinkRequest,
  wait: AcceptSpec<AccountLinkData>['wait'] & Pick<AcceptSpec<AccountLinkData>, 'notArrivedHint'>,
  ctx: RequestContext,
): Promise<AcceptOutcome<AccountLinkData>> {
  const { notArrivedHint, ...budget } = wait;
  return acceptOrAdopt({
    ...acceptWords(request),
    ...(notArrivedHint !== undefined ? { notArrivedHint } : {}),
    look: () => lookForLink(clients, request, ctx),
    wait: budget,
  });
}
