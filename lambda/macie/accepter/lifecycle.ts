/**
 * MacieInvitationAccepter: the member side of a Macie invitation, deployed in the invited account, in the
 * administrator's region. Create checks that Macie is enabled (GetMacieSession), adopts an existing association with
 * the expected administrator (GetAdministratorAccount), otherwise finds the administrator's invitation
 * (ListInvitations, paged to the end) and accepts it, waiting within `waitTimeout` while it has not arrived
 * (lambda/shared/accept.ts). Delete (DESTROY) disassociates from the administrator, only while it is still the one
 * this resource accepted.
 *
 * The physical ID `macie-invitation-accepter:<region>:<administrator>` names the administrator a resource accepted, so
 * the Delete of a replaced resource (a changed administrator) can tell whether the account still belongs to it.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AcceptInvitationCommand,
  DisassociateFromAdministratorAccountCommand,
  GetAdministratorAccountCommand,
  GetMacieSessionCommand,
  Invitation,
  ListInvitationsCommand,
  Macie2Client,
} from '@aws-sdk/client-macie2';
import { acceptWhenInvited, Sighting } from '../../shared/accept';
import { Hints, InvitationError, errorMessage, errorName, failedWith, isAwsError } from '../../shared/errors';
import { log } from '../../shared/log';
import { isMacieNotEnabled } from '../service';
import { ACCOUNT_ID, optionalString, requiredString } from '../../shared/props';
import type { HandlerResponse, Lifecycle, RequestContext } from '../../shared/runtime';
import { StackClients, StackTargets, stackLocation, targetsKeptByStack } from '../../shared/stack';
import type { WaitOptions } from '../../shared/wait';

/** The clients of the member side. The accept functions only need `macie` (an inviter may pass assumed-role clients). */
export interface MacieAccepterClients extends StackClients {
  readonly macie: Macie2Client;
}

export type RemovalMode = 'DESTROY' | 'RETAIN';

export interface MacieAccepterProps {
  readonly administratorAccountId: string;
  /** How long Create waits for the invitation, in milliseconds (0 = look once). */
  readonly waitTimeoutMs: number;
  readonly removalPolicy: RemovalMode;
}

/** The attributes of the resource. Never empty strings: an output of an empty value fails the deploy. */
export interface MacieAcceptance {
  readonly invitationId: string;
  readonly relationshipStatus: string;
}

export const PHYSICAL_ID_PREFIX = 'macie-invitation-accepter:';
/** ListInvitations' largest page. */
export const LIST_PAGE_SIZE = 25;
/** The longest wait one invocation allows (src/private/accepter.ts MAX_WAIT_TIMEOUT). */
const MAX_WAIT_SECONDS = 14 * 60;

/** invitationId of an association that no invitation made (AWS Organizations), or that is unknown. */
export const NO_INVITATION_ID = 'NONE';
/** relationshipStatus reported by an Update that changed nothing while the account is no longer associated. */
export const NOT_ASSOCIATED = 'NotAssociated';

/** An existing relationship with an administrator: the account belongs to it (possibly impaired). */
const ASSOCIATED = new Set(['Enabled', 'Paused', 'RegionDisabled', 'AccountSuspended']);
/** The states of an association that is working: adopt without a word. */
const ACTIVE = new Set(['Enabled', 'Paused']);
/** Invitation states that are still being sent (administrator side): not acceptable yet, not ended either. */
const NOT_YET = new Set(['Created', 'EmailVerificationInProgress']);

/** An error of DisassociateFromAdministratorAccount that says there is nothing to disassociate. */
const NOT_ASSOCIATED_TEXT = /\bnot\b.*\b(associated|a member)\b|\bisn't\b.*\b(associated|a member)\b|\bno\b.*\badministrator\b/i;

// ---------------------------------------------------------------------------------------------------------------
// Properties and IDs
// ---------------------------------------------------------------------------------------------------------------

export function parseProps(raw: Record<string, unknown>): MacieAccepterProps {
  const administratorAccountId = requiredString(raw, 'AdministratorAccountId');
  if (!ACCOUNT_ID.test(administratorAccountId)) {
    throw new InvitationError(`AdministratorAccountId must be a 12-digit AWS account ID, got ${JSON.stringify(administratorAccountId)}.`);
  }
  const waitRaw = optionalString(raw, 'WaitTimeoutSeconds') ?? '300';
  const waitSeconds = Number(waitRaw);
  if (!/^\d+$/.test(waitRaw) || waitSeconds > MAX_WAIT_SECONDS) {
    throw new InvitationError(`WaitTimeoutSeconds must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}, got ${JSON.stringify(waitRaw)}.`);
  }
  const removalPolicy = optionalString(raw, 'RemovalPolicy') ?? 'DESTROY';
  if (removalPolicy !== 'DESTROY' && removalPolicy !== 'RETAIN') {
    throw new InvitationError(`RemovalPolicy must be DESTROY or RETAIN, got ${JSON.stringify(removalPolicy)}.`);
  }
  return { administratorAccountId, waitTimeoutMs: waitSeconds * 1000, removalPolicy };
}

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

