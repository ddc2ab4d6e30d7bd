/**
 * Amazon Macie (macie2) in one region, across accounts: each account's Macie session, administrators' members and
 * invitations, and the member side (the invited account lists, accepts, and disassociates).
 */
import { randomUUID } from 'node:crypto';
import { Clock, helperContext, Input, InvitationDelay, paginate, PagingOptions, RequestContext, ServiceError, ServiceHandler, Visibility } from './common';

export type RelationshipStatus = 'Enabled' | 'Paused' | 'Invited' | 'Created' | 'Removed' | 'Resigned'
| 'EmailVerificationInProgress' | 'EmailVerificationFailed' | 'RegionDisabled' | 'AccountSuspended';

/** Member as GetMember/ListMembers send it (timestamps ISO 8601). */
export interface WireMember {
  readonly accountId: string;
  readonly administratorAccountId: string;
  readonly masterAccountId: string;
  readonly arn: string;
  readonly email?: string;
  readonly invitedAt?: string;
  readonly updatedAt: string;
  readonly relationshipStatus: RelationshipStatus;
  readonly tags: Readonly<Record<string, string>>;
}

interface MemberRecord {
  readonly accountId: string;
  readonly administratorAccountId: string;
  email?: string;
  relationshipStatus: RelationshipStatus;
  invitedAt?: number;
  updatedAt: number;
  tags: Record<string, string>;
  /** Associated through AWS Organizations (no invitation): the administrator can't disassociate or delete it. */
  readonly organizationManaged: boolean;
  /** ID of the latest invitation, which the invitee passes to AcceptInvitation. */
  invitationId?: string;
  /** When the latest invitation becomes visible to the invitee. */
  visibility?: Visibility;
}

interface InvitationFailure {
  readonly errorCode: 'ClientError' | 'InternalError';
  readonly errorMessage: string;
  remaining: number;
}

export interface MacieOptions {
  /** The default account: Macie is enabled there from the start; the administrator of the legacy helpers. */
  readonly administratorAccountId: string;
  readonly region: string;
  readonly paging: PagingOptions;
}

/** An invitation as the invited account sees it (ListInvitations, GetAdministratorAccount). */
export interface WireInvitation {
  readonly accountId: string;
  readonly invitationId?: string;
  readonly invitedAt?: string;
  readonly relationshipStatus: RelationshipStatus;
}

/** A snapshot of the Macie state (leak checks, state dumps). */
export interface MacieState {
  /** Accounts with Macie enabled (status ENABLED or PAUSED). */
  readonly sessions: Readonly<Record<string, 'ENABLED' | 'PAUSED'>>;
  /** Members by relationship status, per administrator account. */
  readonly members: Readonly<Record<string, Partial<Record<RelationshipStatus, string[]>>>>;
}

/** Relationships that ListMembers leaves out unless onlyAssociated=false. */
const NOT_ASSOCIATED: readonly RelationshipStatus[] = ['Created', 'Removed', 'Resigned'];
/** Relationships a new invitation can't change. */
const ESTABLISHED: readonly RelationshipStatus[] = ['Enabled', 'Paused'];
const ACCOUNT_ID = /^\d{12}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** Documented limits that the model does not carry. */
const MAX_MESSAGE_LENGTH = 80;
const MAX_TAGS = 50;
/** Operations that need no Macie session in the caller's account. */
const WITHOUT_SESSION = new Set(['EnableMacie']);

const iso = (ms: number) => new Date(ms).toISOString();

export class MacieEmulator implements ServiceHandler {
  /** Members per administrator account, in creation order. */
  private readonly administrators = new Map<string, Map<string, MemberRecord>>();
  private readonly invitationFailures = new Map<string, InvitationFailure>();
  private readonly sessions = new Map<string, { status: 'ENABLED' | 'PAUSED'; createdAt: number; updatedAt: number }>();
  private delay: InvitationDelay = {};
  private listEndedInvitations = false;

  constructor(private readonly clock: Clock, private readonly options: MacieOptions) {
    this.enable(options.administratorAccountId);
  }

  // ---- test helpers -------------------------------------------------------------------------------------------

