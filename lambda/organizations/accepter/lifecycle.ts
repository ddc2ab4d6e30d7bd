/**
 * OrgInvitationAccepter: the invited account accepts the AWS Organizations invitation (INVITE handshake) of the
 * expected organization, waiting (bounded) for it to arrive. Never leaves an organization, never declines.
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
import {
  AcceptHandshakeCommand,
  DescribeHandshakeCommand,
  DescribeOrganizationCommand,
  Handshake,
  Organization,
  OrganizationsClient,
  paginateListHandshakesForAccount,
} from '@aws-sdk/client-organizations';
import { InvitationEndedError, Sighting, acceptWhenInvited } from '../../shared/accept';
import { Hints, InvitationError, errorReason, failedWith, isAwsError } from '../../shared/errors';
import { log } from '../../shared/log';
import { ACCOUNT_ID, HANDSHAKE_ID, ORGANIZATION_ID, optionalString } from '../../shared/props';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { stackLocation } from '../../shared/stack';
import type { WaitOptions } from '../../shared/wait';

/** The clients the accepter needs, all in the invited account (built by one factory in index.ts). */
export interface OrgAccepterClients {
  readonly organizations: OrganizationsClient;
}

/** Which organization this account expects to join: at least one of the first two; the handshake optionally. */
export interface OrgExpectation {
  readonly managementAccountId?: string;
  readonly organizationId?: string;
  /** Accept exactly this handshake; otherwise find it. */
  readonly handshakeId?: string;
}

export interface OrgAccepterProps extends OrgExpectation {
  /** How long a Create waits for the invitation (0 = look once). */
  readonly waitTimeoutSeconds: number;
}

/** What an acceptance reports: the custom resource's attributes. */
export interface OrgAcceptance {
  /** The accepted handshake, or `already-member:<organization ID>` when nothing had to be accepted. */
  readonly handshakeId: string;
  readonly organizationId: string;
  readonly handshakeState: OrgAcceptanceState;
}

export type OrgAcceptanceState = 'ACCEPTED' | 'ALREADY_MEMBER' | 'NOT_A_MEMBER' | 'OTHER_ORGANIZATION';

export { ORGANIZATION_ID };
const HANDSHAKE_ARN = /^arn:[a-z-]+:organizations::(\d{12}):handshake\/(o-[a-z0-9]{10,32})\/([a-z_]{1,32})\/(h-[0-9a-z]{8,32})$/;
export const ALREADY_MEMBER_PREFIX = 'already-member:';
const ALREADY_MEMBER_ID = /^already-member:(o-[a-z0-9]{10,32})$/;

/** Default wait when the property is missing (an older template): the construct's default. */
const DEFAULT_WAIT_SECONDS = 300;
/** The construct's maximum (src/private/accepter.ts): one invocation must still accept and answer. */
const MAX_WAIT_SECONDS = 14 * 60;

const PENDING_STATES = ['OPEN', 'REQUESTED'];
const ENDED_STATES = new Set(['CANCELED', 'DECLINED', 'EXPIRED', 'ACCEPTED']);

const WHAT = 'AWS Organizations invitation';
const LEAVE_FIRST =
  'An account belongs to at most one organization: it must leave that organization first (this library never leaves ' +
  'an organization on anyone\'s behalf), or expect that organization instead; then deploy again.';

/**
 * Who accepts: the accepter's own handler role (OrgInvitationAccepter), or a role the inviter assumed in the invited
 * account (OrgInvitation with `acceptance`). The permission hints differ: the construct grants its own role what it
 * needs, while an assumed role is the user's to fix.
 */
function principalHints(principal: string | undefined): Hints {
  const Who = principal && principal[0].toUpperCase() + principal.slice(1);
  const slr =
    'Joining an organization with all features makes Organizations create its service-linked role ' +
    '(AWSServiceRoleForOrganizations) with the caller\'s iam:CreateServiceLinkedRole permission. ' +
    (principal
      ? `Allow ${principal} iam:CreateServiceLinkedRole on AWSServiceRoleForOrganizations (condition iam:AWSServiceName = ` +
        'organizations.amazonaws.com, see the README\'s accept policy), then deploy again.'
      : 'The construct grants it (condition iam:AWSServiceName = organizations.amazonaws.com); check that no service ' +
        'control policy or permissions boundary of this account denies it, then deploy again.');
  const denied = principal
    ? `${Who} needs organizations:AcceptHandshake (see the README's accept policy), and no service control policy ` +
      'or permissions boundary of the invited account may deny it; then deploy again.'
    : 'The handler\'s role may accept only handshakes of the expected organization (organizations:AcceptHandshake on its ' +
      'handshake ARNs): check that the invitation comes from it, and that no service control policy or permissions ' +
      'boundary of this account denies the action; then deploy again.';
  return {
    AccessDeniedForDependencyException: slr,
    AccessDeniedException: denied,
  };
}

