/**
 * DetectiveInvitationAccepter: the member side of an Amazon Detective behavior graph invitation, deployed in the
 * invited account, in the graph's Region. The lifecycle is the one of every accepter (`accepterLifecycle`,
 * lambda/shared/accepter.ts: accept or adopt on Create, what Delete leaves, rollbacks, the wait's bounds); this module
 * is Detective's part of it.
 *
 * The physical ID `detective-invitation-accepter:<region>:<administrator>:<accepted|adopted|unknown>:<graph ID>`
 * records whether this resource accepted the invitation or found the membership in place: Delete (DESTROY) leaves
 * (DisassociateMembership) only a membership it accepted. A member may belong to several graphs: another graph's
 * invitation or membership is never touched, and is no conflict.
 */
import type { MemberDetail } from '@aws-sdk/client-detective';
import { DETECTIVE_ACCEPTER, DetectiveAccepterData, DetectiveAccepterProps } from '../../../src/private/contract/detective';
import { Adopted, Sighting } from '../../shared/accept';
import { AccepterSpec, accepterLifecycle } from '../../shared/accepter';
import { Hints, InvitationError, errorName, failedWith } from '../../shared/errors';
import { log } from '../../shared/log';
import type { Lifecycle } from '../../shared/runtime';
import { StackTargets, stackLocation, whereActing } from '../../shared/stack';
import {
  ACCEPTED_STATUSES,
  DETECTIVE_HINTS,
  DetectiveClients,
  INVITED,
  VERIFICATION_FAILED,
  VERIFICATION_IN_PROGRESS,
  acceptGraphInvitation,
  leaveGraph,
  membershipOf,
} from '../service';

/** The physical IDs' first segment. */
export const PHYSICAL_ID_PREFIX = 'detective-invitation-accepter';

/** memberStatus when the account has no entry for the graph (an update or a rollback that accepts nothing). */
export const NOT_A_MEMBER = 'NOT_A_MEMBER';
/** memberStatus when the membership could not be read. */
export const UNKNOWN_STATUS = 'UNKNOWN';

/** The attributes of the graph's entry (or of none). */
function attributesOf(props: DetectiveAccepterProps, entry: MemberDetail | undefined, fallback = NOT_A_MEMBER): DetectiveAccepterData {
  return {
    graphArn: props.graphArn,
    administratorAccountId: props.administratorAccountId,
    memberStatus: entry?.Status || fallback,
    disabledReason: (entry?.Status === 'ACCEPTED_BUT_DISABLED' && entry.DisabledReason) || DETECTIVE_ACCEPTER.noDisabledReason,
  };
}

/** A membership that does not contribute data: said in the log, and in the attributes. */
function warnIfDisabled(entry: MemberDetail): void {
  if (entry.Status !== 'ACCEPTED_BUT_DISABLED') return;
  const why = entry.DisabledReason === 'VOLUME_UNKNOWN'
    ? 'Detective cannot tell this account\'s data volume, usually because Amazon GuardDuty is not enabled in it: enable GuardDuty here'
    : entry.DisabledReason === 'VOLUME_TOO_HIGH'
      ? 'this account\'s data would take the behavior graph over its volume limit: the administrator must make room'
      : 'Detective gave no reason';
  log('WARN', `the membership is ACCEPTED_BUT_DISABLED (${entry.DisabledReason ?? 'no reason'}): the account is a member but ` +
    `contributes no data; ${why}`, { graphArn: entry.GraphArn });
}

/** AcceptInvitation failed: what to do, by error. */
function acceptHints(props: DetectiveAccepterProps): Hints {
  const again = `The invitation may have been withdrawn or replaced meanwhile: ask administrator ${props.administratorAccountId} to ` +
    'invite this account again (its AWS::Detective::MemberInvitation), then deploy again.';
  return { ResourceNotFoundException: again, ValidationException: again, ConflictException: again };
}

