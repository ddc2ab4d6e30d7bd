/**
 * OrgInvitation: invite an account into the AWS Organization (InviteAccountToOrganization), adopt an open invitation
 * instead of duplicating it, cancel it on delete while it is still open. Never removes an account.
 */
import {
  CancelHandshakeCommand,
  DescribeAccountCommand,
  DescribeHandshakeCommand,
  Handshake,
  HandshakeResource,
  InviteAccountToOrganizationCommand,
  OrganizationsClient,
  paginateListAccounts,
  paginateListHandshakesForOrganization,
} from '@aws-sdk/client-organizations';
import type { OrgAccepterClients } from '../accepter/lifecycle';
import { acceptOrganizationInvitation } from '../accepter/lifecycle';
import type { AssumedClients } from '../../shared/assume-role';
import { Hints, InvitationError, errorReason, failedWith, isAwsError } from '../../shared/errors';
import { log, maskEmail } from '../../shared/log';
import { ACCOUNT_ID, EMAIL, HANDSHAKE_ID, ROLE_NAME, optionalString, requiredString, sameEmail, stringMap } from '../../shared/props';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { StackClients, StackTargets, madeSince, stackLocation, targetsKeptByStack } from '../../shared/stack';

export interface OrgClients extends StackClients {
  readonly organizations: OrganizationsClient;
  /**
   * The clients of an invited account, through the role `roleName` there (one-stack acceptance): built per request by
   * index.ts with `assumedClients`. Absent: acceptance is not possible (tests that do not exercise it).
   */
  readonly acceptingAs?: (roleName: string) => AssumedClients<OrgAccepterClients>;
}

export type TargetType = 'ACCOUNT' | 'EMAIL';

export interface OrgInvitationProps {
  readonly targetId: string;
  readonly targetType: TargetType;
  readonly notes?: string;
  readonly tags: Record<string, string>;
  /** Accept in the invited account through this role after inviting (one-stack acceptance). */
  readonly acceptRoleName?: string;
}

/** Errors that are transient for Organizations but modeled as client errors: retried by the SDK's strategy. */
export const ORGANIZATIONS_TRANSIENT_ERRORS = ['ConcurrentModificationException', 'FinalizingOrganizationException'];

const OPEN_STATES = new Set(['REQUESTED', 'OPEN']);
const ENDED_WITHOUT_ACCEPTANCE = new Set(['EXPIRED', 'DECLINED', 'CANCELED']);
export const ALREADY_MEMBER = 'ALREADY_MEMBER';
const ALREADY_MEMBER_PREFIX = 'already-member:';

const NOT_MANAGEMENT_ACCOUNT_ERRORS = ['AWSOrganizationsNotInUseException', 'AccessDeniedException', 'AccountOwnerNotVerifiedException'];
const MANAGEMENT_ACCOUNT_HINT =
  'Deploy this stack in the AWS Organization\'s management account, with all features enabled, ' +
  'and make sure the deployment role may call organizations:InviteAccountToOrganization.';

/**
 * What to do, per reason code (HandshakeConstraintViolationException / ConstraintViolationException /
 * InvalidInputException carry one) and per error name. The message always names the code itself (`failedWith`).
 */
