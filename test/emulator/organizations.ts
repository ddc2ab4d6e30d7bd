/**
 * AWS Organizations across accounts: organizations (the default one, `o-exampleorg11`, managed by the default
 * account), their accounts, and invitations (handshakes) seen from both sides: the management account that
 * invites, and the invited account that lists, accepts or declines.
 */
import { Clock, DAY_MS, helperContext, Input, InvitationDelay, paginate, PagingOptions, randomId, RequestContext, ServiceError, ServiceHandler, Visibility } from './common';
import { memberEnum, ServiceModel } from './models';

export const ORGANIZATION_ID = 'o-exampleorg11';
/** The organization `markInOtherOrganization` puts accounts into, and its management account. */
export const OTHER_ORGANIZATION_ID = 'o-otherorg9999';
export const OTHER_MANAGEMENT_ACCOUNT_ID = '999999999999';

export type HandshakeState = 'REQUESTED' | 'OPEN' | 'CANCELED' | 'ACCEPTED' | 'DECLINED' | 'EXPIRED';

/** Handshake as Organizations sends it (timestamps in epoch seconds). */
export interface WireHandshake {
  readonly Id: string;
  readonly Arn: string;
  readonly Parties: ReadonlyArray<{ readonly Id: string; readonly Type: string }>;
  readonly State: HandshakeState;
  readonly RequestedTimestamp: number;
  readonly ExpirationTimestamp: number;
  readonly Action: 'INVITE';
  readonly Resources: readonly WireHandshakeResource[];
}

export interface WireHandshakeResource {
  readonly Type: string;
  readonly Value: string;
  readonly Resources?: readonly WireHandshakeResource[];
}

export interface WireAccount {
  readonly Id: string;
  readonly Arn: string;
  readonly Email: string;
  readonly Name: string;
  readonly Status: 'ACTIVE';
  readonly State: 'ACTIVE';
  readonly JoinedMethod: 'INVITED' | 'CREATED';
  readonly JoinedTimestamp: number;
}

interface HandshakeRecord {
  readonly id: string;
  readonly organizationId: string;
  /** As given in the request. */
  readonly target: { readonly Id: string; readonly Type: 'ACCOUNT' | 'EMAIL' };
  /** Account ID and email of the target, as far as known. */
  readonly accountId?: string;
  readonly email?: string;
  readonly notes?: string;
  readonly requestedAt: number;
  /** When the invited account sees it (the delay knob). */
  readonly visibility: Visibility;
  state: HandshakeState;
  /** When the handshake left REQUESTED/OPEN; it disappears 30 days later. */
  closedAt?: number;
}

interface OrganizationRecord {
  readonly id: string;
  readonly managementAccountId: string;
  readonly inviteTimes: number[];
}

interface AccountRecord {
  readonly id: string;
  email?: string;
  name?: string;
  organizationId?: string;
  joinedMethod?: WireAccount['JoinedMethod'];
  joinedAt?: number;
}

/** Which account the caller is, when it is not the management account. */
export type CallerKind = 'member' | 'standalone';

export interface OrganizationsOptions {
  readonly managementAccountId: string;
  /** Account quota of the organization; pending invitations count toward it (default 10, the AWS default). */
  readonly maxAccounts: number;
  /** Invitations per 24 hours (default 20). */
  readonly invitesPer24h: number;
  readonly paging: PagingOptions;
}

/** A snapshot of the Organizations state (leak checks, state dumps). */
export interface OrganizationsState {
  readonly organizations: ReadonlyArray<{ readonly id: string; readonly managementAccountId: string; readonly accounts: readonly string[] }>;
  readonly handshakes: ReadonlyArray<{
    readonly id: string;
    readonly organizationId: string;
    readonly target: string;
    readonly state: HandshakeState;
    readonly visibleToInvitee: boolean;
  }>;
}

const HANDSHAKE_LIFETIME_MS = 15 * DAY_MS;
const CLOSED_VISIBILITY_MS = 30 * DAY_MS;
const ACCOUNT_ID = /^\d{12}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const isPending = (h: HandshakeRecord) => h.state === 'OPEN' || h.state === 'REQUESTED';
const seconds = (ms: number) => ms / 1000;
/** Operations any account may call, in an organization or not: the invitee side. */
const INVITEE_OPERATIONS = new Set(['ListHandshakesForAccount', 'AcceptHandshake', 'DeclineHandshake', 'DescribeHandshake']);