/**
 * Where the member side acts. The accepter's own handler acts in its stack's account; an inviter accepting through a
 * role (`acceptance`) acts in each member account, in the inviting stack's Region, and names it here.
 */
export type MemberContext = Pick<RequestContext, 'stackId'> & {
  /** The member account acted in, when it is not the stack's own (acceptance through a role). */
  readonly accountId?: string;
  readonly signal?: AbortSignal;
};

/** `account 222222222222 in eu-west-1`, from the stack ARN (or the member account acted in). */
function whereDeployed(ctx: MemberContext): string {
  const { region, account } = stackLocation(ctx.stackId);
  const acting = ctx.accountId ?? account;
  return region && acting ? `account ${acting} in ${region}` : 'this account and region';
}

// ---------------------------------------------------------------------------------------------------------------
// Reading Macie's state
// ---------------------------------------------------------------------------------------------------------------

/** What to do, per Macie error name, for the member-side calls (`failedWith`). */
export const MACIE_ACCEPTER_HINTS: Hints = {
  AccessDeniedException:
    'The calling role (the accepter\'s handler role, or the role assumed in the member account) needs this action: ' +
    'check service control policies and permission boundaries, and that role\'s policy; then deploy again.',
  ThrottlingException: 'Macie throttled the calls beyond the retries: deploy again later.',
  InternalServerException: 'A Macie service error that persisted through the retries: deploy again later.',
};

/** What to do when AcceptInvitation itself fails (searched before `MACIE_ACCEPTER_HINTS`). */
function acceptHints(administratorAccountId: string): Hints {
  const withdrawn = `The invitation may have been withdrawn or replaced meanwhile: ask the administrator ${administratorAccountId} ` +
    'to send a new one (deploy its MacieInvitations again), then deploy again.';
  return {
    ValidationException: withdrawn,
    ResourceNotFoundException: withdrawn,
    ConflictException: 'This account may have joined another Macie administrator meanwhile: check Macie (Settings, Accounts) in this account.',
  };
}

/** Disassociating failed: what to do besides fixing the cause. */
const DISASSOCIATE_HINTS: Hints = {
  AccessDeniedException:
    'The handler\'s role is granted this action: check service control policies and permission boundaries, or disassociate ' +
    'in the Macie console (Settings, Accounts); then retry the delete.',
};

/** A failed member-side call, as users read it: what failed, the AWS error, and what to do. */
function callFailed(doing: string, error: unknown, ...extra: Hints[]): InvitationError {
  return failedWith(doing, error, { hints: [...extra, MACIE_ACCEPTER_HINTS] });
}

/** Macie is not enabled in the member account: nothing was changed (the inviter reports such members by this type). */
export class MacieNotEnabledError extends InvitationError {
  constructor(message: string) {
    super(message);
    this.name = 'MacieNotEnabledError';
  }
}

/** True when Macie is enabled (or paused) in this account and region; false when it is not; other errors throw. */
export async function macieEnabled(clients: Pick<MacieAccepterClients, 'macie'>, ctx: MemberContext): Promise<boolean> {
  try {
    const session = await clients.macie.send(new GetMacieSessionCommand({}));
    if (session.status === 'PAUSED') log('INFO', 'Macie is paused in this account: it can still accept an invitation', {});
    return true;
  } catch (error) {
    if (isMacieNotEnabled(error) || isAwsError(error, 'ResourceNotFoundException')) return false;
    throw callFailed(`Reading the Macie session of ${whereDeployed(ctx)} (macie2:GetMacieSession)`, error);
  }
}

/** Fails before anything changes when Macie is off in this account and region, saying how to turn it on. */
export async function ensureMacieEnabled(clients: Pick<MacieAccepterClients, 'macie'>, ctx: MemberContext): Promise<void> {
  if (await macieEnabled(clients, ctx)) return;
  throw new MacieNotEnabledError(
    `Amazon Macie is not enabled in ${whereDeployed(ctx)}, so this account cannot accept a Macie invitation. Nothing was ` +
      'changed. Enable Macie first: add an aws_macie.CfnSession to this stack and make the accepter depend on it ' +
      '(accepter.node.addDependency(session)), or enable Macie in the console; then deploy again.',
  );
}

