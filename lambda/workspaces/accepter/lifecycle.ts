/**
 * WorkSpacesAccountLinkAccepter: in the target account, find the Amazon WorkSpaces account link invitation sent by the
 * expected source account and accept it, waiting (bounded) while it has not arrived yet; adopt a link that is already
 * LINKED. Delete does nothing: a LINKED link cannot be undone through the API.
 *
 * The accept logic (`acceptAccountLink`) is a function over injected clients and an explicit target account, so that
 * the inviter's handler can call it with clients of an assumed role in the invited account.
 */
import {
  AcceptAccountLinkInvitationCommand,
  AccountLink,
  GetAccountLinkCommand,
  WorkSpacesClient,
  paginateListAccountLinks,
} from '@aws-sdk/client-workspaces';
import { AcceptSpec, InvitationEndedError, Sighting, acceptWhenInvited } from '../../shared/accept';
import { InvitationError, errorName, failedWith, isAwsError } from '../../shared/errors';
import { log } from '../../shared/log';
import { ACCOUNT_ID, ACCOUNT_LINK_ID, optionalString, requiredString } from '../../shared/props';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { stackLocation } from '../../shared/stack';
// the WorkSpaces facts both sides share: one definition for the inviter and the accepter
import { LINKED, LINK_NOT_FOUND, PAGE_SIZE, PENDING, PRECONDITIONS, acceptHints, clientToken } from '../service';

const LINK_ID = ACCOUNT_LINK_ID;

export interface LinkAccepterClients {
  readonly workspaces: WorkSpacesClient;
}

export interface LinkAccepterProps {
  /** The account that sent the invitation. */
  readonly sourceAccountId: string;
  /** Accept exactly this link; default: find it. */
  readonly accountLinkId?: string;
  /** How long to wait for the invitation (0 = look once). */
  readonly waitTimeoutMs: number;
}

/** The request's context, with the abort signal the runtime is about to add (aborted at the Lambda deadline). */
type Ctx = RequestContext & { readonly signal?: AbortSignal };

/** Statuses of a link that ended without a link: the source must send a new invitation. */
const ENDED = new Set(['REJECTED', 'LINKING_FAILED']);
/** The status an unchanged update reports when the link cannot be read (attributes are never empty). */
export const STATUS_UNKNOWN = 'UNKNOWN';
/** The longest wait the construct allows (14 minutes), with a margin for old templates. */
const MAX_WAIT_SECONDS = 15 * 60;

/** What the handler reports. Never empty strings: a stack output of an empty value fails the deploy. */
export interface AcceptedLink {
  readonly accountLinkId: string;
  readonly accountLinkStatus: string;
  readonly sourceAccountId: string;
  readonly targetAccountId: string;
  /** True when the link was already LINKED (nothing accepted by this request). */
  readonly adopted: boolean;
}

/** The accept permissions, for messages (and the README's policy statement). */
const ACCEPT_ACTIONS = 'workspaces:ListAccountLinks, workspaces:GetAccountLink and workspaces:AcceptAccountLinkInvitation';

/** What to do when the principal that accepts lacks a permission: the handler's role, or the assumed role. */
function roleHint(request: Pick<AcceptLinkRequest, 'actingAs'>): string {
  return `Check that ${request.actingAs ?? 'the handler\'s role'} may call ${ACCEPT_ACTIONS} (service control policies ` +
    'and permission boundaries can deny them).';
}

function region(): string {
  return process.env.AWS_REGION ?? 'this region';
}