export class OrganizationsEmulator implements ServiceHandler {
  private readonly handshakesById = new Map<string, HandshakeRecord>();
  private readonly organizations = new Map<string, OrganizationRecord>();
  private readonly accountsById = new Map<string, AccountRecord>();
  /** Lower-cased emails of accounts that belong to another organization (accounts the emulator knows no ID of). */
  private readonly emailsInOtherOrganizations = new Set<string>();
  private readonly inviteFailures: Array<{ code: string; reason: string }> = [];
  private caller: CallerKind | 'management' = 'management';
  private delay: InvitationDelay = {};

  constructor(
    private readonly model: ServiceModel,
    private readonly clock: Clock,
    private readonly options: OrganizationsOptions,
  ) {
    this.createOrganization(options.managementAccountId, { organizationId: ORGANIZATION_ID, email: 'management@example.com', name: 'Management' });
  }

  // ---- test helpers -------------------------------------------------------------------------------------------

  /**
   * Creates another organization managed by `managementAccountId` (which must be in none), e.g. a different
   * inviter. Its management account invites with its own credentials. Returns the organization ID.
   */
  createOrganization(managementAccountId: string, options: { organizationId?: string; email?: string; name?: string } = {}): string {
    const id = options.organizationId ?? `o-${randomId(10)}`;
    if (!ORG_ID.test(id)) throw new Error(`not an organization ID: ${id}`);
    if (this.organizations.has(id)) throw new Error(`organization ${id} exists`);
    const account = this.account(managementAccountId);
    if (account.organizationId) throw new Error(`account ${managementAccountId} is in ${account.organizationId}`);
    this.organizations.set(id, { id, managementAccountId, inviteTimes: [] });
    this.join(managementAccountId, id, 'CREATED', options.email ?? account.email ?? `${managementAccountId}@example.com`, options.name ?? 'Management');
    return id;
  }

  /** Adds an account to the default organization (JoinedMethod INVITED), or to `organizationId`. */
  addMemberAccount(accountId: string, email: string, name = `Account ${accountId}`, organizationId = ORGANIZATION_ID): void {
    if (!this.organizations.has(organizationId)) throw new Error(`no organization ${organizationId}`);
    this.join(accountId, organizationId, 'INVITED', email, name);
  }

  /** Makes a standalone account's email known: an invitation by account ID then names the email, as AWS may; an invitation to that email reaches the account. */
  registerAccount(accountId: string, email: string): void {
    this.account(accountId).email = email;
  }

  /**
   * Puts an account (ID) into another organization (`OTHER_ORGANIZATION_ID`, managed by
   * `OTHER_MANAGEMENT_ACCOUNT_ID`, created on first use): DescribeOrganization from it names that organization.
   * For an email, only marks it as belonging to some organization (invitations to it fail).
   */
  markInOtherOrganization(accountIdOrEmail: string): void {
    if (!ACCOUNT_ID.test(accountIdOrEmail)) {
      this.emailsInOtherOrganizations.add(accountIdOrEmail.toLowerCase());
      return;
    }
    if (!this.organizations.has(OTHER_ORGANIZATION_ID)) {
      this.createOrganization(OTHER_MANAGEMENT_ACCOUNT_ID, { organizationId: OTHER_ORGANIZATION_ID, email: 'other-management@example.com' });
    }
    if (accountIdOrEmail !== OTHER_MANAGEMENT_ACCOUNT_ID) {
      this.join(accountIdOrEmail, OTHER_ORGANIZATION_ID, 'INVITED', this.accountsById.get(accountIdOrEmail)?.email ?? `${accountIdOrEmail}@example.com`);
    }
  }

  /** Takes an account out of its organization (as LeaveOrganization or RemoveAccountFromOrganization would). */
  removeFromOrganization(accountId: string): void {
    const account = this.accountsById.get(accountId);
    if (account?.organizationId && this.organizations.get(account.organizationId)?.managementAccountId === accountId) {
      throw new Error(`${accountId} manages ${account.organizationId}`);
    }
    if (account) account.organizationId = undefined;
  }

  /** Invitations sent from now on become visible to the invited account only after the delay (see InvitationDelay). */
  setInvitationDelay(delay: InvitationDelay): void {
    this.delay = { ...delay };
  }