/** The account's current administrator (any relationship state), or undefined when it has none. */
export async function currentAdministrator(clients: Pick<MacieAccepterClients, 'macie'>, ctx: MemberContext): Promise<Invitation | undefined> {
  try {
    const { administrator } = await clients.macie.send(new GetAdministratorAccountCommand({}));
    return administrator?.accountId ? administrator : undefined;
  } catch (error) {
    // no administrator at all is answered with an empty body; some Regions answer ResourceNotFoundException
    if (isAwsError(error, 'ResourceNotFoundException') && !isMacieNotEnabled(error)) return undefined;
    throw callFailed(`Reading the Macie administrator of ${whereDeployed(ctx)} (macie2:GetAdministratorAccount)`, error);
  }
}

/** Every invitation this account received, paging until nextToken is empty. */
export async function listInvitations(clients: Pick<MacieAccepterClients, 'macie'>, ctx: MemberContext): Promise<Invitation[]> {
  const invitations: Invitation[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await clients.macie.send(new ListInvitationsCommand({ maxResults: LIST_PAGE_SIZE, nextToken }));
      invitations.push(...(page.invitations ?? []));
      nextToken = page.nextToken || undefined;
    } while (nextToken);
  } catch (error) {
    throw callFailed(`Listing the Macie invitations of ${whereDeployed(ctx)} (macie2:ListInvitations)`, error);
  }
  return invitations;
}

function attributesOf(association: Invitation): MacieAcceptance {
  return {
    invitationId: association.invitationId || NO_INVITATION_ID,
    relationshipStatus: association.relationshipStatus || 'Enabled',
  };
}

/**
 * What the invitations from the expected administrator say, in the invitee's view. The invitee's view of ended
 * invitations is not documented (the API reference only says the list holds invitations "received and not responded
 * to"), so the safe reading: only `Invited` (or no status at all) with a non-empty invitationId is accepted; states of
 * an invitation still being sent (`Created`, `EmailVerificationInProgress`) and `Enabled`/`Paused` (an association
 * that GetAdministratorAccount does not show yet) are "not yet"; anything else (Removed, Resigned,
 * EmailVerificationFailed, RegionDisabled, AccountSuspended, or a pending one without an ID) counts as ended.
 */
export function classifyInvitations(
  invitations: readonly Invitation[],
  administratorAccountId: string,
): { readonly pending?: Invitation & { invitationId: string }; readonly ended?: { id: string; state: string } } {
  const ours = invitations
    .filter((i) => i.accountId === administratorAccountId)
    // newest first: a re-sent invitation supersedes an older one
    .sort((a, b) => (b.invitedAt?.getTime() ?? 0) - (a.invitedAt?.getTime() ?? 0));
  const pending = ours.find((i) => (i.relationshipStatus === undefined || i.relationshipStatus === 'Invited') && !!i.invitationId);
  if (pending) return { pending: pending as Invitation & { invitationId: string } };
  const ended = ours.find((i) => !NOT_YET.has(i.relationshipStatus ?? '') && !ACTIVE.has(i.relationshipStatus ?? ''));
  if (ended) {
    const state = ended.invitationId ? (ended.relationshipStatus ?? 'unknown') : `${ended.relationshipStatus ?? 'Invited'} without an invitation ID`;
    return { ended: { id: ended.invitationId || NO_INVITATION_ID, state } };
  }
  return {};
}

// ---------------------------------------------------------------------------------------------------------------
// Accepting
// ---------------------------------------------------------------------------------------------------------------

/** AcceptInvitation with both IDs, then the association as Macie reports it (the re-read never fails the accept). */
export async function acceptInvitation(
  clients: Pick<MacieAccepterClients, 'macie'>,
  administratorAccountId: string,
  invitationId: string,
  ctx: MemberContext,
): Promise<MacieAcceptance> {
  if (!invitationId) throw new InvitationError('Internal error: refusing to accept a Macie invitation without an invitation ID. Please report this.');
  try {
    await clients.macie.send(new AcceptInvitationCommand({ administratorAccountId, invitationId }));
  } catch (error) {
    throw callFailed(`Accepting the Macie invitation ${invitationId} from administrator ${administratorAccountId} in ${whereDeployed(ctx)}`,
      error, acceptHints(administratorAccountId));
  }
  log('INFO', 'accepted the Macie invitation', { administratorAccountId, invitationId });
  try {
    const now = await currentAdministrator(clients, ctx);
    if (now?.accountId === administratorAccountId && now.relationshipStatus) {
      return { invitationId, relationshipStatus: now.relationshipStatus };
    }
  } catch (error) {
    // accepted: a failed re-read must not fail the Create (its Delete would not undo the acceptance)
    log('WARN', 'could not re-read the administrator after accepting', { error: errorName(error) });
  }
  return { invitationId, relationshipStatus: 'Enabled' };
}