  /** Macie is not enabled in the account (default: the default account): its calls answer AccessDeniedException (403). */
  disable(accountId = this.options.administratorAccountId): void {
    this.sessions.delete(accountId);
  }

  /** Enables Macie in the account (default: the default account), as EnableMacie or `AWS::Macie::Session` would. */
  enable(accountId = this.options.administratorAccountId): void {
    if (!this.sessions.has(accountId)) this.sessions.set(accountId, { status: 'ENABLED', createdAt: this.clock.now(), updatedAt: this.clock.now() });
  }

  isEnabled(accountId: string): boolean {
    return this.sessions.has(accountId);
  }

  /** A member of the administrator (default: the default account) associated through AWS Organizations: Enabled, no email, never invited. */
  addOrganizationMember(accountId: string, administratorAccountId = this.options.administratorAccountId): void {
    this.membersOf(administratorAccountId).set(accountId, {
      accountId,
      administratorAccountId,
      relationshipStatus: 'Enabled',
      updatedAt: this.clock.now(),
      tags: {},
      organizationManaged: true,
    });
  }

  /** CreateInvitations reports `accountId` as unprocessed, `times` times (default: always). */
  failInvitationFor(accountId: string, errorCode: 'ClientError' | 'InternalError', errorMessage: string, times = Infinity): void {
    this.invitationFailures.set(accountId, { errorCode, errorMessage, remaining: times });
  }

  /** Invitations sent from now on become visible to the invited account only after the delay (see InvitationDelay). */
  setInvitationDelay(delay: InvitationDelay): void {
    this.delay = { ...delay };
  }

  /**
   * ListInvitations also lists invitations that are no longer pending (accepted, removed, resigned), with their
   * current relationshipStatus. Default: only pending (Invited) invitations are listed.
   */
  setListEndedInvitations(list: boolean): void {
    this.listEndedInvitations = list;
  }

  /** The invited account accepts (Invited → Enabled), whether or not it has Macie enabled. */
  accept(accountId: string, administratorAccountId = this.options.administratorAccountId): void {
    const member = this.membersOf(administratorAccountId).get(accountId);
    if (!member?.invitationId || member.relationshipStatus !== 'Invited') throw new Error(`account ${accountId} has no pending invitation from ${administratorAccountId}`);
    this.update(member, 'Enabled');
  }

  /** Sets a member's relationship, e.g. to Paused, Resigned or RegionDisabled. */
  setRelationshipStatus(accountId: string, status: RelationshipStatus, administratorAccountId = this.options.administratorAccountId): void {
    this.member(administratorAccountId, accountId).relationshipStatus = status;
  }

  /** ID of the latest invitation sent to an account (the invitee needs it for AcceptInvitation). */
  invitationId(accountId: string, administratorAccountId = this.options.administratorAccountId): string | undefined {
    return this.membersOf(administratorAccountId).get(accountId)?.invitationId;
  }

  /** Members of the administrator (default: the default account). */
  members(administratorAccountId = this.options.administratorAccountId): WireMember[] {
    return [...this.membersOf(administratorAccountId).values()].map(m => this.toWire(m));
  }

  /** Account IDs by relationship status, of the administrator (default: the default account): leak check. */
  membersByStatus(administratorAccountId = this.options.administratorAccountId): Partial<Record<RelationshipStatus, string[]>> {
    const result: Partial<Record<RelationshipStatus, string[]>> = {};
    for (const m of this.membersOf(administratorAccountId).values()) (result[m.relationshipStatus] ??= []).push(m.accountId);
    return result;
  }

