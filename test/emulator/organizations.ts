/**
 * AWS Organizations, seen from the management account of organization `o-exampleorg11`: invitations (handshakes)
 * and the accounts of the organization.
 */
import { Clock, DAY_MS, Input, paginate, PagingOptions, randomId, ServiceError, ServiceHandler } from './common';
import { memberEnum, ServiceModel } from './models';

export const ORGANIZATION_ID = 'o-exampleorg11';

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
  /** As given in the request. */
  readonly target: { readonly Id: string; readonly Type: 'ACCOUNT' | 'EMAIL' };
  /** Account ID and email of the target, as far as known. */
  readonly accountId?: string;
  readonly email?: string;
  readonly notes?: string;
  readonly requestedAt: number;
  state: HandshakeState;
  /** When the handshake left REQUESTED/OPEN; it disappears 30 days later. */
  closedAt?: number;
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

const HANDSHAKE_LIFETIME_MS = 15 * DAY_MS;
const CLOSED_VISIBILITY_MS = 30 * DAY_MS;
const ACCOUNT_ID = /^\d{12}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const isPending = (h: HandshakeRecord) => h.state === 'OPEN' || h.state === 'REQUESTED';
const seconds = (ms: number) => ms / 1000;

export class OrganizationsEmulator implements ServiceHandler {
  private readonly handshakesById = new Map<string, HandshakeRecord>();
  private readonly members = new Map<string, WireAccount>();
  /** Standalone accounts whose email is known: ACCOUNT invitations to them show the email (see invite). */
  private readonly registeredEmails = new Map<string, string>();
  /** Account IDs and lower-cased emails of accounts that belong to another organization. */
  private readonly inOtherOrganizations = new Set<string>();
  private readonly inviteFailures: Array<{ code: string; reason: string }> = [];
  private readonly inviteTimes: number[] = [];
  private caller: CallerKind | 'management' = 'management';

  constructor(
    private readonly model: ServiceModel,
    private readonly clock: Clock,
    private readonly options: OrganizationsOptions,
  ) {
    this.addAccount(options.managementAccountId, 'management@example.com', 'Management', 'CREATED');
  }

  // ---- test helpers -------------------------------------------------------------------------------------------

  /** Adds an account to this organization (JoinedMethod INVITED). */
  addMemberAccount(accountId: string, email: string, name = `Account ${accountId}`): void {
    this.addAccount(accountId, email, name, 'INVITED');
  }

  /** Makes a standalone account's email known: an invitation by account ID then names the email, as AWS may. */
  registerAccount(accountId: string, email: string): void {
    this.registeredEmails.set(accountId, email);
  }

  /** Marks an account (ID or email) as a member of another organization. */
  markInOtherOrganization(accountIdOrEmail: string): void {
    this.inOtherOrganizations.add(accountIdOrEmail.toLowerCase());
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
   * Makes the caller a member account (AccessDeniedException except for DescribeOrganization) or a standalone
   * account (AWSOrganizationsNotInUseException for every call).
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
    this.addMemberAccount(id, handshake.email ?? this.registeredEmails.get(id) ?? `${id}@example.com`);
  }

  /** The invited account declines. */
  decline(handshakeId: string): void {
    this.close(this.pendingHandshake(handshakeId), 'DECLINED');
  }

  /** Handshakes still visible (finished ones disappear 30 days after finishing). */
  handshakes(): WireHandshake[] {
    this.refresh();
    return [...this.handshakesById.values()].map(h => this.toWire(h));
  }

  /** Handshakes waiting for the invited account (REQUESTED or OPEN): leak check. */
  openHandshakes(): WireHandshake[] {
    return this.handshakes().filter(h => h.State === 'OPEN' || h.State === 'REQUESTED');
  }

