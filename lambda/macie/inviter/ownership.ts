/**
 * What a MacieInvitations resource can show to be its own: its physical ID, the owner tag on the members it creates,
 * the member accounts another resource of the stack still declares, and the careful cleanup after a Create that did
 * not finish (only members with all the evidence are removed).
 */
import { GetMemberCommand, Member } from '@aws-sdk/client-macie2';
import { CONCURRENCY, adminMacieEnabled, formatFailures, hintsFor, listMembers, removeAccounts } from './members';
import { MACIE_INVITATIONS, MacieInviterProps } from '../../../src/private/contract/macie';
import { settleWithConcurrency } from '../../shared/concurrency';
import { InvitationError } from '../../shared/errors';
import { log } from '../../shared/log';
import type { RequestContext } from '../../shared/runtime';
import { StackTargets, memberListTargets, resourceHash, stackLocation, surelyMadeSince, targetsKeptByStack } from '../../shared/stack';
import { ACCEPTED_STATES, MacieClients } from '../service';

/**
 * The tag every member this library creates carries: its value is the physical ID of the MacieInvitations resource
 * (a hash of the stack ID and the logical ID). It is the evidence that a member was made by this resource, for the
 * cleanup of a Create that did not finish. CreateMember authorizes its tags itself (condition keys aws:RequestTag
 * and aws:TagKeys; no macie2:TagResource needed), and GetMember returns them.
 */
export const OWNER_TAG = 'cdk-account-invitations:owner';

/** The physical IDs this lifecycle answers with: `macie-invitations:<region>:<hash>`. */
export function ownsPhysicalId(physicalId: string): boolean {
  return /^macie-invitations:[a-z0-9-]+:[0-9a-f]{16}$/.test(physicalId);
}

/**
 * `macie-invitations:<region>:<16 hex characters of sha256(stackId/logicalId)>`: stable for the life of the resource,
 * unique per stack and resource, and free of account lists and emails.
 */
export function physicalResourceId(ctx: Pick<RequestContext, 'stackId' | 'logicalResourceId'>): string {
  const region = stackLocation(ctx.stackId).region ?? 'unknown';
  return `macie-invitations:${region}:${resourceHash(ctx)}`;
}

/** The tags of the members this resource creates. */
export function ownerTags(ctx: Pick<RequestContext, 'stackId' | 'logicalResourceId'>): Record<string, string> {
  return { [OWNER_TAG]: physicalResourceId(ctx) };
}

const { members: MEMBERS, memberAccountId: MEMBER_ACCOUNT_ID } = MACIE_INVITATIONS.keys;

/** What identifies members for "another resource of the stack still declares it": their account IDs. */
export const MACIE_TARGETS: StackTargets<MacieInviterProps> = memberListTargets(MEMBERS, MEMBER_ACCOUNT_ID);

/**
 * After a Create that did not finish normally: remove only the members it can be shown to have made. Evidence, all
 * of it required: the member carries this resource's owner tag (`OWNER_TAG`, value = this resource's physical ID,
 * read with GetMember), it has not accepted (not Enabled or Paused: a membership the member account accepted is never
 * removed here), and its relationship surely changed after the Create started (`updatedAt` later than `since` by more
 * than the clock skew, `surelyMadeSince`: what may predate the Create is kept). With `acceptance`, the Create itself
 * may have accepted the invitations it sent: an accepted member goes too when it accepted an invitation surely of this
 * Create (`invitedAt`, the same rule), as after a Create that failed; one that accepted an earlier invitation stays
 * (its member account may have accepted it on its own).
 * Without `since` nothing is removed. Members listed by another resource of the stack stay.
 */
export async function removeAbandonedMembers(
  clients: MacieClients,
  props: MacieInviterProps,
  ctx: RequestContext,
  since: Date | undefined,
): Promise<void> {
  if (props.removalPolicy === 'RETAIN') {
    log('INFO', 'removal policy RETAIN: members stay', { members: props.members.length });
    return;
  }
  if (since === undefined) {
    log('WARN', 'the start of the unfinished Create is unknown: no member is removed (nothing shows which ones it ' +
      `made). Members it created carry the tag ${OWNER_TAG}; remove unwanted ones in the Macie console.`, {});
    return;
  }
  if (!(await adminMacieEnabled(clients, ctx))) {
    log('INFO', 'Macie is not enabled: there are no members to remove', {});
    return;
  }
  const owner = physicalResourceId(ctx);
  // an accepted member stays, unless the Create itself could have accepted it: acceptance, and this Create's invitation
  const mayGo = (member: Pick<Member, 'relationshipStatus' | 'invitedAt'>) => !ACCEPTED_STATES.has(member.relationshipStatus ?? '') ||
    (props.acceptRoleName !== undefined && surelyMadeSince(member.invitedAt, since));
  const live = await listMembers(clients);
  const kept = await targetsKeptByStack(clients, ctx, MACIE_TARGETS, props);
  const candidates = props.members.map((m) => m.accountId).filter((id) => {
    const member = live.get(id);
    return member?.email && !kept.has(id) && mayGo(member) && surelyMadeSince(member.updatedAt, since);
  });
  // the tags, from GetMember (the evidence that this resource made the member)
  const tagged = await settleWithConcurrency(candidates, CONCURRENCY, async (id) => {
    const member = await clients.macie.send(new GetMemberCommand({ id }));
    return member.tags?.[OWNER_TAG] === owner && mayGo(member);
  });
  const ours = candidates.filter((_, i) => tagged[i].status === 'fulfilled' && (tagged[i] as PromiseFulfilledResult<boolean>).value);
  const removal = await removeAccounts(clients, ours, live);
  log('INFO', 'cleanup of the unfinished Create', {
    removed: removal.removed,
    keptAccepted: props.members.filter((m) => ACCEPTED_STATES.has(live.get(m.accountId)?.relationshipStatus ?? '')).length,
    keptNotOurs: candidates.length - ours.length,
    keptByStack: kept.size,
    failed: removal.failures,
  });
  if (removal.failures.length > 0) {
    throw new InvitationError(
      `Removing ${removal.failures.length} of ${ours.length} Macie members created by the unfinished deployment failed: ` +
        `${formatFailures(removal.failures)}. ${hintsFor(removal.failures)} Or remove them in the Macie console (Settings, ` +
        'Accounts) and retry the delete.',
    );
  }
}
