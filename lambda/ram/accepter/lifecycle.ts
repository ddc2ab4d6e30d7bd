/**
 * ResourceShareAccepter: the receiving side of an AWS RAM resource share, deployed in the receiving account, in the
 * share's Region. The lifecycle is the one of every accepter (`accepterLifecycle`, lambda/shared/accepter.ts: accept
 * or adopt on Create, what Delete leaves, rollbacks, the wait's bounds); this module is RAM's part of it.
 *
 * - Only an invitation sent by the expected owner for the expected share is accepted (by ARN, or by owner and name:
 *   a share of the same name from another owner is never picked). An invitation RAM says is accepted already is
 *   adopted; so is a share that is ACTIVE for this account with no open invitation (organization sharing).
 * - The physical ID `resource-share-accepter:<region>:<owner>/<share key>:<accepted|adopted|unknown>:<invitation ID>`
 *   records the expectation (`<share key>`: the share's ID, or `name-<digest of the name>` for the name form, since a
 *   name may hold any character) and the invitation this resource accepted: Delete (DESTROY) leaves the share
 *   (DisassociateResourceShare of this account) only when it accepted that invitation and the share still stands on
 *   it; never an adopted or organization share, never with RETAIN.
 */
import { createHash } from 'crypto';
import type { ResourceShare, ResourceShareInvitation } from '@aws-sdk/client-ram';
import { RAM_ACCEPTER, ResourceShareAccepterData, ResourceShareAccepterProps, parseResourceShareArn } from '../../../src/private/contract/ram';
import { Adopted, InvitationEndedError } from '../../shared/accept';
import { AccepterSpec, accepterLifecycle } from '../../shared/accepter';
import { InvitationError, errorName, failedWith, isAwsError } from '../../shared/errors';
import { log } from '../../shared/log';
import { ACCOUNT_ID } from '../../shared/props';
import type { Lifecycle, RequestContext } from '../../shared/runtime';
import { StackTargets, stackLocation } from '../../shared/stack';
import {
  ACCEPTED,
  ACCEPT_HINTS,
  ACTIVE,
  ENDED_STATUSES,
  LEAVE_HINTS,
  NONE,
  PENDING,
  RamClients,
  acceptInvitation,
  arnId,
  describeShare,
  expectedInvitations,
  invitationArnOf,
  invitationsOfShare,
  leaveShare,
  receivedShare,
  receivedShares,
  shareRegion,
} from '../service';

/** The physical IDs' first segment. */
export const PHYSICAL_ID_PREFIX = 'resource-share-accepter';
/** status when the share is not visible to this account (an update or a rollback that accepts nothing). */
export const NOT_FOUND = 'NOT_FOUND';
/** status when the share could not be read. */
export const UNKNOWN = 'UNKNOWN';

/** This account: the stack's, from its ARN. */
function ownAccount(ctx: Pick<RequestContext, 'stackId'>): string {
  const account = stackLocation(ctx.stackId).account;
  if (account === undefined) {
    throw new InvitationError(`The stack ID '${ctx.stackId}' names no account: cannot tell which account accepts. Please report this.`);
  }
  return account;
}

/**
 * The expectation as the physical ID records it (no `:`): `<owner>/<share ID>`, or `<owner>/name-<digest>` for a
 * share given by name (the digest of the name keeps any character out of the ID, and a changed name changes it).
 */
export function expectationOf(props: ResourceShareAccepterProps): string {
  const share = props.resourceShareArn !== undefined
    ? (parseResourceShareArn(props.resourceShareArn)?.id ?? props.resourceShareArn)
    : nameKey(props.resourceShareName);
  return `${props.ownerAccountId}/${share}`;
}

