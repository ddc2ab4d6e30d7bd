/**
 * WorkSpacesAccountLink: invite another account of the organization to an Amazon WorkSpaces account link (BYOL),
 * adopt the link when the target is already linked or invited, delete the invitation on delete while it is still
 * pending and this resource made it (the physical ID records made or adopted: `./record`). A LINKED link cannot be
 * undone through the API: delete leaves it and says so.
 *
 * The steps live by job: `./invite` (invite or adopt), `./acceptance` (accept through a role, undo), `./remove`
 * (delete, keep what the stack still declares, after an unfinished Create). This module parses (the contract),
 * dispatches, and answers with the contract's Data.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { AccountLink } from '@aws-sdk/client-workspaces';
import { AccountLinkData, AccountLinkProps, WORKSPACES_ACCOUNT_LINK } from '../../../src/private/contract/workspaces';
import { acceptanceClientsOf } from '../../shared/acceptance';
import { clientConfig } from '../../shared/clients';
import type { ClientsSpec } from '../../shared/entry';
import { errorName } from '../../shared/errors';
import { log } from '../../shared/log';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { RollbackCheck, StackClients, acceptanceSkippedInRollback, notRestoredInRollback, rollbackCheck } from '../../shared/stack';
import { LINK_NOT_FOUND, LinkClients, PENDING, clientToken, workspacesClient } from '../service';
import { LINK_ACCEPTANCE, LinkAcceptanceClients, acceptInTarget, deleteCreatedLink } from './acceptance';
import { ACTIVE, ENDED, createLink, findLink, getLink, invitedData, stackAccount } from './invite';
import { LinkRecord, linkPhysicalId, parseLinkPhysicalId } from './record';
import { deleteAccountLink, keepAbandonedLink, keptByStack } from './remove';

export interface WorkSpacesClients extends LinkClients, StackClients, LinkAcceptanceClients {}

/** The clients on the function's own role (WorkSpaces, and CloudFormation to read the stack), and per request the acceptance's. */
export const INVITER_CLIENTS: ClientsSpec<LinkClients & { readonly cloudformation: CloudFormationClient }, Required<LinkAcceptanceClients>> = {
  own: () => ({ workspaces: workspacesClient(), cloudformation: new CloudFormationClient(clientConfig()) }),
  // acceptance through a role in the target account: clients made per request from that role's credentials
  perRequest: acceptanceClientsOf(LINK_ACCEPTANCE),
  stack: (own) => own.cloudformation,
};

/** The status reported when a rollback could not read the links (never an empty attribute). */
const UNKNOWN_STATUS = 'UNKNOWN';

/**
 * The response: the physical ID records the link, its target and whether this resource made it (`./record`), unless
 * `physicalId` is given (the resource's own, kept as it is); Data = the contract's attributes (bounded, never the
 * whole AccountLink). `replaced`: the link this resource made and an update now replaces (for that update's rollback).
 */
function respond(data: AccountLinkData, physicalId?: string, replaced?: string): HandlerResponse {
  const id = physicalId ?? linkPhysicalId({
    linkId: data.accountLinkId,
    targetAccountId: data.targetAccountId,
    origin: data.adopted ? 'adopted' : 'made',
    ...(replaced !== undefined ? { replaced } : {}),
  });
  return { PhysicalResourceId: id, Data: WORKSPACES_ACCOUNT_LINK.data(data) };
}

/**
 * Invites (createLink), then, with `acceptRoleName`, accepts in the target account through that role. When the
 * acceptance fails (the role cannot be assumed, the accept is denied, the invitation does not show up in time), a
 * link this request created (not an adopted one) is deleted while it is pending, then the request fails.
 */
async function inviteAndAccept(
  clients: WorkSpacesClients,
  props: AccountLinkProps,
  ctx: RequestContext,
  token: string,
  replaced?: string,
): Promise<HandlerResponse> {
  const invited = await createLink(clients, props, ctx, token);
  const { acceptRoleName } = props;
  if (acceptRoleName === undefined) return respond(invited, undefined, replaced);
  const undo = invited.adopted ? undefined : deleteCreatedLink(clients, invited.accountLinkId, ctx);
  return respond(await acceptInTarget(clients, { ...props, acceptRoleName }, invited, ctx, undo), undefined, replaced);
}