/** What a refused read says: which actions the caller needs. */
function readHint(principal: string | undefined): string {
  return principal
    ? `${principal[0].toUpperCase()}${principal.slice(1)} needs organizations:DescribeOrganization, ListHandshakesForAccount and DescribeHandshake (see the ` +
      'README\'s accept policy), and no service control policy or permissions boundary may deny them; then deploy again.'
    : 'The handler\'s role is granted organizations:DescribeOrganization, ListHandshakesForAccount and DescribeHandshake: ' +
      'check that no service control policy or permissions boundary denies them, then deploy again.';
}

/** What to do when accepting fails, by reason code (HandshakeConstraintViolationException) and by error name. */
export const ACCEPT_HINTS: Hints = {
  ALREADY_IN_AN_ORGANIZATION: LEAVE_FIRST,
  ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED:
    'This account changed its organization membership too recently (it left or joined an organization shortly ' +
    'before). Wait, then deploy again.',
  ORGANIZATION_FROM_DIFFERENT_SELLER_OF_RECORD:
    'This account and the inviting organization have different sellers of record (for example AWS and AWS India): ' +
    'such an account cannot join that organization. Use an account of the same seller, or ask AWS Support.',
  PAYMENT_INSTRUMENT_REQUIRED:
    'An account without a payment instrument (such as a credit card) takes part in this change: add one to this ' +
    'account in the AWS Billing console (or to the inviting management account), then deploy again.',
  ACCOUNT_NUMBER_LIMIT_EXCEEDED:
    'The inviting organization has reached its account quota. Its management account must request a quota increase ' +
    'or remove accounts, then deploy again.',
  HANDSHAKE_RATE_LIMIT_EXCEEDED: 'Too many handshakes in one day. Deploy again later.',
  INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES:
    'The inviting organization is enabling all features. Deploy again once its management account has finished or ' +
    'canceled that process.',
  MANAGEMENT_ACCOUNT_EMAIL_NOT_VERIFIED:
    'The inviting organization\'s management account must verify its email address, then deploy again.',
  HandshakeConstraintViolationException:
    'Resolve the constraint named here (see HandshakeConstraintViolationException in the AWS Organizations API reference), then deploy again.',
  ConstraintViolationException:
    'Resolve the constraint named here (see ConstraintViolationException in the AWS Organizations API reference), then deploy again.',
  MasterCannotLeaveOrganizationException:
    'This account is the management account of its own organization and cannot join another one. Nothing was changed.',
};

// ---------------------------------------------------------------------------------------------------------------
// Properties

function waitSeconds(raw: Record<string, unknown>): number {
  const value = raw.WaitTimeoutSeconds;
  if (value === undefined || value === null || value === '') return DEFAULT_WAIT_SECONDS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_WAIT_SECONDS) {
    throw new InvitationError(`WaitTimeoutSeconds must be a number from 0 to ${MAX_WAIT_SECONDS}, got ${JSON.stringify(value)}.`);
  }
  return seconds;
}

export function parseProps(raw: Record<string, unknown>): OrgAccepterProps {
  const managementAccountId = optionalString(raw, 'ManagementAccountId');
  const organizationId = optionalString(raw, 'OrganizationId');
  const handshakeId = optionalString(raw, 'HandshakeId');
  if (!managementAccountId && !organizationId) {
    throw new InvitationError('ManagementAccountId or OrganizationId is required: say which organization this account expects to join.');
  }
  if (managementAccountId && !ACCOUNT_ID.test(managementAccountId)) {
    throw new InvitationError(`ManagementAccountId must be a 12-digit account ID, got ${managementAccountId}.`);
  }
  if (organizationId && !ORGANIZATION_ID.test(organizationId)) {
    throw new InvitationError(`OrganizationId must look like o-exampleorgid (o- and 10 to 32 lowercase letters or digits), got ${organizationId}.`);
  }
  if (handshakeId && !HANDSHAKE_ID.test(handshakeId)) {
    throw new InvitationError(`HandshakeId must look like h-examplehandshakeid (h- and 8 to 32 lowercase letters or digits), got ${handshakeId}.`);
  }
  return { managementAccountId, organizationId, handshakeId, waitTimeoutSeconds: waitSeconds(raw) };
}