export function parseProps(raw: Record<string, unknown>): LinkAccepterProps {
  const sourceAccountId = requiredString(raw, 'SourceAccountId');
  if (!ACCOUNT_ID.test(sourceAccountId)) {
    throw new InvitationError(`SourceAccountId must be a 12-digit AWS account ID, got '${sourceAccountId}'.`);
  }
  const accountLinkId = optionalString(raw, 'AccountLinkId');
  if (accountLinkId !== undefined && !LINK_ID.test(accountLinkId)) {
    throw new InvitationError(`AccountLinkId must be an account link ID (link-...), got '${accountLinkId}'.`);
  }
  const rawWait = raw.WaitTimeoutSeconds;
  const seconds = rawWait === undefined || rawWait === '' ? 300 : Number(rawWait);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_WAIT_SECONDS) {
    throw new InvitationError(`WaitTimeoutSeconds must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}, got '${String(rawWait)}'.`);
  }
  return { sourceAccountId, accountLinkId, waitTimeoutMs: seconds * 1000 };
}

/** The same expectation: same source and same given link (the wait does not count). */
function sameExpectation(a: LinkAccepterProps, b: LinkAccepterProps): boolean {
  return a.sourceAccountId === b.sourceAccountId && a.accountLinkId === b.accountLinkId;
}

export function linkResponse(link: AcceptedLink): HandlerResponse {
  return {
    PhysicalResourceId: link.accountLinkId,
    Data: {
      AccountLinkId: link.accountLinkId,
      AccountLinkStatus: link.accountLinkStatus,
      SourceAccountId: link.sourceAccountId,
      TargetAccountId: link.targetAccountId,
      Adopted: link.adopted,
    },
  };
}

/** What an accept of the link from `sourceAccountId` to `targetAccountId` needs. */
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
  /** The budget and the request's abort signal (and, for tests, the clock). */
  readonly wait: AcceptSpec<AcceptedLink>['wait'];
}

function attributes(link: AccountLink, request: AcceptLinkRequest, adopted: boolean, fallbackStatus: string): AcceptedLink {
  if (!link.AccountLinkId) {
    throw new InvitationError('WorkSpaces returned an account link without an ID. Please report this.');
  }
  return {
    accountLinkId: link.AccountLinkId,
    accountLinkStatus: link.AccountLinkStatus || fallbackStatus,
    sourceAccountId: link.SourceAccountId || request.sourceAccountId,
    targetAccountId: link.TargetAccountId || request.targetAccountId,
    adopted,
  };
}

/** A failed read, naming the AWS error and what to do. */
function readFailed(error: unknown, doing: string, request: AcceptLinkRequest): InvitationError {
  return failedWith(`${doing} in ${region()}`, error, { hints: acceptHints(roleHint(request), request.actingAs !== undefined) });
}

/** GetAccountLink, or undefined when it does not exist (yet, or any more). */
async function getLink(clients: LinkAccepterClients, linkId: string, request: AcceptLinkRequest): Promise<AccountLink | undefined> {
  try {
    const { AccountLink: link } = await clients.workspaces.send(new GetAccountLinkCommand({ LinkId: linkId }));
    return link;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
    throw readFailed(error, `Reading the WorkSpaces account link ${linkId}`, request);
  }
}