  accounts(): WireAccount[] {
    return [...this.members.values()];
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  handle(operation: string, input: Input): unknown {
    this.checkCaller(operation);
    this.refresh();
    switch (operation) {
      case 'InviteAccountToOrganization':
        return { Handshake: this.toWire(this.invite(input)) };
      case 'ListHandshakesForOrganization':
        return this.listHandshakes(input);
      case 'DescribeHandshake':
        return { Handshake: this.toWire(this.find(input.HandshakeId as string)) };
      case 'CancelHandshake':
        return { Handshake: this.toWire(this.cancel(input.HandshakeId as string)) };
      case 'DescribeAccount':
        return { Account: this.describeAccount(input.AccountId as string) };
      case 'DescribeOrganization':
        return { Organization: this.organization() };
      case 'ListAccounts': {
        const page = this.page(this.accounts(), input, 'ListAccounts');
        return { Accounts: page.items, NextToken: page.nextToken };
      }
      default:
        throw new Error(`Organizations operation ${operation} is not emulated`);
    }
  }

  private checkCaller(operation: string): void {
    if (this.caller === 'standalone') {
      throw new ServiceError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
    }
    if (this.caller === 'member' && operation !== 'DescribeOrganization') {
      throw new ServiceError('AccessDeniedException', 'You don\'t have permissions to access this resource.');
    }
  }

  private invite(input: Input): HandshakeRecord {
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
    const email = target.Type === 'EMAIL' ? target.Id : this.emailOf(target.Id);

    const failure = this.inviteFailures.shift();
    if (failure) {
      throw new ServiceError(failure.code, `The request failed: ${failure.reason}.`, { Reason: failure.reason });
    }
    if (this.inAnOrganization(accountId, email)) {
      throw handshakeConstraint('ALREADY_IN_AN_ORGANIZATION', 'The account is already a member of an organization.');
    }
    const targetKeys = keysOf(accountId, email);
    const duplicate = [...this.handshakesById.values()].some(h => isPending(h) && keysOf(h.accountId, h.email).some(k => targetKeys.includes(k)));
    if (duplicate) {
      throw new ServiceError('DuplicateHandshakeException', 'A handshake with the same action and target already exists.');
    }
    const pending = [...this.handshakesById.values()].filter(isPending).length;
    if (this.members.size + pending >= this.options.maxAccounts) {
      throw handshakeConstraint('ACCOUNT_NUMBER_LIMIT_EXCEEDED', 'You have reached the limit on the number of accounts in the organization.');
    }
    const now = this.clock.now();
    const recentInvites = this.inviteTimes.filter(t => t > now - DAY_MS).length;
    if (recentInvites >= this.options.invitesPer24h) {
      throw handshakeConstraint('HANDSHAKE_RATE_LIMIT_EXCEEDED', 'You have sent too many invitations in the last 24 hours.');
    }

    this.inviteTimes.push(now);
    const handshake: HandshakeRecord = {
      id: `h-${randomId(10)}`,
      target: { Id: target.Id, Type: target.Type as 'ACCOUNT' | 'EMAIL' },
      accountId,
      email,
      notes,
      requestedAt: now,
      state: 'OPEN',
    };
    this.handshakesById.set(handshake.id, handshake);
    return handshake;
  }

  private listHandshakes(input: Input) {
    const filter = (input.Filter ?? {}) as { ActionType?: string; ParentHandshakeId?: string };
    // Every emulated handshake is an INVITE without a parent.
    const matching = filter.ParentHandshakeId || (filter.ActionType && filter.ActionType !== 'INVITE')
      ? []
      : this.handshakes();
    const page = this.page(matching, input, `ListHandshakesForOrganization ${JSON.stringify(filter)}`);
    return { Handshakes: page.items, NextToken: page.nextToken };
  }

  private cancel(handshakeId: string): HandshakeRecord {
    const handshake = this.find(handshakeId);
    if (isPending(handshake)) {
      this.close(handshake, 'CANCELED');
    } else if (handshake.state === 'CANCELED') {
      throw new ServiceError('HandshakeAlreadyInStateException', 'The handshake is already in the requested state.');
    } else {
      throw new ServiceError('InvalidHandshakeTransitionException', `You can't cancel a handshake that is ${handshake.state}.`);
    }
    return handshake;
  }

  private describeAccount(accountId: string): WireAccount {
    const account = this.members.get(accountId);
    if (!account) {
      throw new ServiceError('AccountNotFoundException', 'You specified an account that doesn\'t exist in the organization.');
    }
    return account;
  }

  private organization() {
    const management = this.options.managementAccountId;
    return {
      Id: ORGANIZATION_ID,
      Arn: `arn:aws:organizations::${management}:organization/${ORGANIZATION_ID}`,
      FeatureSet: 'ALL',
      MasterAccountArn: this.accountArn(management),
      MasterAccountId: management,
      MasterAccountEmail: this.members.get(management)?.Email,
      AvailablePolicyTypes: [],
    };
  }

  private page<T>(items: T[], input: Input, scope: string) {
    return paginate(items, { token: input.NextToken, maxResults: input.MaxResults, scope }, this.options.paging,
      () => invalidInput('INVALID_NEXT_TOKEN', 'The specified NextToken is not valid.'));
  }

  private find(handshakeId: string): HandshakeRecord {
    const handshake = this.handshakesById.get(handshakeId);
    if (!handshake) throw new ServiceError('HandshakeNotFoundException', 'We can\'t find a handshake with the HandshakeId that you specified.');
    return handshake;
  }

  private pendingHandshake(handshakeId: string): HandshakeRecord {
    this.refresh();
    const handshake = this.find(handshakeId);
    if (!isPending(handshake)) throw new Error(`handshake ${handshakeId} is ${handshake.state}`);
    return handshake;
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

  private addAccount(id: string, email: string, name: string, joinedMethod: WireAccount['JoinedMethod']): void {
    this.members.set(id, {
      Id: id,
      Arn: this.accountArn(id),
      Email: email,
      Name: name,
      Status: 'ACTIVE',
      State: 'ACTIVE',
      JoinedMethod: joinedMethod,
      JoinedTimestamp: seconds(this.clock.now()),
    });
  }

  private accountArn(id: string): string {
    return `arn:aws:organizations::${this.options.managementAccountId}:account/${ORGANIZATION_ID}/${id}`;
  }

  private emailOf(accountId: string): string | undefined {
    return this.members.get(accountId)?.Email ?? this.registeredEmails.get(accountId);
  }

  private accountIdByEmail(email: string): string | undefined {
    const lower = email.toLowerCase();
    const member = [...this.members.values()].find(a => a.Email.toLowerCase() === lower);
    return member?.Id ?? [...this.registeredEmails].find(([, e]) => e.toLowerCase() === lower)?.[0];
  }

  private inAnOrganization(accountId: string | undefined, email: string | undefined): boolean {
    return (accountId !== undefined && this.members.has(accountId))
      || keysOf(accountId, email).some(k => this.inOtherOrganizations.has(k));
  }

  /**
   * The handshake as AWS shows it: an ACCOUNT invitation to an account whose email is known names the email as the
   * party and nests the account ID in Resources.
   */
  private toWire(h: HandshakeRecord): WireHandshake {
    const management = this.options.managementAccountId;
    const resolvedEmail = h.target.Type === 'ACCOUNT' ? h.email : undefined;
    const party = resolvedEmail !== undefined ? { Id: resolvedEmail, Type: 'EMAIL' } : h.target;
    const targetResource: WireHandshakeResource = resolvedEmail !== undefined
      ? { Type: 'EMAIL', Value: resolvedEmail, Resources: [{ Type: 'ACCOUNT', Value: h.target.Id }] }
      : { Type: h.target.Type, Value: h.target.Id };
    const organizationResource: WireHandshakeResource = {
      Type: 'ORGANIZATION',
      Value: ORGANIZATION_ID,
      Resources: [
        { Type: 'MASTER_EMAIL', Value: this.members.get(management)?.Email ?? '' },
        { Type: 'MASTER_NAME', Value: this.members.get(management)?.Name ?? '' },
        { Type: 'ORGANIZATION_FEATURE_SET', Value: 'FULL' },
      ],
    };
    return {
      Id: h.id,
      Arn: `arn:aws:organizations::${management}:handshake/${ORGANIZATION_ID}/invite/${h.id}`,
      // AWS lists the organization first: callers must look the target up by type, not by position.
      Parties: [{ Id: ORGANIZATION_ID, Type: 'ORGANIZATION' }, party],
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

function handshakeConstraint(reason: string, message: string): ServiceError {
  return new ServiceError('HandshakeConstraintViolationException', message, { Reason: reason });
}
