/** Amazon Macie (macie2), seen from the administrator account in one region: members and invitations. */
import { randomUUID } from 'node:crypto';
import { Clock, Input, paginate, PagingOptions, ServiceError, ServiceHandler } from './common';

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
  email?: string;
  relationshipStatus: RelationshipStatus;
  invitedAt?: number;
  updatedAt: number;
  tags: Record<string, string>;
  /** Associated through AWS Organizations (no invitation): the administrator can't disassociate or delete it. */
  readonly organizationManaged: boolean;
  /** ID of the latest invitation, which the invitee passes to AcceptInvitation. */
  invitationId?: string;
}

interface InvitationFailure {
  readonly errorCode: 'ClientError' | 'InternalError';
  readonly errorMessage: string;
  remaining: number;
}

export interface MacieOptions {
  readonly administratorAccountId: string;
  readonly region: string;
  readonly paging: PagingOptions;
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

const iso = (ms: number) => new Date(ms).toISOString();

export class MacieEmulator implements ServiceHandler {
  private readonly membersById = new Map<string, MemberRecord>();
  private readonly invitationFailures = new Map<string, InvitationFailure>();
  private enabled = true;
  private readonly sessionCreatedAt: number;

  constructor(private readonly clock: Clock, private readonly options: MacieOptions) {
    this.sessionCreatedAt = clock.now();
  }

  // ---- test helpers -------------------------------------------------------------------------------------------

  /** Macie is not enabled: every call answers AccessDeniedException (403). */
  disable(): void {
    this.enabled = false;
  }

  enable(): void {
    this.enabled = true;
  }