// ---------------------------------------------------------------------------------------------------------------
// Who is who

/** An organization as far as it is known: its ID and/or its management account. */
interface Inviter {
  readonly organizationId?: string;
  readonly managementAccountId?: string;
}

/** "organization o-… (management account …)", "management account …", "organization o-…". */
export function describeInviter(inviter: Inviter): string {
  const { organizationId: org, managementAccountId: mgmt } = inviter;
  if (org && mgmt) return `organization ${org} (management account ${mgmt})`;
  if (org) return `organization ${org}`;
  if (mgmt) return `management account ${mgmt}`;
  return 'an unknown organization';
}

/** True when the organization matches every part of the expectation that is given (and known of the organization). */
export function isExpected(expected: OrgExpectation, actual: Inviter): boolean {
  if (expected.organizationId && actual.organizationId !== expected.organizationId) return false;
  if (expected.managementAccountId && actual.managementAccountId !== expected.managementAccountId) return false;
  return Boolean(expected.organizationId || expected.managementAccountId);
}

/**
 * The inviting organization of a handshake: from its ARN (management account and organization), else from its
 * ORGANIZATION party. Only IDs are read: parties and resources also hold emails and the invitation's notes.
 */
export function handshakeInviter(handshake: Handshake): Inviter {
  const arn = HANDSHAKE_ARN.exec(handshake.Arn ?? '');
  const party = (handshake.Parties ?? []).find((p) => p.Type === 'ORGANIZATION' && p.Id && ORGANIZATION_ID.test(p.Id));
  return { managementAccountId: arn?.[1], organizationId: arn?.[2] ?? party?.Id };
}

function organizationInviter(organization: Organization): Inviter {
  return { organizationId: organization.Id, managementAccountId: organization.MasterAccountId };
}

// ---------------------------------------------------------------------------------------------------------------
// Reads

/** The organization this account belongs to, or undefined when it belongs to none. */
export async function currentOrganization(clients: OrgAccepterClients): Promise<Organization | undefined> {
  try {
    const { Organization: organization } = await clients.organizations.send(new DescribeOrganizationCommand({}));
    return organization;
  } catch (error) {
    if (isAwsError(error, 'AWSOrganizationsNotInUseException')) return undefined;
    throw error;
  }
}

async function describeHandshake(clients: OrgAccepterClients, handshakeId: string): Promise<Handshake | undefined> {
  try {
    const { Handshake: handshake } = await clients.organizations.send(new DescribeHandshakeCommand({ HandshakeId: handshakeId }));
    return handshake;
  } catch (error) {
    if (isAwsError(error, 'HandshakeNotFoundException')) return undefined;
    throw error;
  }
}

function newestFirst(a: Handshake, b: Handshake): number {
  return (b.RequestedTimestamp?.getTime() ?? 0) - (a.RequestedTimestamp?.getTime() ?? 0);
}

/**
 * The INVITE handshakes addressed to this account by the expected organization, paging until NextToken is empty
 * (Organizations returns empty pages that still carry one). Invitations of other organizations are not ours to
 * accept or decline: they are counted for the log only.
 */