/** Every account link this account sees (ListAccountLinks, paged until NextToken is empty: pages may be empty). */
async function listLinks(clients: LinkAccepterClients, request: AcceptLinkRequest): Promise<AccountLink[]> {
  const links: AccountLink[] = [];
  try {
    for await (const page of paginateListAccountLinks({ client: clients.workspaces }, { MaxResults: PAGE_SIZE })) {
      links.push(...(page.AccountLinks ?? []));
    }
  } catch (error) {
    throw readFailed(error, 'Listing the WorkSpaces account links (ListAccountLinks)', request);
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
  if (ENDED.has(status ?? '')) return 2;
  return 3;
}

/** A LINKED link from another source to the target, for the message of a refused accept. */
async function otherSourceLinked(clients: LinkAccepterClients, request: AcceptLinkRequest): Promise<AccountLink | undefined> {
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
  clients: LinkAccepterClients,
  link: AccountLink & { AccountLinkId: string },
  request: AcceptLinkRequest,
  ctx: Ctx,
): Promise<AcceptedLink> {
  const linkId = link.AccountLinkId;
  const doing = `Accepting the WorkSpaces account link invitation ${linkId} from source account ${request.sourceAccountId} ` +
    `in ${region()}`;
  try {
    const { AccountLink: accepted } = await clients.workspaces.send(new AcceptAccountLinkInvitationCommand({
      LinkId: linkId,
      ClientToken: clientToken('accept', ctx, linkId),
    }));
    const result = attributes({ ...link, ...accepted, AccountLinkId: accepted?.AccountLinkId ?? linkId }, request, false, LINKED);
    if (ENDED.has(result.accountLinkStatus)) {
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
        log('INFO', 'the link was already accepted: adopted', { linkId });
        return attributes({ ...link, ...now }, request, true, LINKED);
      }
      // rejected or deleted meanwhile: wait for a new invitation, as after an ended sighting
      if (now === undefined || ENDED.has(now.AccountLinkStatus ?? '')) {
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
    throw failedWith(doing, error, { hints: acceptHints(roleHint(request), request.actingAs !== undefined) });
  }
}

/** What one look sees of the link from the expected source to the target. */
export async function lookForLink(clients: LinkAccepterClients, request: AcceptLinkRequest, ctx: Ctx): Promise<Sighting<AcceptedLink>> {
  let link: AccountLink | undefined;
  if (request.accountLinkId !== undefined) {
    const given = await getLink(clients, request.accountLinkId, request);
    if (given === undefined) return { kind: 'none' };
    if (given.SourceAccountId === undefined) {
      // an accepted link cannot be undone: never accept one whose source cannot be checked
      throw new InvitationError(`WorkSpaces did not say which account sent the given account link ${request.accountLinkId}, ` +
        `so it cannot be checked against source account ${request.sourceAccountId}. Nothing was accepted. Accept it in ` +
        'the WorkSpaces console, or remove accountLinkId to let the handler find the link from the source, then deploy again.');
    }
    if (given.SourceAccountId !== request.sourceAccountId) {
      return {
        kind: 'other-inviter',
        inviter: `source account ${given.SourceAccountId}`,
        detail: `is associated with source account ${given.SourceAccountId} through the given account link ` +
          `${request.accountLinkId} (${given.AccountLinkStatus ?? 'status unknown'})`,
      };
    }
    if (!toTarget(given, request)) {
      throw new InvitationError(`The given account link ${request.accountLinkId} goes from account ` +
        `${given.SourceAccountId ?? request.sourceAccountId} to account ${given.TargetAccountId}, not to this account ` +
        `(${request.targetAccountId}). Nothing was accepted. Check accountLinkId, then deploy again.`);
    }
    link = given;
  } else {
    // only links from the expected source: a LINKED link from another source is not a conflict by itself
    // (WorkSpaces decides when this one is accepted; see acceptLink)
    const candidates = (await listLinks(clients, request))
      .filter((l) => l.SourceAccountId === request.sourceAccountId && toTarget(l, request))
      .sort((a, b) => rank(a.AccountLinkStatus) - rank(b.AccountLinkStatus));
    link = candidates[0];
  }
  const id = link?.AccountLinkId;
  if (link === undefined || id === undefined) return { kind: 'none' };
  const status = link.AccountLinkStatus;
  if (status === LINKED) return { kind: 'accepted', attributes: attributes(link, request, true, LINKED) };
  if (status === PENDING) return { kind: 'pending', id, accept: () => acceptLink(clients, { ...link, AccountLinkId: id }, request, ctx) };
  if (status !== undefined && ENDED.has(status)) return { kind: 'ended', id, state: status };
  log('INFO', 'account link in a status that cannot be accepted: waiting', { linkId: id, status });
  return { kind: 'none' };
}

/**
 * Finds the link invitation from the source account to the target and accepts it, waiting for it within the budget;
 * adopts a LINKED link. Over injected clients: the inviter's handler can call it with an assumed role's clients.
 */
export async function acceptAccountLink(clients: LinkAccepterClients, request: AcceptLinkRequest, ctx: Ctx): Promise<AcceptedLink> {
  if (request.sourceAccountId === request.targetAccountId) {
    throw new InvitationError(`SourceAccountId ${request.sourceAccountId} is this account; an account link needs ` +
      'another account of the same organization as its source.');
  }
  return acceptWhenInvited({
    what: 'WorkSpaces account link invitation',
    inviter: `source account ${request.sourceAccountId}`,
    invitee: `account ${request.targetAccountId}`,
    look: () => lookForLink(clients, request, ctx),
    otherInviterHint: 'Check sourceAccountId and accountLinkId, then deploy again.',
    wait: request.wait,
  });
}

/** This account: the stack's, from its ARN. */
function ownAccount(ctx: Ctx): string {
  const account = stackLocation(ctx.stackId).account;
  if (account === undefined) {
    throw new InvitationError(`The stack ID '${ctx.stackId}' names no account: cannot tell which account accepts. Please report this.`);
  }
  return account;
}

function requestFor(props: LinkAccepterProps, ctx: Ctx): AcceptLinkRequest {
  return {
    sourceAccountId: props.sourceAccountId,
    targetAccountId: ownAccount(ctx),
    accountLinkId: props.accountLinkId,
    wait: { timeoutMs: props.waitTimeoutMs, signal: ctx.signal },
  };
}

export async function createAccepter(clients: LinkAccepterClients, props: LinkAccepterProps, ctx: Ctx): Promise<HandlerResponse> {
  return linkResponse(await acceptAccountLink(clients, requestFor(props, ctx), ctx));
}

/**
 * Update: the same expectation (source and given link) sends no accept and reports the link's current status; a
 * changed one behaves like Create for the new expectation (a new link ID is a new physical ID; the old resource's
 * Delete does nothing).
 */
export async function updateAccepter(
  clients: LinkAccepterClients,
  physicalId: string,
  props: LinkAccepterProps,
  oldProps: LinkAccepterProps,
  ctx: Ctx,
): Promise<HandlerResponse> {
  if (!sameExpectation(props, oldProps) || !LINK_ID.test(physicalId)) {
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
    return linkResponse(attributes({ AccountLinkId: physicalId }, request, true, STATUS_UNKNOWN));
  }
  log('INFO', 'expectation unchanged: nothing accepted', { linkId: physicalId, status: link?.AccountLinkStatus ?? LINK_NOT_FOUND });
  return linkResponse(attributes({ ...link, AccountLinkId: link?.AccountLinkId ?? physicalId }, request, true, LINK_NOT_FOUND));
}

/** Delete: a LINKED link cannot be undone through the WorkSpaces API, by either side; nothing is called. */
export function deleteAccepter(physicalId: string): void {
  if (!LINK_ID.test(physicalId)) {
    log('INFO', 'not an account link ID: nothing to do', { physicalId });
    return;
  }
  log('WARN', 'deleting the accepter leaves the account link as it is: a LINKED link cannot be undone through the ' +
    'WorkSpaces API, by either account: it stays in place.', { linkId: physicalId });
}

export const linkAccepterLifecycle: Lifecycle<LinkAccepterProps, LinkAccepterClients> & { ownsPhysicalId(physicalId: string): boolean } = {
  what: 'WorkSpaces account link acceptance',
  parse: parseProps,
  create: (clients, props, ctx) => createAccepter(clients, props, ctx),
  update: (clients, physicalId, props, oldProps, ctx) => updateAccepter(clients, physicalId, props, oldProps, ctx),
  delete: async (_clients, physicalId) => deleteAccepter(physicalId),
  ownsPhysicalId: (physicalId) => LINK_ID.test(physicalId),
};