export const ORG_HINTS: Hints = {
  ALREADY_IN_AN_ORGANIZATION:
    'The account already belongs to another AWS Organization: it must leave that organization before it can be invited; then deploy again.',
  ACCOUNT_NUMBER_LIMIT_EXCEEDED:
    'The organization has reached its account quota (pending invitations count toward it). Request a quota increase or remove accounts or invitations, then deploy again.',
  HANDSHAKE_RATE_LIMIT_EXCEEDED:
    'Organizations allows 20 invitations per 24 hours. Deploy again later, or spread invitations over several deployments.',
  INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES:
    'Invitations are disabled while the organization is enabling all features. Finish or cancel that process, then deploy again.',
  ORGANIZATION_FROM_DIFFERENT_SELLER_OF_RECORD:
    'The account and the organization have different sellers of record (for example AWS and AWS India); such an account cannot be invited.',
  PAYMENT_INSTRUMENT_REQUIRED:
    'The organization\'s management account needs a valid payment instrument before it can invite accounts.',
  ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION:
    'The organization is migrating to all features. Wait for the migration to finish, then deploy again.',
  ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED:
    'Too many membership changes in a short time. Deploy again later.',
  MASTER_ACCOUNT_MISSING_CONTACT_INFO:
    'The management account is missing contact information. Add it in the AWS Billing console, then deploy again.',
  MANAGEMENT_ACCOUNT_EMAIL_NOT_VERIFIED:
    'Verify the management account\'s email address, then deploy again.',
  TAG_POLICY_VIOLATION: 'The tags violate a tag policy of the organization. Change the tags to comply, then deploy again.',
  MAX_TAG_LIMIT_EXCEEDED: 'Too many tags: Organizations allows at most 50 tags per account. Remove tags, then deploy again.',
  AWSOrganizationsNotInUseException: MANAGEMENT_ACCOUNT_HINT,
  AccessDeniedException: MANAGEMENT_ACCOUNT_HINT,
  AccountOwnerNotVerifiedException: MANAGEMENT_ACCOUNT_HINT,
  HandshakeConstraintViolationException: 'Resolve the constraint named here, then deploy again.',
  ConstraintViolationException: 'Resolve the constraint named here, then deploy again.',
  InvalidInputException: 'Check the target, notes and tags of the invitation, then deploy again.',
  DuplicateAccountException: 'The account is already a member of this organization, so there is nothing to invite: remove this OrgInvitation, then deploy again.',
};

/** How the target is named in messages and logs: account IDs as they are, emails masked. */
export function describeTarget(props: Pick<OrgInvitationProps, 'targetId' | 'targetType'>): string {
  return props.targetType === 'EMAIL' ? `email ${maskEmail(props.targetId)}` : `account ${props.targetId}`;
}

/**
 * The target type: as given, or (the construct leaves it out when targetId is a token and no targetType was given)
 * decided from the value at deploy time: an email address is EMAIL, 12 digits are ACCOUNT.
 */
function targetTypeOf(targetId: string, given: string | undefined): TargetType {
  if (given === undefined) {
    if (targetId.includes('@')) return 'EMAIL';
    if (ACCOUNT_ID.test(targetId)) return 'ACCOUNT';
    throw new InvitationError(
      `TargetId ${targetId} is neither a 12-digit account ID nor an email address. Give the account ID or ` +
        'the email address of the account to invite (and targetType, if the value comes from a parameter).',
    );
  }
  if (given !== 'ACCOUNT' && given !== 'EMAIL') {
    throw new InvitationError(`TargetType must be ACCOUNT or EMAIL, got ${given}.`);
  }
  return given;
}

/** The identifying fields: the target, its type decided and checked. */
function parseTarget(raw: Record<string, unknown>): Pick<OrgInvitationProps, 'targetId' | 'targetType'> {
  const targetId = requiredString(raw, 'TargetId');
  const targetType = targetTypeOf(targetId, optionalString(raw, 'TargetType'));
  if (targetType === 'ACCOUNT' && !ACCOUNT_ID.test(targetId)) {
    // InvitationError masks anything that looks like an email
    throw new InvitationError(`TargetId ${targetId} is not a 12-digit account ID, but TargetType is ACCOUNT.`);
  }
  if (targetType === 'EMAIL' && !EMAIL.test(targetId)) {
    throw new InvitationError(`TargetId ${maskEmail(targetId)} is not an email address, but TargetType is EMAIL.`);
  }
  return { targetId, targetType };
}

export function parseProps(raw: Record<string, unknown>): OrgInvitationProps {
  const target = parseTarget(raw);
  const acceptRoleName = optionalString(raw, 'AcceptRoleName');
  if (acceptRoleName !== undefined) {
    if (!ROLE_NAME.test(acceptRoleName)) {
      throw new InvitationError(`AcceptRoleName must be an IAM role name (1 to 64 letters, digits and +=,.@_-, no path), got ${acceptRoleName}.`);
    }
    if (target.targetType !== 'ACCOUNT') {
      throw new InvitationError(
        'AcceptRoleName needs an invitation by account ID: the account behind an email address is unknown until it accepts. ' +
          'Invite by account ID, or accept in the invited account with an OrgInvitationAccepter.',
      );
    }
  }
  return { ...target, notes: optionalString(raw, 'Notes'), tags: stringMap(raw, 'Tags'), acceptRoleName };
}

