/**
 * OrgInvitation: invite an account into the AWS Organization (`./invite.ts`), then, with `acceptance`, accept in the
 * invited account through a role there (`./acceptance.ts`). The steps: Create and Update invite (or adopt), then
 * accept; Delete cancels an open invitation unless another resource of the stack still declares the target. A
 * rollback sends no invitation and assumes no role: it restores what the old properties name, as far as it can.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ACCEPTING_CLIENTS, AcceptingClients, acceptInInvitedAccount } from './acceptance';
import {
  InvitingClients,
  NOT_INVITED_ID,
  cancelAbandonedInvitation,
  createInvitation,
  deleteInvitation,
  describeTarget,
  updateInvitation,
} from './invite';
import type { AcceptanceClients } from '../../shared/assume-role';
import { clientConfig } from '../../shared/clients';
import type { ClientsSpec } from '../../shared/entry';
import { InvitationError, failedWith, isAwsError } from '../../shared/errors';
import { ACCOUNT_ID, HANDSHAKE_ID } from '../../shared/props';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { RollbackCheck, StackClients, StackTargets, acceptanceSkippedInRollback, rollbackCheck, targetsKeptByStack } from '../../shared/stack';
import { NOT_MANAGEMENT_ACCOUNT_ERRORS, ORG_HINTS } from '../invite-hints';
import {
  ALREADY_MEMBER_ID,
  InvitedAccountClients,
  ORG_INVITATION,
  OrgInvitationData,
  OrgInvitationProps,
  isPending,
  organizationsClient,
} from '../service';

export type OrgClients = AcceptingClients & StackClients;

/**
 * The inviter's clients: the management account's on the function's own role (once per container), and per request
 * `assumeRole`, the clients of the invited account through the acceptance role (credentials never cached across
 * requests, never logged, the clients released after use).
 */
export const CLIENTS: ClientsSpec<InvitingClients & Required<StackClients>, Required<AcceptanceClients<InvitedAccountClients>>> = {
  own: () => ({ organizations: organizationsClient(), cloudformation: new CloudFormationClient(clientConfig()) }),
  perRequest: ACCEPTING_CLIENTS,
  stack: (own) => own.cloudformation,
};

/** Comparable key of a target: `email:<lower-cased>` or `account:<id>`; undefined for anything else. */
export function targetKey(targetId: string): string | undefined {
  if (targetId.includes('@')) return `email:${targetId.toLowerCase()}`;
  return ACCOUNT_ID.test(targetId) ? `account:${targetId}` : undefined;
}

/** What identifies an invitation for "another resource of the stack still declares it": the target. */
export const ORG_TARGETS: StackTargets<OrgInvitationProps> = {
  keys: (props) => [targetKey(props.targetId) ?? `${props.targetType.toLowerCase()}:${props.targetId}`],
  templateValues: (properties) => [properties[ORG_INVITATION.keys.targetId]],
  key: targetKey,
};

/** True when a resource of the stack still declares this target (a renamed construct, a replacement): then it stays. */
export async function keptByStack(clients: OrgClients, props: OrgInvitationProps, ctx: RequestContext): Promise<boolean> {
  return (await targetsKeptByStack(clients, ctx, ORG_TARGETS, props)).size > 0;
}

/** The physical IDs this lifecycle answers with: handshake IDs, `already-member:<account>`, and a rollback's `not-invited`. */
export function ownsPhysicalId(physicalId: string): boolean {
  return HANDSHAKE_ID.test(physicalId) || ALREADY_MEMBER_ID.parse(physicalId, ACCOUNT_ID) !== undefined || physicalId === NOT_INVITED_ID;
}

/**
 * With `acceptance`, accept an invitation that is still pending; `sentNow` when this request sent it (a failure then
 * cancels it). A rollback assumes no role (the inviter-side rollback rule, `rollbackCheck`): the invitation stays as it is.
 */
async function acceptIfPending(
  clients: OrgClients,
  props: OrgInvitationProps,
  invited: OrgInvitationData,
  ctx: RequestContext,
  sentNow: boolean,
  rollback: RollbackCheck,
): Promise<OrgInvitationData> {
  if (!props.acceptRoleName || !isPending(invited.handshakeState)) return invited;
  if (await acceptanceSkippedInRollback(rollback, { handshakeId: invited.handshakeId })) return invited;
  return acceptInInvitedAccount(clients, props, invited, ctx, sentNow);
}

/**
 * Organizations answers every call from outside the management account with AccessDeniedException (a member
 * account) or AWSOrganizationsNotInUseException (an account without an organization), usually on the first read, not
 * on the invite: whatever call fails that way, the message says where to deploy.
 */
async function inManagementAccount<T>(doing: string, next: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof InvitationError) && isAwsError(error, ...NOT_MANAGEMENT_ACCOUNT_ERRORS)) {
      throw failedWith(doing, error, { hints: ORG_HINTS, next: next || undefined });
    }
    throw error;
  }
}

const DELETE_ANYWAY = 'To delete the stack without canceling, cancel the invitation in the Organizations console and retry the delete.';

/** The answer to CloudFormation: the handshake (or already-member) ID and the attributes. */
export function toResponse(result: OrgInvitationData): HandlerResponse {
  return { PhysicalResourceId: result.handshakeId, Data: ORG_INVITATION.data(result) };
}

export const orgInvitationLifecycle: Lifecycle<OrgInvitationProps, OrgClients> = {
  what: 'Organizations invitation',
  parse: ORG_INVITATION.parse,
  parseOld: ORG_INVITATION.parseOld,
  ownsPhysicalId,
  sensitive: (raw) => ORG_INVITATION.sensitive(raw),
  create: async (clients, props, ctx) => {
    const invited = await inManagementAccount(`Inviting ${describeTarget(props)}`, '', () => createInvitation(clients, props));
    return toResponse(await acceptIfPending(clients, props, invited, ctx, !invited.adopted, async () => false));
  },
  update: async (clients, physicalId, props, oldProps, ctx) => {
    const rollback = rollbackCheck(clients, ctx);
    const invited = await inManagementAccount(`Updating the invitation to ${describeTarget(props)}`, '',
      () => updateInvitation(clients, physicalId, props, oldProps, rollback));
    // this request sent the handshake (not adopted, not the resource's own from before): only then is it undone
    const sentNow = !invited.adopted && invited.handshakeId !== physicalId;
    return toResponse(await acceptIfPending(clients, props, invited, ctx, sentNow, rollback));
  },
  delete: (clients, physicalId, props, ctx) =>
    inManagementAccount(`Canceling invitation ${physicalId}`, DELETE_ANYWAY, async () => {
      if (HANDSHAKE_ID.test(physicalId) && await keptByStack(clients, props, ctx)) return;
      await deleteInvitation(clients, physicalId);
    }),
  abandonedCreate: (clients, props, ctx, since) =>
    inManagementAccount(`Canceling the invitation to ${describeTarget(props)}`, DELETE_ANYWAY, async () => {
      if (await keptByStack(clients, props, ctx)) return;
      await cancelAbandonedInvitation(clients, props, since);
    }),
};
