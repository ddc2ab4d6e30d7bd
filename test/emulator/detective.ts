/**
 * Amazon Detective in one region, across accounts: each administrator's behavior graph and its members, as
 * CloudFormation's `AWS::Detective::Graph` (CreateGraph) and `AWS::Detective::MemberInvitation` (CreateMembers,
 * GetMembers, DeleteMembers) call them, and the member side (ListInvitations, AcceptInvitation,
 * DisassociateMembership, RejectInvitation).
 *
 * A new member is VERIFICATION_IN_PROGRESS while Detective checks its account ID against the root user's email
 * (`setInvitationDelay`: a time and/or a number of the member's looks), then INVITED, or VERIFICATION_FAILED when
 * the email is not the root user's (`setRootEmail`, `failVerificationFor`). The member sees its entries, verification
 * included, in ListInvitations; accepting makes it ENABLED, or ACCEPTED_BUT_DISABLED with a DisabledReason
 * (`disableOnAccept`). A member that leaves, rejects or is deleted disappears from both sides' lists.
 */
import { randomBytes } from 'node:crypto';
import { Clock, helperContext, Input, InvitationDelay, paginate, PagingOptions, RequestContext, ServiceError, ServiceHandler, Visibility } from './common';

export type MemberStatus = 'INVITED' | 'VERIFICATION_IN_PROGRESS' | 'VERIFICATION_FAILED' | 'ENABLED' | 'ACCEPTED_BUT_DISABLED';
export type DisabledReason = 'VOLUME_TOO_HIGH' | 'VOLUME_UNKNOWN';

/** MemberDetail as Detective sends it (timestamps ISO 8601). */
export interface WireMemberDetail {
  readonly AccountId: string;
  readonly EmailAddress: string;
  readonly GraphArn: string;
  readonly AdministratorId: string;
  readonly MasterId: string;
  readonly Status: MemberStatus;
  readonly DisabledReason?: DisabledReason;
  readonly InvitedTime: string;
  readonly UpdatedTime: string;
  readonly InvitationType: 'INVITATION';
}

interface MemberRecord {
  readonly accountId: string;
  readonly email: string;
  readonly graphArn: string;
  readonly administratorId: string;
  /** The status once verified; VERIFICATION_IN_PROGRESS is shown while `verification` is not over. */
  status: Exclude<MemberStatus, 'VERIFICATION_IN_PROGRESS'>;
  disabledReason?: DisabledReason;
  readonly invitedAt: number;
  updatedAt: number;
  readonly verification: Visibility;
}

export interface DetectiveOptions {
  readonly region: string;
  readonly paging: PagingOptions;
}

/** A snapshot of the Detective state (leak checks, state dumps): per graph ARN, member account IDs by status. */
export type DetectiveState = Readonly<Record<string, Partial<Record<MemberStatus, string[]>>>>;

const ACCEPTED: readonly MemberStatus[] = ['ENABLED', 'ACCEPTED_BUT_DISABLED'];
/** CreateMembers: at most 1,200 members per graph (DT model). */
const MAX_MEMBERS = 1200;

const iso = (ms: number) => new Date(ms).toISOString();

export class DetectiveEmulator implements ServiceHandler {
  /** Graph ARN per administrator account. */
  private readonly graphs = new Map<string, string>();
  /** Members per graph ARN, in creation order. */
  private readonly members = new Map<string, Map<string, MemberRecord>>();
  private readonly rootEmails = new Map<string, string>();
  private readonly failingVerification = new Set<string>();
  private readonly disabledOnAccept = new Map<string, DisabledReason>();
  private delay: InvitationDelay = {};

  constructor(private readonly clock: Clock, private readonly options: DetectiveOptions) {}

  // ---- test helpers -------------------------------------------------------------------------------------------

  /** The graph of `administrator` (made as CreateGraph would; `graphId`: 32 hex digits, default random). */
  createGraph(administrator: string, graphId?: string): string {
    const existing = this.graphs.get(administrator);
    if (existing) return existing;
    const id = graphId ?? randomBytes(16).toString('hex');
    if (!/^[a-f\d]{32}$/.test(id)) throw new Error(`not a graph ID: ${id}`);
    const arn = `arn:aws:detective:${this.options.region}:${administrator}:graph:${id}`;
    this.graphs.set(administrator, arn);
    this.members.set(arn, new Map());
    return arn;
  }

  graphOf(administrator: string): string | undefined {
    return this.graphs.get(administrator);
  }

  /** The root user's email of `account`: an invitation with another email fails verification. */
  setRootEmail(account: string, email: string): void {
    this.rootEmails.set(account, email);
  }

  /** Invitations to `account` fail verification (VERIFICATION_FAILED), whatever the email. */
  failVerificationFor(account: string): void {
    this.failingVerification.add(account);
  }