export async function invitationsFrom(clients: OrgAccepterClients, expected: OrgExpectation): Promise<Handshake[]> {
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

// ---------------------------------------------------------------------------------------------------------------
// Accept

function acceptance(handshakeId: string, organizationId: string, handshakeState: OrgAcceptanceState): OrgAcceptance {
  return { handshakeId, organizationId, handshakeState };
}

function alreadyMember(organizationId: string): OrgAcceptance {
  return acceptance(`${ALREADY_MEMBER_PREFIX}${organizationId}`, organizationId, 'ALREADY_MEMBER');
}

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

/**
 * Accepts one handshake. What Organizations answers besides success:
 * - already accepted, or the handshake changed state / disappeared meanwhile: read again; a membership in the expected
 *   organization is success, an invitation that ended lets the wait go on (InvitationEndedError);
 * - refusals name the reason code and what to do.
 */
async function acceptHandshake(
  clients: OrgAccepterClients,
  expected: OrgExpectation,
  handshake: Handshake,
  options: AcceptOptions,
): Promise<OrgAcceptance> {
  const handshakeId = handshake.Id as string;
  const inviter = handshakeInviter(handshake);
  const doing = `Accepting the ${WHAT} ${handshakeId} from ${describeInviter({ ...expected, ...inviter })}`;
  try {
    const { Handshake: accepted } = await clients.organizations.send(new AcceptHandshakeCommand({ HandshakeId: handshakeId }));
    // a matched handshake names its organization (ARN or party), or the expectation does
    const organizationId = (accepted && handshakeInviter(accepted).organizationId) ?? inviter.organizationId ?? expected.organizationId ?? 'unknown';
    log('INFO', 'accepted', { handshakeId, organizationId, state: accepted?.State });
    return acceptance(handshakeId, organizationId, 'ACCEPTED');
  } catch (error) {
    if (isAwsError(error, 'HandshakeAlreadyInStateException', 'InvalidHandshakeTransitionException', 'HandshakeNotFoundException') ||
        (isAwsError(error, 'HandshakeConstraintViolationException') && errorReason(error) === 'ALREADY_IN_AN_ORGANIZATION')) {
      return readAgain(clients, expected, handshakeId, options, error);
    }
    throw failedWith(doing, error, { hints: [ACCEPT_HINTS, principalHints(options.principal)] });
  }
}

/** After an accept whose outcome Organizations reports as a state conflict: what is true now. */
async function readAgain(
  clients: OrgAccepterClients,
  expected: OrgExpectation,
  handshakeId: string,
  options: AcceptOptions,
  cause: unknown,
): Promise<OrgAcceptance> {
  const organization = await currentOrganization(clients);
  if (organization?.Id && isExpected(expected, organizationInviter(organization))) {
    log('INFO', 'the account is in the expected organization: accepted', { handshakeId, organizationId: organization.Id, error: (cause as Error).name });
    return acceptance(handshakeId, organization.Id, 'ACCEPTED');
  }
  if (organization) {
    throw failedWith(`Accepting ${handshakeId} in the ${options.invitee}`, cause, {
      fallback: `The ${options.invitee} is a member of ${describeInviter(organizationInviter(organization))}, not of the expected ` +
        `${describeInviter(expected)}. Nothing was changed. ${LEAVE_FIRST}`,
    });
  }
  const now = await describeHandshake(clients, handshakeId);
  log('INFO', 'the invitation changed before it could be accepted', { handshakeId, state: now?.State ?? 'NOT_FOUND', error: (cause as Error).name });
  throw new InvitationEndedError(handshakeId, now?.State ?? 'NOT_FOUND');
}

/**
 * One look at this account: already in the expected organization (adopt), in another one (fail), or not in any: the
 * given handshake, or the newest pending invitation of the expected organization (else the newest ended one).
 */
export async function lookForInvitation(
  clients: OrgAccepterClients,
  expected: OrgExpectation,
  options: AcceptOptions,
): Promise<Sighting<OrgAcceptance>> {
  const organization = await currentOrganization(clients);
  if (organization) {
    const actual = organizationInviter(organization);
    if (organization.Id && isExpected(expected, actual)) {
      log('INFO', 'already a member of the expected organization: nothing to accept', { organizationId: organization.Id });
      return { kind: 'accepted', attributes: alreadyMember(organization.Id) };
    }
    return { kind: 'other-inviter', inviter: describeInviter(actual), detail: `is a member of ${describeInviter(actual)}` };
  }

  if (expected.handshakeId) {
    const handshake = await describeHandshake(clients, expected.handshakeId);
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
  const ended = invitations.find((h) => ENDED_STATES.has(h.State ?? ''));
  return ended ? sightingOf(clients, expected, ended, options) : { kind: 'none' };
}

function sightingOf(
  clients: OrgAccepterClients,
  expected: OrgExpectation,
  handshake: Handshake,
  options: AcceptOptions,
): Sighting<OrgAcceptance> {
  const id = handshake.Id;
  const state = handshake.State ?? 'UNKNOWN';
  if (!id) return { kind: 'none' };
  if (PENDING_STATES.includes(state)) {
    return { kind: 'pending', id, accept: () => acceptHandshake(clients, expected, handshake, options) };
  }
  // ACCEPTED while this account is in no organization: it joined and left again; that invitation is spent too
  return { kind: 'ended', id, state };
}

/**
 * Makes this account a member of the expected organization: adopts a membership, or finds (or takes the given)
 * invitation and accepts it, waiting for it within `options.wait`. Callable with clients of any invited account
 * (the inviter's one-stack acceptance builds them from an assumed role).
 */
export async function acceptOrganizationInvitation(
  clients: OrgAccepterClients,
  expected: OrgExpectation,
  options: AcceptOptions,
): Promise<OrgAcceptance> {
  return readsAllowed(options, () => acceptWhenInvited({
    what: WHAT,
    inviter: describeInviter(expected),
    invitee: options.invitee,
    look: () => lookForInvitation(clients, expected, options),
    otherInviterHint: LEAVE_FIRST,
    notArrivedHint: options.notArrivedHint,
    wait: options.wait,
  }));
}

/** Reads refused by IAM (a service control policy, a permissions boundary) get a message that says so. */
async function readsAllowed<T>(options: AcceptOptions, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof InvitationError) && isAwsError(error, 'AccessDeniedException')) {
      throw failedWith(`Reading the organization and invitations of the ${options.invitee}`, error, { fallback: readHint(options.principal) });
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Update and delete

export function sameExpectation(a: OrgExpectation, b: OrgExpectation): boolean {
  return a.managementAccountId === b.managementAccountId && a.organizationId === b.organizationId && a.handshakeId === b.handshakeId;
}

/** True for the physical IDs this lifecycle answers with: a handshake ID, or `already-member:<organization ID>`. */
export function ownsPhysicalId(physicalId: string): boolean {
  return HANDSHAKE_ID.test(physicalId) || ALREADY_MEMBER_ID.test(physicalId);
}

/**
 * An update that expects the same organization (and handshake) accepts nothing: it reports the membership as it is.
 * It never fails on what it finds (its rollback would expect the same and fail the same way): an account that left,
 * or joined another organization, is reported with a warning.
 */
export async function reportMembership(clients: OrgAccepterClients, physicalId: string, expected: OrgExpectation): Promise<OrgAcceptance> {
  const organization = await currentOrganization(clients);
  const state: OrgAcceptanceState = physicalId.startsWith(ALREADY_MEMBER_PREFIX) ? 'ALREADY_MEMBER' : 'ACCEPTED';
  if (organization?.Id && isExpected(expected, organizationInviter(organization))) {
    log('INFO', 'membership unchanged: nothing to accept', { handshakeId: physicalId, organizationId: organization.Id });
    return acceptance(physicalId, organization.Id, state);
  }
  if (organization?.Id) {
    log('WARN', 'this account is now in another organization than expected; nothing was changed', {
      organizationId: organization.Id, managementAccountId: organization.MasterAccountId,
    });
    return acceptance(physicalId, organization.Id, 'OTHER_ORGANIZATION');
  }
  const organizationId = expected.organizationId ?? ALREADY_MEMBER_ID.exec(physicalId)?.[1] ?? 'none';
  log('WARN', 'this account is no longer in an organization; nothing was accepted (the invitation was used): to join ' +
    'again, have the organization send a new invitation and change the accepter (for example its handshakeId)', { handshakeId: physicalId });
  return acceptance(physicalId, organizationId, 'NOT_A_MEMBER');
}

// ---------------------------------------------------------------------------------------------------------------
// The lifecycle

type Ctx = RequestContext & { readonly signal?: AbortSignal };

function acceptOptions(props: OrgAccepterProps, ctx: Ctx): AcceptOptions {
  const account = stackLocation(ctx.stackId).account;
  return {
    invitee: account ? `account ${account}` : 'invited account',
    wait: { timeoutMs: props.waitTimeoutSeconds * 1000, signal: ctx.signal },
  };
}

export function toResponse(result: OrgAcceptance): HandlerResponse {
  return {
    PhysicalResourceId: result.handshakeId,
    Data: { HandshakeId: result.handshakeId, OrganizationId: result.organizationId, HandshakeState: result.handshakeState },
  };
}

async function create(clients: OrgAccepterClients, props: OrgAccepterProps, ctx: Ctx): Promise<HandlerResponse> {
  return toResponse(await acceptOrganizationInvitation(clients, props, acceptOptions(props, ctx)));
}

export const orgInvitationAccepterLifecycle: Lifecycle<OrgAccepterProps, OrgAccepterClients> & {
  ownsPhysicalId(physicalId: string): boolean;
} = {
  what: WHAT,
  parse: parseProps,
  ownsPhysicalId,
  create,
  update: async (clients, physicalId, props, oldProps, ctx) => {
    if (!sameExpectation(props, oldProps) || !ownsPhysicalId(physicalId)) {
      log('INFO', 'the expected organization changed: accepting as on create', { oldPhysicalId: physicalId });
      return create(clients, props, ctx);
    }
    return toResponse(await reportMembership(clients, physicalId, props));
  },
  delete: async (_clients, physicalId) => {
    log('INFO', 'delete: the account stays in its organization (leaving an organization is never automatic)', { physicalId });
  },
};
