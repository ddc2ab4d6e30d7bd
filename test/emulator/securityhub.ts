/**
 * AWS Security Hub (securityhub, restJson1) in one region, across accounts: each account's hub, administrators'
 * members and invitations, and the member side (the invited account lists, accepts, and disassociates).
 *
 * Wire facts from the service model (test/emulator/service-models.json): `CreateMembers` takes 1 to 50
 * AccountDetails and answers HTTP 200 with `UnprocessedAccounts` [{AccountId, ProcessingResult}] for the accounts
 * it refused; `ListMembers` lists only Enabled members unless `OnlyAssociated=false`; an account without a hub gets
 * InvalidAccessException (401) for everything but EnableSecurityHub, whose second call is ResourceConflictException.
 * The texts of ProcessingResult are free text; the ones here are those seen in the field ("already a member or
 * associated member") or, for an account of the administrator's own organization, a wording that is not confirmed.
 */
import { randomUUID } from 'node:crypto';
import { Clock, helperContext, Input, InvitationDelay, paginate, PagingOptions, RequestContext, ServiceError, ServiceHandler, Visibility } from './common';

export type MemberStatus = 'Created' | 'Invited' | 'Enabled' | 'Removed' | 'Resigned' | 'Deleted' | 'AccountSuspended';

/** Member as GetMembers/ListMembers send it (timestamps ISO 8601). */
export interface WireSecurityHubMember {
  readonly AccountId: string;
  readonly Email?: string;
  readonly AdministratorId: string;
  readonly MasterId: string;
  readonly MemberStatus: MemberStatus;
  readonly InvitedAt?: string;
  readonly UpdatedAt: string;
}

interface MemberRecord {
  readonly accountId: string;
  readonly administratorId: string;
  email?: string;
  status: MemberStatus;
  invitedAt?: number;
  updatedAt: number;
  /** Enabled through the organization's delegated administrator (no invitation): never invited, never deleted. */
  readonly organizationManaged: boolean;
  invitationId?: string;
  visibility?: Visibility;
}

export interface SecurityHubOptions {
  /** The default account: its hub is on from the start; the administrator of the helpers' defaults. */
  readonly administratorAccountId: string;
  readonly region: string;
  readonly paging: PagingOptions;
  /** The organization of an account (the Organizations emulator's), to refuse invitations inside one. */
  readonly organizationOf: (accountId: string) => string | undefined;
}

/** A snapshot of the Security Hub state (leak checks, state dumps). */
export interface SecurityHubState {
  readonly hubs: readonly string[];
  /** Members by status, per administrator account. */
  readonly members: Readonly<Record<string, Partial<Record<MemberStatus, string[]>>>>;
}

/** CreateMembers' text for an account that already is a member (seen in the field: SEA issue 814). */
export const ALREADY_MEMBER = 'The given account ID is already a member or associated member of the current account.';
/** InviteMembers' text for an account of the administrator's own organization (wording not confirmed). */
export const ORGANIZATION_ACCOUNT = 'The account is part of the administrator account\'s organization: organization accounts cannot be invited.';

const ASSOCIATED: readonly MemberStatus[] = ['Enabled'];
const ACCOUNT_ID = /^\d{12}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** Operations that need no hub in the caller's account. */
const WITHOUT_HUB = new Set(['EnableSecurityHub']);

const iso = (ms: number) => new Date(ms).toISOString();

export class SecurityHubEmulator implements ServiceHandler {
  private readonly administrators = new Map<string, Map<string, MemberRecord>>();
  private readonly hubs = new Map<string, number>();
  private readonly createFailures = new Map<string, { text: string; remaining: number }>();
  private readonly inviteFailures = new Map<string, { text: string; remaining: number }>();
  private delay: InvitationDelay = {};
  private listEndedInvitations = false;

  constructor(private readonly clock: Clock, private readonly options: SecurityHubOptions) {
    this.enable(options.administratorAccountId);
  }

  // ---- test helpers -------------------------------------------------------------------------------------------

  /** Turns the hub on in the account (as EnableSecurityHub or `AWS::SecurityHub::Hub` would). */
  enable(accountId = this.options.administratorAccountId): void {
    if (!this.hubs.has(accountId)) this.hubs.set(accountId, this.clock.now());
  }

  /** Turns the hub off: the account's calls answer InvalidAccessException (401). */
  disable(accountId = this.options.administratorAccountId): void {
    this.hubs.delete(accountId);
  }

  isEnabled(accountId: string): boolean {
    return this.hubs.has(accountId);
  }

