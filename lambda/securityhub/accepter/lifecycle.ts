/**
 * SecurityHubInvitationAccepter: the member side of a Security Hub invitation, deployed in the invited account, in the
 * administrator's Region. The lifecycle is the one of every accepter (`accepterLifecycle`, lambda/shared/accepter.ts:
 * accept or adopt on Create, what Delete leaves, rollbacks, the wait's bounds); this module is Security Hub's part.
 *
 * The physical ID `securityhub-invitation-accepter:<region>:<administrator>:<accepted|adopted|unknown>:<invitation ID>`
 * records whether this resource accepted the invitation or found the association in place: Delete (DESTROY) leaves
 * only an association it accepted, still standing on that invitation.
 */
import { SECURITYHUB_ACCEPTER, SecurityHubAccepterProps } from '../../../src/private/contract/securityhub';
import { AccepterSpec, accepterLifecycle } from '../../shared/accepter';
import { administratorSpec } from '../../shared/administrator';
import { failedWith } from '../../shared/errors';
import { log } from '../../shared/log';
import type { Lifecycle } from '../../shared/runtime';
import {
  MemberContext,
  NO_INVITATION_ID,
  SecurityHubAcceptance,
  attributesOf,
  currentAdministrator,
  ensureMemberHubEnabled,
  leaveAdministrator,
  lookForInvitation,
  memberHubEnabled,
  securityHubAcceptWords,
} from '../accept';
import { SecurityHubClients, whereActing } from '../service';

/** The physical IDs' first segment. */
export const PHYSICAL_ID_PREFIX = 'securityhub-invitation-accepter';

/** memberStatus reported by an update that accepted nothing while the account is not associated with the administrator. */
export const NOT_ASSOCIATED = 'NotAssociated';

/** memberStatus reported when the association could not be read. */
export const UNKNOWN_STATUS = 'Unknown';

/** The association as it is now, without accepting anything (an update that keeps the administrator, a rollback). */
export async function reportAssociation(
  clients: SecurityHubClients,
  props: SecurityHubAccepterProps,
  ctx: MemberContext,
): Promise<SecurityHubAcceptance> {
  if (!(await memberHubEnabled(clients, ctx))) {
    log('WARN', 'Security Hub is not enabled any more: reporting no association', {});
    return { invitationId: NO_INVITATION_ID, memberStatus: NOT_ASSOCIATED };
  }
  const current = await currentAdministrator(clients, ctx);
  if (current?.AccountId === props.administratorAccountId) return attributesOf(current);
  log('WARN', 'the account is not associated with the expected administrator: nothing is accepted here', {
    administratorAccountId: props.administratorAccountId, current: current?.AccountId,
  });
  return { invitationId: NO_INVITATION_ID, memberStatus: NOT_ASSOCIATED };
}

/** Security Hub's part of the accepter lifecycle. */
export const SECURITYHUB_ACCEPTER_SPEC: AccepterSpec<SecurityHubAccepterProps, SecurityHubClients, SecurityHubAcceptance> = {
  what: 'Security Hub invitation acceptance',
  prefix: PHYSICAL_ID_PREFIX,
  ...administratorSpec<SecurityHubAccepterProps, SecurityHubAcceptance>(SECURITYHUB_ACCEPTER.keys.administratorAccountId),
  parse: (raw) => SECURITYHUB_ACCEPTER.parse(raw),
  words: (props, ctx) => securityHubAcceptWords(props.administratorAccountId, ctx),
  prepare: (clients, _props, ctx) => ensureMemberHubEnabled(clients, ctx),
  look: (clients, props, ctx) => lookForInvitation(clients, props.administratorAccountId, ctx),
  current: async (clients, _props, ctx) => {
    const current = await currentAdministrator(clients, ctx);
    return current?.AccountId ? { inviter: current.AccountId, ...(current.InvitationId ? { invitationId: current.InvitationId } : {}) } : undefined;
  },
  report: (clients, props, _recorded, ctx) => reportAssociation(clients, props, ctx),
  unreadable: () => ({ invitationId: NO_INVITATION_ID, memberStatus: UNKNOWN_STATUS }),
  data: (props, attributes) => SECURITYHUB_ACCEPTER.data({
    invitationId: attributes.invitationId || NO_INVITATION_ID,
    memberStatus: attributes.memberStatus || NOT_ASSOCIATED,
    administratorAccountId: props.administratorAccountId,
  }),
  removal: (props) => props.removalPolicy,
  leave: async (clients, recorded, _props, ctx) => {
    try {
      if ((await leaveAdministrator(clients)) === 'left') {
        log('INFO', 'disassociated from the Security Hub administrator', { administratorAccountId: recorded.inviter });
      }
    } catch (error) {
      throw failedWith(
        `Disassociating ${whereActing(ctx.stackId)} from Security Hub administrator ${recorded.inviter} (securityhub:DisassociateFromAdministratorAccount)`,
        error,
        {
          hints: {
            AccessDeniedException: 'The handler\'s role is granted this action: check service control policies and permission ' +
              'boundaries, or disassociate in the Security Hub console (Settings, Configuration); then retry the delete.',
          },
          fallback: 'Retry the delete; or disassociate in the Security Hub console, or set removalPolicy RETAIN to keep the membership.',
        },
      );
    }
  },
};

type AccepterLifecycle = Lifecycle<SecurityHubAccepterProps, SecurityHubClients> & { ownsPhysicalId(physicalId: string): boolean };

export const securityHubInvitationAccepterLifecycle: AccepterLifecycle = {
  ...accepterLifecycle(SECURITYHUB_ACCEPTER_SPEC),
  sensitive: (raw) => SECURITYHUB_ACCEPTER.sensitive(raw),
};