  state(): MacieState {
    return {
      sessions: Object.fromEntries([...this.sessions].map(([id, s]) => [id, s.status])),
      members: Object.fromEntries([...this.administrators.keys()].map(id => [id, this.membersByStatus(id)])),
    };
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  handle(operation: string, input: Input, context: RequestContext = helperContext(this.options.administratorAccountId)): unknown {
    const caller = context.principal.accountId;
    // The legacy caller (a key that names no account) may accept on the invitee's behalf, as before accounts existed.
    const legacyAccept = operation === 'AcceptInvitation' && context.principal.legacy;
    if (!this.sessions.has(caller) && !WITHOUT_SESSION.has(operation) && !legacyAccept) {
      throw new ServiceError('AccessDeniedException', 'Macie is not enabled.');
    }
    switch (operation) {
      case 'GetMacieSession':
        return this.session(caller);
      case 'EnableMacie':
        return this.enableMacie(caller, input);
      case 'CreateMember':
        return { arn: this.createMember(caller, input) };
      case 'GetMember':
        return this.toWire(this.member(caller, input.id as string));
      case 'ListMembers':
        return this.listMembers(caller, input);
      case 'CreateInvitations':
        return { unprocessedAccounts: this.createInvitations(caller, input) };
      case 'DisassociateMember':
        this.disassociate(caller, input.id as string);
        return {};
      case 'DeleteMember':
        this.delete(caller, input.id as string);
        return {};
      case 'AcceptInvitation':
        this.acceptInvitation(caller, input, context.principal.legacy);
        return {};
      case 'GetAdministratorAccount':
        return this.getAdministratorAccount(caller);
      case 'ListInvitations':
        return this.listInvitations(caller, input);
      case 'DisassociateFromAdministratorAccount':
        this.disassociateFromAdministrator(caller);
        return {};
      default:
        throw new Error(`Macie operation ${operation} is not emulated`);
    }
  }

  private session(accountId: string) {
    const session = this.sessions.get(accountId)!;
    return {
      createdAt: iso(session.createdAt),
      findingPublishingFrequency: 'FIFTEEN_MINUTES',
      serviceRole: `arn:aws:iam::${accountId}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
      status: session.status,
      updatedAt: iso(session.updatedAt),
    };
  }

  /** Already enabled: ConflictException. */
  private enableMacie(accountId: string, input: Input): Record<string, never> {
    if (this.sessions.has(accountId)) throw new ServiceError('ConflictException', 'Macie is already enabled for this account.');
    const now = this.clock.now();
    this.sessions.set(accountId, { status: input.status === 'PAUSED' ? 'PAUSED' : 'ENABLED', createdAt: now, updatedAt: now });
    return {};
  }

  /** An existing member is left as it is and its ARN returned. */
  private createMember(administrator: string, input: Input): string {
    const account = input.account as { accountId: string; email: string };
    const tags = (input.tags ?? {}) as Record<string, string>;
    if (!ACCOUNT_ID.test(account.accountId)) throw invalid('The account ID must be exactly 12 digits.');
    if (!EMAIL.test(account.email)) throw invalid('The email address is not valid.');
    if (Object.keys(tags).length > MAX_TAGS) throw invalid(`An account can have at most ${MAX_TAGS} tags.`);
    if (account.accountId === administrator) {
      throw new ServiceError('ValidationException', 'You can\'t associate your own account as a member account.');
    }
    const members = this.membersOf(administrator);
    if (!members.has(account.accountId)) {
      members.set(account.accountId, {
        accountId: account.accountId,
        administratorAccountId: administrator,
        email: account.email,
        relationshipStatus: 'Created',
        updatedAt: this.clock.now(),
        tags: { ...tags },
        organizationManaged: false,
      });
    }
    return this.arn(administrator, account.accountId);
  }

  private listMembers(administrator: string, input: Input) {
    const onlyAssociated = input.onlyAssociated ?? 'true';
    if (onlyAssociated !== 'true' && onlyAssociated !== 'false') throw invalid('onlyAssociated must be true or false.');
    const members = [...this.membersOf(administrator).values()]
      .filter(m => onlyAssociated === 'false' || !NOT_ASSOCIATED.includes(m.relationshipStatus));
    const page = paginate(members, {
      token: input.nextToken,
      maxResults: input.maxResults,
      scope: `ListMembers ${administrator} ${onlyAssociated}`,
    }, this.options.paging, () => invalid('The nextToken is not valid.'));
    return { members: page.items.map(m => this.toWire(m)), nextToken: page.nextToken };
  }

  private createInvitations(administrator: string, input: Input) {
    const message = input.message as string | undefined;
    if (message !== undefined && [...message].length > MAX_MESSAGE_LENGTH) {
      throw invalid(`The message can contain at most ${MAX_MESSAGE_LENGTH} characters.`);
    }
    const unprocessed: Array<{ accountId: string; errorCode: string; errorMessage: string }> = [];
    const reject = (accountId: string, errorMessage: string) => unprocessed.push({ accountId, errorCode: 'ClientError', errorMessage });
    for (const accountId of input.accountIds as string[]) {
      const failure = this.invitationFailures.get(accountId);
      const member = this.membersOf(administrator).get(accountId);
      if (failure && failure.remaining > 0) {
        failure.remaining--;
        unprocessed.push({ accountId, errorCode: failure.errorCode, errorMessage: failure.errorMessage });
      } else if (!member) {
        reject(accountId, 'The account is not a member of the administrator account. Call CreateMember first.');
      } else if (member.organizationManaged) {
        reject(accountId, 'The account is associated through AWS Organizations.');
      } else if (ESTABLISHED.includes(member.relationshipStatus)) {
        reject(accountId, `The account is already associated (${member.relationshipStatus}).`);
      } else {
        this.update(member, 'Invited');
        member.invitedAt = member.updatedAt;
        member.invitationId = randomUUID().replace(/-/g, '');
        member.visibility = new Visibility(this.clock, this.delay);
      }
    }
    return unprocessed;
  }

  private disassociate(administrator: string, accountId: string): void {
    const member = this.member(administrator, accountId);
    this.refuseOrganizationManaged(member);
    if (!NOT_ASSOCIATED.includes(member.relationshipStatus)) this.update(member, 'Removed');
  }

  /** Members still associated (Enabled, Paused) must be disassociated first. */
  private delete(administrator: string, accountId: string): void {
    const member = this.member(administrator, accountId);
    this.refuseOrganizationManaged(member);
    if (ESTABLISHED.includes(member.relationshipStatus)) {
      throw new ServiceError('ValidationException', 'The account is still associated. Disassociate it before deleting it.');
    }
    this.membersOf(administrator).delete(accountId);
  }

  /**
   * The invited account accepts: `invitationId` required and not empty (an empty one is an invalid request);
   * no pending, visible invitation with that ID (from `administratorAccountId`, when given): ValidationException;
   * already associated with another administrator: ConflictException. The member becomes Enabled.
   */
  private acceptInvitation(caller: string, input: Input, legacy: boolean): void {
    const administrator = (input.administratorAccountId ?? input.masterAccount) as string | undefined;
    const invitationId = input.invitationId as string;
    if (invitationId === '') throw invalid('The invitationId must not be empty.');
    if (administrator !== undefined && !ACCOUNT_ID.test(administrator)) throw invalid('The administratorAccountId must be exactly 12 digits.');
    const pending = (m: MemberRecord | undefined) => m !== undefined && m.invitationId === invitationId && m.relationshipStatus === 'Invited';
    const fromAdministrator = (m: MemberRecord) => administrator === undefined || m.administratorAccountId === administrator;
    let member = this.invitationsTo(caller).find(m => pending(m) && fromAdministrator(m) && m.visibility?.visible());
    if (!member && legacy) {
      // The single-account emulator's administrator accepted on the invitee's behalf: keep that working.
      member = [...this.membersOf(administrator ?? caller).values()].find(pending);
      if (!member || (administrator ?? caller) !== caller) {
        throw new ServiceError('ResourceNotFoundException', 'The request failed because the specified invitation wasn\'t found.');
      }
    }
    if (!member) {
      throw new ServiceError('ValidationException', 'The request failed because the account doesn\'t have a pending invitation with the specified invitationId from the specified administrator account.');
    }
    const current = this.associatedAdministrator(member.accountId);
    if (current && current.administratorAccountId !== member.administratorAccountId) {
      throw new ServiceError('ConflictException', `The account is already associated with the administrator account ${current.administratorAccountId}.`);
    }
    this.update(member, 'Enabled');
  }

  /**
   * The relationship with the associated administrator (Enabled or Paused) if any, else the latest other one that
   * came from an invitation (Invited, Removed, Resigned, ...): callers must read relationshipStatus. No
   * relationship: an empty answer.
   */
  private getAdministratorAccount(caller: string) {
    const associated = this.associatedAdministrator(caller);
    const latest = associated ?? this.invitationsTo(caller)
      .filter(m => m.invitationId !== undefined && m.relationshipStatus !== 'Created' && m.visibility?.visible())
      .sort((a, b) => b.updatedAt - a.updatedAt)[0];
    return latest ? { administrator: this.toInvitation(latest) } : {};
  }

  /** Pending (Invited) invitations to the caller, once visible; with `setListEndedInvitations(true)` the others too. */
  private listInvitations(caller: string, input: Input) {
    const invitations = this.invitationsTo(caller)
      .filter(m => m.invitationId !== undefined && (this.listEndedInvitations || m.relationshipStatus === 'Invited'))
      .filter(m => m.visibility?.visible(true) ?? true);
    const page = paginate(invitations, {
      token: input.nextToken,
      maxResults: input.maxResults,
      scope: `ListInvitations ${caller}`,
    }, this.options.paging, () => invalid('The nextToken is not valid.'));
    return { invitations: page.items.map(m => this.toInvitation(m)), nextToken: page.nextToken };
  }

  /**
   * The member leaves its administrator: the administrator sees it Resigned (Macie's status for a member that
   * disassociated itself; Removed is for the administrator's DisassociateMember). No associated administrator:
   * ResourceNotFoundException; associated through AWS Organizations: ValidationException.
   */
  private disassociateFromAdministrator(caller: string): void {
    const member = this.associatedAdministrator(caller);
    if (!member) throw new ServiceError('ResourceNotFoundException', 'The account isn\'t associated with an administrator account.');
    if (member.organizationManaged) {
      throw new ServiceError('ValidationException', 'The account is associated through AWS Organizations: only the administrator can disassociate it.');
    }
    this.update(member, 'Resigned');
  }

  private associatedAdministrator(accountId: string): MemberRecord | undefined {
    return this.invitationsTo(accountId).find(m => ESTABLISHED.includes(m.relationshipStatus));
  }

  /** The member records of an account, at every administrator. */
  private invitationsTo(accountId: string): MemberRecord[] {
    return [...this.administrators.values()].flatMap(members => {
      const member = members.get(accountId);
      return member ? [member] : [];
    });
  }

  private refuseOrganizationManaged(member: MemberRecord): void {
    if (member.organizationManaged) {
      throw new ServiceError('ValidationException', 'The account is associated through AWS Organizations; manage it with AWS Organizations.');
    }
  }

  private update(member: MemberRecord, status: RelationshipStatus): void {
    member.relationshipStatus = status;
    member.updatedAt = this.clock.now();
  }

  private membersOf(administrator: string): Map<string, MemberRecord> {
    let members = this.administrators.get(administrator);
    if (!members) {
      members = new Map();
      this.administrators.set(administrator, members);
    }
    return members;
  }

  private member(administrator: string, accountId: string): MemberRecord {
    const member = this.membersOf(administrator).get(accountId);
    if (!member) throw new ServiceError('ResourceNotFoundException', 'The request failed because the specified resource wasn\'t found.');
    return member;
  }

  private arn(administrator: string, accountId: string): string {
    return `arn:aws:macie2:${this.options.region}:${administrator}:member/${accountId}`;
  }

  private toInvitation(m: MemberRecord): WireInvitation {
    return {
      accountId: m.administratorAccountId,
      invitationId: m.invitationId,
      invitedAt: m.invitedAt === undefined ? undefined : iso(m.invitedAt),
      relationshipStatus: m.relationshipStatus,
    };
  }

  private toWire(m: MemberRecord): WireMember {
    return {
      accountId: m.accountId,
      administratorAccountId: m.administratorAccountId,
      masterAccountId: m.administratorAccountId,
      arn: this.arn(m.administratorAccountId, m.accountId),
      email: m.email,
      invitedAt: m.invitedAt === undefined ? undefined : iso(m.invitedAt),
      updatedAt: iso(m.updatedAt),
      relationshipStatus: m.relationshipStatus,
      tags: { ...m.tags },
    };
  }
}

/** The request is invalid: recorded in `emulator.validationErrors`. */
function invalid(message: string): ServiceError {
  return new ServiceError('ValidationException', message, {}, undefined, true);
}