  /** A member associated through AWS Organizations: Enabled, no email, never invited. */
  addOrganizationMember(accountId: string): void {
    this.membersById.set(accountId, {
      accountId,
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

  /** The invited account accepts (Invited → Enabled). */
  accept(accountId: string): void {
    const invitationId = this.membersById.get(accountId)?.invitationId;
    if (!invitationId) throw new Error(`account ${accountId} has no invitation`);
    this.acceptInvitation({ administratorAccountId: this.options.administratorAccountId, invitationId });
  }

  /** Sets a member's relationship, e.g. to Paused, Resigned or RegionDisabled. */
  setRelationshipStatus(accountId: string, status: RelationshipStatus): void {
    this.member(accountId).relationshipStatus = status;
  }

  /** ID of the latest invitation sent to an account (the invitee needs it for AcceptInvitation). */
  invitationId(accountId: string): string | undefined {
    return this.membersById.get(accountId)?.invitationId;
  }

  members(): WireMember[] {
    return [...this.membersById.values()].map(m => this.toWire(m));
  }

  /** Account IDs by relationship status: leak check. */
  membersByStatus(): Partial<Record<RelationshipStatus, string[]>> {
    const result: Partial<Record<RelationshipStatus, string[]>> = {};
    for (const m of this.membersById.values()) (result[m.relationshipStatus] ??= []).push(m.accountId);
    return result;
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  handle(operation: string, input: Input): unknown {
    // AcceptInvitation comes from the invited account, whose Macie is not this one.
    if (!this.enabled && operation !== 'AcceptInvitation') {
      throw new ServiceError('AccessDeniedException', 'Macie is not enabled.');
    }
    switch (operation) {
      case 'GetMacieSession':
        return {
          createdAt: iso(this.sessionCreatedAt),
          findingPublishingFrequency: 'FIFTEEN_MINUTES',
          serviceRole: `arn:aws:iam::${this.options.administratorAccountId}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
          status: 'ENABLED',
          updatedAt: iso(this.sessionCreatedAt),
        };
      case 'CreateMember':
        return { arn: this.createMember(input) };
      case 'GetMember':
        return this.toWire(this.member(input.id as string));
      case 'ListMembers':
        return this.listMembers(input);
      case 'CreateInvitations':
        return { unprocessedAccounts: this.createInvitations(input) };
      case 'DisassociateMember':
        this.disassociate(input.id as string);
        return {};
      case 'DeleteMember':
        this.delete(input.id as string);
        return {};
      case 'AcceptInvitation':
        this.acceptInvitation(input);
        return {};
      default:
        throw new Error(`Macie operation ${operation} is not emulated`);
    }
  }

  /** An existing member is left as it is and its ARN returned. */
  private createMember(input: Input): string {
    const account = input.account as { accountId: string; email: string };
    const tags = (input.tags ?? {}) as Record<string, string>;
    if (!ACCOUNT_ID.test(account.accountId)) throw invalid('The account ID must be exactly 12 digits.');
    if (!EMAIL.test(account.email)) throw invalid('The email address is not valid.');
    if (Object.keys(tags).length > MAX_TAGS) throw invalid(`An account can have at most ${MAX_TAGS} tags.`);
    if (account.accountId === this.options.administratorAccountId) {
      throw new ServiceError('ValidationException', 'You can\'t associate your own account as a member account.');
    }
    if (!this.membersById.has(account.accountId)) {
      this.membersById.set(account.accountId, {
        accountId: account.accountId,
        email: account.email,
        relationshipStatus: 'Created',
        updatedAt: this.clock.now(),
        tags: { ...tags },
        organizationManaged: false,
      });
    }
    return this.arn(account.accountId);
  }

  private listMembers(input: Input) {
    const onlyAssociated = input.onlyAssociated ?? 'true';
    if (onlyAssociated !== 'true' && onlyAssociated !== 'false') throw invalid('onlyAssociated must be true or false.');
    const members = [...this.membersById.values()]
      .filter(m => onlyAssociated === 'false' || !NOT_ASSOCIATED.includes(m.relationshipStatus));
    const page = paginate(members, {
      token: input.nextToken,
      maxResults: input.maxResults,
      scope: `ListMembers ${onlyAssociated}`,
    }, this.options.paging, () => invalid('The nextToken is not valid.'));
    return { members: page.items.map(m => this.toWire(m)), nextToken: page.nextToken };
  }

  private createInvitations(input: Input) {
    const message = input.message as string | undefined;
    if (message !== undefined && [...message].length > MAX_MESSAGE_LENGTH) {
      throw invalid(`The message can contain at most ${MAX_MESSAGE_LENGTH} characters.`);
    }
    const unprocessed: Array<{ accountId: string; errorCode: string; errorMessage: string }> = [];
    const reject = (accountId: string, errorMessage: string) => unprocessed.push({ accountId, errorCode: 'ClientError', errorMessage });
    for (const accountId of input.accountIds as string[]) {
      const failure = this.invitationFailures.get(accountId);
      const member = this.membersById.get(accountId);
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
      }
    }
    return unprocessed;
  }

  private disassociate(accountId: string): void {
    const member = this.member(accountId);
    this.refuseOrganizationManaged(member);
    if (!NOT_ASSOCIATED.includes(member.relationshipStatus)) this.update(member, 'Removed');
  }

  /** Members still associated (Enabled, Paused) must be disassociated first. */
  private delete(accountId: string): void {
    const member = this.member(accountId);
    this.refuseOrganizationManaged(member);
    if (ESTABLISHED.includes(member.relationshipStatus)) {
      throw new ServiceError('ValidationException', 'The account is still associated. Disassociate it before deleting it.');
    }
    this.membersById.delete(accountId);
  }

  private acceptInvitation(input: Input): void {
    const administrator = input.administratorAccountId ?? input.masterAccount;
    const member = [...this.membersById.values()].find(m => m.invitationId === input.invitationId && m.relationshipStatus === 'Invited');
    if (!member || administrator !== this.options.administratorAccountId) {
      throw new ServiceError('ResourceNotFoundException', 'The request failed because the specified invitation wasn\'t found.');
    }
    this.update(member, 'Enabled');
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

  private member(accountId: string): MemberRecord {
    const member = this.membersById.get(accountId);
    if (!member) throw new ServiceError('ResourceNotFoundException', 'The request failed because the specified resource wasn\'t found.');
    return member;
  }

  private arn(accountId: string): string {
    return `arn:aws:macie2:${this.options.region}:${this.options.administratorAccountId}:member/${accountId}`;
  }

  private toWire(m: MemberRecord): WireMember {
    return {
      accountId: m.accountId,
      administratorAccountId: this.options.administratorAccountId,
      masterAccountId: this.options.administratorAccountId,
      arn: this.arn(m.accountId),
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