/** Old properties that do not parse as a whole: the target alone (notes and tags only matter to a new invitation). */
export function parseOldProps(raw: Record<string, unknown>): OrgInvitationProps {
  return { ...parseTarget(raw), tags: {} };
}

/** Comparable key of a target: `email:<lower-cased>` or `account:<id>`; undefined for anything else. */
export function targetKey(targetId: string): string | undefined {
  if (targetId.includes('@')) return `email:${targetId.toLowerCase()}`;
  return ACCOUNT_ID.test(targetId) ? `account:${targetId}` : undefined;
}

/** What identifies an invitation for "another resource of the stack still declares it": the target. */
export const ORG_TARGETS: StackTargets<OrgInvitationProps> = {
  keys: (props) => [targetKey(props.targetId) ?? `${props.targetType.toLowerCase()}:${props.targetId}`],
  templateValues: (properties) => [properties.TargetId],
  key: targetKey,
};

function resourcesMatch(resources: HandshakeResource[] | undefined, props: OrgInvitationProps): boolean {
  return (resources ?? []).some((r) =>
    (r.Type === 'ACCOUNT' && props.targetType === 'ACCOUNT' && r.Value === props.targetId) ||
    (r.Type === 'EMAIL' && props.targetType === 'EMAIL' && r.Value !== undefined && sameEmail(r.Value, props.targetId)) ||
    resourcesMatch(r.Resources, props));
}

/**
 * True when the handshake invites the target. Parties may show the resolved email even for an invitation by account
 * ID; the account ID then appears in the nested Resources, so both are looked at.
 */
export function handshakeTargets(handshake: Handshake, props: OrgInvitationProps): boolean {
  const partyMatch = (handshake.Parties ?? []).some((p) =>
    p.Type !== 'ORGANIZATION' && p.Id !== undefined &&
    (props.targetType === 'EMAIL' ? sameEmail(p.Id, props.targetId) : p.Id === props.targetId));
  return partyMatch || resourcesMatch(handshake.Resources, props);
}

/** The open (REQUESTED/OPEN) INVITE handshake to the target, paging until NextToken is empty. */
export async function findOpenInvitation(clients: OrgClients, props: OrgInvitationProps): Promise<Handshake | undefined> {
  const pages = paginateListHandshakesForOrganization(
    { client: clients.organizations },
    { Filter: { ActionType: 'INVITE' } },
  );
  for await (const page of pages) {
    const match = (page.Handshakes ?? []).find(
      (h) => h.Action === 'INVITE' && OPEN_STATES.has(h.State ?? '') && handshakeTargets(h, props),
    );
    if (match) return match;
  }
  return undefined;
}

/** The account ID of the target if it is a member of this organization, else undefined. */
async function memberAccountId(clients: OrgClients, props: OrgInvitationProps): Promise<string | undefined> {
  if (props.targetType === 'ACCOUNT') {
    try {
      const { Account } = await clients.organizations.send(new DescribeAccountCommand({ AccountId: props.targetId }));
      return Account?.Id;
    } catch (error) {
      if (isAwsError(error, 'AccountNotFoundException')) return undefined;
      throw error;
    }
  }
  for await (const page of paginateListAccounts({ client: clients.organizations }, {})) {
    const account = (page.Accounts ?? []).find((a) => a.Email !== undefined && sameEmail(a.Email, props.targetId));
    if (account) return account.Id;
  }
  return undefined;
}

function handshakeResponse(handshake: Handshake, adopted: boolean): HandlerResponse {
  if (!handshake.Id) throw new InvitationError('Organizations returned a handshake without an ID. Please report this.');
  return {
    PhysicalResourceId: handshake.Id,
    Data: {
      HandshakeId: handshake.Id,
      HandshakeArn: handshake.Arn ?? '',
      HandshakeState: handshake.State ?? 'OPEN',
      Adopted: adopted,
    },
  };
}

function alreadyMemberResponse(accountId: string): HandlerResponse {
  const id = `${ALREADY_MEMBER_PREFIX}${accountId}`;
  return { PhysicalResourceId: id, Data: { HandshakeId: id, HandshakeArn: '', HandshakeState: ALREADY_MEMBER, Adopted: false } };
}

