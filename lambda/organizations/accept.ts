/**
 * Accepting an AWS Organizations invitation in the invited account: the accepter's Create, and the inviter's one-stack
 * acceptance (with clients built from a role it assumed there). Waits (bounded) for the invitation to arrive, through
 * the shared accept flow (`../shared/accept.ts`). Never leaves an organization, never declines.
 *
 * Organizations' own view from the invited account:
 * - DescribeOrganization says whether this account is in an organization already (AWSOrganizationsNotInUseException
 *   when it is in none); MasterAccountId is that organization's management account.
 * - ListHandshakesForAccount lists the handshakes addressed to this account; pages can be empty and still carry a
 *   NextToken. An INVITE handshake's ARN is arn:<partition>:organizations::<management account>:handshake/<o-…>/invite/<h-…>
 *   and its ORGANIZATION party is the inviting organization.
 * - AcceptHandshake joins the organization (with all features, Organizations creates its service-linked role with the
 *   caller's iam:CreateServiceLinkedRole).
 */
import { AcceptHandshakeCommand, Handshake, Organization, paginateListHandshakesForAccount } from '@aws-sdk/client-organizations';
import { ACCEPT_HINTS, LEAVE_FIRST, principalHints, readHint } from './accept-hints';
import {
  ACCEPTED,
  ALREADY_MEMBER,
  ALREADY_MEMBER_ID,
  ENDED_WITHOUT_ACCEPTANCE,
  InvitedAccountClients,
  OrgAccepterData,
  OrgExpectation,
  PENDING_STATES,
  currentOrganization,
  describeHandshake,
  describeInviter,
  handshakeInviter,
  handshakeRequest,
  isExpected,
  isPending,
  organizationParty,
} from './service';
import { AcceptOutcome, AcceptSpec, Adopted, InvitationEndedError, Sighting, acceptOrAdopt } from '../shared/accept';
import { InvitationError, errorReason, failedWith, isAwsError } from '../shared/errors';
import { log } from '../shared/log';
import type { WaitOptions } from '../shared/wait';

export const WHAT = 'AWS Organizations invitation';

export interface AcceptOptions {
  /** This account, for messages: "account 222222222222". */
  readonly invitee: string;
  /**
   * Who accepts, when it is not the accepter's own handler role: "role Accept in account 222222222222" (the inviter's
   * one-stack acceptance). Permission hints then name it.
   */
  readonly principal?: string;
  /** What to do when the invitation does not arrive within the wait (default: the accepter construct's advice). */
  readonly notArrivedHint?: string;
  /** The wait budget and the request's abort signal (plus test overrides of the clock). */
  readonly wait: Pick<WaitOptions, 'timeoutMs' | 'signal'> & Partial<WaitOptions>;
}

/** Who accepts, for one look: the account and, through a role, the principal. */
export type LookOptions = Pick<AcceptOptions, 'invitee' | 'principal'>;

/** What an acceptance (or a membership found) reports: the accepter's attributes, and the management account if known. */
export function acceptance(
  handshakeId: string,
  organizationId: string,
  handshakeState: OrgAccepterData['handshakeState'],
  managementAccountId?: string,
): OrgAccepterData {
  return { handshakeId, organizationId, handshakeState, ...(managementAccountId ? { managementAccountId } : {}) };
}

function alreadyMember(organization: Organization & { Id: string }): OrgAccepterData {
  return acceptance(ALREADY_MEMBER_ID.of(organization.Id), organization.Id, ALREADY_MEMBER, organization.MasterAccountId);
}

function newestFirst(a: Handshake, b: Handshake): number {
  return (b.RequestedTimestamp?.getTime() ?? 0) - (a.RequestedTimestamp?.getTime() ?? 0);
}

/**
 * The INVITE handshakes addressed to this account by the expected organization, paging until NextToken is empty
 * (Organizations returns empty pages that still carry one). Invitations of other organizations are not ours to
 * accept or decline: they are counted for the log only.
 */
export async function invitationsFrom(clients: InvitedAccountClients, expected: OrgExpectation): Promise<Handshake[]> {
  const ours: Handshake[] = [];
  let others = 0;
  let pages = 0;
  for await (const page of paginateListHandshakesForAccount({ client: clients.organizations }, { Filter: { ActionType: 'INVITE' } })) {
    pages++;
    for (const handshake of page.Handshakes ?? []) {
      if (handshake.Action !== undefined && handshake.Action !== 'INVITE') continue;
      if (isExpected(expected, handshakeInviter(handshake))) ours.push(handshake);
      else others++;
    }
  }
  log('INFO', 'looked for invitations', { pages, fromExpected: ours.length, fromOthers: others });
  return ours.sort(newestFirst);
}