  /** A member enabled through the organization's delegated administrator: Enabled, no email, never invited. */
  addOrganizationMember(accountId: string, administratorId = this.options.administratorAccountId): void {
    this.membersOf(administratorId).set(accountId, {
      accountId, administratorId, status: 'Enabled', updatedAt: this.clock.now(), organizationManaged: true,
    });
  }

  /** CreateMembers reports `accountId` in UnprocessedAccounts with `text`, `times` times (default: always). */
  failCreateFor(accountId: string, text: string, times = Infinity): void {
    this.createFailures.set(accountId, { text, remaining: times });
  }

  /** InviteMembers reports `accountId` in UnprocessedAccounts with `text`, `times` times (default: always). */
  failInviteFor(accountId: string, text: string, times = Infinity): void {
    this.inviteFailures.set(accountId, { text, remaining: times });
  }

  /** Invitations sent from now on become visible to the invited account only after the delay. */
  setInvitationDelay(delay: InvitationDelay): void {
    this.delay = { ...delay };
  }

  /**
   * ListInvitations also lists invitations that are no longer pending (Removed, Resigned, ...), with their current
   * MemberStatus (the Invitation shape carries one; whether the service lists them is not documented). Default: only
   * pending (Invited) invitations.
   */
  setListEndedInvitations(list: boolean): void {
    this.listEndedInvitations = list;
  }

  /** The invited account accepts (Invited → Enabled), whether or not its hub is on. */
  accept(accountId: string, administratorId = this.options.administratorAccountId): void {
    const member = this.membersOf(administratorId).get(accountId);
    if (!member?.invitationId || member.status !== 'Invited') throw new Error(`account ${accountId} has no pending invitation from ${administratorId}`);
    this.update(member, 'Enabled');
  }

  /** Sets a member's status, e.g. to Removed or Resigned. */
  setMemberStatus(accountId: string, status: MemberStatus, administratorId = this.options.administratorAccountId): void {
    const member = this.membersOf(administratorId).get(accountId);
    if (!member) throw new Error(`account ${accountId} is not a member of ${administratorId}`);
    this.update(member, status);
  }

  /** Members of the administrator (default: the default account). */
  members(administratorId = this.options.administratorAccountId): WireSecurityHubMember[] {
    return [...this.membersOf(administratorId).values()].map(m => this.toWire(m));
  }

  /** Account IDs by status, of the administrator (default: the default account): leak check. */
  membersByStatus(administratorId = this.options.administratorAccountId): Partial<Record<MemberStatus, string[]>> {
    const result: Partial<Record<MemberStatus, string[]>> = {};
    for (const m of this.membersOf(administratorId).values()) (result[m.status] ??= []).push(m.accountId);
    return result;
  }