async function adoptOrFail(clients: OrgClients, props: OrgInvitationProps, cause: unknown): Promise<HandlerResponse> {
  const open = await findOpenInvitation(clients, props);
  if (open) {
    log('INFO', 'adopted the open invitation', { handshakeId: open.Id, state: open.State });
    return handshakeResponse(open, true);
  }
  throw failedWith(`Inviting ${describeTarget(props)}`, cause, {
    fallback: 'Organizations says an invitation to this target is already open, but none was found among the ' +
      'organization\'s open INVITE handshakes. Cancel the invitation in the AWS Organizations console, then deploy again.',
  });
}

async function alreadyInAnOrganization(clients: OrgClients, props: OrgInvitationProps, cause: unknown): Promise<HandlerResponse> {
  const accountId = await memberAccountId(clients, props);
  if (accountId) {
    log('INFO', 'the target is already a member of this organization: nothing sent', { accountId });
    return alreadyMemberResponse(accountId);
  }
  throw failedWith(`Inviting ${describeTarget(props)}`, cause, { hints: ORG_HINTS });
}

/** Create: adopt an open invitation to the same target, or invite. */
export async function createInvitation(clients: OrgClients, props: OrgInvitationProps): Promise<HandlerResponse> {
  const open = await findOpenInvitation(clients, props);
  if (open) {
    log('INFO', 'adopted the open invitation', { handshakeId: open.Id, state: open.State });
    return handshakeResponse(open, true);
  }
  const tags = Object.entries(props.tags).map(([Key, Value]) => ({ Key, Value }));
  try {
    const { Handshake: handshake } = await clients.organizations.send(new InviteAccountToOrganizationCommand({
      Target: { Id: props.targetId, Type: props.targetType },
      Notes: props.notes,
      Tags: tags.length > 0 ? tags : undefined,
    }));
    log('INFO', 'invited', { handshakeId: handshake?.Id, state: handshake?.State });
    return handshakeResponse(handshake ?? {}, false);
  } catch (error) {
    if (isAwsError(error, 'DuplicateHandshakeException')) return adoptOrFail(clients, props, error);
    if (isAwsError(error, 'HandshakeConstraintViolationException') && errorReason(error) === 'ALREADY_IN_AN_ORGANIZATION') {
      return alreadyInAnOrganization(clients, props, error);
    }
    throw failedWith(`Inviting ${describeTarget(props)}`, error, { hints: ORG_HINTS });
  }
}

/** The handshake's current state, or undefined when Organizations no longer knows it (30 days after it ended). */
async function describeHandshake(clients: OrgClients, handshakeId: string): Promise<Handshake | undefined> {
  try {
    const { Handshake: handshake } = await clients.organizations.send(new DescribeHandshakeCommand({ HandshakeId: handshakeId }));
    return handshake;
  } catch (error) {
    if (isAwsError(error, 'HandshakeNotFoundException')) return undefined;
    throw error;
  }
}

/**
 * Update: a new target is a new invitation (new physical ID: CloudFormation then deletes the old one). Otherwise
 * nothing is sent while the invitation is open or accepted; once it ended without acceptance, invite again.
 */
export async function updateInvitation(
  clients: OrgClients,
  physicalId: string,
  props: OrgInvitationProps,
  oldProps: OrgInvitationProps,
): Promise<HandlerResponse> {
  const sameTarget = props.targetType === oldProps.targetType &&
    (props.targetType === 'EMAIL' ? sameEmail(props.targetId, oldProps.targetId) : props.targetId === oldProps.targetId);
  if (!sameTarget) {
    log('INFO', 'target changed: inviting the new target', { oldPhysicalId: physicalId });
    return createInvitation(clients, props);
  }
  if (physicalId.startsWith(ALREADY_MEMBER_PREFIX)) {
    return alreadyMemberResponse(physicalId.slice(ALREADY_MEMBER_PREFIX.length));
  }
  const handshake = HANDSHAKE_ID.test(physicalId) ? await describeHandshake(clients, physicalId) : undefined;
  if (handshake && !ENDED_WITHOUT_ACCEPTANCE.has(handshake.State ?? '')) {
    log('INFO', 'invitation unchanged', { handshakeId: physicalId, state: handshake.State });
    return handshakeResponse(handshake, false);
  }
  log('INFO', 'the invitation ended without acceptance: inviting again', { handshakeId: physicalId, state: handshake?.State });
  return createInvitation(clients, props);
}