/** Accepts the graph's invitation, then reads the membership back (a re-read that fails never fails the accept). */
async function accept(
  clients: DetectiveClients,
  props: DetectiveAccepterProps,
  stackId: string,
): Promise<DetectiveAccepterData | Adopted<DetectiveAccepterData>> {
  try {
    await acceptGraphInvitation(clients, props.graphArn);
  } catch (error) {
    // a retried AcceptInvitation that took effect, or another stack that accepted meanwhile: the entry tells
    const entry = await membershipOf(clients, props.graphArn, stackId).catch(() => undefined);
    if (entry?.Status && ACCEPTED_STATUSES.has(entry.Status)) {
      log('INFO', 'AcceptInvitation failed, but the account is a member of the graph: adopted', { error: errorName(error) });
      warnIfDisabled(entry);
      return new Adopted(attributesOf(props, entry));
    }
    throw failedWith(`Accepting the Detective invitation to behavior graph ${props.graphArn} in ${whereActing(stackId)} ` +
      '(detective:AcceptInvitation)', error, { hints: [acceptHints(props), DETECTIVE_HINTS] });
  }
  log('INFO', 'accepted the Detective invitation', { graphArn: props.graphArn });
  try {
    const entry = await membershipOf(clients, props.graphArn, stackId);
    if (entry?.Status && ACCEPTED_STATUSES.has(entry.Status)) {
      warnIfDisabled(entry);
      return attributesOf(props, entry);
    }
  } catch (error) {
    log('WARN', 'could not re-read the membership after accepting', { error: errorName(error) });
  }
  return attributesOf(props, undefined, 'ENABLED');
}

/** One look at the account's entry for the graph. */
async function look(clients: DetectiveClients, props: DetectiveAccepterProps, stackId: string): Promise<Sighting<DetectiveAccepterData>> {
  const entry = await membershipOf(clients, props.graphArn, stackId);
  const status = entry?.Status;
  if (status === undefined) return { kind: 'none' };
  if (ACCEPTED_STATUSES.has(status)) {
    warnIfDisabled(entry!);
    return { kind: 'accepted', attributes: attributesOf(props, entry) };
  }
  if (status === INVITED) return { kind: 'pending', id: props.graphId, accept: () => accept(clients, props, stackId) };
  if (status === VERIFICATION_FAILED) {
    throw new InvitationError(
      `Detective could not send administrator ${props.administratorAccountId}'s invitation to ${whereActing(stackId)}: ` +
        `its member status in behavior graph ${props.graphArn} is VERIFICATION_FAILED (the invitation's account ID and ` +
        'email address do not match this account\'s root user). Nothing was changed. Fix MemberEmailAddress (the root ' +
        'user\'s email of this account) of the AWS::Detective::MemberInvitation in the administrator\'s stack, replace ' +
        'that invitation (change its logical ID, or remove it and deploy, then add it back), then deploy this stack again.',
    );
  }
  if (status === VERIFICATION_IN_PROGRESS) {
    log('INFO', 'Detective is still verifying the invitation (VERIFICATION_IN_PROGRESS): waiting', { graphArn: props.graphArn });
  } else {
    log('WARN', 'an unknown member status: waiting', { graphArn: props.graphArn, status });
  }
  return { kind: 'none' };
}

/** What an accepter resource of the stack stands for: its graph. */
export const GRAPH_TARGET: StackTargets<DetectiveAccepterProps> = {
  keys: (props) => [props.graphArn],
  templateValues: (properties) => [properties[DETECTIVE_ACCEPTER.keys.graphArn]],
  key: (value) => (DETECTIVE_ACCEPTER.graphArnPattern.test(value) ? value : undefined),
};

/** Leaving failed: what to do besides fixing the cause. */
const LEAVE_HINTS: Hints = {
  ValidationException: 'Detective lets a member leave only an ENABLED membership (an organization account cannot leave at all): ' +
    'ask the administrator to remove this account (delete its AWS::Detective::MemberInvitation), or set removalPolicy RETAIN; then retry the delete.',
  ConflictException: 'Detective refused while the membership is changing: retry the delete.',
  AccessDeniedException: 'The handler\'s role is granted this action: check service control policies and permission boundaries, or ' +
    'leave the graph in the Detective console (Settings, General); then retry the delete.',
};

