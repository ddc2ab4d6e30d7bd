import { Annotations, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { isConcrete } from './validation';

/**
 * Synth-time warnings for combinations that synthesize but fail (or do nothing) at deploy time: one per-stack registry
 * of claims, checked when a construct is created (no Aspect: the warning exists as soon as the second construct does).
 * A claim is a key (`macie-administrator`) and a value (`111111111111`) of one construct; tokens are never recorded,
 * since only the deployment knows them.
 */
interface Claim {
  readonly construct: IConstruct;
  readonly value: string;
}

const claims = new WeakMap<Stack, Map<string, Claim[]>>();

/**
 * Records `construct`'s claim on `key` in its stack and returns the earlier claims of other constructs that conflict
 * with it: any other claim of the key (`exclusive`: one construct per key and stack), or one with another value
 * (`single-value`: every claim of the key in the stack must agree). A token value is neither recorded nor compared.
 */
export function conflictingClaims(construct: IConstruct, key: string, value: string, rule: 'exclusive' | 'single-value'): Claim[] {
  if (!isConcrete(value)) return [];
  const stack = Stack.of(construct);
  const byKey = claims.get(stack) ?? new Map<string, Claim[]>();
  claims.set(stack, byKey);
  const earlier = byKey.get(key) ?? [];
  byKey.set(key, [...earlier, { construct, value }]);
  return earlier.filter((c) => c.construct !== construct && (rule === 'exclusive' || c.value !== value));
}

/** Adds a synth-time warning on `construct` (`cdk synth` prints it with the construct path; `--strict` fails on it). */
export function warn(construct: IConstruct, id: string, message: string): void {
  Annotations.of(construct).addWarningV2(`cdk-account-invitations:${id}`, message);
}

/** Up to five IDs, then how many more: `222222222222, 333333333333 and 7 more`. */
export function listIds(ids: readonly string[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
}

/** The inviters given an `acceptance` (for the warning of `acceptIn` on the same invitation). */
const accepting = new WeakSet<IConstruct>();

/** Records that `inviter` accepts through a role (`acceptance`). */
export function recordAcceptance(inviter: IConstruct): void {
  accepting.add(inviter);
}

/** True when `inviter` was given an `acceptance`. */
export function hasAcceptance(inviter: IConstruct): boolean {
  return accepting.has(inviter);
}

// The rules, one per conflict the services refuse at deploy time

/** A service whose member list joins accounts to one administrator per Region (Macie, Security Hub). */
export interface MemberService {
  /** The claim keys' and warning IDs' prefix (`macie`: `macieMemberTwice`). */
  readonly id: string;
  /** As the service calls itself in a sentence (`Macie`). */
  readonly name: string;
  /** The inviting construct's class (`MacieInvitations`). */
  readonly inviter: string;
}

export const MACIE_SERVICE: MemberService = { id: 'macie', name: 'Macie', inviter: 'MacieInvitations' };
export const SECURITY_HUB_SERVICE: MemberService = { id: 'securityHub', name: 'Security Hub', inviter: 'SecurityHubInvitations' };

/** The same account in two inviters of one stack: both would manage (and on removal delete) one member. */
export function warnSharedMembers(service: MemberService, invitations: IConstruct, accountIds: readonly string[]): void {
  const shared = new Map<IConstruct, string[]>();
  for (const id of accountIds) {
    for (const other of conflictingClaims(invitations, `${service.id}-member:${id}`, id, 'exclusive')) {
      shared.set(other.construct, [...shared.get(other.construct) ?? [], id]);
    }
  }
  for (const [other, ids] of shared) {
    warn(invitations, `${service.id}MemberTwice`, `${invitations.node.path} and ${other.node.path} both invite ${listIds(ids)} ` +
      `to the same ${service.name} administrator: an account is one ${service.name} member, so both create and invite it in ` +
      'one deployment (they race), and removing the construct that made the member removes it from under the other. List ' +
      `each account in one ${service.inviter}.`);
  }
}

/** Two accepters for different administrators in one stack: an account has one administrator per Region. */
export function warnOtherAdministrator(service: MemberService, accepter: IConstruct, administratorAccountId: string): void {
  for (const other of conflictingClaims(accepter, `${service.id}-administrator`, administratorAccountId, 'single-value')) {
    warn(accepter, `${service.id}TwoAdministrators`, `${accepter.node.path} accepts the ${service.name} invitation of ` +
      `${administratorAccountId}, but ${other.construct.node.path} in the same stack that of ${other.value}: an account has ` +
      `one ${service.name} administrator per Region, so the deployment fails on the second one. Keep one administrator ` +
      'per member stack.');
  }
}

/** Two Organizations accepters for different organizations in one stack: an account belongs to one organization. */
export function warnOtherOrganization(accepter: IConstruct, managementAccountId?: string, organizationId?: string): void {
  const others = [
    ...managementAccountId === undefined ? [] : conflictingClaims(accepter, 'org-management-account', managementAccountId, 'single-value')
      .map((c) => ({ ...c, what: `management account ${managementAccountId}`, theirs: `management account ${c.value}` })),
    ...organizationId === undefined ? [] : conflictingClaims(accepter, 'org-organization', organizationId, 'single-value')
      .map((c) => ({ ...c, what: `organization ${organizationId}`, theirs: `organization ${c.value}` })),
  ];
  const warned = new Set<IConstruct>();
  for (const other of others) {
    if (warned.has(other.construct)) continue;
    warned.add(other.construct);
    warn(accepter, 'orgTwoOrganizations', `${accepter.node.path} expects ${other.what}, but ${other.construct.node.path} in ` +
      `the same stack expects ${other.theirs}: an account belongs to one organization, so the deployment fails on the ` +
      'second one (this library never leaves an organization). Keep one organization per member stack.');
  }
}