  state(): SecurityHubState {
    return {
      hubs: [...this.hubs.keys()].sort(),
      members: Object.fromEntries([...this.administrators.keys()].map(id => [id, this.membersByStatus(id)])),
    };
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  handle(operation: string, input: Input, context: RequestContext = helperContext(this.options.administratorAccountId)): unknown {
    const caller = context.principal.accountId;
    if (!this.hubs.has(caller) && !WITHOUT_HUB.has(operation)) {
      throw new ServiceError('InvalidAccessException', `Account ${caller} is not subscribed to AWS Security Hub`, { Code: 'InvalidAccessException' });
    }
    switch (operation) {
      case 'DescribeHub':
        return this.describeHub(caller, input);
      case 'EnableSecurityHub':
        if (this.hubs.has(caller)) throw new ServiceError('ResourceConflictException', 'Account is already subscribed to Security Hub');
        this.hubs.set(caller, this.clock.now());
        return {};
      case 'CreateMembers':
        return { UnprocessedAccounts: this.createMembers(caller, input) };
      case 'InviteMembers':
        return { UnprocessedAccounts: this.inviteMembers(caller, input) };
      case 'GetMembers':
        return this.getMembers(caller, input);
      case 'ListMembers':
        return this.listMembers(caller, input);
      case 'DisassociateMembers':
        this.disassociateMembers(caller, input);
        return {};
      case 'DeleteMembers':
        return { UnprocessedAccounts: this.deleteMembers(caller, input) };
      case 'ListInvitations':
        return this.listInvitations(caller, input);
      case 'AcceptAdministratorInvitation':
        this.acceptInvitation(caller, input);
        return {};
      case 'GetAdministratorAccount': {
        const current = this.associatedAdministrator(caller);
        return current ? { Administrator: this.toInvitation(current) } : {};
      }
      case 'DisassociateFromAdministratorAccount':
        this.disassociateFromAdministrator(caller);
        return {};
      default:
        throw new Error(`Security Hub operation ${operation} is not emulated`);
    }
  }

  private hubArn(accountId: string): string {
    return `arn:aws:securityhub:${this.options.region}:${accountId}:hub/default`;
  }

  private describeHub(caller: string, input: Input) {
    if (input.HubArn !== undefined && input.HubArn !== this.hubArn(caller)) {
      throw new ServiceError('ResourceNotFoundException', `Hub ${String(input.HubArn)} not found`);
    }
    return { HubArn: this.hubArn(caller), SubscribedAt: iso(this.hubs.get(caller)!), AutoEnableControls: true, ControlFindingGenerator: 'SECURITY_CONTROL' };
  }

  private createMembers(administrator: string, input: Input) {
    const unprocessed: Array<{ AccountId: string; ProcessingResult: string }> = [];
    const members = this.membersOf(administrator);
    for (const detail of input.AccountDetails as Array<{ AccountId: string; Email?: string }>) {
      const accountId = detail.AccountId;
      const failure = this.createFailures.get(accountId);
      if (!ACCOUNT_ID.test(accountId)) throw invalid(`Invalid account ID ${accountId}`);
      if (detail.Email !== undefined && !EMAIL.test(detail.Email)) throw invalid('Invalid email address');
      if (failure && failure.remaining > 0) {
        failure.remaining--;
        unprocessed.push({ AccountId: accountId, ProcessingResult: failure.text });
      } else if (accountId === administrator) {
        unprocessed.push({ AccountId: accountId, ProcessingResult: 'The administrator account cannot be a member of itself.' });
      } else if (members.has(accountId)) {
        unprocessed.push({ AccountId: accountId, ProcessingResult: ALREADY_MEMBER });
      } else {
        members.set(accountId, {
          accountId, administratorId: administrator, email: detail.Email, status: 'Created', updatedAt: this.clock.now(), organizationManaged: false,
        });
      }
    }
    return unprocessed;
  }

  private inviteMembers(administrator: string, input: Input) {
    const unprocessed: Array<{ AccountId: string; ProcessingResult: string }> = [];
    const members = this.membersOf(administrator);
    const ids = input.AccountIds as string[];
    const unknown = ids.filter(id => !members.has(id));
    if (unknown.length > 0) throw new ServiceError('ResourceNotFoundException', `Accounts ${unknown.join(', ')} are not members. Call CreateMembers first.`);
    const organization = this.options.organizationOf(administrator);
    for (const accountId of ids) {
      const member = members.get(accountId)!;
      const failure = this.inviteFailures.get(accountId);
      if (failure && failure.remaining > 0) {
        failure.remaining--;
        unprocessed.push({ AccountId: accountId, ProcessingResult: failure.text });
      } else if (member.organizationManaged || (organization !== undefined && this.options.organizationOf(accountId) === organization)) {
        unprocessed.push({ AccountId: accountId, ProcessingResult: ORGANIZATION_ACCOUNT });
      } else if (ASSOCIATED.includes(member.status)) {
        unprocessed.push({ AccountId: accountId, ProcessingResult: ALREADY_MEMBER });
      } else {
        this.update(member, 'Invited');
        member.invitedAt = member.updatedAt;
        member.invitationId = randomUUID().replace(/-/g, '');
        member.visibility = new Visibility(this.clock, this.delay);
      }
    }
    return unprocessed;
  }

  private getMembers(administrator: string, input: Input) {
    const members = this.membersOf(administrator);
    const found: WireSecurityHubMember[] = [];
    const unprocessed: Array<{ AccountId: string; ProcessingResult: string }> = [];
    for (const accountId of input.AccountIds as string[]) {
      const member = members.get(accountId);
      if (member) found.push(this.toWire(member));
      else unprocessed.push({ AccountId: accountId, ProcessingResult: 'The account is not a member of the administrator account.' });
    }
    return { Members: found, UnprocessedAccounts: unprocessed };
  }

  private listMembers(administrator: string, input: Input) {
    const onlyAssociated = input.OnlyAssociated ?? true;
    const members = [...this.membersOf(administrator).values()].filter(m => !onlyAssociated || ASSOCIATED.includes(m.status));
    const page = paginate(members, {
      token: input.NextToken, maxResults: input.MaxResults, scope: `ListMembers ${administrator} ${String(onlyAssociated)}`,
    }, this.options.paging, () => invalid('The NextToken is not valid.'));
    return { Members: page.items.map(m => this.toWire(m)), NextToken: page.nextToken };
  }

  /** Accounts it does not know are ignored; Invited and Enabled members become Removed. */
  private disassociateMembers(administrator: string, input: Input): void {
    for (const accountId of input.AccountIds as string[]) {
      const member = this.membersOf(administrator).get(accountId);
      if (member && (member.status === 'Invited' || member.status === 'Enabled')) this.update(member, 'Removed');
    }
  }

  /** Organization members and members still Enabled are refused (UnprocessedAccounts); unknown accounts too. */
  private deleteMembers(administrator: string, input: Input) {
    const unprocessed: Array<{ AccountId: string; ProcessingResult: string }> = [];
    const members = this.membersOf(administrator);
    for (const accountId of input.AccountIds as string[]) {
      const member = members.get(accountId);
      if (!member) {
        unprocessed.push({ AccountId: accountId, ProcessingResult: 'The account is not a member of the administrator account.' });
      } else if (member.organizationManaged) {
        unprocessed.push({ AccountId: accountId, ProcessingResult: 'Organization accounts cannot be deleted; disassociate them instead.' });
      } else if (member.status === 'Enabled') {
        unprocessed.push({ AccountId: accountId, ProcessingResult: 'The account is still associated. Disassociate it before deleting it.' });
      } else {
        members.delete(accountId);
      }
    }
    return unprocessed;
  }

  /** Pending (Invited) invitations to the caller, once visible; with `setListEndedInvitations(true)` the ended ones too. */
  private listInvitations(caller: string, input: Input) {
    const invitations = this.invitationsTo(caller)
      .filter(m => m.invitationId !== undefined && (m.status === 'Invited' || (this.listEndedInvitations && !ASSOCIATED.includes(m.status))))
      .filter(m => m.visibility?.visible(true) ?? true);
    const page = paginate(invitations, {
      token: input.NextToken, maxResults: input.MaxResults, scope: `ListInvitations ${caller}`,
    }, this.options.paging, () => invalid('The NextToken is not valid.'));
    return { Invitations: page.items.map(m => this.toInvitation(m)), NextToken: page.nextToken };
  }

  /** No pending, visible invitation with that ID from that administrator: ResourceNotFoundException. */
  private acceptInvitation(caller: string, input: Input): void {
    const administrator = input.AdministratorId as string;
    const invitationId = input.InvitationId as string;
    const member = this.invitationsTo(caller).find(m => m.administratorId === administrator && m.invitationId === invitationId
      && m.status === 'Invited' && (m.visibility?.visible() ?? true));
    if (!member) throw new ServiceError('ResourceNotFoundException', `Invitation ${invitationId} from ${administrator} was not found.`);
    const current = this.associatedAdministrator(caller);
    if (current && current.administratorId !== administrator) {
      throw new ServiceError('InvalidInputException', `The account is already associated with administrator account ${current.administratorId}.`);
    }
    this.update(member, 'Enabled');
  }

  /** The member leaves: the administrator sees it Resigned. None: ResourceNotFoundException; organization: refused. */
  private disassociateFromAdministrator(caller: string): void {
    const member = this.associatedAdministrator(caller);
    if (!member) throw new ServiceError('ResourceNotFoundException', 'The request is rejected since no such resource found.');
    if (member.organizationManaged) {
      throw new ServiceError('InvalidInputException', 'Organization member accounts cannot disassociate from their administrator.');
    }
    this.update(member, 'Resigned');
  }

  private associatedAdministrator(accountId: string): MemberRecord | undefined {
    return this.invitationsTo(accountId).find(m => ASSOCIATED.includes(m.status));
  }

  private invitationsTo(accountId: string): MemberRecord[] {
    return [...this.administrators.values()].flatMap(members => {
      const member = members.get(accountId);
      return member ? [member] : [];
    });
  }

  private update(member: MemberRecord, status: MemberStatus): void {
    member.status = status;
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

  private toInvitation(m: MemberRecord) {
    return {
      AccountId: m.administratorId,
      InvitationId: m.invitationId,
      InvitedAt: m.invitedAt === undefined ? undefined : iso(m.invitedAt),
      MemberStatus: m.status,
    };
  }

  private toWire(m: MemberRecord): WireSecurityHubMember {
    return {
      AccountId: m.accountId,
      Email: m.email,
      AdministratorId: m.administratorId,
      MasterId: m.administratorId,
      MemberStatus: m.status,
      InvitedAt: m.invitedAt === undefined ? undefined : iso(m.invitedAt),
      UpdatedAt: iso(m.updatedAt),
    };
  }
}

/** The request is invalid: recorded in `emulator.validationErrors`. */
function invalid(message: string): ServiceError {
  return new ServiceError('InvalidInputException', message, {}, undefined, true);
}