/** Create: invite the target with a token derived from the request; adopt the existing link on conflict; accept through the role when asked. */
export async function createAccountLink(clients: WorkSpacesClients, props: AccountLinkProps, ctx: RequestContext): Promise<HandlerResponse> {
  return inviteAndAccept(clients, props, ctx, clientToken('create', ctx, props.targetAccountId));
}

/**
 * A rollback's answer where a forward update would invite (the inviter-side rollback rule, `rollbackCheck`): no
 * invitation, no role. The link of the physical ID when it goes to the target of the (old) properties, under the same
 * physical ID; else the link from this account to that target (a pending or linked one first): made by this resource
 * when it is the one the physical ID says the update replaced, else adopted; else nothing stands for the target: the
 * physical ID stays, and the log says that the next deployment invites again.
 */
async function restoreLink(
  clients: WorkSpacesClients,
  physicalId: string,
  record: LinkRecord | undefined,
  props: AccountLinkProps,
  ctx: RequestContext,
  read?: AccountLink,
): Promise<HandlerResponse> {
  const asItIs = (accountLinkStatus: string) => respond({
    accountLinkId: record?.linkId ?? physicalId,
    accountLinkStatus,
    sourceAccountId: stackAccount(ctx.stackId) ?? '',
    targetAccountId: props.targetAccountId,
    adopted: false,
  }, physicalId);
  let own: AccountLink | undefined;
  let found: AccountLink | undefined;
  try {
    own = read ?? (record ? await getLink(clients, record.linkId, 'Rollback') : undefined);
    found = own?.TargetAccountId === props.targetAccountId ? own : (await findLink(clients, props.targetAccountId, stackAccount(ctx.stackId))).match;
  } catch (error) {
    // a rollback must not fail on a read its update did not need: the physical ID stays as it is
    log('WARN', 'rollback: the account links could not be read, so the physical ID stays as it is', { physicalId, error: errorName(error) });
    return asItIs(UNKNOWN_STATUS);
  }
  const sameTarget = found !== undefined && found === own;
  const link = found ?? own;
  const status = link?.AccountLinkStatus;
  if (!ACTIVE.has(status ?? '')) {
    notRestoredInRollback({ linkId: link?.AccountLinkId ?? record?.linkId, targetAccountId: props.targetAccountId, status: status ?? LINK_NOT_FOUND },
      'The next deployment invites again.');
  }
  if (!link) return asItIs(LINK_NOT_FOUND);
  const data = invitedData({ ...link, AccountLinkId: link.AccountLinkId ?? record?.linkId }, false, props, ctx);
  if (sameTarget || !found) return respond(data, physicalId);
  // found by its target: made here only when it is the link the replaced update's physical ID names
  return respond({ ...data, adopted: found.AccountLinkId === undefined || found.AccountLinkId !== record?.replaced });
}

/**
 * Update: a new target is a new link invitation (new physical ID, so CloudFormation then deletes the old one), sent
 * with a token that also names the replaced link, so A -> B -> A does not reuse the first token. A link that ended
 * without being linked (REJECTED, LINKING_FAILED, or gone) is invited again, like an Organizations invitation that was
 * declined or expired: the template still asks for the link. A pending or LINKED link sends nothing and keeps the
 * physical ID (with what it records). A rollback never invites nor assumes a role (`restoreLink`).
 */