/** Detective's part of the accepter lifecycle. The relationship: the administrator account and the graph ID. */
export const DETECTIVE_ACCEPTER_SPEC: AccepterSpec<DetectiveAccepterProps, DetectiveClients, DetectiveAccepterData> = {
  what: 'Detective invitation acceptance',
  prefix: PHYSICAL_ID_PREFIX,
  targets: GRAPH_TARGET,
  parse: (raw) => DETECTIVE_ACCEPTER.parse(raw),
  words: (props, ctx) => {
    const account = stackLocation(ctx.stackId).account;
    return {
      what: 'Detective behavior graph invitation',
      inviter: `behavior graph ${props.graphId} of Detective administrator ${props.administratorAccountId}`,
      invitee: account ? `account ${account}` : 'this account',
      // a member may belong to several graphs: another graph never stands in the way
      otherInviterHint: '',
    };
  },
  inviterAccount: (props) => props.administratorAccountId,
  prepare: async (_clients, props, ctx) => {
    const region = stackLocation(ctx.stackId).region;
    if (region !== undefined && region !== props.region) {
      throw new InvitationError(`The behavior graph ${props.graphArn} is in ${props.region}, this stack in ${region}: a Detective ` +
        `membership exists only in the graph's Region. Deploy the accepter in a stack of ${props.region}. Nothing was changed.`);
    }
  },
  look: (clients, props, ctx) => look(clients, props, ctx.stackId),
  identify: (props) => ({ inviter: props.administratorAccountId, invitationId: props.graphId }),
  expects: (props, recorded) => recorded.inviter === props.administratorAccountId && recorded.invitationId === props.graphId,
  sameExpectation: (props, oldProps) => props.graphArn === oldProps.graphArn,
  current: async (clients, props, ctx) => {
    const entry = await membershipOf(clients, props.graphArn, ctx.stackId);
    return entry?.Status && ACCEPTED_STATUSES.has(entry.Status)
      ? { inviter: props.administratorAccountId, invitationId: props.graphId }
      : undefined;
  },
  report: async (clients, props, _recorded, ctx) => {
    const entry = await membershipOf(clients, props.graphArn, ctx.stackId);
    if (!entry?.Status || !ACCEPTED_STATUSES.has(entry.Status)) {
      log('WARN', 'the account is not a member of the expected graph: nothing is accepted here', { graphArn: props.graphArn, status: entry?.Status });
    }
    return attributesOf(props, entry);
  },
  unreadable: (props) => attributesOf(props, undefined, UNKNOWN_STATUS),
  data: (_props, attributes) => DETECTIVE_ACCEPTER.data(attributes),
  removal: (props) => props.removalPolicy,
  leave: async (clients, _recorded, props, ctx) => {
    try {
      if ((await leaveGraph(clients, props.graphArn)) === 'left') {
        log('INFO', 'left the behavior graph', { graphArn: props.graphArn });
      } else {
        log('INFO', 'not a member of the graph any more: nothing to leave', { graphArn: props.graphArn });
      }
    } catch (error) {
      throw failedWith(`Leaving Detective behavior graph ${props.graphArn} from ${whereActing(ctx.stackId)} (detective:DisassociateMembership)`,
        error, { hints: [LEAVE_HINTS, DETECTIVE_HINTS], fallback: 'Retry the delete; or set removalPolicy RETAIN to keep the membership.' });
    }
  },
};

export const detectiveInvitationAccepterLifecycle: Lifecycle<DetectiveAccepterProps, DetectiveClients> & {
  ownsPhysicalId(physicalId: string): boolean;
} = {
  ...accepterLifecycle(DETECTIVE_ACCEPTER_SPEC),
  sensitive: (raw) => DETECTIVE_ACCEPTER.sensitive(raw),
};
