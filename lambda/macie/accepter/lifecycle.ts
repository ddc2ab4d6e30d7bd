/**
 * MacieInvitationAccepter: the member side of a Macie invitation, deployed in the invited account, in the
 * administrator's region. Create accepts (or adopts) the administrator's invitation (lambda/macie/accept.ts). Update
 * with the same administrator reports the association; a changed one is a Create for it. Delete (DESTROY)
 * disassociates from the administrator, only while it is still the one this resource accepted.
 *
 * The physical ID `macie-invitation-accepter:<region>:<administrator>` names the administrator a resource accepted, so
 * the Delete of a replaced resource (a changed administrator) can tell whether the account still belongs to it.
 */
import { DisassociateFromAdministratorAccountCommand } from '@aws-sdk/client-macie2';
import { MACIE_ACCEPTER, MacieAccepterProps } from '../../../src/private/contract/macie';
import { Hints, errorName, failedWith } from '../../shared/errors';
import { log } from '../../shared/log';
import { ACCOUNT_ID } from '../../shared/props';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { StackTargets, isRollback, stackLocation, targetsKeptByStack } from '../../shared/stack';
import {
  MacieAcceptance,
  NO_INVITATION_ID,
  acceptMacieInvitation,
  attributesOf,
  currentAdministrator,
  memberMacieEnabled,
} from '../accept';
import { ASSOCIATED_STATES, MacieClients, isMacieNotEnabled, isNotAssociated, whereActing } from '../service';

export const PHYSICAL_ID_PREFIX = 'macie-invitation-accepter:';

/** relationshipStatus reported by an Update that changed nothing while the account is no longer associated. */
export const NOT_ASSOCIATED = 'NotAssociated';

// ---------------------------------------------------------------------------------------------------------------
// Physical IDs
// ---------------------------------------------------------------------------------------------------------------

/** `macie-invitation-accepter:<region>:<administrator>`: one per administrator and region, free of anything sensitive. */
export function physicalResourceId(ctx: Pick<RequestContext, 'stackId'>, administratorAccountId: string): string {
  return `${PHYSICAL_ID_PREFIX}${stackLocation(ctx.stackId).region ?? 'unknown'}:${administratorAccountId}`;
}

/** The administrator a physical ID of this handler names, or undefined for any other ID (failed Create markers). */
export function administratorOf(physicalId: string): string | undefined {
  if (!physicalId.startsWith(PHYSICAL_ID_PREFIX)) return undefined;
  const administrator = physicalId.slice(physicalId.lastIndexOf(':') + 1);
  return ACCOUNT_ID.test(administrator) ? administrator : undefined;
}

export function ownsPhysicalId(physicalId: string): boolean {
  return administratorOf(physicalId) !== undefined;
}