/**
 * Delete: cancel the handshake while it is open. An accepted invitation is left alone (the account stays in the
 * organization); ended, unknown and non-handshake IDs succeed.
 */
export async function deleteInvitation(clients: OrgClients, physicalId: string): Promise<void> {
  if (!HANDSHAKE_ID.test(physicalId)) {
    log('INFO', 'not a handshake ID: nothing to cancel', { physicalId });
    return;
  }
  const handshake = await describeHandshake(clients, physicalId);
  const state = handshake?.State;
  if (!handshake || !OPEN_STATES.has(state ?? '')) {
    if (state === 'ACCEPTED') {
      log('WARN', 'the invitation was accepted: the account stays in the organization', { handshakeId: physicalId });
    } else {
      log('INFO', 'nothing to cancel', { handshakeId: physicalId, state: state ?? 'NOT_FOUND' });
    }
    return;
  }
  try {
    await clients.organizations.send(new CancelHandshakeCommand({ HandshakeId: physicalId }));
    log('INFO', 'canceled the invitation', { handshakeId: physicalId });
  } catch (error) {
    if (isAwsError(error, 'HandshakeNotFoundException', 'HandshakeAlreadyInStateException')) {
      log('INFO', 'nothing to cancel', { handshakeId: physicalId, error: (error as Error).name });
      return;
    }
    if (isAwsError(error, 'InvalidHandshakeTransitionException')) {
      // accepted or declined meanwhile
      const now = await describeHandshake(clients, physicalId);
      log(now?.State === 'ACCEPTED' ? 'WARN' : 'INFO', 'the invitation changed state before it could be canceled', {
        handshakeId: physicalId,
        state: now?.State ?? 'NOT_FOUND',
      });
      return;
    }
    throw error;
  }
}

/** True when a resource of the stack still declares this target (a renamed construct, a replacement): then it stays. */
export async function keptByStack(clients: OrgClients, props: OrgInvitationProps, ctx: RequestContext): Promise<boolean> {
  return (await targetsKeptByStack(clients, ctx, ORG_TARGETS, props)).size > 0;
}

/**
 * After a Create that did not finish normally: cancel the open invitation to the target only if it was requested at
 * or after the Create started (`since`, within the clock-skew allowance of `madeSince`). An invitation that was open
 * before (another stack's, or one this Create adopted) and any invitation when the start is unknown are kept.
 */