/**
 * Accepts one handshake. What Organizations answers besides success:
 * - already accepted, or the handshake changed state / disappeared meanwhile: read again; a membership in the expected
 *   organization is success, an invitation that ended lets the wait go on (InvitationEndedError);
 * - refusals name the reason code and what to do.
 */
async function acceptHandshake(
  clients: InvitedAccountClients,
  expected: OrgExpectation,
  handshake: Handshake,
  options: LookOptions,
): Promise<OrgAccepterData | Adopted<OrgAccepterData>> {
  const handshakeId = handshake.Id as string;
  const inviter = handshakeInviter(handshake);
  const doing = `Accepting the ${WHAT} ${handshakeId} from ${describeInviter({ ...expected, ...inviter })}`;
  try {
    const { Handshake: accepted } = await clients.organizations.send(new AcceptHandshakeCommand(handshakeRequest(handshakeId)));
    // a matched handshake names its organization (ARN or party), or the expectation does
    const answer = accepted ? handshakeInviter(accepted) : {};
    const organizationId = answer.organizationId ?? inviter.organizationId ?? expected.organizationId ?? 'unknown';
    const managementAccountId = answer.managementAccountId ?? inviter.managementAccountId ?? expected.managementAccountId;
    log('INFO', 'accepted', { handshakeId, organizationId, state: accepted?.State });
    return acceptance(handshakeId, organizationId, ACCEPTED, managementAccountId);
  } catch (error) {
    if (isAwsError(error, 'HandshakeAlreadyInStateException', 'InvalidHandshakeTransitionException', 'HandshakeNotFoundException') ||
        (isAwsError(error, 'HandshakeConstraintViolationException') && errorReason(error) === 'ALREADY_IN_AN_ORGANIZATION')) {
      return readAgain(clients, expected, handshakeId, options, error);
    }
    throw failedWith(doing, error, { hints: [ACCEPT_HINTS, principalHints(options.principal)] });
  }
}

/**
 * After an accept whose outcome Organizations reports as a state conflict: what is true now. A membership in the
 * expected organization was made by someone else meanwhile (another stack, by hand): this request adopted it.
 */
async function readAgain(
  clients: InvitedAccountClients,
  expected: OrgExpectation,
  handshakeId: string,
  options: LookOptions,
  cause: unknown,
): Promise<Adopted<OrgAccepterData>> {
  const organization = await currentOrganization(clients.organizations);
  if (organization?.Id && isExpected(expected, organizationParty(organization))) {
    log('INFO', 'the account is in the expected organization already: adopted', { handshakeId, organizationId: organization.Id, error: (cause as Error).name });
    return new Adopted(acceptance(handshakeId, organization.Id, ACCEPTED, organization.MasterAccountId));
  }
  if (organization) {
    throw failedWith(`Accepting ${handshakeId} in the ${options.invitee}`, cause, {
      fallback: `The ${options.invitee} is a member of ${describeInviter(organizationParty(organization))}, not of the expected ` +
        `${describeInviter(expected)}. Nothing was changed. ${LEAVE_FIRST}`,
    });
  }
  const now = await describeHandshake(clients.organizations, handshakeId);
  log('INFO', 'the invitation changed before it could be accepted', { handshakeId, state: now?.State ?? 'NOT_FOUND', error: (cause as Error).name });
  throw new InvitationEndedError(handshakeId, now?.State ?? 'NOT_FOUND');
}

/**
 * One look at this account: already in the expected organization (adopt), in another one (fail), or not in any: the
 * given handshake, or the newest pending invitation of the expected organization (else the newest ended one).
 */