  /**
   * The next InviteAccountToOrganization fails with `exception` and `reason` (a value of the exception's Reason
   * enum in the model). Calls queue up.
   */
  failNextInvite(reason: string, exception: 'HandshakeConstraintViolationException' | 'ConstraintViolationException'
  = 'HandshakeConstraintViolationException'): void {
    if (!memberEnum(this.model, exception, 'Reason').includes(reason)) {
      throw new Error(`${reason} is not a Reason of ${exception}`);
    }
    this.inviteFailures.push({ code: exception, reason });
  }

  /**
   * Makes the default account a member account (AccessDeniedException except for DescribeOrganization and the
   * invitee operations) or a standalone account (AWSOrganizationsNotInUseException).
   */
  setNotManagementAccount(kind: CallerKind = 'member'): void {
    this.caller = kind;
  }

  /** The invited account accepts: the handshake becomes ACCEPTED and the account joins the organization. */
  accept(handshakeId: string, accountId?: string): void {
    const handshake = this.pendingHandshake(handshakeId);
    const id = accountId ?? handshake.accountId;
    if (!id) throw new Error(`handshake ${handshakeId} targets an email of an unknown account: pass accountId`);
    this.close(handshake, 'ACCEPTED');
    this.join(id, handshake.organizationId, 'INVITED', handshake.email ?? this.accountsById.get(id)?.email ?? `${id}@example.com`);
  }

  /** The invited account declines. */
  decline(handshakeId: string): void {
    this.close(this.pendingHandshake(handshakeId), 'DECLINED');
  }

  /** Handshakes still visible to their organization (finished ones disappear 30 days after finishing), of every organization. */
  handshakes(organizationId?: string): WireHandshake[] {
    this.refresh();
    return [...this.handshakesById.values()].filter(h => !organizationId || h.organizationId === organizationId).map(h => this.toWire(h));
  }

  /** Handshakes waiting for the invited account (REQUESTED or OPEN), of every organization: leak check. */
  openHandshakes(): WireHandshake[] {
    return this.handshakes().filter(h => h.State === 'OPEN' || h.State === 'REQUESTED');
  }

  /** Accounts of the default organization, or of `organizationId`. */
  accounts(organizationId = ORGANIZATION_ID): WireAccount[] {
    return [...this.accountsById.values()].filter(a => a.organizationId === organizationId).map(a => this.toWireAccount(a));
  }

  /** The organization an account is in, if any. */
  organizationOf(accountId: string): string | undefined {
    return this.accountsById.get(accountId)?.organizationId;
  }

