/**
 * What the RAM handler knows of AWS Resource Access Manager on the receiving side (`ResourceShareAccepter`): its
 * clients, the share's and the invitation's identifiers, the reads (invitations and shares, page by page), the
 * accept and leave calls with their deterministic client tokens, and the hints for RAM's errors.
 *
 * RAM is regional: a share and its invitation exist only in the share's Region, so the function's own Region is the
 * share's (the construct and the handler both check the ARN's Region against the stack's).
 */
import { createHash } from 'crypto';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  AcceptResourceShareInvitationCommand,
  DisassociateResourceShareCommand,
  RAMClient,
  ResourceShare,
  ResourceShareInvitation,
  paginateGetResourceShareInvitations,
  paginateGetResourceShares,
} from '@aws-sdk/client-ram';
import { parseResourceShareArn, ResourceShareAccepterProps } from '../../src/private/contract/ram';
import { clientConfig } from '../shared/clients';
import type { ClientsSpec } from '../shared/entry';
import { Hints } from '../shared/errors';
import type { RequestContext } from '../shared/runtime';
import { StackClients } from '../shared/stack';

/** The accepter's clients: RAM, and CloudFormation for the rollback rule and the stack's other accepters. */
export interface RamClients extends StackClients {
  readonly ram: RAMClient;
}

/**
 * RAM's server errors (ServerInternalException 500, ServiceUnavailableException 503) and ThrottlingException (429)
 * are retried by the SDK's standard strategy by their status; its 400s are not transient.
 */
export const RAM_CLIENTS: ClientsSpec<Required<RamClients>, {}> = {
  own: () => ({ ram: new RAMClient(clientConfig()), cloudformation: new CloudFormationClient(clientConfig()) }),
  stack: (own) => own.cloudformation,
};

/** GetResourceShareInvitations' and GetResourceShares' largest page (maxResults 1..500). */
export const PAGE_SIZE = 500;

export const PENDING = 'PENDING';
export const ACCEPTED = 'ACCEPTED';
export const ACTIVE = 'ACTIVE';
/** Invitation statuses that can no longer be accepted: only a new share of the owner makes a new invitation. */
export const ENDED_STATUSES: ReadonlySet<string> = new Set(['EXPIRED', 'REJECTED']);

/** What an attribute says when there is nothing to name (never empty: an output of an empty value fails the deploy). */
export const NONE = 'NONE';

/** The last segment of an ARN (`.../<ID>`): the share's or the invitation's ID, which the physical ID records. */
export function arnId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/**
 * The invitation's ARN from its ID: invitations are named in the sender's (the owner's) account, in the share's
 * Region and partition (`arn:<partition>:ram:<region>:<owner>:resource-share-invitation/<ID>`).
 */
export function invitationArnOf(ctx: Pick<RequestContext, 'stackId'>, owner: string, id: string): string {
  const [, partition, , region] = ctx.stackId.split(':');
  return `arn:${partition || 'aws'}:ram:${region}:${owner}:resource-share-invitation/${id}`;
}

/** The share, for messages: `resource share arn:...` or `resource share "name"`. */
export function describeShare(props: ResourceShareAccepterProps): string {
  return props.resourceShareArn !== undefined ? `resource share ${props.resourceShareArn}` : `resource share "${props.resourceShareName}"`;
}

/** The share's Region when the properties name it (ARN form). */
export function shareRegion(props: ResourceShareAccepterProps): string | undefined {
  return props.resourceShareArn !== undefined ? parseResourceShareArn(props.resourceShareArn)?.region : undefined;
}

/** True when the invitation is for the expected share and was sent by its owner: a name alone never picks another owner's. */
export function isExpectedInvitation(props: ResourceShareAccepterProps, invitation: ResourceShareInvitation): boolean {
  if (invitation.senderAccountId !== props.ownerAccountId) return false;
  return props.resourceShareArn !== undefined
    ? invitation.resourceShareArn === props.resourceShareArn
    : invitation.resourceShareName === props.resourceShareName;
}

/** True when the share is the expected one, owned by the expected owner. */
export function isExpectedShare(props: ResourceShareAccepterProps, share: ResourceShare): boolean {
  if (share.owningAccountId !== props.ownerAccountId) return false;
  return props.resourceShareArn !== undefined ? share.resourceShareArn === props.resourceShareArn : share.name === props.resourceShareName;
}

/**
 * The invitations of the expected share from its owner, newest first: by the share's ARN when given, else every
 * invitation of this account (filtered by name and sender). Pages may be empty: read until nextToken is absent.
 */
export async function expectedInvitations(clients: RamClients, props: ResourceShareAccepterProps): Promise<ResourceShareInvitation[]> {
  const found: ResourceShareInvitation[] = [];
  const input = { maxResults: PAGE_SIZE, ...(props.resourceShareArn !== undefined ? { resourceShareArns: [props.resourceShareArn] } : {}) };
  for await (const page of paginateGetResourceShareInvitations({ client: clients.ram }, input)) {
    found.push(...(page.resourceShareInvitations ?? []).filter((invitation) => isExpectedInvitation(props, invitation)));
  }
  return found.sort((a, b) => (b.invitationTimestamp?.getTime() ?? 0) - (a.invitationTimestamp?.getTime() ?? 0));
}