export async function cancelAbandonedInvitation(clients: OrgClients, props: OrgInvitationProps, since: Date | undefined): Promise<void> {
  if (since === undefined) {
    log('WARN', 'the start of the unfinished Create is unknown: an open invitation to the target, if any, is kept ' +
      '(it may be another stack\'s). Cancel it in the Organizations console if it is not wanted.', {});
    return;
  }
  const open = await findOpenInvitation(clients, props);
  if (!open?.Id) {
    log('INFO', 'no open invitation to the target: nothing to cancel', {});
    return;
  }
  if (!madeSince(open.RequestedTimestamp, since)) {
    log('INFO', 'the open invitation to the target was requested before the unfinished Create started: it is kept', {
      handshakeId: open.Id,
      requested: open.RequestedTimestamp?.toISOString?.() ?? String(open.RequestedTimestamp),
      since: since.toISOString(),
    });
    return;
  }
  await deleteInvitation(clients, open.Id);
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

/** The physical IDs this lifecycle answers with: handshake IDs, and `already-member:<account>`. */
export function ownsPhysicalId(physicalId: string): boolean {
  return HANDSHAKE_ID.test(physicalId) ||
    (physicalId.startsWith(ALREADY_MEMBER_PREFIX) && ACCOUNT_ID.test(physicalId.slice(ALREADY_MEMBER_PREFIX.length)));
}

// ---------------------------------------------------------------------------------------------------------------
// One-stack acceptance: accept in the invited account through a role there

/**
 * How long the inviter waits for its own invitation to become visible in the invited account: far below the
 * function's 5 minutes, which must also cover the invite, a cancel after a failure and the answer.
 */
export const ACCEPT_WAIT_MS = 120_000;

/** The wait, shortened by tests and the emulator through CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS. */
function acceptWaitMs(): number {
  const raw = process.env.CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS;
  const value = raw ? Number(raw) : NaN;
  return Number.isFinite(value) && value >= 0 && value <= ACCEPT_WAIT_MS ? value : ACCEPT_WAIT_MS;
}

function acceptRolePrincipal(roleName: string, accountId: string): string {
  return `role ${roleName} in account ${accountId}`;
}

/**
 * After inviting: accept the open handshake in the invited account through the role, and report it ACCEPTED. An
 * account that already belongs to the organization, or an accepted handshake, needs nothing. If accepting fails and
 * this request sent the invitation, it is canceled before the failure is reported (it made it); an adopted invitation
 * (another stack's, or one a rollback keeps) stays as it was.
 */
export async function acceptThroughRole(
  clients: OrgClients,
  props: OrgInvitationProps,
  invited: HandlerResponse,
  ctx: RequestContext,
  previousPhysicalId?: string,
): Promise<HandlerResponse> {
  const roleName = props.acceptRoleName;
  const data = invited.Data ?? {};
  if (!roleName || !OPEN_STATES.has(String(data.HandshakeState))) return invited;
  if (!clients.acceptingAs) throw new InvitationError('Internal error: no clients for the invited account. Please report this.');
  const handshakeId = invited.PhysicalResourceId;
  const managementAccountId = stackLocation(ctx.stackId).account;
  const principal = acceptRolePrincipal(roleName, props.targetId);
  // this request sent the handshake (not adopted, not the resource's own from before): only then is it undone
  const sentNow = data.Adopted === false && handshakeId !== previousPhysicalId;
  try {
    const accepterClients = await clients.acceptingAs(roleName)(props.targetId);
    const accepted = await acceptOrganizationInvitation(accepterClients, { managementAccountId, handshakeId }, {
      invitee: `account ${props.targetId}`,
      principal,
      notArrivedHint: 'Organizations had not shown the invitation to the invited account yet (it usually does within ' +
        'seconds); deploy again.',
      wait: { timeoutMs: acceptWaitMs(), signal: ctx.signal },
    });
    log('INFO', 'accepted in the invited account through the role', { handshakeId, accountId: props.targetId, state: accepted.handshakeState });
    return { PhysicalResourceId: handshakeId, Data: { ...data, HandshakeState: 'ACCEPTED' } };
  } catch (error) {
    if (ctx.signal?.aborted) throw error; // the runtime answers, and the Delete that follows cleans up (abandonedCreate)
    let outcome = ` Invitation ${handshakeId} stays open: accept it in account ${props.targetId}, or fix the role and deploy again.`;
    if (sentNow) {
      log('WARN', 'accepting failed: canceling the invitation this request sent', { handshakeId, accountId: props.targetId });
      try {
        await deleteInvitation(clients, handshakeId);
        outcome = ` The invitation ${handshakeId} this deployment sent was canceled.`;
      } catch (cancelError) {
        log('ERROR', 'canceling the invitation failed: it stays open', { handshakeId, error: (cancelError as Error).name });
        outcome = ` Canceling the invitation ${handshakeId} failed too: cancel it in the AWS Organizations console.`;
      }
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new InvitationError(`Accepting the invitation through ${principal}: ${message}${outcome}`, { cause: error });
  }
}

export const orgInvitationLifecycle: Lifecycle<OrgInvitationProps, OrgClients> = {
  what: 'Organizations invitation',
  parse: parseProps,
  parseOld: parseOldProps,
  ownsPhysicalId,
  create: async (clients, props, ctx) => acceptThroughRole(clients, props,
    await inManagementAccount(`Inviting ${describeTarget(props)}`, '', () => createInvitation(clients, props)), ctx),
  update: async (clients, physicalId, props, oldProps, ctx) => acceptThroughRole(clients, props,
    await inManagementAccount(`Updating the invitation to ${describeTarget(props)}`, '', () => updateInvitation(clients, physicalId, props, oldProps)),
    ctx, physicalId),
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