function response(ctx: Pick<RequestContext, 'stackId'>, props: MacieAccepterProps, acceptance: MacieAcceptance): HandlerResponse {
  return {
    PhysicalResourceId: physicalResourceId(ctx, props.administratorAccountId),
    Data: MACIE_ACCEPTER.data({
      invitationId: acceptance.invitationId || NO_INVITATION_ID,
      relationshipStatus: acceptance.relationshipStatus || NOT_ASSOCIATED,
      administratorAccountId: props.administratorAccountId,
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Lifecycle steps
// ---------------------------------------------------------------------------------------------------------------

/** Create: accept (or adopt) the administrator's invitation, waiting for it within `waitTimeout`. */
export async function createAccepter(clients: MacieClients, props: MacieAccepterProps, ctx: RequestContext): Promise<HandlerResponse> {
  return response(ctx, props, await acceptMacieInvitation(clients, props, ctx));
}

/** The association as it is now, without accepting anything (an Update that keeps the administrator). */
export async function reportAssociation(clients: MacieClients, props: MacieAccepterProps, ctx: RequestContext): Promise<MacieAcceptance> {
  if (!(await memberMacieEnabled(clients, ctx))) {
    log('WARN', 'Macie is not enabled any more: reporting no association', {});
    return { invitationId: NO_INVITATION_ID, relationshipStatus: NOT_ASSOCIATED };
  }
  const current = await currentAdministrator(clients, ctx);
  if (current?.accountId === props.administratorAccountId) return attributesOf(current);
  log('WARN', 'the account is no longer associated with the administrator: nothing is accepted on an update that keeps it', {
    administratorAccountId: props.administratorAccountId,
    current: current?.accountId,
  });
  return { invitationId: NO_INVITATION_ID, relationshipStatus: NOT_ASSOCIATED };
}

/**
 * Update: the same administrator sends nothing (it reports the association); a changed administrator is a Create for
 * the new one, with a new physical ID, except in a rollback, which accepts nothing and never fails for the
 * association. The old association is never touched here: the Delete of the old physical ID handles it (and finds
 * the new administrator, so it leaves the account alone).
 */
export async function updateAccepter(
  clients: MacieClients,
  physicalId: string,
  props: MacieAccepterProps,
  oldProps: MacieAccepterProps,
  ctx: RequestContext,
): Promise<HandlerResponse> {
  const accepted = administratorOf(physicalId) ?? oldProps.administratorAccountId;
  if (accepted === props.administratorAccountId) {
    return response(ctx, props, await reportAssociation(clients, props, ctx));
  }
  if (await isRollback(clients, ctx)) {
    // Undoing an update that accepted another administrator: the account cannot return to this one by itself (one
    // administrator per Region) and a rollback must not fail for it. Accept nothing: the cleanup Delete of the newer
    // resource's physical ID disassociates from the administrator that update accepted.
    log('WARN', 'rolling back to an earlier administrator: nothing is accepted', { from: accepted, to: props.administratorAccountId });
    return response(ctx, props, await reportAssociation(clients, props, ctx));
  }
  log('INFO', 'the administrator changed: accepting the new administrator\'s invitation', { from: accepted, to: props.administratorAccountId });
  return createAccepter(clients, props, ctx);
}

/** What an accepter resource of the stack stands for: its administrator account. */
const ADMINISTRATOR_TARGET: StackTargets<string> = {
  keys: (administratorAccountId) => [administratorAccountId],
  templateValues: (properties) => [properties[MACIE_ACCEPTER.keys.administratorAccountId]],
  key: (value) => (ACCOUNT_ID.test(value) ? value : undefined),
};

/** True when another accepter resource of this stack expects the same administrator (a renamed construct). */
async function keptByStack(clients: MacieClients, administratorAccountId: string, ctx: RequestContext): Promise<boolean> {
  const kept = (await targetsKeptByStack(clients, ctx, ADMINISTRATOR_TARGET, administratorAccountId)).size > 0;
  if (kept) log('INFO', 'another resource of this stack expects this administrator: the association stays', { administratorAccountId });
  return kept;
}

/** Disassociating failed: what to do besides fixing the cause. */
const DISASSOCIATE_HINTS: Hints = {
  AccessDeniedException:
    'The handler\'s role is granted this action: check service control policies and permission boundaries, or disassociate ' +
    'in the Macie console (Settings, Accounts); then retry the delete.',
};

/**
 * Delete: with DESTROY, disassociate from the administrator this resource accepted (named by the physical ID), only
 * while the account is still its member by invitation. A changed administrator, an account that already left, a
 * membership managed through AWS Organizations and a Macie that is not enabled are left alone (success, logged).
 */
export async function deleteAccepter(
  clients: MacieClients,
  physicalId: string,
  props: MacieAccepterProps,
  ctx: RequestContext,
): Promise<void> {
  if (props.removalPolicy === 'RETAIN') {
    log('INFO', 'removal policy RETAIN: the account stays a member', { physicalId });
    return;
  }
  const administratorAccountId = administratorOf(physicalId);
  if (!administratorAccountId) {
    log('INFO', 'not an accepted invitation: nothing to disassociate', { physicalId });
    return;
  }
  if (await keptByStack(clients, administratorAccountId, ctx)) return;
  if (!(await memberMacieEnabled(clients, ctx))) {
    log('INFO', 'Macie is not enabled: there is no administrator to leave', { physicalId });
    return;
  }
  const current = await currentAdministrator(clients, ctx);
  if (current?.accountId !== administratorAccountId) {
    log('INFO', current ? 'the account has another administrator now: left alone' : 'the account has no administrator: nothing to do', {
      accepted: administratorAccountId,
      current: current?.accountId,
    });
    return;
  }
  if (!ASSOCIATED_STATES.has(current.relationshipStatus ?? 'Enabled')) {
    log('INFO', 'the account already left the administrator', { administratorAccountId, status: current.relationshipStatus });
    return;
  }
  if (!current.invitationId) {
    log('INFO', 'associated through AWS Organizations, not by invitation: left alone', { administratorAccountId });
    return;
  }
  try {
    await clients.macie.send(new DisassociateFromAdministratorAccountCommand({}));
    log('INFO', 'disassociated from the Macie administrator', { administratorAccountId });
  } catch (error) {
    if (isMacieNotEnabled(error) || isNotAssociated(error)) {
      log('INFO', 'already disassociated', { administratorAccountId, error: errorName(error) });
      return;
    }
    throw failedWith(
      `Disassociating ${whereActing(ctx.stackId)} from Macie administrator ${administratorAccountId} (macie2:DisassociateFromAdministratorAccount)`,
      error,
      {
        hints: DISASSOCIATE_HINTS,
        fallback: 'Retry the delete; or disassociate in the Macie console (Settings, Accounts), or set removalPolicy RETAIN to keep the membership.',
      },
    );
  }
}

export const macieInvitationAccepterLifecycle: Lifecycle<MacieAccepterProps, MacieClients> = {
  what: 'Macie invitation acceptance',
  parse: (raw) => MACIE_ACCEPTER.parse(raw),
  ownsPhysicalId,
  create: (clients, props, ctx) => createAccepter(clients, props, ctx),
  update: (clients, physicalId, props, oldProps, ctx) => updateAccepter(clients, physicalId, props, oldProps, ctx),
  delete: (clients, physicalId, props, ctx) => deleteAccepter(clients, physicalId, props, ctx),
  // a Create cut off by the deadline cannot tell an acceptance it made from an association it adopted: keep it
  abandonedCreate: async (_clients, props) => {
    log('INFO', 'a Create that timed out may have accepted or adopted the association: it stays', { administratorAccountId: props.administratorAccountId });
  },
};