/** One look: the current association first, then the invitations. */
export async function lookForInvitation(
  clients: Pick<MacieAccepterClients, 'macie'>,
  administratorAccountId: string,
  ctx: MemberContext,
): Promise<Sighting<MacieAcceptance>> {
  const current = await currentAdministrator(clients, ctx);
  if (current && ASSOCIATED.has(current.relationshipStatus ?? 'Enabled')) {
    if (current.accountId === administratorAccountId) {
      if (!ACTIVE.has(current.relationshipStatus ?? 'Enabled')) {
        log('WARN', 'associated with the administrator, but the relationship is impaired', { status: current.relationshipStatus });
      }
      return { kind: 'accepted', attributes: attributesOf(current) };
    }
    return {
      kind: 'other-inviter',
      inviter: `Macie administrator ${current.accountId}`,
      detail: `is associated with Macie administrator ${current.accountId} (relationship ${current.relationshipStatus ?? 'Enabled'})`,
    };
  }
  const { pending, ended } = classifyInvitations(await listInvitations(clients, ctx), administratorAccountId);
  if (pending) {
    return { kind: 'pending', id: pending.invitationId, accept: () => acceptInvitation(clients, administratorAccountId, pending.invitationId, ctx) };
  }
  if (ended) return { kind: 'ended', id: ended.id, state: ended.state };
  return { kind: 'none' };
}

/**
 * Checks Macie, then adopts or accepts the administrator's invitation, waiting for it within `waitTimeoutMs`. Clients
 * are injected: the inviting side can call this with clients of a role in the invited account. `timing` (clock, sleep)
 * is for tests.
 */
export async function acceptMacieInvitation(
  clients: Pick<MacieAccepterClients, 'macie'>,
  props: Pick<MacieAccepterProps, 'administratorAccountId' | 'waitTimeoutMs'>,
  ctx: MemberContext,
  timing: Pick<WaitOptions, 'now' | 'sleep' | 'firstDelayMs' | 'maxDelayMs'> = {},
): Promise<MacieAcceptance> {
  await ensureMacieEnabled(clients, ctx);
  return acceptWhenInvited({
    what: 'Macie membership invitation',
    inviter: `Macie administrator ${props.administratorAccountId}`,
    invitee: (ctx.accountId ?? stackLocation(ctx.stackId).account) ? `account ${ctx.accountId ?? stackLocation(ctx.stackId).account}` : 'this account',
    look: () => lookForInvitation(clients, props.administratorAccountId, ctx),
    otherInviterHint:
      'An account has one Macie administrator per Region: disassociate from that administrator first (Macie console: ' +
      'Settings, Accounts; or macie2:DisassociateFromAdministratorAccount), or have it remove this account; then deploy again.',
    wait: { ...timing, timeoutMs: props.waitTimeoutMs, signal: ctx.signal },
  });
}

