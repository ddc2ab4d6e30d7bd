/**
 * OrgInvitation: invite an account into the AWS Organization (`./invite.ts`), then, with `acceptance`, accept in the
 * invited account through a role there (`./acceptance.ts`). The steps: Create and Update invite (or adopt), then
 * accept; Delete cancels an open invitation unless another resource of the stack still declares the target.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { AcceptingClients, acceptThroughRole } from './acceptance';
import { InvitingClients, cancelAbandonedInvitation, createInvitation, deleteInvitation, describeTarget, updateInvitation } from './invite';
import { assumedClients } from '../../shared/assume-role';
import { clientConfig, withSignals } from '../../shared/clients';
import type { ClientsSpec } from '../../shared/entry';
import { InvitationError, failedWith, isAwsError } from '../../shared/errors';
import { ACCOUNT_ID, HANDSHAKE_ID } from '../../shared/props';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { StackClients, StackTargets, targetsKeptByStack } from '../../shared/stack';
import { NOT_MANAGEMENT_ACCOUNT_ERRORS, ORG_HINTS } from '../invite-hints';
import {
  ALREADY_MEMBER_ID,
  InvitedAccountClients,
  ORG_INVITATION,
  OrgInvitationData,
  OrgInvitationProps,
  invitedAccountClients,
  organizationsClient,
} from '../service';

export type OrgClients = AcceptingClients & StackClients;

/**
 * The inviter's clients: the management account's on the function's own role (once per container), and per request
 * the clients of the invited account through the acceptance role (credentials never cached across requests, never
 * logged).
 */
export const CLIENTS: ClientsSpec<InvitingClients & Required<StackClients>, Pick<AcceptingClients, 'acceptingAs'>> = {
  own: () => ({ organizations: organizationsClient(), cloudformation: new CloudFormationClient(clientConfig()) }),
  perRequest: (ctx) => ({
    acceptingAs: (roleName: string) => assumedClients<InvitedAccountClients>(ctx, roleName,
      (credentials) => withSignals(invitedAccountClients(credentials), ctx.signal)),
  }),
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

/** The physical IDs this lifecycle answers with: handshake IDs, and `already-member:<account>`. */
export function ownsPhysicalId(physicalId: string): boolean {
  return HANDSHAKE_ID.test(physicalId) || ALREADY_MEMBER_ID.parse(physicalId, ACCOUNT_ID) !== undefined;
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
  create: async (clients, props, ctx) => {
    const invited = await inManagementAccount(`Inviting ${describeTarget(props)}`, '', () => createInvitation(clients, props));
    return toResponse(await acceptThroughRole(clients, props, invited, ctx));
  },
  update: async (clients, physicalId, props, oldProps, ctx) => {
    const invited = await inManagementAccount(`Updating the invitation to ${describeTarget(props)}`, '',
      () => updateInvitation(clients, physicalId, props, oldProps));
    return toResponse(await acceptThroughRole(clients, props, invited, ctx, physicalId));
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