  state(): OrganizationsState {
    this.refresh();
    return {
      organizations: [...this.organizations.values()].map(o => ({
        id: o.id,
        managementAccountId: o.managementAccountId,
        accounts: [...this.accountsById.values()].filter(a => a.organizationId === o.id).map(a => a.id),
      })),
      handshakes: [...this.handshakesById.values()].map(h => ({
        id: h.id,
        organizationId: h.organizationId,
        target: h.accountId ?? h.target.Id,
        state: h.state,
        visibleToInvitee: h.visibility.visible(),
      })),
    };
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  handle(operation: string, input: Input, context: RequestContext = helperContext(this.options.managementAccountId)): unknown {
    this.refresh();
    const caller = context.principal.accountId;
    if (INVITEE_OPERATIONS.has(operation) && operation !== 'DescribeHandshake') {
      return this.handleInvitee(operation, input, context);
    }
    const organization = this.checkCaller(operation, caller, input);
    switch (operation) {
      case 'InviteAccountToOrganization':
        return { Handshake: this.toWire(this.invite(organization!, input)) };
      case 'ListHandshakesForOrganization':
        return this.listHandshakes(organization!, input);
      case 'DescribeHandshake':
        return { Handshake: this.toWire(this.describeHandshake(caller, organization, input.HandshakeId as string)) };
      case 'CancelHandshake':
        return { Handshake: this.toWire(this.cancel(organization!, input.HandshakeId as string)) };
      case 'DescribeAccount':
        return { Account: this.describeAccount(organization!, input.AccountId as string) };
      case 'DescribeOrganization':
        return { Organization: this.organization(organization!) };
      case 'ListAccounts': {
        const page = this.page(this.accounts(organization!.id), input, 'ListAccounts');
        return { Accounts: page.items, NextToken: page.nextToken };
      }
      default:
        throw new Error(`Organizations operation ${operation} is not emulated`);
    }
  }

  private handleInvitee(operation: string, input: Input, context: RequestContext): unknown {
    const caller = context.principal.accountId;
    switch (operation) {
      case 'ListHandshakesForAccount':
        return this.listHandshakesForAccount(caller, input);
      case 'AcceptHandshake':
        return { Handshake: this.toWire(this.acceptHandshake(caller, input.HandshakeId as string, context)) };
      case 'DeclineHandshake':
        return { Handshake: this.toWire(this.declineHandshake(caller, input.HandshakeId as string)) };
      default:
        throw new Error(`Organizations operation ${operation} is not emulated`);
    }
  }

  /**
   * The caller's organization, for the management operations: outside an organization
   * AWSOrganizationsNotInUseException; a member account AccessDeniedException except for DescribeOrganization
   * (and DescribeHandshake of its own handshakes).
   */
  private checkCaller(operation: string, caller: string, input: Input): OrganizationRecord | undefined {
    let kind: CallerKind | 'management' = this.caller;
    let organization = this.organizations.get(ORGANIZATION_ID);
    if (caller !== this.options.managementAccountId || this.organizationOf(caller) !== ORGANIZATION_ID) {
      const id = this.organizationOf(caller);
      organization = id === undefined ? undefined : this.organizations.get(id);
      kind = !organization ? 'standalone' : organization.managementAccountId === caller ? 'management' : 'member';
    }
    if (operation === 'DescribeHandshake' && kind !== 'management' && this.isInviteeOf(caller, this.handshakesById.get(input.HandshakeId as string))) {
      return organization;
    }
    if (kind === 'standalone') {
      throw new ServiceError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
    }
    if (kind === 'member' && operation !== 'DescribeOrganization') {
      throw new ServiceError('AccessDeniedException', 'You don\'t have permissions to access this resource.');
    }
    return organization;
  }

  private invite(organization: OrganizationRecord, input: Input): HandshakeRecord {
    const target = input.Target as { Id: string; Type: string };
    const notes = input.Notes as string | undefined;
    if (target.Type === 'ORGANIZATION') {
      throw invalidInput('INVALID_PARTY_TYPE_TARGET', 'You can invite only an account (ACCOUNT) or an email address (EMAIL).');
    }
    if (target.Type === 'ACCOUNT' && !ACCOUNT_ID.test(target.Id)) {
      throw invalidInput('INVALID_PATTERN_TARGET_ID', 'The target account ID must be exactly 12 digits.');
    }
    if (target.Type === 'EMAIL' && !EMAIL.test(target.Id)) {
      throw invalidInput('INVALID_EMAIL_ADDRESS_TARGET', 'The target email address is not valid.');
    }
    const accountId = target.Type === 'ACCOUNT' ? target.Id : this.accountIdByEmail(target.Id);
    const email = target.Type === 'EMAIL' ? target.Id : this.accountsById.get(target.Id)?.email;

    const failure = this.inviteFailures.shift();
    if (failure) {
      throw new ServiceError(failure.code, `The request failed: ${failure.reason}.`, { Reason: failure.reason });
    }
    if (this.inAnOrganization(accountId, email)) {
      throw handshakeConstraint('ALREADY_IN_AN_ORGANIZATION', 'The account is already a member of an organization.');
    }
    const targetKeys = keysOf(accountId, email);
    const mine = [...this.handshakesById.values()].filter(h => h.organizationId === organization.id);
    const duplicate = mine.some(h => isPending(h) && keysOf(h.accountId, h.email).some(k => targetKeys.includes(k)));
    if (duplicate) {
      throw new ServiceError('DuplicateHandshakeException', 'A handshake with the same action and target already exists.');
    }
    const pending = mine.filter(isPending).length;
    if (this.accounts(organization.id).length + pending >= this.options.maxAccounts) {
      throw handshakeConstraint('ACCOUNT_NUMBER_LIMIT_EXCEEDED', 'You have reached the limit on the number of accounts in the organization.');
    }
    const now = this.clock.now();
    const recentInvites = organization.inviteTimes.filter(t => t > now - DAY_MS).length;
    if (recentInvites >= this.options.invitesPer24h) {
      throw handshakeConstraint('HANDSHAKE_RATE_LIMIT_EXCEEDED', 'You have sent too many invitations in the last 24 hours.');
    }

    organization.inviteTimes.push(now);
    const handshake: HandshakeRecord = {
      id: `h-${randomId(10)}`,
      organizationId: organization.id,
      target: { Id: target.Id, Type: target.Type as 'ACCOUNT' | 'EMAIL' },
      accountId,
      email,
      notes,
      requestedAt: now,
      visibility: new Visibility(this.clock, this.delay),
      state: 'OPEN',
    };
    this.handshakesById.set(handshake.id, handshake);
    return handshake;
  }

  private listHandshakes(organization: OrganizationRecord, input: Input) {
    const filter = (input.Filter ?? {}) as { ActionType?: string; ParentHandshakeId?: string };
    // Every emulated handshake is an INVITE without a parent.
    const matching = filter.ParentHandshakeId || (filter.ActionType && filter.ActionType !== 'INVITE')
      ? []
      : this.handshakes(organization.id);
    const page = this.page(matching, input, `ListHandshakesForOrganization ${JSON.stringify(filter)}`);
    return { Handshakes: page.items, NextToken: page.nextToken };
  }

  /** The handshakes addressed to the caller (by account ID, or by the email the emulator knows for it), once visible. */
  private listHandshakesForAccount(caller: string, input: Input) {
    const filter = (input.Filter ?? {}) as { ActionType?: string; ParentHandshakeId?: string };
    const mine = [...this.handshakesById.values()].filter(h => this.isInviteeOf(caller, h) && h.visibility.visible(true));
    const matching = filter.ParentHandshakeId || (filter.ActionType && filter.ActionType !== 'INVITE') ? [] : mine;
    const page = this.page(matching.map(h => this.toWire(h)), input, `ListHandshakesForAccount ${caller} ${JSON.stringify(filter)}`);
    return { Handshakes: page.items, NextToken: page.nextToken };
  }

  /** The management account of the handshake's organization, or its invitee once it sees it. */
  private describeHandshake(caller: string, organization: OrganizationRecord | undefined, handshakeId: string): HandshakeRecord {
    const handshake = this.find(handshakeId);
    const ours = organization?.id === handshake.organizationId && organization.managementAccountId === caller;
    if (!ours && !(this.isInviteeOf(caller, handshake) && handshake.visibility.visible(true))) throw handshakeNotFound();
    return handshake;
  }

  /**
   * Only the invited account accepts (another account: AccessDeniedException). Checks, in order: the handshake's
   * state (ACCEPTED: HandshakeAlreadyInStateException; CANCELED, DECLINED, EXPIRED:
   * InvalidHandshakeTransitionException), the caller's organization (ALREADY_IN_AN_ORGANIZATION), the permission
   * to create Organizations' service-linked role (AccessDeniedForDependencyException).
   */
  private acceptHandshake(caller: string, handshakeId: string, context: RequestContext): HandshakeRecord {
    const handshake = this.inviteeHandshake(caller, handshakeId);
    if (handshake.state === 'ACCEPTED') {
      throw new ServiceError('HandshakeAlreadyInStateException', 'The handshake is already in the requested state.');
    }
    if (!isPending(handshake)) {
      throw new ServiceError('InvalidHandshakeTransitionException', `You can't accept a handshake that is ${handshake.state}.`);
    }
    if (this.organizationOf(caller) !== undefined) {
      throw handshakeConstraint('ALREADY_IN_AN_ORGANIZATION', 'The account is already a member of an organization.');
    }
    if (context.isDenied('iam:CreateServiceLinkedRole')) {
      throw new ServiceError('AccessDeniedForDependencyException',
        'The request failed because your credentials do not have permission to create the service-linked role required by AWS Organizations.',
        { Reason: 'ACCESS_DENIED_DURING_CREATE_SERVICE_LINKED_ROLE' });
    }
    this.close(handshake, 'ACCEPTED');
    this.join(caller, handshake.organizationId, 'INVITED', handshake.email ?? this.accountsById.get(caller)?.email ?? `${caller}@example.com`);
    return handshake;
  }

  private declineHandshake(caller: string, handshakeId: string): HandshakeRecord {
    const handshake = this.inviteeHandshake(caller, handshakeId);
    if (handshake.state === 'DECLINED') {
      throw new ServiceError('HandshakeAlreadyInStateException', 'The handshake is already in the requested state.');
    }
    if (!isPending(handshake)) {
      throw new ServiceError('InvalidHandshakeTransitionException', `You can't decline a handshake that is ${handshake.state}.`);
    }
    this.close(handshake, 'DECLINED');
    return handshake;
  }

  /** A handshake the caller may answer: unknown or not yet visible: not found; another account's: access denied. */
  private inviteeHandshake(caller: string, handshakeId: string): HandshakeRecord {
    const handshake = this.find(handshakeId);
    if (!this.isInviteeOf(caller, handshake)) {
      throw new ServiceError('AccessDeniedException', 'You don\'t have permissions to access this resource: the handshake was sent to another account.');
    }
    if (!handshake.visibility.visible()) throw handshakeNotFound();
    return handshake;
  }

  private cancel(organization: OrganizationRecord, handshakeId: string): HandshakeRecord {
    const handshake = this.find(handshakeId);
    if (handshake.organizationId !== organization.id) throw handshakeNotFound();
    if (isPending(handshake)) {
      this.close(handshake, 'CANCELED');
    } else if (handshake.state === 'CANCELED') {
      throw new ServiceError('HandshakeAlreadyInStateException', 'The handshake is already in the requested state.');
    } else {
      throw new ServiceError('InvalidHandshakeTransitionException', `You can't cancel a handshake that is ${handshake.state}.`);
    }
    return handshake;
  }

  private describeAccount(organization: OrganizationRecord, accountId: string): WireAccount {
    const account = this.accountsById.get(accountId);
    if (!account || account.organizationId !== organization.id) {
      throw new ServiceError('AccountNotFoundException', 'You specified an account that doesn\'t exist in the organization.');
    }
    return this.toWireAccount(account);
  }

  private organization(organization: OrganizationRecord) {
    const management = organization.managementAccountId;
    return {
      Id: organization.id,
      Arn: `arn:aws:organizations::${management}:organization/${organization.id}`,
      FeatureSet: 'ALL',
      MasterAccountArn: this.accountArn(organization, management),
      MasterAccountId: management,
      MasterAccountEmail: this.accountsById.get(management)?.email,
      AvailablePolicyTypes: [],
    };
  }

  private page<T>(items: T[], input: Input, scope: string) {
    return paginate(items, { token: input.NextToken, maxResults: input.MaxResults, scope }, this.options.paging,
      () => invalidInput('INVALID_NEXT_TOKEN', 'The specified NextToken is not valid.'));
  }

  private find(handshakeId: string): HandshakeRecord {
    const handshake = this.handshakesById.get(handshakeId);
    if (!handshake) throw handshakeNotFound();
    return handshake;
  }

  private pendingHandshake(handshakeId: string): HandshakeRecord {
    this.refresh();
    const handshake = this.find(handshakeId);
    if (!isPending(handshake)) throw new Error(`handshake ${handshakeId} is ${handshake.state}`);
    return handshake;
  }

  /** Whether the handshake is addressed to the account: by its ID, or by the email the emulator knows for it. */
  private isInviteeOf(accountId: string, handshake: HandshakeRecord | undefined): boolean {
    if (!handshake) return false;
    if (handshake.accountId !== undefined) return handshake.accountId === accountId;
    const email = this.accountsById.get(accountId)?.email?.toLowerCase();
    return email !== undefined && email === handshake.email?.toLowerCase();
  }

  /** Expires handshakes after 15 days and forgets finished ones 30 days after they finished. */
  private refresh(): void {
    const now = this.clock.now();
    for (const handshake of this.handshakesById.values()) {
      const expiresAt = handshake.requestedAt + HANDSHAKE_LIFETIME_MS;
      if (isPending(handshake) && expiresAt <= now) {
        handshake.state = 'EXPIRED';
        handshake.closedAt = expiresAt;
      }
      if (handshake.closedAt !== undefined && handshake.closedAt + CLOSED_VISIBILITY_MS <= now) {
        this.handshakesById.delete(handshake.id);
      }
    }
  }

  private close(handshake: HandshakeRecord, state: HandshakeState): void {
    handshake.state = state;
    handshake.closedAt = this.clock.now();
  }

  private account(id: string): AccountRecord {
    let account = this.accountsById.get(id);
    if (!account) {
      account = { id };
      this.accountsById.set(id, account);
    }
    return account;
  }

  private join(id: string, organizationId: string, joinedMethod: WireAccount['JoinedMethod'], email: string, name = `Account ${id}`): void {
    const account = this.account(id);
    Object.assign(account, { organizationId, joinedMethod, email, name: name ?? account.name, joinedAt: this.clock.now() });
  }

  private toWireAccount(account: AccountRecord): WireAccount {
    const organization = this.organizations.get(account.organizationId!)!;
    return {
      Id: account.id,
      Arn: this.accountArn(organization, account.id),
      Email: account.email ?? '',
      Name: account.name ?? `Account ${account.id}`,
      Status: 'ACTIVE',
      State: 'ACTIVE',
      JoinedMethod: account.joinedMethod ?? 'INVITED',
      JoinedTimestamp: seconds(account.joinedAt ?? this.clock.now()),
    };
  }

  private accountArn(organization: OrganizationRecord, id: string): string {
    return `arn:aws:organizations::${organization.managementAccountId}:account/${organization.id}/${id}`;
  }

  private accountIdByEmail(email: string): string | undefined {
    const lower = email.toLowerCase();
    return [...this.accountsById.values()].find(a => a.email?.toLowerCase() === lower)?.id;
  }

  private inAnOrganization(accountId: string | undefined, email: string | undefined): boolean {
    return (accountId !== undefined && this.organizationOf(accountId) !== undefined)
      || (email !== undefined && this.emailsInOtherOrganizations.has(email.toLowerCase()));
  }

  /**
   * The handshake as AWS shows it: an ACCOUNT invitation to an account whose email is known names the email as the
   * party and nests the account ID in Resources.
   */
  private toWire(h: HandshakeRecord): WireHandshake {
    const organization = this.organizations.get(h.organizationId)!;
    const management = organization.managementAccountId;
    const resolvedEmail = h.target.Type === 'ACCOUNT' ? h.email : undefined;
    const party = resolvedEmail !== undefined ? { Id: resolvedEmail, Type: 'EMAIL' } : h.target;
    const targetResource: WireHandshakeResource = resolvedEmail !== undefined
      ? { Type: 'EMAIL', Value: resolvedEmail, Resources: [{ Type: 'ACCOUNT', Value: h.target.Id }] }
      : { Type: h.target.Type, Value: h.target.Id };
    const organizationResource: WireHandshakeResource = {
      Type: 'ORGANIZATION',
      Value: organization.id,
      Resources: [
        { Type: 'MASTER_EMAIL', Value: this.accountsById.get(management)?.email ?? '' },
        { Type: 'MASTER_NAME', Value: this.accountsById.get(management)?.name ?? '' },
        { Type: 'ORGANIZATION_FEATURE_SET', Value: 'FULL' },
      ],
    };
    return {
      Id: h.id,
      Arn: `arn:aws:organizations::${management}:handshake/${organization.id}/invite/${h.id}`,
      // AWS lists the organization first: callers must look the target up by type, not by position.
      Parties: [{ Id: organization.id, Type: 'ORGANIZATION' }, party],
      State: h.state,
      RequestedTimestamp: seconds(h.requestedAt),
      ExpirationTimestamp: seconds(h.requestedAt + HANDSHAKE_LIFETIME_MS),
      Action: 'INVITE',
      Resources: [
        organizationResource,
        targetResource,
        ...(h.notes !== undefined ? [{ Type: 'NOTES', Value: h.notes }] : []),
      ],
    };
  }
}

function keysOf(accountId: string | undefined, email: string | undefined): string[] {
  return [accountId, email?.toLowerCase()].filter((k): k is string => k !== undefined);
}

/** The request is invalid: recorded in `emulator.validationErrors`. */
function invalidInput(reason: string, message: string): ServiceError {
  return new ServiceError('InvalidInputException', message, { Reason: reason }, undefined, true);
}

function handshakeNotFound(): ServiceError {
  return new ServiceError('HandshakeNotFoundException', 'We can\'t find a handshake with the HandshakeId that you specified.');
}

function handshakeConstraint(reason: string, message: string): ServiceError {
  return new ServiceError('HandshakeConstraintViolationException', message, { Reason: reason });
}