function response(ctx: Pick<RequestContext, 'stackId'>, props: MacieAccepterProps, acceptance: MacieAcceptance): HandlerResponse {
  return {
    PhysicalResourceId: physicalResourceId(ctx, props.administratorAccountId),
    Data: {
      InvitationId: acceptance.invitationId || NO_INVITATION_ID,
      RelationshipStatus: acceptance.relationshipStatus || NOT_ASSOCIATED,
      AdministratorAccountId: props.administratorAccountId,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------------------------

export async function createAccepter(clients: MacieAccepterClients, props: MacieAccepterProps, ctx: RequestContext): Promise<HandlerResponse> {
  return response(ctx, props, await acceptMacieInvitation(clients, props, ctx));
}

/** The association as it is now, without accepting anything (an Update that keeps the administrator). */
export async function reportAssociation(clients: MacieAccepterClients, props: MacieAccepterProps, ctx: RequestContext): Promise<MacieAcceptance> {
  if (!(await macieEnabled(clients, ctx))) {
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
 * the new one, with a new physical ID, except in a rollback, which accepts nothing and never fails for the association. The old association is never touched here: the Delete of the old physical ID
 * handles it (and finds the new administrator, so it leaves the account alone).
 */
export async function updateAccepter(
  clients: MacieAccepterClients,
  physicalId: string,
  props: MacieAccepterProps,
  oldProps: MacieAccepterProps,
  ctx: RequestContext,
): Promise<HandlerResponse> {
  const accepted = administratorOf(physicalId) ?? oldProps.administratorAccountId;
  if (accepted === props.administratorAccountId) {
    return response(ctx, props, await reportAssociation(clients, props, ctx));
  }
  if (await rollingBack(clients, ctx)) {
    // Undoing an update that accepted another administrator: the account cannot return to this one by itself (one
    // administrator per Region) and a rollback must not fail for it. Accept nothing: the cleanup Delete of the newer
    // resource's physical ID disassociates from the administrator that update accepted.
    log('WARN', 'rolling back to an earlier administrator: nothing is accepted', { from: accepted, to: props.administratorAccountId });
    return response(ctx, props, await reportAssociation(clients, props, ctx));
  }
  log('INFO', 'the administrator changed: accepting the new administrator\'s invitation', { from: accepted, to: props.administratorAccountId });
  return createAccepter(clients, props, ctx);
}

/** True while the stack rolls an update back (CloudFormation then sends the old properties as an Update). */
async function rollingBack(clients: MacieAccepterClients, ctx: RequestContext): Promise<boolean> {
  if (!clients.cloudformation) return false;
  try {
    const { Stacks: stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: ctx.stackId }));
    return stacks?.[0]?.StackStatus === 'UPDATE_ROLLBACK_IN_PROGRESS';
  } catch (error) {
    log('WARN', 'could not read the stack status: treating the update as a forward one', { error: errorName(error) });
    return false;
  }
}

/** What an accepter resource of the stack stands for: its administrator account. */
const ADMINISTRATOR_TARGET: StackTargets<string> = {
  keys: (administratorAccountId) => [administratorAccountId],
  templateValues: (properties) => [properties.AdministratorAccountId],
  key: (value) => (ACCOUNT_ID.test(value) ? value : undefined),
};

/** True when another accepter resource of this stack expects the same administrator (a renamed construct). */
async function keptByStack(clients: MacieAccepterClients, administratorAccountId: string, ctx: RequestContext): Promise<boolean> {
  const kept = (await targetsKeptByStack(clients, ctx, ADMINISTRATOR_TARGET, administratorAccountId)).size > 0;
  if (kept) log('INFO', 'another resource of this stack expects this administrator: the association stays', { administratorAccountId });
  return kept;
}

/**
 * Delete: with DESTROY, disassociate from the administrator this resource accepted (named by the physical ID), only
 * while the account is still its member by invitation. A changed administrator, an account that already left, a
 * membership managed through AWS Organizations and a Macie that is not enabled are left alone (success, logged).
 */
export async function deleteAccepter(
  clients: MacieAccepterClients,
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
  if (!(await macieEnabled(clients, ctx))) {
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
  if (!ASSOCIATED.has(current.relationshipStatus ?? 'Enabled')) {
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
    if (isMacieNotEnabled(error) || isAwsError(error, 'ResourceNotFoundException') ||
      (isAwsError(error, 'ValidationException', 'ConflictException') && NOT_ASSOCIATED_TEXT.test(errorMessage(error)))) {
      log('INFO', 'already disassociated', { administratorAccountId, error: errorName(error) });
      return;
    }
    throw failedWith(
      `Disassociating ${whereDeployed(ctx)} from Macie administrator ${administratorAccountId} (macie2:DisassociateFromAdministratorAccount)`,
      error,
      {
        hints: DISASSOCIATE_HINTS,
        fallback: 'Retry the delete; or disassociate in the Macie console (Settings, Accounts), or set removalPolicy RETAIN to keep the membership.',
      },
    );
  }
}

export const macieInvitationAccepterLifecycle: Lifecycle<MacieAccepterProps, MacieAccepterClients> & {
  ownsPhysicalId(physicalId: string): boolean;
} = {
  what: 'Macie invitation acceptance',
  parse: parseProps,
  ownsPhysicalId,
  create: (clients, props, ctx) => createAccepter(clients, props, ctx),
  update: (clients, physicalId, props, oldProps, ctx) => updateAccepter(clients, physicalId, props, oldProps, ctx),
  delete: (clients, physicalId, props, ctx) => deleteAccepter(clients, physicalId, props, ctx),
  // a Create cut off by the deadline cannot tell an acceptance it made from an association it adopted: keep it
  abandonedCreate: async (_clients, props) => {
    log('INFO', 'a Create that timed out may have accepted or adopted the association: it stays', { administratorAccountId: props.administratorAccountId });
  },
};
