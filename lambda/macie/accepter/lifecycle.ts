/**
 * MacieInvitationAccepter: the member side of a Macie invitation, deployed in the invited account, in the
 * administrator's region. The lifecycle is the one of every accepter (`accepterLifecycle`, lambda/shared/accepter.ts:
 * accept or adopt on Create, what Delete leaves, rollbacks, the wait's bounds); this module is Macie's part of it.
 *
 * The physical ID `macie-invitation-accepter:<region>:<administrator>:<accepted|adopted|unknown>:<invitation ID>`
 * records whether this resource accepted the invitation or found the association in place: Delete (DESTROY) leaves
 * only an association it accepted, still standing on that invitation. Earlier versions wrote
 * `macie-invitation-accepter:<region>:<administrator>`, which cannot tell: such a resource's Delete keeps.
 */
import { MACIE_ACCEPTER, MacieAccepterProps } from '../../../src/private/contract/macie';
import { AccepterSpec, accepterLifecycle } from '../../shared/accepter';
import { administratorSpec } from '../../shared/administrator';
import { Hints, failedWith } from '../../shared/errors';
import { log } from '../../shared/log';
import type { Lifecycle } from '../../shared/runtime';
import {
  MacieAcceptance,
  MemberContext,
  NO_INVITATION_ID,
  attributesOf,
  currentAdministrator,
  currentAssociation,
  ensureMemberMacieEnabled,
  leaveAdministrator,
  lookForInvitation,
  macieAcceptWords,
  memberMacieEnabled,
} from '../accept';
import { MacieClients, whereActing } from '../service';

/** The physical IDs' first segment. */
export const PHYSICAL_ID_PREFIX = 'macie-invitation-accepter';

/** relationshipStatus reported by an Update that changed nothing while the account is no longer associated. */
export const NOT_ASSOCIATED = 'NotAssociated';

/** relationshipStatus reported when the association could not be read (an update or a rollback that accepts nothing). */
export const UNKNOWN_STATUS = 'Unknown';

/** A physical ID of an earlier version: `macie-invitation-accepter:<region>:<administrator>`. */
const LEGACY_PHYSICAL_ID = new RegExp(`^${PHYSICAL_ID_PREFIX}:[a-z0-9-]+:(\\d{12})$`);

/** The administrator a physical ID of an earlier version names, or undefined for any other ID. */
export function administratorOf(physicalId: string): string | undefined {
  return LEGACY_PHYSICAL_ID.exec(physicalId)?.[1];
}

/** The association as it is now, without accepting anything (an Update that keeps the administrator, a rollback). */
export async function reportAssociation(clients: MacieClients, props: MacieAccepterProps, ctx: MemberContext): Promise<MacieAcceptance> {
  if (!(await memberMacieEnabled(clients, ctx))) {
    log('WARN', 'Macie is not enabled any more: reporting no association', {});
    return { invitationId: NO_INVITATION_ID, relationshipStatus: NOT_ASSOCIATED };
  }
  const current = await currentAdministrator(clients, ctx);
  if (current?.accountId === props.administratorAccountId) return attributesOf(current);
  log('WARN', 'the account is not associated with the expected administrator: nothing is accepted here', {
    administratorAccountId: props.administratorAccountId,
    current: current?.accountId,
  });
  return { invitationId: NO_INVITATION_ID, relationshipStatus: NOT_ASSOCIATED };
}

/** Disassociating failed: what to do besides fixing the cause. */
const DISASSOCIATE_HINTS: Hints = {
  AccessDeniedException:
    'The handler\'s role is granted this action: check service control policies and permission boundaries, or disassociate ' +
    'in the Macie console (Settings, Accounts); then retry the delete.',
};

/** Macie's part of the accepter lifecycle. */
export const MACIE_ACCEPTER_SPEC: AccepterSpec<MacieAccepterProps, MacieClients, MacieAcceptance> = {
  what: 'Macie invitation acceptance',
  prefix: PHYSICAL_ID_PREFIX,
  ...administratorSpec<MacieAccepterProps, MacieAcceptance>(MACIE_ACCEPTER.keys.administratorAccountId),
  parse: (raw) => MACIE_ACCEPTER.parse(raw),
  words: (props, ctx) => macieAcceptWords(props.administratorAccountId, ctx),
  prepare: (clients, _props, ctx) => ensureMemberMacieEnabled(clients, ctx),
  look: (clients, props, ctx) => lookForInvitation(clients, props.administratorAccountId, ctx),
  current: async (clients, _props, ctx) => {
    const current = await currentAssociation(clients, ctx);
    return current?.accountId ? { inviter: current.accountId, ...(current.invitationId ? { invitationId: current.invitationId } : {}) } : undefined;
  },
  report: (clients, props, _recorded, ctx) => reportAssociation(clients, props, ctx),
  unreadable: () => ({ invitationId: NO_INVITATION_ID, relationshipStatus: UNKNOWN_STATUS }),
  data: (props, attributes) => MACIE_ACCEPTER.data({
    invitationId: attributes.invitationId || NO_INVITATION_ID,
    relationshipStatus: attributes.relationshipStatus || NOT_ASSOCIATED,
    administratorAccountId: props.administratorAccountId,
  }),
  legacy: (physicalId) => {
    const inviter = administratorOf(physicalId);
    return inviter ? { inviter } : undefined;
  },
  removal: (props) => props.removalPolicy,
  leave: async (clients, recorded, _props, ctx) => {
    try {
      if ((await leaveAdministrator(clients)) === 'left') {
        log('INFO', 'disassociated from the Macie administrator', { administratorAccountId: recorded.inviter });
      }
    } catch (error) {
      throw failedWith(
        `Disassociating ${whereActing(ctx.stackId)} from Macie administrator ${recorded.inviter} (macie2:DisassociateFromAdministratorAccount)`,
        error,
        {
          hints: DISASSOCIATE_HINTS,
          fallback: 'Retry the delete; or disassociate in the Macie console (Settings, Accounts), or set removalPolicy RETAIN to keep the membership.',
        },
      );
    }
  },
};

export const macieInvitationAccepterLifecycle: Lifecycle<MacieAccepterProps, MacieClients> & { ownsPhysicalId(physicalId: string): boolean } = {
  ...accepterLifecycle(MACIE_ACCEPTER_SPEC),
  sensitive: (raw) => MACIE_ACCEPTER.sensitive(raw),
};

export const ownsPhysicalId = (physicalId: string): boolean => macieInvitationAccepterLifecycle.ownsPhysicalId(physicalId);