function nameKey(name: string): string {
  return `name-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
}

/** True when `share` is the one an expectation (`<owner>/<share ID or name key>`) names. */
function meets(expectation: string, share: ResourceShare): boolean {
  const [owner, key] = expectation.split('/');
  return share.owningAccountId === owner && (arnId(share.resourceShareArn ?? '') === key || nameKey(share.name ?? '') === key);
}

/** What an accepter resource of the stack stands for: its owner account (either form; a share's ARN names it). */
export const OWNER_TARGET: StackTargets<ResourceShareAccepterProps> = {
  keys: (props) => [props.ownerAccountId],
  templateValues: (properties) => [properties[RAM_ACCEPTER.keys.resourceShareArn] ?? properties[RAM_ACCEPTER.keys.ownerAccountId]],
  key: (value) => (ACCOUNT_ID.test(value) ? value : parseResourceShareArn(value)?.account),
};

/** The attributes of a share seen by this account, with the invitation it stands on (if any). */
function attributesOf(
  share: ResourceShare,
  invitation: ResourceShareInvitation | undefined,
  props: ResourceShareAccepterProps,
): ResourceShareAccepterData {
  return {
    resourceShareArn: share.resourceShareArn || props.resourceShareArn || NONE,
    invitationArn: invitation?.resourceShareInvitationArn || NONE,
    status: share.status || ACTIVE,
  };
}

/** The accepted invitation a share stands on, newest first (none for a share of the organization). */
function acceptedFor(invitations: readonly ResourceShareInvitation[], share: ResourceShare): ResourceShareInvitation | undefined {
  return invitations.find((invitation) => invitation.status === ACCEPTED && invitation.resourceShareArn === share.resourceShareArn);
}

/** Accepts one pending invitation: the share's attributes after it, `Adopted` when RAM says it was accepted already. */
async function accept(
  clients: RamClients,
  props: ResourceShareAccepterProps,
  invitation: ResourceShareInvitation,
  ctx: RequestContext,
): Promise<ResourceShareAccepterData | Adopted<ResourceShareAccepterData>> {
  const arn = invitation.resourceShareInvitationArn!;
  const after = async (status: string) => {
    // the accept stands: a failed read only leaves the status to the invitation
    const share = await receivedShare(clients, props).catch((error: unknown) => {
      log('WARN', 'accepted, but the share could not be read: its status is the invitation\'s', { error: errorName(error) });
      return undefined;
    });
    return {
      resourceShareArn: share?.resourceShareArn || invitation.resourceShareArn || props.resourceShareArn || NONE,
      invitationArn: arn,
      // right after the accept RAM may not list the share yet: the invitation's status says what happened
      status: share?.status || status,
    };
  };
  try {
    const accepted = await acceptInvitation(clients, arn, ctx);
    return await after(accepted?.status || ACCEPTED);
  } catch (error) {
    if (isAwsError(error, 'ResourceShareInvitationAlreadyAcceptedException')) return new Adopted(await after(ACCEPTED));
    if (isAwsError(error, 'ResourceShareInvitationExpiredException')) throw new InvitationEndedError(arn, 'EXPIRED');
    if (isAwsError(error, 'ResourceShareInvitationAlreadyRejectedException')) throw new InvitationEndedError(arn, 'REJECTED');
    if (isAwsError(error, 'ResourceShareInvitationArnNotFoundException')) throw new InvitationEndedError(arn, 'NOT_FOUND');
    throw failedWith(`Accepting RAM invitation ${arn} from owner account ${props.ownerAccountId} (ram:AcceptResourceShareInvitation)`, error, {
      hints: ACCEPT_HINTS,
    });
  }
}

/** The share as it is, accepting nothing. */
async function report(
  clients: RamClients,
  props: ResourceShareAccepterProps,
  invitationId: string | undefined,
  ctx: RequestContext,
): Promise<ResourceShareAccepterData> {
  const share = await receivedShare(clients, props);
  const recordedArn = invitationId !== undefined ? invitationArnOf(ctx, props.ownerAccountId, invitationId) : undefined;
  if (!share) {
    log('WARN', 'the share is not visible to this account: nothing is accepted here', { share: describeShare(props) });
    return { resourceShareArn: props.resourceShareArn ?? NONE, invitationArn: recordedArn ?? NONE, status: NOT_FOUND };
  }
  const invitation = acceptedFor(await expectedInvitations(clients, props), share);
  return attributesOf(share, invitation, props);
}

/** What to do when only an expired or rejected invitation was seen. */
function endedHint(props: ResourceShareAccepterProps): string {
  return 'An EXPIRED invitation (RAM invitations expire, after 12 hours for most resource types) or a REJECTED one cannot be ' +
    `accepted: the owner account ${props.ownerAccountId} must share again (remove this account from the share's principals ` +
    'and add it again, e.g. by deploying the sharing stack without and then with it), then deploy this stack again.';
}

/** RAM's part of the accepter lifecycle. The relationship: the owner and the share, and the invitation accepted. */
export const RAM_ACCEPTER_SPEC: AccepterSpec<ResourceShareAccepterProps, RamClients, ResourceShareAccepterData> = {
  what: 'RAM resource share acceptance',
  prefix: PHYSICAL_ID_PREFIX,
  targets: OWNER_TARGET,
  parse: (raw) => RAM_ACCEPTER.parse(raw),
  words: (props, ctx) => ({
    what: `AWS RAM invitation to ${describeShare(props)}`,
    inviter: `owner account ${props.ownerAccountId}`,
    invitee: `account ${ownAccount(ctx)}`,
    otherInviterHint: 'Give the share of the expected owner.',
    notArrivedHint: `Add this account to the share's principals in owner account ${props.ownerAccountId} (AWS::RAM::ResourceShare ` +
      'Principals, in the same Region) and deploy that stack first, or make this stack depend on it (`cdk deploy --all` then ' +
      'deploys them in order), or raise waitTimeout; then deploy again. Within an AWS Organization with RAM sharing enabled no ' +
      'invitation is sent: the share is adopted once it is ACTIVE for this account.',
    endedHint: endedHint(props),
  }),
  inviterAccount: (props) => props.ownerAccountId,
  prepare: async (_clients, props, ctx) => {
    const region = shareRegion(props);
    const own = stackLocation(ctx.stackId).region;
    if (region !== undefined && own !== undefined && region !== own) {
      throw new InvitationError(`The resource share ${props.resourceShareArn} is in Region ${region}, this stack in ${own}: a share and ` +
        `its invitation are seen only in their own Region. Deploy the accepter in a stack of Region ${region}. Nothing was changed.`);
    }
  },
  look: async (clients, props, ctx) => {
    // both reads before anything is accepted: a read that fails fails the look, not an accept that took effect
    const invitations = await expectedInvitations(clients, props);
    const share = await receivedShare(clients, props);
    const pending = invitations.find((invitation) => invitation.status === PENDING && invitation.resourceShareInvitationArn);
    if (pending) {
      return { kind: 'pending', id: pending.resourceShareInvitationArn!, accept: () => accept(clients, props, pending, ctx) };
    }
    if (share?.status === ACTIVE) {
      const invitation = acceptedFor(invitations, share);
      if (!invitation) log('INFO', 'the share is active with no invitation (organization sharing): adopted', { share: share.resourceShareArn });
      return { kind: 'accepted', attributes: attributesOf(share, invitation, props) };
    }
    const ended = invitations.find((invitation) => ENDED_STATUSES.has(invitation.status ?? ''));
    if (ended) return { kind: 'ended', id: ended.resourceShareInvitationArn ?? NONE, state: ended.status! };
    return { kind: 'none' };
  },
  identify: (props, attributes) => ({
    inviter: expectationOf(props),
    ...(attributes.invitationArn !== NONE ? { invitationId: arnId(attributes.invitationArn) } : {}),
  }),
  expects: (props, recorded) => recorded.inviter === expectationOf(props),
  sameExpectation: (props, oldProps) => expectationOf(props) === expectationOf(oldProps),
  // the share the physical ID names (an update's, when the stack cannot be read: the old one), or the expected one
  current: async (clients, props, _ctx, recorded) => {
    const expectation = recorded.inviter ?? expectationOf(props);
    const share = (await receivedShares(clients, (s) => s.status === ACTIVE && meets(expectation, s)))[0];
    if (!share) return undefined;
    const invitation = (await invitationsOfShare(clients, share)).find((i) => i.status === ACCEPTED);
    return {
      inviter: expectation,
      ...(invitation?.resourceShareInvitationArn ? { invitationId: arnId(invitation.resourceShareInvitationArn) } : {}),
    };
  },
  report: (clients, props, recorded, ctx) => report(clients, props, recorded?.invitationId, ctx),
  unreadable: (props, recorded, ctx) => ({
    resourceShareArn: props.resourceShareArn ?? NONE,
    invitationArn: recorded?.invitationId !== undefined ? invitationArnOf(ctx, props.ownerAccountId, recorded.invitationId) : NONE,
    status: UNKNOWN,
  }),
  data: (_props, attributes) => RAM_ACCEPTER.data(attributes),
  removal: (props) => props.removalPolicy,
  leave: async (clients, recorded, props, ctx) => {
    const share = (await receivedShares(clients, (s) => meets(recorded.inviter, s)))[0];
    if (!share?.resourceShareArn) {
      log('INFO', 'the share is no longer visible to this account: nothing to leave', { share: describeShare(props) });
      return;
    }
    try {
      await leaveShare(clients, share.resourceShareArn, ownAccount(ctx), ctx);
      log('INFO', 'left the resource share', { share: share.resourceShareArn, invitationId: recorded.invitationId });
    } catch (error) {
      if (isAwsError(error, 'UnknownResourceException')) {
        log('INFO', 'the share is gone: nothing to leave', { share: share.resourceShareArn });
        return;
      }
      if (isAwsError(error, 'OperationNotPermittedException', 'InvalidStateTransitionException')) {
        // a share of the organization, or of a resource type that cannot be left: a delete must not fail on it
        log('WARN', 'RAM does not let this account leave the share: it stays. Leave it in the RAM console (Shared with me) ' +
          'or ask the owner to remove this account, if it should go.', { share: share.resourceShareArn, error: errorName(error) });
        return;
      }
      throw failedWith(`Leaving ${share.resourceShareArn} of owner account ${props.ownerAccountId} (ram:DisassociateResourceShare)`, error, {
        hints: LEAVE_HINTS,
        fallback: 'Retry the delete; or leave the share in the RAM console (Shared with me), or set removalPolicy RETAIN to keep it.',
      });
    }
  },
};

export const resourceShareAccepterLifecycle: Lifecycle<ResourceShareAccepterProps, RamClients> & { ownsPhysicalId(physicalId: string): boolean } = {
  ...accepterLifecycle(RAM_ACCEPTER_SPEC),
  sensitive: (raw) => RAM_ACCEPTER.sensitive(raw),
};