  /** `account` becomes ACCEPTED_BUT_DISABLED with `reason` when it accepts (default: ENABLED). */
  disableOnAccept(account: string, reason: DisabledReason): void {
    this.disabledOnAccept.set(account, reason);
  }

  /** Members invited from now on stay VERIFICATION_IN_PROGRESS for the delay (see InvitationDelay). */
  setInvitationDelay(delay: InvitationDelay): void {
    this.delay = { ...delay };
  }

  /** Sets a member's status, e.g. ACCEPTED_BUT_DISABLED. */
  setStatus(administrator: string, account: string, status: Exclude<MemberStatus, 'VERIFICATION_IN_PROGRESS'>, reason?: DisabledReason): void {
    const member = this.record(administrator, account);
    member.status = status;
    member.disabledReason = status === 'ACCEPTED_BUT_DISABLED' ? reason : undefined;
    member.updatedAt = this.clock.now();
  }

  /** Removes a member, as the administrator's DeleteMembers would. */
  removeMember(administrator: string, account: string): void {
    const graph = this.graphs.get(administrator);
    if (graph) this.members.get(graph)?.delete(account);
  }

  /** The status of `account` in `administrator`'s graph (no look counted), or undefined when it is no member. */
  statusOf(administrator: string, account: string): MemberStatus | undefined {
    const graph = this.graphs.get(administrator);
    const member = graph ? this.members.get(graph)?.get(account) : undefined;
    return member ? this.statusNow(member, false) : undefined;
  }

  /** Account IDs by status in `administrator`'s graph: leak check. */
  membersByStatus(administrator: string): Partial<Record<MemberStatus, string[]>> {
    const graph = this.graphs.get(administrator);
    const result: Partial<Record<MemberStatus, string[]>> = {};
    for (const m of graph ? this.members.get(graph)?.values() ?? [] : []) (result[this.statusNow(m, false)] ??= []).push(m.accountId);
    return result;
  }