export async function updateAccountLink(
  clients: WorkSpacesClients,
  physicalId: string,
  props: AccountLinkProps,
  oldProps: AccountLinkProps,
  ctx: RequestContext,
  rollback: RollbackCheck = rollbackCheck(clients, ctx),
): Promise<HandlerResponse> {
  const record = parseLinkPhysicalId(physicalId);
  const linkId = record?.linkId ?? physicalId;
  // a link this resource made, replaced now: named in the new physical ID, for this update's rollback
  const replaced = record?.origin === 'made' ? record.linkId : undefined;
  const invite = async (read?: AccountLink) => await rollback()
    ? restoreLink(clients, physicalId, record, props, ctx, read)
    : inviteAndAccept(clients, props, ctx, clientToken('update', ctx, props.targetAccountId, linkId), replaced);
  if (props.targetAccountId !== oldProps.targetAccountId) {
    log('INFO', 'target changed: inviting the new target', { oldPhysicalId: physicalId, targetAccountId: props.targetAccountId });
    return invite();
  }
  const link = record ? await getLink(clients, linkId, 'Update') : undefined;
  // the physical ID says which link exists: its target decides, not the old properties (which may be another
  // version's that could not be read, and then stand in for the new ones)
  if (link?.TargetAccountId !== undefined && link.TargetAccountId !== props.targetAccountId) {
    log('WARN', 'the link of the physical ID goes to another target than the new properties name: inviting the new target', {
      oldPhysicalId: physicalId, linkTarget: link.TargetAccountId, targetAccountId: props.targetAccountId,
    });
    return invite(link);
  }
  const status = link?.AccountLinkStatus;
  if (link && ACTIVE.has(status ?? '')) {
    log('INFO', 'account link unchanged', { linkId, status });
    const current = invitedData({ ...link, AccountLinkId: link.AccountLinkId ?? linkId }, false, props, ctx);
    // acceptance added to a link still pending: accept it now (this request made nothing, so nothing to undo)
    const { acceptRoleName } = props;
    if (status === PENDING && acceptRoleName !== undefined && !(await acceptanceSkippedInRollback(rollback, { linkId }))) {
      return respond(await acceptInTarget(clients, { ...props, acceptRoleName }, current, ctx), physicalId);
    }
    return respond(current, physicalId);
  }
  if (link && status !== undefined && !ENDED.has(status)) {
    log('WARN', 'unknown account link status: nothing sent', { linkId, status });
    return respond(invitedData({ ...link, AccountLinkId: link.AccountLinkId ?? linkId }, false, props, ctx), physicalId);
  }
  log('INFO', 'the account link ended without being linked: inviting again', { linkId, status: status ?? LINK_NOT_FOUND });
  // the token names the ended link: a new one for each ended link, the same one when this very update is retried
  return invite(link);
}

/**
 * Delete: only a pending link this resource made (`./record`) is deleted, unless a resource of the stack still
 * declares its target. An adopted link stays (another stack's, or one made by hand), and so does the link of an
 * earlier version's physical ID, which does not record who made it: the log says why and how to delete it by hand.
 */
async function deleteOwnLink(clients: WorkSpacesClients, physicalId: string, props: AccountLinkProps, ctx: RequestContext): Promise<void> {
  const record = parseLinkPhysicalId(physicalId);
  if (!record) {
    log('INFO', 'not an account link ID: nothing to delete', { physicalId });
    return;
  }
  if (record.origin !== 'made') {
    log('INFO', record.origin === 'adopted'
      ? 'this resource adopted the link (it was there before): it stays'
      : 'the physical ID of an earlier version does not record whether this resource made the link, so it stays. Delete ' +
        'it in the WorkSpaces console (Account settings) if it is still pending and not wanted.', { linkId: record.linkId });
    return;
  }
  if (await keptByStack(clients, props, ctx)) return;
  await deleteAccountLink(clients, record.linkId, ctx);
}

export const accountLinkLifecycle: Lifecycle<AccountLinkProps, WorkSpacesClients> = {
  what: 'WorkSpaces account link',
  parse: WORKSPACES_ACCOUNT_LINK.parse,
  parseOld: WORKSPACES_ACCOUNT_LINK.parseOld,
  ownsPhysicalId: (physicalId) => parseLinkPhysicalId(physicalId) !== undefined,
  propsOfPhysicalId: (physicalId) => {
    const target = parseLinkPhysicalId(physicalId)?.targetAccountId;
    return target !== undefined ? { targetAccountId: target } : undefined;
  },
  create: (clients, props, ctx) => createAccountLink(clients, props, ctx),
  update: (clients, physicalId, props, oldProps, ctx) => updateAccountLink(clients, physicalId, props, oldProps, ctx),
  delete: (clients, physicalId, props, ctx) => deleteOwnLink(clients, physicalId, props, ctx),
  abandonedCreate: (clients, props, ctx) => keepAbandonedLink(clients, props, ctx),
  sensitive: (raw) => WORKSPACES_ACCOUNT_LINK.sensitive(raw),
};