/** The expected share as this account sees it among the shares other accounts share with it, or undefined. */
export async function receivedShare(clients: RamClients, props: ResourceShareAccepterProps): Promise<ResourceShare | undefined> {
  const input = {
    resourceOwner: 'OTHER-ACCOUNTS' as const,
    maxResults: PAGE_SIZE,
    ...(props.resourceShareArn !== undefined ? { resourceShareArns: [props.resourceShareArn] } : { name: props.resourceShareName }),
  };
  const shares: ResourceShare[] = [];
  for await (const page of paginateGetResourceShares({ client: clients.ram }, input)) {
    shares.push(...(page.resourceShares ?? []).filter((share) => isExpectedShare(props, share)));
  }
  // an ACTIVE share first: a share of the same name deleted before may still be listed
  return shares.find((share) => share.status === ACTIVE) ?? shares[0];
}

/** Every share other accounts share with this account that `matches` accepts (all pages). */
export async function receivedShares(clients: RamClients, matches: (share: ResourceShare) => boolean): Promise<ResourceShare[]> {
  const shares: ResourceShare[] = [];
  for await (const page of paginateGetResourceShares({ client: clients.ram }, { resourceOwner: 'OTHER-ACCOUNTS', maxResults: PAGE_SIZE })) {
    shares.push(...(page.resourceShares ?? []).filter(matches));
  }
  return shares;
}

/** The invitations of one share sent by its owner, newest first. */
export async function invitationsOfShare(clients: RamClients, share: ResourceShare): Promise<ResourceShareInvitation[]> {
  const found: ResourceShareInvitation[] = [];
  const input = { maxResults: PAGE_SIZE, resourceShareArns: [share.resourceShareArn!] };
  for await (const page of paginateGetResourceShareInvitations({ client: clients.ram }, input)) {
    found.push(...(page.resourceShareInvitations ?? []).filter((invitation) => invitation.senderAccountId === share.owningAccountId));
  }
  return found.sort((a, b) => (b.invitationTimestamp?.getTime() ?? 0) - (a.invitationTimestamp?.getTime() ?? 0));
}

/**
 * A clientToken derived only from the request, so that a retry (a Lambda retry, a redeployment after a failed
 * Create) is the same request to RAM: the sha256 of the purpose, the stack ID (its UUID tells two stacks of one name
 * apart), the logical ID and the given parts, written as a UUID (36 characters).
 */
export function clientToken(purpose: 'accept' | 'leave', ctx: Pick<RequestContext, 'stackId' | 'logicalResourceId'>, ...parts: string[]): string {
  const hex = createHash('sha256').update(JSON.stringify([purpose, ctx.stackId, ctx.logicalResourceId, ...parts])).digest('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
}

/** AcceptResourceShareInvitation with this request's token: the invitation as RAM answers it. */
export async function acceptInvitation(
  clients: RamClients,
  invitationArn: string,
  ctx: RequestContext,
): Promise<ResourceShareInvitation | undefined> {
  const { resourceShareInvitation } = await clients.ram.send(new AcceptResourceShareInvitationCommand({
    resourceShareInvitationArn: invitationArn,
    clientToken: clientToken('accept', ctx, invitationArn),
  }));
  return resourceShareInvitation;
}

/** DisassociateResourceShare of this account alone: the receiver leaves the share. */
export async function leaveShare(clients: RamClients, resourceShareArn: string, account: string, ctx: RequestContext): Promise<void> {
  await clients.ram.send(new DisassociateResourceShareCommand({
    resourceShareArn,
    principals: [account],
    clientToken: clientToken('leave', ctx, resourceShareArn, account),
  }));
}

/** What to do after an error of AcceptResourceShareInvitation or of the reads, per RAM error name. */
export const ACCEPT_HINTS: Hints = {
  AccessDeniedException: 'The handler\'s role may accept only invitations of the expected owner (ram:ShareOwnerAccountId): check ' +
    'that the owner account is the one the accepter names, then service control policies and permission boundaries; then deploy again.',
  OperationNotPermittedException: 'RAM refused the operation for this account: check that the share allows external principals ' +
    '(allowExternalPrincipals) when this account is outside the owner\'s organization, then deploy again.',
  MalformedArnException: 'The share\'s ARN is not one RAM knows: give the ARN the owner\'s AWS::RAM::ResourceShare returns (its Arn attribute).',
  ServerInternalException: 'This is a RAM service error that persisted through the retries: deploy again later.',
  ServiceUnavailableException: 'RAM was unavailable through the retries: deploy again later.',
};

/** What to do after an error of DisassociateResourceShare. */
export const LEAVE_HINTS: Hints = {
  AccessDeniedException: 'The handler\'s role is granted ram:DisassociateResourceShare on the owner\'s shares: check service control ' +
    'policies and permission boundaries; or leave the share in the RAM console (Shared with me), or set removalPolicy RETAIN; then retry the delete.',
  ServerInternalException: 'This is a RAM service error that persisted through the retries: retry the delete later.',
  ServiceUnavailableException: 'RAM was unavailable through the retries: retry the delete later.',
};