  state(): DetectiveState {
    return Object.fromEntries([...this.graphs.entries()].map(([administrator, arn]) => [arn, this.membersByStatus(administrator)]));
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  handle(operation: string, input: Input, context: RequestContext = helperContext('111111111111')): unknown {
    const caller = context.principal.accountId;
    switch (operation) {
      case 'CreateGraph':
        return { GraphArn: this.createGraph(caller) };
      case 'CreateMembers':
        return this.createMembers(caller, input);
      case 'GetMembers':
        return this.getMembers(caller, input);
      case 'DeleteMembers':
        return this.deleteMembers(caller, input);
      case 'ListInvitations':
        return this.listInvitations(caller, input);
      case 'AcceptInvitation':
        this.acceptInvitation(caller, input.GraphArn as string);
        return {};
      case 'DisassociateMembership':
        this.leave(caller, input.GraphArn as string, ACCEPTED, 'The member account status must be ENABLED.');
        return {};
      case 'RejectInvitation':
        this.leave(caller, input.GraphArn as string, ['INVITED'], 'The member account status must be INVITED.');
        return {};
      default:
        throw new Error(`Detective operation ${operation} is not emulated`);
    }
  }

  /** The caller's own graph, by ARN: another account's graph, or none, is ResourceNotFoundException. */
  private ownGraph(caller: string, graphArn: string): Map<string, MemberRecord> {
    if (this.graphs.get(caller) !== graphArn) throw notFound(`The behavior graph ${graphArn} was not found.`);
    return this.members.get(graphArn)!;
  }

  private createMembers(administrator: string, input: Input) {
    const graphArn = input.GraphArn as string;
    const members = this.ownGraph(administrator, graphArn);
    const accounts = input.Accounts as Array<{ AccountId: string; EmailAddress: string }>;
    if (members.size + accounts.length > MAX_MEMBERS) {
      throw new ServiceError('ServiceQuotaExceededException', `A behavior graph can have at most ${MAX_MEMBERS} member accounts.`);
    }
    const created: WireMemberDetail[] = [];
    const unprocessed: Array<{ AccountId: string; Reason: string }> = [];
    for (const { AccountId, EmailAddress } of accounts) {
      if (AccountId === administrator) {
        unprocessed.push({ AccountId, Reason: 'The administrator account cannot be a member account.' });
      } else if (members.has(AccountId)) {
        unprocessed.push({ AccountId, Reason: 'The account is already a member account of the behavior graph.' });
      } else {
        const root = this.rootEmails.get(AccountId);
        const fails = this.failingVerification.has(AccountId) || (root !== undefined && root.toLowerCase() !== EmailAddress.toLowerCase());
        const now = this.clock.now();
        const member: MemberRecord = {
          accountId: AccountId,
          email: EmailAddress,
          graphArn,
          administratorId: administrator,
          status: fails ? 'VERIFICATION_FAILED' : 'INVITED',
          invitedAt: now,
          updatedAt: now,
          verification: new Visibility(this.clock, this.delay),
        };
        members.set(AccountId, member);
        created.push(this.toWire(member, false));
      }
    }
    return { Members: created, UnprocessedAccounts: unprocessed };
  }

  private getMembers(administrator: string, input: Input) {
    const members = this.ownGraph(administrator, input.GraphArn as string);
    const found: WireMemberDetail[] = [];
    const unprocessed: Array<{ AccountId: string; Reason: string }> = [];
    for (const accountId of input.AccountIds as string[]) {
      const member = members.get(accountId);
      if (member) found.push(this.toWire(member, false));
      else unprocessed.push({ AccountId: accountId, Reason: 'The account is not a member account of the behavior graph.' });
    }
    return { MemberDetails: found, UnprocessedAccounts: unprocessed };
  }

  private deleteMembers(administrator: string, input: Input) {
    const members = this.ownGraph(administrator, input.GraphArn as string);
    const deleted: string[] = [];
    const unprocessed: Array<{ AccountId: string; Reason: string }> = [];
    for (const accountId of input.AccountIds as string[]) {
      if (members.delete(accountId)) deleted.push(accountId);
      else unprocessed.push({ AccountId: accountId, Reason: 'The account is not a member account of the behavior graph.' });
    }
    return { AccountIds: deleted, UnprocessedAccounts: unprocessed };
  }

  /** The caller's entries in every graph (each look counts for the verification delay). */
  private listInvitations(caller: string, input: Input) {
    const entries = this.entriesOf(caller);
    const page = paginate(entries, {
      token: input.NextToken,
      maxResults: input.MaxResults,
      scope: `ListInvitations ${caller}`,
    }, this.options.paging, () => invalid('The NextToken is not valid.'));
    return { Invitations: page.items.map(m => this.toWire(m, true)), NextToken: page.nextToken };
  }

  /** Only an INVITED member accepts; already accepted is ConflictException, still verifying or failed ValidationException. */
  private acceptInvitation(caller: string, graphArn: string): void {
    const member = this.members.get(graphArn)?.get(caller);
    if (!member) throw notFound(`The account ${caller} has no invitation to the behavior graph ${graphArn}.`);
    const status = this.statusNow(member, false);
    if (ACCEPTED.includes(status)) throw new ServiceError('ConflictException', `The account ${caller} is already a member of the behavior graph.`);
    if (status !== 'INVITED') throw new ServiceError('ValidationException', 'The member account status must be INVITED.');
    const reason = this.disabledOnAccept.get(caller);
    member.status = reason ? 'ACCEPTED_BUT_DISABLED' : 'ENABLED';
    member.disabledReason = reason;
    member.updatedAt = this.clock.now();
  }

  /** DisassociateMembership and RejectInvitation: the entry goes from both sides' lists. */
  private leave(caller: string, graphArn: string, allowed: readonly MemberStatus[], message: string): void {
    const members = this.members.get(graphArn);
    const member = members?.get(caller);
    if (!member) throw notFound(`The account ${caller} is not a member of the behavior graph ${graphArn}.`);
    if (!allowed.includes(this.statusNow(member, false))) throw new ServiceError('ValidationException', message);
    members!.delete(caller);
  }

  private entriesOf(accountId: string): MemberRecord[] {
    return [...this.members.values()].flatMap(members => {
      const member = members.get(accountId);
      return member ? [member] : [];
    });
  }

  private statusNow(member: MemberRecord, look: boolean): MemberStatus {
    return member.verification.visible(look) ? member.status : 'VERIFICATION_IN_PROGRESS';
  }

  private record(administrator: string, account: string): MemberRecord {
    const graph = this.graphs.get(administrator);
    const member = graph ? this.members.get(graph)?.get(account) : undefined;
    if (!member) throw new Error(`account ${account} is no member of ${administrator}'s graph`);
    return member;
  }

  private toWire(m: MemberRecord, look: boolean): WireMemberDetail {
    const status = this.statusNow(m, look);
    return {
      AccountId: m.accountId,
      EmailAddress: m.email,
      GraphArn: m.graphArn,
      AdministratorId: m.administratorId,
      MasterId: m.administratorId,
      Status: status,
      ...(status === 'ACCEPTED_BUT_DISABLED' && m.disabledReason ? { DisabledReason: m.disabledReason } : {}),
      InvitedTime: iso(m.invitedAt),
      UpdatedTime: iso(m.updatedAt),
      InvitationType: 'INVITATION',
    };
  }
}

function notFound(message: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', message);
}

/** The request is invalid: recorded in `emulator.validationErrors`. */
function invalid(message: string): ServiceError {
  return new ServiceError('ValidationException', message, {}, undefined, true);
}