export async function lookForInvitation(
  clients: InvitedAccountClients,
  expected: OrgExpectation,
  options: LookOptions,
): Promise<Sighting<OrgAccepterData>> {
  const organization = await currentOrganization(clients.organizations);
  if (organization) {
    const actual = organizationParty(organization);
    if (organization.Id && isExpected(expected, actual)) {
      log('INFO', 'already a member of the expected organization: nothing to accept', { organizationId: organization.Id });
      return { kind: 'accepted', attributes: alreadyMember({ ...organization, Id: organization.Id }) };
    }
    return { kind: 'other-inviter', inviter: describeInviter(actual), detail: `is a member of ${describeInviter(actual)}` };
  }

  if (expected.handshakeId) {
    const handshake = await describeHandshake(clients.organizations, expected.handshakeId);
    if (!handshake) return { kind: 'none' };
    if (handshake.Action !== undefined && handshake.Action !== 'INVITE') {
      throw new InvitationError(
        `Handshake ${expected.handshakeId} is a ${handshake.Action} handshake, not an invitation to join an organization. ` +
          'Give the ID of the INVITE handshake (the OrgInvitation\'s handshakeId), or none to let the accepter find it.',
      );
    }
    const inviter = handshakeInviter(handshake);
    if (!isExpected(expected, inviter)) {
      return {
        kind: 'other-inviter',
        inviter: describeInviter(inviter),
        detail: `was invited by ${describeInviter(inviter)} with handshake ${expected.handshakeId}`,
      };
    }
    return sightingOf(clients, expected, handshake, options);
  }

  const invitations = await invitationsFrom(clients, expected);
  const pending = PENDING_STATES.map((state) => invitations.find((h) => h.State === state)).find((h) => h !== undefined);
  if (pending) return sightingOf(clients, expected, pending, options);
  const ended = invitations.find((h) => ENDED_WITHOUT_ACCEPTANCE.has(h.State ?? '') || h.State === ACCEPTED);
  return ended ? sightingOf(clients, expected, ended, options) : { kind: 'none' };
}

function sightingOf(
  clients: InvitedAccountClients,
  expected: OrgExpectation,
  handshake: Handshake,
  options: LookOptions,
): Sighting<OrgAccepterData> {
  const id = handshake.Id;
  if (!id) return { kind: 'none' };
  if (isPending(handshake.State)) {
    return { kind: 'pending', id, accept: () => acceptHandshake(clients, expected, handshake, options) };
  }
  // ACCEPTED while this account is in no organization: it joined and left again; that invitation is spent too
  return { kind: 'ended', id, state: handshake.State ?? 'UNKNOWN' };
}

/** The words of the accept flow for an expectation: what, who invites, who accepts and what to do. */
export function acceptWords(
  expected: OrgExpectation,
  options: Pick<AcceptOptions, 'invitee' | 'notArrivedHint'>,
): Omit<AcceptSpec<OrgAccepterData>, 'look' | 'wait'> {
  return {
    what: WHAT,
    inviter: describeInviter(expected),
    invitee: options.invitee,
    otherInviterHint: LEAVE_FIRST,
    notArrivedHint: options.notArrivedHint,
  };
}

/**
 * One look at this account (`lookForInvitation`), reads refused by IAM (a service control policy, a permissions
 * boundary) said as such, the accept of a pending invitation included.
 */
export async function lookOnce(clients: InvitedAccountClients, expected: OrgExpectation, options: LookOptions): Promise<Sighting<OrgAccepterData>> {
  const sighting = await readsAllowed(options, () => lookForInvitation(clients, expected, options));
  return sighting.kind === 'pending' ? { ...sighting, accept: () => readsAllowed(options, sighting.accept) } : sighting;
}

/**
 * Makes this account a member of the expected organization: adopts a membership, or finds (or takes the given)
 * invitation and accepts it, waiting for it within `options.wait`; says whether it accepted or adopted. Callable with
 * clients of any invited account (the inviter's one-stack acceptance builds them from an assumed role).
 */
export async function acceptOrganizationInvitation(
  clients: InvitedAccountClients,
  expected: OrgExpectation,
  options: AcceptOptions,
): Promise<AcceptOutcome<OrgAccepterData>> {
  return acceptOrAdopt({ ...acceptWords(expected, options), look: () => lookOnce(clients, expected, options), wait: options.wait });
}

/** Reads refused by IAM (a service control policy, a permissions boundary) get a message that says so. */
async function readsAllowed<T>(options: LookOptions, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof InvitationError) && isAwsError(error, 'AccessDeniedException')) {
      throw failedWith(`Reading the organization and invitations of the ${options.invitee}`, error, { fallback: readHint(options.principal) });
    }
    throw error;
  }
}
