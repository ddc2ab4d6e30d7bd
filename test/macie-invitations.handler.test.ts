import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateInvitationsCommand,
  CreateInvitationsCommandInput,
  CreateMemberCommand,
  CreateMemberCommandInput,
  DeleteMemberCommand,
  DisassociateMemberCommand,
  GetMacieSessionCommand,
  GetMemberCommand,
  ListMembersCommand,
  ListMembersCommandInput,
  Macie2Client,
  Member,
} from '@aws-sdk/client-macie2';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, captureLogs, createEvent, deleteEvent, updateEvent } from './util/events';
import { mockStackKeepingNothing } from './util/stack';
import { handler } from '../lambda/macie/inviter';
import { createMembers, deleteMembers, macieInvitationsLifecycle, updateMembers } from '../lambda/macie/inviter/lifecycle';
import { formatFailures, planMember } from '../lambda/macie/inviter/members';
import { OWNER_TAG, ownsPhysicalId, physicalResourceId } from '../lambda/macie/inviter/ownership';
import { createClients } from '../lambda/macie/service';
import type { RequestContext } from '../lambda/shared/runtime';
import { CLOCK_SKEW_MS } from '../lambda/shared/stack';
import { MACIE_INVITATIONS, MacieInviterProps, MacieMemberSpec } from '../src/private/contract/macie';

const macie = mockClient(Macie2Client);
type CfnStub = ReturnType<typeof mockCfn>;
const mockCfn = () => mockClient(CloudFormationClient);
const clients = { macie: new Macie2Client({ region: 'us-east-1', maxAttempts: 1 }) };

const STACK_ID = 'arn:aws:cloudformation:us-east-1:111111111111:stack/LandingZone/5b1c4e10-0000-0000-0000-000000000000';
const ctx = (requestType: RequestContext['requestType'] = 'Create'): RequestContext => ({
  requestType,
  stackId: STACK_ID,
  logicalResourceId: 'Invitation1A2B3C4D',
  requestId: 'b4e7a7f6-0000-0000-0000-000000000001',
  resourceType: 'Custom::MacieInvitations',
});
const PHYSICAL_ID = physicalResourceId(ctx());

/** `n` members with account IDs 200000000000 + start + i and distinct emails. */
function specs(n: number, start = 0): MacieMemberSpec[] {
  return [...Array(n).keys()].map((i) => ({ accountId: String(200000000000 + start + i), email: `owner${start + i}@example.com` }));
}

function props(members: readonly MacieMemberSpec[], extra: Partial<MacieInviterProps> = {}): MacieInviterProps {
  return { members, disableEmailNotification: false, removalPolicy: 'DESTROY', ...extra };
}

/** The same properties as CloudFormation passes them to the handler (scalars as strings). */
function rawProps(members: readonly MacieMemberSpec[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Members: members.map((m) => ({ AccountId: m.accountId, Email: m.email })),
    DisableEmailNotification: 'false',
    RemovalPolicy: 'DESTROY',
    ...extra,
  };
}

interface FakeMember {
  email?: string;
  relationshipStatus: string;
}

/**
 * An in-memory Macie administrator behind the mocked client: members with a relationship status, ListMembers paging
 * 25 at a time, CreateInvitations with unprocessedAccounts, and a counter of calls in flight.
 */
class FakeMacie {
  public enabled = true;
  public readonly members = new Map<string, FakeMember>();
  /** Accounts CreateInvitations reports as unprocessed, with their error. */
  public readonly unprocessed = new Map<string, { errorCode: 'ClientError' | 'InternalError'; errorMessage: string }>();
  /** Delay of CreateMember, DisassociateMember and DeleteMember, to measure concurrency. */
  public delayMs = 0;
  /** The nextToken of each ListMembers call. */
  public readonly listTokens: Array<string | undefined> = [];
  public inFlight = 0;
  public maxInFlight = 0;
  /** Tags of each member (CreateMember's), and when its relationship last changed: what GetMember reports. */
  public readonly tags = new Map<string, Record<string, string>>();
  public readonly updatedAt = new Map<string, Date>();
  /** When each member was last invited (CreateInvitations). */
  public readonly invitedAt = new Map<string, Date>();

  constructor() {
    const notEnabled = () => awsError('AccessDeniedException', 'Macie is not enabled.', {}, 403);
    const notFound = (id: string) => awsError('ResourceNotFoundException', `The request failed because the specified resource (${id}) wasn't found.`, {}, 404);
    macie.on(GetMacieSessionCommand).callsFake(async () => {
      if (!this.enabled) throw notEnabled();
      return { status: 'ENABLED' };
    });
    macie.on(ListMembersCommand).callsFake(async (input: ListMembersCommandInput) => {
      if (!this.enabled) throw notEnabled();
      expect(input.onlyAssociated).toBe('false');
      expect(input.maxResults).toBeLessThanOrEqual(25);
      this.listTokens.push(input.nextToken);
      const all = [...this.members.entries()];
      const start = Number(input.nextToken ?? 0);
      const end = start + (input.maxResults ?? 25);
      return {
        members: all.slice(start, end).map(([accountId, m]) => this.toMember(accountId, m)),
        nextToken: end < all.length ? String(end) : undefined,
      };
    });
    macie.on(GetMemberCommand).callsFake(async ({ id }) => {
      const m = this.members.get(id);
      if (!m) throw notFound(id);
      return this.toMember(id, m);
    });
    macie.on(CreateMemberCommand).callsFake((input: CreateMemberCommandInput) => this.track(async () => {
      const { accountId, email } = input.account!;
      if (this.members.has(accountId!)) throw awsError('ConflictException', 'The account is already associated.', {}, 409);
      this.members.set(accountId!, { email, relationshipStatus: 'Created' });
      this.tags.set(accountId!, { ...input.tags });
      this.updatedAt.set(accountId!, new Date());
      return { arn: `arn:aws:macie2:us-east-1:111111111111:member/${accountId}` };
    }));
    macie.on(CreateInvitationsCommand).callsFake(async (input: CreateInvitationsCommandInput) => {
      const unprocessedAccounts = [];
      for (const id of input.accountIds ?? []) {
        const failure = this.unprocessed.get(id);
        const m = this.members.get(id);
        if (failure) {
          unprocessedAccounts.push({ accountId: id, ...failure });
        } else if (!m) {
          unprocessedAccounts.push({ accountId: id, errorCode: 'ClientError', errorMessage: 'The account is not a member.' });
        } else {
          m.relationshipStatus = 'Invited';
          this.updatedAt.set(id, new Date());
          this.invitedAt.set(id, new Date());
        }
      }
      return { unprocessedAccounts };
    });
    macie.on(DisassociateMemberCommand).callsFake(({ id }) => this.track(async () => {
      const m = this.members.get(id);
      if (!m) throw notFound(id);
      m.relationshipStatus = 'Removed';
      return {};
    }));
    macie.on(DeleteMemberCommand).callsFake(({ id }) => this.track(async () => {
      if (!this.members.delete(id)) throw notFound(id);
      return {};
    }));
  }

  /** `email: null`: a member associated through AWS Organizations (Macie shows no email). */
  add(
    accountId: string,
    relationshipStatus: string,
    email: string | null = `owner${Number(accountId) - 200000000000}@example.com`,
    extra: { tags?: Record<string, string>; updatedAt?: Date; invitedAt?: Date } = {},
  ): this {
    this.members.set(accountId, { email: email ?? undefined, relationshipStatus });
    this.tags.set(accountId, extra.tags ?? {});
    this.updatedAt.set(accountId, extra.updatedAt ?? new Date());
    if (extra.invitedAt) this.invitedAt.set(accountId, extra.invitedAt);
    return this;
  }

  ids(): string[] {
    return [...this.members.keys()].sort();
  }

  private toMember(accountId: string, m: FakeMember): Member {
    return {
      accountId,
      email: m.email,
      relationshipStatus: m.relationshipStatus as Member['relationshipStatus'],
      updatedAt: this.updatedAt.get(accountId),
      invitedAt: this.invitedAt.get(accountId),
      tags: this.tags.get(accountId),
    };
  }

  private async track<T>(fn: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      return await fn();
    } finally {
      this.inFlight--;
    }
  }
}

const ids = (members: readonly MacieMemberSpec[]) => members.map((m) => m.accountId).sort();
const calls = (command: Parameters<typeof macie.commandCalls>[0]) => macie.commandCalls(command);
const invitedBatches = () => calls(CreateInvitationsCommand).map((c) => c.args[0].input.accountIds ?? []);
const idsOf = (command: typeof DisassociateMemberCommand | typeof DeleteMemberCommand | typeof GetMemberCommand) =>
  calls(command).map((c) => c.args[0].input.id).sort();
const createdIds = () => calls(CreateMemberCommand).map((c) => c.args[0].input.account?.accountId).sort();

let fake: FakeMacie;
beforeEach(() => {
  macie.reset();
  fake = new FakeMacie();
  // quiet test output; tests that read the logs use captureLogs
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('create', () => {
  test('checks Macie first, creates each member with its email, invites with the message and notification setting', async () => {
    const members = specs(2);
    const result = await createMembers(clients, props(members, { message: 'Join us', disableEmailNotification: true }), ctx());

    expect(macie.calls()[0].args[0]).toBeInstanceOf(GetMacieSessionCommand);
    expect(calls(CreateMemberCommand).map((c) => c.args[0].input)).toEqual([
      { account: { accountId: '200000000000', email: 'owner0@example.com' }, tags: { [OWNER_TAG]: PHYSICAL_ID } },
      { account: { accountId: '200000000001', email: 'owner1@example.com' }, tags: { [OWNER_TAG]: PHYSICAL_ID } },
    ]);
    expect(calls(CreateInvitationsCommand).map((c) => c.args[0].input)).toEqual([
      { accountIds: ['200000000000', '200000000001'], message: 'Join us', disableEmailNotification: true },
    ]);
    expect(result).toEqual({
      PhysicalResourceId: PHYSICAL_ID,
      Data: {
        MemberCount: 2,
        CreatedCount: 2,
        InvitedCount: 2,
        AdoptedCount: 0,
        RecreatedCount: 0,
        OrganizationManagedCount: 0,
        RemovedCount: 0,
        RetainedCount: 0,
      },
    });
    expect(fake.members.get('200000000000')).toEqual({ email: 'owner0@example.com', relationshipStatus: 'Invited' });
  });

  test('the physical ID is deterministic, per stack and logical ID, and holds neither emails nor account lists', () => {
    expect(PHYSICAL_ID).toMatch(/^macie-invitations:us-east-1:[0-9a-f]{16}$/);
    expect(physicalResourceId(ctx())).toBe(PHYSICAL_ID);
    expect(physicalResourceId({ ...ctx(), logicalResourceId: 'Other' })).not.toBe(PHYSICAL_ID);
    expect(physicalResourceId({ ...ctx(), stackId: STACK_ID.replace('5b1c4e10', '6c2d5f21') })).not.toBe(PHYSICAL_ID);
  });

  test('120 members: 120 CreateMember calls and exactly 3 CreateInvitations calls of at most 50 accounts', async () => {
    const members = specs(120);
    await createMembers(clients, props(members), ctx());

    expect(calls(CreateMemberCommand)).toHaveLength(120);
    const batches = invitedBatches();
    expect(batches.map((b) => b.length)).toEqual([50, 50, 20]);
    expect(batches.flat().sort()).toEqual(ids(members));
  });

  test('adopts Invited, Enabled and Paused members; re-invites Created, Removed and Resigned ones without CreateMember', async () => {
    fake.add('200000000000', 'Invited').add('200000000001', 'Enabled').add('200000000002', 'Paused')
      .add('200000000003', 'Created').add('200000000004', 'Removed').add('200000000005', 'Resigned');
    const result = await createMembers(clients, props(specs(7)), ctx());

    expect(createdIds()).toEqual(['200000000006']);
    expect(invitedBatches()).toEqual([['200000000003', '200000000004', '200000000005', '200000000006']]);
    expect(result.Data).toMatchObject({ CreatedCount: 1, InvitedCount: 4, AdoptedCount: 3 });
    expect(calls(DeleteMemberCommand)).toHaveLength(0);
  });

  test('members associated through AWS Organizations (no email) are left alone', async () => {
    fake.add('200000000000', 'Enabled', null).add('200000000001', 'Created', null);
    const result = await createMembers(clients, props(specs(3)), ctx());

    expect(createdIds()).toEqual(['200000000002']);
    expect(invitedBatches()).toEqual([['200000000002']]);
    expect(result.Data).toMatchObject({ OrganizationManagedCount: 2, CreatedCount: 1, InvitedCount: 1 });
  });

  test('reads existing members over every ListMembers page (25 per page), empty pages included', async () => {
    // 60 unrelated members, then the one this construct wants, as Enabled: found on page 3
    for (let i = 0; i < 60; i++) fake.add(String(300000000000 + i), 'Enabled', `x${i}@example.com`);
    fake.add('200000000000', 'Enabled');
    await createMembers(clients, props(specs(1)), ctx());
    expect(fake.listTokens).toEqual([undefined, '25', '50']);
    expect(calls(CreateMemberCommand)).toHaveLength(0);
    expect(calls(CreateInvitationsCommand)).toHaveLength(0);

    macie.reset();
    fake = new FakeMacie();
    macie.on(ListMembersCommand)
      .resolvesOnce({ members: [], nextToken: 'a' })
      .resolvesOnce({ members: [], nextToken: 'b' })
      .resolvesOnce({ members: [{ accountId: '200000000000', email: 'owner0@example.com', relationshipStatus: 'Invited' }] });
    await createMembers(clients, props(specs(1)), ctx());
    expect(calls(ListMembersCommand)).toHaveLength(3);
    expect(calls(CreateMemberCommand)).toHaveLength(0);
  });

  test('a member created meanwhile (ConflictException) is looked up with GetMember and adopted, not deleted', async () => {
    macie.on(CreateMemberCommand).callsFake(async (input: CreateMemberCommandInput) => {
      fake.add(input.account!.accountId!, 'Invited');
      throw awsError('ConflictException', 'The account is already associated.', {}, 409);
    });
    const result = await createMembers(clients, props(specs(1)), ctx());
    expect(idsOf(GetMemberCommand)).toEqual(['200000000000']);
    expect(calls(CreateInvitationsCommand)).toHaveLength(0);
    expect(result.Data).toMatchObject({ AdoptedCount: 1, CreatedCount: 0 });
  });

  describe('Macie not enabled: a clear message before anything changes', () => {
    test.each([
      ['AccessDeniedException "Macie is not enabled"', awsError('AccessDeniedException', 'Macie is not enabled.', {}, 403)],
      ['ResourceNotFoundException', awsError('ResourceNotFoundException', 'The Macie session was not found.', {}, 404)],
    ])('%s', async (_name, error) => {
      macie.on(GetMacieSessionCommand).rejects(error);
      await expect(createMembers(clients, props(specs(2)), ctx()))
        .rejects.toThrow(/Amazon Macie is not enabled in account 111111111111 in us-east-1.*administrator account.*Nothing was changed/);
      expect(macie.calls()).toHaveLength(1);
    });

    test('an AccessDeniedException that is about permissions says so instead', async () => {
      macie.on(GetMacieSessionCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform macie2:GetMacieSession', {}, 403));
      await expect(createMembers(clients, props(specs(1)), ctx()))
        .rejects.toThrow(/Reading the Macie session of account 111111111111 in us-east-1 \(macie2:GetMacieSession\) failed with AccessDeniedException.*The handler's role may call macie2:GetMacieSession/);
      expect(macie.calls()).toHaveLength(1);
    });
  });

  describe('partial failure (unprocessedAccounts) and compensation', () => {
    test('an "already invited" entry is adopted; the others fail the create, naming each account and its error', async () => {
      fake.add('200000000002', 'Created');
      fake.unprocessed.set('200000000000', { errorCode: 'ClientError', errorMessage: 'The account is already invited.' });
      fake.unprocessed.set('200000000001', { errorCode: 'ClientError', errorMessage: 'The account is suspended.' });
      fake.unprocessed.set('200000000003', { errorCode: 'InternalError', errorMessage: 'Internal error, try again.' });

      const error = await createMembers(clients, props(specs(4)), ctx()).catch((e: Error) => e);

      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toMatch(/Creating the Macie members: 2 of 4 accounts failed/);
      expect(message).toContain('200000000001 (ClientError: The account is suspended.)');
      expect(message).toContain('200000000003 (InternalError: Internal error, try again.)');
      expect(message).not.toContain('200000000000');
      expect(message).toMatch(/3 of the 3 members created by this deployment were removed again/);
      // exactly the members this create made are disassociated and deleted; the pre-existing one is kept
      expect(idsOf(DisassociateMemberCommand)).toEqual(['200000000000', '200000000001', '200000000003']);
      expect(idsOf(DeleteMemberCommand)).toEqual(['200000000000', '200000000001', '200000000003']);
      expect(fake.ids()).toEqual(['200000000002']);
    });

    test('"already a member of another administrator" is a failure, not an adoption', async () => {
      fake.unprocessed.set('200000000000', { errorCode: 'ClientError', errorMessage: 'The account is already associated with another administrator account.' });
      await expect(createMembers(clients, props(specs(1)), ctx())).rejects.toThrow(/200000000000 \(ClientError: The account is already associated with another/);
      expect(fake.ids()).toEqual([]);
    });

    test('a failed CreateInvitations call stops the batches and removes every member created', async () => {
      macie.on(CreateInvitationsCommand)
        .resolvesOnce({ unprocessedAccounts: [] })
        .rejectsOnce(awsError('ValidationException', 'The request failed because the input does not satisfy the constraints.'));
      const error = await createMembers(clients, props(specs(120)), ctx()).catch((e: Error) => e);

      expect((error as Error).message).toMatch(/70 of 120 accounts failed: 200000000050, .*CreateInvitations failed with ValidationException/);
      expect((error as Error).message).toMatch(/200000000100 \(not invited: an earlier CreateInvitations call failed\)/);
      expect((error as Error).message).toMatch(/; and \d+ more accounts\. .*Check the account ID and email address of each account named here\.$/);
      expect((error as Error).message).not.toMatch(/\blogs?\b/);
      expect((error as Error).message.length).toBeLessThan(1000);
      expect(calls(CreateInvitationsCommand)).toHaveLength(2);
      expect(fake.ids()).toEqual([]);
    });

    test('a failed CreateMember sends no invitation and removes the members created', async () => {
      macie.on(CreateMemberCommand).callsFake(async (input: CreateMemberCommandInput) => {
        const id = input.account!.accountId!;
        if (id === '200000000001') throw awsError('ValidationException', `The email address ${input.account!.email} is not valid.`);
        fake.add(id, 'Created', input.account!.email);
        return {};
      });
      const error = await createMembers(clients, props(specs(3)), ctx()).catch((e: Error) => e);

      expect((error as Error).message).toMatch(/1 of 3 accounts failed: 200000000001 \(ValidationException: The email address o\*\*\*@example.com is not valid\)/);
      expect((error as Error).message).not.toContain('owner1@example.com');
      expect(calls(CreateInvitationsCommand)).toHaveLength(0);
      expect(fake.ids()).toEqual([]);
    });

    test('members that cannot be removed again are named, with what to do', async () => {
      fake.unprocessed.set('200000000000', { errorCode: 'ClientError', errorMessage: 'The account is suspended.' });
      macie.on(DeleteMemberCommand).rejects(awsError('InternalServerException', 'internal', {}, 500));
      await expect(createMembers(clients, props(specs(1)), ctx()))
        .rejects.toThrow(/0 of the 1 members created by this deployment were removed again. Removing these members failed too; remove them in the Macie console.*200000000000 \(InternalServerException: internal\)/);
    });

    test('with many failures, and cleanup failures too, the reason stays within the 1,000 characters CloudFormation shows', async () => {
      for (const m of specs(200)) fake.unprocessed.set(m.accountId, { errorCode: 'ClientError', errorMessage: 'The account is suspended.' });
      macie.on(DeleteMemberCommand).rejects(awsError('InternalServerException', 'internal', {}, 500));
      const error = await createMembers(clients, props(specs(200)), ctx()).catch((e: Error) => e);
      const message = (error as Error).message;
      expect(message).toMatch(/200 of 200 accounts failed: 200000000000, .*\(ClientError: The account is suspended.\); and \d+ more accounts/);
      expect(message).toMatch(/0 of the 200 members created by this deployment were removed again. Removing these members failed too/);
      // the hint of the error code named (ClientError), never "see the logs"
      expect(message).toMatch(/Macie refused these accounts .*: fix or remove them, then deploy again\.$/);
      expect(message).not.toMatch(/\blogs?\b/);
      expect(message.length).toBeLessThan(1000);
    });
  });
});

describe('update', () => {
  test('applies the difference only: added created and invited, removed disassociated and deleted, unchanged untouched', async () => {
    const before = specs(3); // 0, 1, 2
    await createMembers(clients, props(before), ctx());
    macie.resetHistory();
    const after = [before[0], ...specs(2, 10)]; // 0, 10, 11

    const result = await updateMembers(clients, PHYSICAL_ID, props(after), props(before), ctx('Update'));

    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(createdIds()).toEqual(['200000000010', '200000000011']);
    expect(invitedBatches()).toEqual([['200000000010', '200000000011']]);
    expect(idsOf(DisassociateMemberCommand)).toEqual(['200000000001', '200000000002']);
    expect(idsOf(DeleteMemberCommand)).toEqual(['200000000001', '200000000002']);
    expect(JSON.stringify(macie.calls().map((c) => c.args[0].input))).not.toContain('200000000000');
    expect(fake.ids()).toEqual(ids(after));
    expect(result.Data).toMatchObject({ MemberCount: 3, CreatedCount: 2, InvitedCount: 2, RemovedCount: 2 });
  });

  test('a change of message, notification setting or order alone sends nothing', async () => {
    const members = specs(3);
    const result = await updateMembers(
      clients, PHYSICAL_ID,
      props([...members].reverse(), { message: 'New text', disableEmailNotification: true }),
      props(members, { message: 'Old text' }),
      ctx('Update'),
    );
    expect(macie.calls()).toHaveLength(0);
    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: expect.objectContaining({ MemberCount: 3, InvitedCount: 0, RemovedCount: 0 }) });
  });

  test('the diff is symmetric: updating back to the old list (a rollback) restores the old set', async () => {
    const oldList = specs(3);
    const newList = [oldList[1], ...specs(2, 20)];
    await createMembers(clients, props(oldList), ctx());
    await updateMembers(clients, PHYSICAL_ID, props(newList), props(oldList), ctx('Update'));
    expect(fake.ids()).toEqual(ids(newList));

    await updateMembers(clients, PHYSICAL_ID, props(oldList), props(newList), ctx('Update'));
    expect(fake.ids()).toEqual(ids(oldList));
    for (const m of oldList) expect(fake.members.get(m.accountId)).toEqual({ email: m.email, relationshipStatus: 'Invited' });
  });

  test('a failed update leaves nothing of its own behind, and its rollback succeeds', async () => {
    const oldList = specs(2);
    await createMembers(clients, props(oldList), ctx());
    const newList = [...oldList, ...specs(2, 30)];
    fake.unprocessed.set('200000000031', { errorCode: 'ClientError', errorMessage: 'The account is suspended.' });

    await expect(updateMembers(clients, PHYSICAL_ID, props(newList), props(oldList), ctx('Update')))
      .rejects.toThrow(/Updating the Macie members: 1 of 2 accounts failed: 200000000031/);
    expect(fake.ids()).toEqual(ids(oldList));

    // CloudFormation's rollback: the same resource, old and new properties swapped
    await expect(updateMembers(clients, PHYSICAL_ID, props(oldList), props(newList), ctx('Update'))).resolves.toBeDefined();
    expect(fake.ids()).toEqual(ids(oldList));
  });

  test('a changed email of a pending member recreates it (delete, create with the new email, invite)', async () => {
    const [a, b] = specs(2);
    await createMembers(clients, props([a, b]), ctx());
    macie.resetHistory();
    const changed = { accountId: a.accountId, email: 'new-owner@example.com' };

    const result = await updateMembers(clients, PHYSICAL_ID, props([changed, b]), props([a, b]), ctx('Update'));

    expect(idsOf(DisassociateMemberCommand)).toEqual([a.accountId]);
    expect(idsOf(DeleteMemberCommand)).toEqual([a.accountId]);
    expect(calls(CreateMemberCommand).map((c) => c.args[0].input.account)).toEqual([changed]);
    expect(invitedBatches()).toEqual([[a.accountId]]);
    expect(fake.members.get(a.accountId)).toEqual({ email: 'new-owner@example.com', relationshipStatus: 'Invited' });
    expect(result.Data).toMatchObject({ RecreatedCount: 1, CreatedCount: 1, InvitedCount: 1, RemovedCount: 0 });

    // and back (rollback)
    await updateMembers(clients, PHYSICAL_ID, props([a, b]), props([changed, b]), ctx('Update'));
    expect(fake.members.get(a.accountId)).toEqual({ email: a.email, relationshipStatus: 'Invited' });
  });

  test('a changed email of a member that accepted (Enabled) changes nothing, with a warning', async () => {
    const [a] = specs(1);
    fake.add(a.accountId, 'Enabled', a.email);
    const logs = captureLogs();
    let result;
    try {
      result = await updateMembers(clients, PHYSICAL_ID, props([{ ...a, email: 'new@example.com' }]), props([a]), ctx('Update'));
    } finally {
      logs.restore();
    }
    expect(calls(DisassociateMemberCommand)).toHaveLength(0);
    expect(calls(CreateMemberCommand)).toHaveLength(0);
    expect(calls(CreateInvitationsCommand)).toHaveLength(0);
    expect(fake.members.get(a.accountId)).toEqual({ email: a.email, relationshipStatus: 'Enabled' });
    expect(result?.Data).toMatchObject({ AdoptedCount: 1 });
    expect(logs.text()).toMatch(/"level":"WARN".*accepted its invitation already.*"accountId":"200000000000"/);
  });

  test('RETAIN: removed accounts stay members; nothing is disassociated or deleted', async () => {
    const oldList = specs(3);
    await createMembers(clients, props(oldList), ctx());
    macie.resetHistory();
    const result = await updateMembers(clients, PHYSICAL_ID, props([oldList[0]], { removalPolicy: 'RETAIN' }), props(oldList), ctx('Update'));
    expect(macie.calls()).toHaveLength(0);
    expect(fake.ids()).toEqual(ids(oldList));
    expect(result.Data).toMatchObject({ MemberCount: 1, RemovedCount: 0, RetainedCount: 2 });
  });

  test('removing a member managed through AWS Organizations leaves it alone', async () => {
    const [a, b] = specs(2);
    fake.add(a.accountId, 'Invited', a.email).add(b.accountId, 'Enabled', null);
    const result = await updateMembers(clients, PHYSICAL_ID, props([a]), props([a, b]), ctx('Update'));
    expect(calls(DisassociateMemberCommand)).toHaveLength(0);
    expect(fake.ids()).toEqual([a.accountId, b.accountId]);
    expect(result.Data).toMatchObject({ OrganizationManagedCount: 1, RemovedCount: 0 });
  });

  test('a failed removal fails the update, naming the account', async () => {
    const [a, b] = specs(2);
    fake.add(a.accountId, 'Invited', a.email).add(b.accountId, 'Enabled', b.email);
    macie.on(DisassociateMemberCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform macie2:DisassociateMember', {}, 403));
    await expect(updateMembers(clients, PHYSICAL_ID, props([a]), props([a, b]), ctx('Update')))
      .rejects.toThrow(/removing 1 of 1 accounts failed: 200000000001 \(AccessDeniedException: User is not authorized/);
  });
});

describe('update: an account moved to another MacieInvitations of the stack', () => {
  test('is not removed when the stack template lists it in the other resource', async () => {
    const [a, b] = specs(2);
    await createMembers(clients, props([a, b]), ctx());
    macie.resetHistory();
    const cfn = mockClient(CloudFormationClient);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'S', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date() }] });
    cfn.on(GetTemplateCommand).resolves({
      TemplateBody: JSON.stringify({ Resources: { Other: { Type: 'Custom::MacieInvitations', Properties: { Members: [{ AccountId: b.accountId, Email: b.email }] } } } }),
    });
    try {
      const cloudformation = new CloudFormationClient({ region: 'us-east-1', maxAttempts: 1 });
      await updateMembers({ ...clients, cloudformation }, PHYSICAL_ID, props([a]), props([a, b]), ctx('Update'));
    } finally {
      cfn.restore();
    }
    expect(idsOf(DeleteMemberCommand)).toEqual([]);
    expect(fake.ids()).toEqual([a.accountId, b.accountId]);
  });
});

describe('delete', () => {
  test('leaves the members that another MacieInvitations resource of the stack lists (a renamed construct)', async () => {
    const members = specs(3);
    await createMembers(clients, props(members), ctx());
    macie.resetHistory();
    const cfn = mockClient(CloudFormationClient);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'S', StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', CreationTime: new Date() }] });
    cfn.on(GetTemplateCommand).resolves({
      TemplateBody: JSON.stringify({
        Resources: { Renamed: { Type: 'Custom::MacieInvitations', Properties: { Members: [{ AccountId: members[1].accountId, Email: members[1].email }] } } },
      }),
    });
    try {
      const cloudformation = new CloudFormationClient({ region: 'us-east-1', maxAttempts: 1 });
      await deleteMembers({ ...clients, cloudformation }, PHYSICAL_ID, props(members), ctx('Delete'));
    } finally {
      cfn.restore();
    }
    expect(idsOf(DeleteMemberCommand)).toEqual([members[0].accountId, members[2].accountId]);
    expect(fake.ids()).toEqual([members[1].accountId]);
  });

  test('disassociates, then deletes, each member of the properties', async () => {
    const members = specs(3);
    await createMembers(clients, props(members), ctx());
    macie.resetHistory();
    await deleteMembers(clients, PHYSICAL_ID, props(members), ctx('Delete'));

    expect(idsOf(DisassociateMemberCommand)).toEqual(ids(members));
    expect(idsOf(DeleteMemberCommand)).toEqual(ids(members));
    const order = macie.calls().map((c) => `${c.args[0].constructor.name}:${(c.args[0].input as { id?: string }).id ?? ''}`);
    for (const m of members) {
      expect(order.indexOf(`DisassociateMemberCommand:${m.accountId}`)).toBeLessThan(order.indexOf(`DeleteMemberCommand:${m.accountId}`));
    }
    expect(fake.ids()).toEqual([]);
  });

  test('unknown, not-found and not-associated members mean already clean', async () => {
    const [a, b, c] = specs(3);
    fake.add(b.accountId, 'Created', b.email).add(c.accountId, 'Invited', c.email);
    macie.on(DisassociateMemberCommand)
      .rejectsOnce(awsError('ValidationException', 'The account is not associated with your account.'))
      .rejectsOnce(awsError('ResourceNotFoundException', 'not found', {}, 404));
    macie.on(DeleteMemberCommand).rejects(awsError('ResourceNotFoundException', 'not found', {}, 404));

    await expect(deleteMembers(clients, PHYSICAL_ID, props([a, b, c]), ctx('Delete'))).resolves.toBeUndefined();
    // a is not a member at all: no call for it
    expect(idsOf(DisassociateMemberCommand)).toEqual([b.accountId, c.accountId]);
    expect(idsOf(DeleteMemberCommand)).toEqual([b.accountId, c.accountId]);
  });

  // one rule on both sides (lambda/macie/service.ts isNotAssociated): the member side's wordings count here too
  test.each([
    'The account was already disassociated.',
    'The account has no administrator account.',
    "The account isn't a member.",
  ])('DisassociateMember answering %j means already clean: the member is still deleted', async (text) => {
    const [a] = specs(1);
    fake.add(a.accountId, 'Invited', a.email);
    macie.on(DisassociateMemberCommand).rejectsOnce(awsError('ValidationException', text));
    await expect(deleteMembers(clients, PHYSICAL_ID, props([a]), ctx('Delete'))).resolves.toBeUndefined();
    expect(idsOf(DeleteMemberCommand)).toEqual([a.accountId]);
  });

  test('DisassociateMember failing for another reason fails the delete, naming the account', async () => {
    const [a] = specs(1);
    fake.add(a.accountId, 'Invited', a.email);
    macie.on(DisassociateMemberCommand).rejects(awsError('ValidationException', 'The request is invalid.'));
    await expect(deleteMembers(clients, PHYSICAL_ID, props([a]), ctx('Delete'))).rejects.toThrow(`${a.accountId} (ValidationException: The request is invalid)`);
    expect(idsOf(DeleteMemberCommand)).toEqual([]);
  });

  test('Macie not enabled means already clean: only GetMacieSession is called', async () => {
    fake.enabled = false;
    await expect(deleteMembers(clients, PHYSICAL_ID, props(specs(2)), ctx('Delete'))).resolves.toBeUndefined();
    expect(macie.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetMacieSessionCommand']);
  });

  test('members managed through AWS Organizations are left alone', async () => {
    const [a, b] = specs(2);
    fake.add(a.accountId, 'Enabled', null).add(b.accountId, 'Enabled', b.email);
    await deleteMembers(clients, PHYSICAL_ID, props([a, b]), ctx('Delete'));
    expect(idsOf(DisassociateMemberCommand)).toEqual([b.accountId]);
    expect(fake.ids()).toEqual([a.accountId]);
  });

  test('RETAIN removes nothing (CloudFormation does not call the handler; if it does, no call is made)', async () => {
    await deleteMembers(clients, PHYSICAL_ID, props(specs(2), { removalPolicy: 'RETAIN' }), ctx('Delete'));
    expect(macie.calls()).toHaveLength(0);
  });

  test('other failures fail the delete, naming each account', async () => {
    const [a, b] = specs(2);
    fake.add(a.accountId, 'Enabled', a.email).add(b.accountId, 'Enabled', b.email);
    macie.on(DeleteMemberCommand).callsFake(async ({ id }) => {
      if (id === b.accountId) throw awsError('ConflictException', 'The member is in use.', {}, 409);
      fake.members.delete(id);
      return {};
    });
    await expect(deleteMembers(clients, PHYSICAL_ID, props([a, b]), ctx('Delete')))
      .rejects.toThrow(/Removing 1 of 2 Macie members failed: 200000000001 \(ConflictException: The member is in use\)/);
    expect(fake.ids()).toEqual([b.accountId]);
  });

  test('a permission error on GetMacieSession fails the delete with a clear message', async () => {
    macie.on(GetMacieSessionCommand).rejects(awsError('AccessDeniedException', 'explicit deny in a service control policy', {}, 403));
    await expect(deleteMembers(clients, PHYSICAL_ID, props(specs(1)), ctx('Delete'))).rejects.toThrow(/macie2:GetMacieSession/);
  });
});

describe('bounded concurrency', () => {
  test('at most 10 CreateMember calls in flight, and no fewer', async () => {
    fake.delayMs = 5;
    await createMembers(clients, props(specs(45)), ctx());
    expect(calls(CreateMemberCommand)).toHaveLength(45);
    expect(fake.maxInFlight).toBe(10);
  });

  test('at most 10 DisassociateMember/DeleteMember calls in flight on delete', async () => {
    const members = specs(30);
    for (const m of members) fake.add(m.accountId, 'Enabled', m.email);
    fake.delayMs = 5;
    await deleteMembers(clients, PHYSICAL_ID, props(members), ctx('Delete'));
    expect(fake.ids()).toEqual([]);
    expect(fake.maxInFlight).toBe(10);
  });
});

describe('1,000 members', () => {
  test('calls per operation for 1,000 new members, and Data under 4,096 bytes', async () => {
    const members = specs(1000);
    const result = await handler(createEvent(rawProps(members, { Message: 'Welcome' })));

    expect(calls(GetMacieSessionCommand)).toHaveLength(1);
    expect(calls(ListMembersCommand)).toHaveLength(1);
    expect(calls(CreateMemberCommand)).toHaveLength(1000);
    expect(invitedBatches().map((b) => b.length)).toEqual(Array(20).fill(50));
    expect(calls(GetMemberCommand)).toHaveLength(0);
    expect(Buffer.byteLength(JSON.stringify(result.Data))).toBeLessThan(4096);
    expect(result.Data).toMatchObject({ MemberCount: 1000, CreatedCount: 1000, InvitedCount: 1000 });

    // the next deployment of the same list reads 40 pages and sends nothing
    macie.resetHistory();
    await createMembers(clients, props(members), ctx());
    expect(calls(ListMembersCommand)).toHaveLength(40);
    expect(calls(CreateMemberCommand)).toHaveLength(0);
    expect(calls(CreateInvitationsCommand)).toHaveLength(0);
  });
});

describe('handler (CloudFormation events)', () => {
  // the stack keeps nothing: the Delete (or the removal) goes ahead (when the stack cannot be read, it keeps)
  let stackMock: ReturnType<typeof mockStackKeepingNothing>;
  beforeEach(() => {
    stackMock = mockStackKeepingNothing();
  });
  afterEach(() => stackMock.restore());

  test('Create, Update and Delete through the exported handler, with CloudFormation\'s string scalars', async () => {
    const [a, b] = specs(2);
    const created = await handler(createEvent(rawProps([a], { DisableEmailNotification: 'true', Message: 'Hi' })));
    expect(created.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(calls(CreateInvitationsCommand)[0].args[0].input).toEqual({ accountIds: [a.accountId], message: 'Hi', disableEmailNotification: true });

    const updated = await handler(updateEvent(PHYSICAL_ID, rawProps([a, b]), rawProps([a])));
    expect(updated.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(fake.ids()).toEqual([a.accountId, b.accountId]);

    const deleted = await handler(deleteEvent(PHYSICAL_ID, rawProps([a, b])));
    expect(deleted.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(fake.ids()).toEqual([]);
  });

  test('a failed Create answers with a user-facing message and leaves nothing behind', async () => {
    fake.unprocessed.set('200000000001', { errorCode: 'ClientError', errorMessage: 'The account is suspended.' });
    await expect(handler(createEvent(rawProps(specs(2))))).rejects.toThrow(/200000000001 \(ClientError: The account is suspended.\)/);
    expect(fake.ids()).toEqual([]);
  });

  test('nothing logged contains an email or the message, also when things fail', async () => {
    const members = specs(3);
    const secret = 'SecretWelcomeText';
    fake.unprocessed.set('200000000002', { errorCode: 'ClientError', errorMessage: 'Invalid email owner2@example.com.' });
    const logs = captureLogs();
    try {
      await handler(createEvent(rawProps(members.slice(0, 2), { Message: secret })));
      const two = rawProps(members.slice(0, 2), { Message: secret });
      await handler(updateEvent(PHYSICAL_ID, rawProps(members, { Message: secret }), two)).catch(() => undefined);
      const changed = rawProps([{ ...members[0], email: 'changed@example.com' }], { Message: secret });
      await handler(updateEvent(PHYSICAL_ID, changed, rawProps(members.slice(0, 2)))).catch(() => undefined);
      await handler(deleteEvent(PHYSICAL_ID, rawProps(members, { Message: secret })));
      await handler(createEvent({ Members: [{ AccountId: '1', Email: 'bad@example.com' }] })).catch(() => undefined);
    } finally {
      logs.restore();
    }
    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    expect(text).toContain('200000000002');
    for (const m of members) expect(text).not.toContain(m.email);
    expect(text).not.toContain('changed@example.com');
    expect(text).not.toContain('bad@example.com');
    expect(text).not.toContain(secret);
    expect(text).not.toMatch(/[a-z0-9]{2,}@example\.com/i);
  });

  test('item 16: an AWS error that echoes the invitation message: the Reason and the logs carry neither the message nor an email', async () => {
    const message = 'Join Acme security 2026';
    macie.on(CreateInvitationsCommand).rejects(awsError('ValidationException',
      `1 validation error detected: Value '${message}' at 'message' failed to satisfy constraint (owner0@example.com)`));
    const logs = captureLogs();
    let reason = '';
    try {
      await handler(createEvent(rawProps(specs(1), { Message: message })));
    } catch (error) {
      reason = (error as Error).message;
    } finally {
      logs.restore();
    }
    expect(reason).toMatch(/CreateInvitations failed with ValidationException: 1 validation error detected: Value '\[redacted\]' at 'message'/);
    expect(reason).not.toContain(message);
    expect(logs.text()).not.toContain(message);
    expect(`${reason}${logs.text()}`).not.toMatch(/owner0@example\.com/);
    expect(macieInvitationsLifecycle.sensitive?.(rawProps(specs(1), { Message: message }))).toEqual([message, 'owner0@example.com']);
  });

  test('properties are validated at deploy time (values from parameters)', () => {
    const ok = rawProps(specs(1));
    expect(() => MACIE_INVITATIONS.parse({ ...ok, Members: [] })).toThrow(/Members is required and must list at least one account/);
    expect(() => MACIE_INVITATIONS.parse({ ...ok, Members: rawProps(specs(1001)).Members })).toThrow(/1001 accounts.*at most 1000/);
    expect(() => MACIE_INVITATIONS.parse({ ...ok, Members: [{ AccountId: '12345', Email: 'a@example.com' }] }))
      .toThrow(/Members\[0\]\.AccountId must be a 12-digit/);
    expect(() => MACIE_INVITATIONS.parse({ ...ok, Members: [{ AccountId: '222222222222', Email: 'owner@example' }] }))
      .toThrow(/Members\[0\]\.Email \(account 222222222222\) must be an email address, got o\*\*\*@example/);
    const twice = [...rawProps(specs(1)).Members as unknown[], ...rawProps(specs(1)).Members as unknown[]];
    expect(() => MACIE_INVITATIONS.parse({ ...ok, Members: twice }))
      .toThrow(/lists account 200000000000 more than once/);
    expect(() => MACIE_INVITATIONS.parse({ ...ok, Message: 'x'.repeat(81) })).toThrow(/Message must be at most 80 characters on one line, got 81/);
    expect(() => MACIE_INVITATIONS.parse({ ...ok, Message: 'a\nb' })).toThrow(/on one line/);
    expect(() => MACIE_INVITATIONS.parse({ ...ok, RemovalPolicy: 'SNAPSHOT' })).toThrow(/RemovalPolicy must be DESTROY or RETAIN, got "SNAPSHOT"/);
    expect(MACIE_INVITATIONS.parse({ ...ok, DisableEmailNotification: 'true', RemovalPolicy: 'RETAIN', Message: 'Hi' })).toEqual({
      members: specs(1), message: 'Hi', disableEmailNotification: true, removalPolicy: 'RETAIN',
    });
    expect(MACIE_INVITATIONS.parse({ Members: ok.Members })).toMatchObject({ disableEmailNotification: false, removalPolicy: 'DESTROY', message: undefined });
  });
});

describe('helpers', () => {
  test('planMember', () => {
    const wanted = { accountId: '222222222222', email: 'Owner@Example.com' };
    const live = (relationshipStatus: string, email: string | null = 'owner@example.com'): Member =>
      ({ accountId: wanted.accountId, email: email ?? undefined, relationshipStatus: relationshipStatus as Member['relationshipStatus'] });
    expect(planMember(wanted, undefined)).toBe('create');
    expect(planMember(wanted, live('Invited'))).toBe('adopt');
    expect(planMember(wanted, live('Enabled'))).toBe('adopt');
    expect(planMember(wanted, live('Paused', 'other@example.com'))).toBe('adopt');
    expect(planMember(wanted, live('Created'))).toBe('invite');
    expect(planMember(wanted, live('EmailVerificationFailed'))).toBe('invite');
    expect(planMember(wanted, live('Invited', 'other@example.com'))).toBe('recreate');
    expect(planMember(wanted, live('Enabled', null))).toBe('organization');
  });

  test('formatFailures groups accounts by error and stays short', () => {
    expect(formatFailures([
      { accountId: '1', error: 'A' }, { accountId: '2', error: 'B' }, { accountId: '3', error: 'A' },
    ])).toBe('1, 3 (A); 2 (B)');
    const many = [...Array(200).keys()].map((i) => ({ accountId: String(200000000000 + i), error: 'ClientError: suspended' }));
    const text = formatFailures(many);
    expect(text.length).toBeLessThan(800);
    expect(text).toMatch(/^200000000000, 200000000001, .*\(ClientError: suspended\); and \d+ more accounts/);
    // every error is named, even when the first one has many accounts
    const mixed = formatFailures([...many, { accountId: '999999999999', error: 'InternalError: later' }]);
    expect(mixed).toMatch(/\(ClientError: suspended\); 999999999999 \(InternalError: later\); and \d+ more accounts/);
  });
});

describe('retries (the SDK\'s standard strategy, from the shared clientConfig)', () => {
  test('the handler\'s client is built with clientConfig: 6 attempts', async () => {
    const { macie: client } = createClients();
    expect(await client.config.maxAttempts()).toBe(6);
    expect(client.config.retryStrategy).toBeDefined();
  });

  test('ThrottlingException (429) and InternalServerException (500) are retried, then the call succeeds', async () => {
    macie.restore();
    const statuses = [429, 500, 200];
    const seen: number[] = [];
    const { macie: base } = createClients();
    const client = new Macie2Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: await base.config.maxAttempts(),
      retryStrategy: await base.config.retryStrategy(),
      requestHandler: {
        handle: async () => {
          const status = statuses[seen.length];
          seen.push(status);
          const errorType = status === 429 ? 'ThrottlingException' : status === 500 ? 'InternalServerException' : undefined;
          return {
            response: {
              statusCode: status,
              reason: undefined,
              headers: { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) },
              body: Buffer.from(errorType ? JSON.stringify({ message: 'try again' }) : JSON.stringify({ status: 'ENABLED' })),
            },
          };
        },
      },
    });
    const session = await client.send(new GetMacieSessionCommand({}));
    expect(session.status).toBe('ENABLED');
    expect(seen).toEqual([429, 500, 200]);
  }, 30_000);
});

/**
 * A mocked stack whose template declares no other resource, for the describe block it is called in: `stackStatus`
 * sets the status DescribeStacks answers.
 */
function mockedStack() {
  let cfn: CfnStub;
  const cloudformation = new CloudFormationClient({ region: 'us-east-1', maxAttempts: 1 });
  beforeAll(() => {
    cfn = mockCfn();
  });
  beforeEach(() => {
    cfn.reset();
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: '{"Resources":{}}' });
  });
  afterAll(() => cfn.restore());
  const stackStatus = (StackStatus: string) =>
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: StackStatus as never, CreationTime: new Date() }] });
  return { cloudformation, stackStatus };
}

describe('Macie disabled after deployment: no rollback gets stuck', () => {
  const { cloudformation, stackStatus } = mockedStack();
  beforeEach(() => {
    fake.enabled = false;
  });

  test('a removal-only update succeeds: there is nothing left to remove, as on delete', async () => {
    const [a, b] = specs(2);
    const result = await updateMembers({ ...clients, cloudformation }, PHYSICAL_ID, props([a]), props([a, b]), ctx('Update'));
    expect(result.Data).toMatchObject({ MemberCount: 1, RemovedCount: 0 });
    expect(macie.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetMacieSessionCommand']);
  });

  test('an update that adds members fails clearly, and its rollback (which removes them again) succeeds', async () => {
    const [a, b] = specs(2);
    stackStatus('UPDATE_IN_PROGRESS');
    await expect(updateMembers({ ...clients, cloudformation }, PHYSICAL_ID, props([a, b]), props([a]), ctx('Update')))
      .rejects.toThrow(/^Amazon Macie is not enabled in account 111111111111 in us-east-1.*Nothing was changed\./);
    stackStatus('UPDATE_ROLLBACK_IN_PROGRESS');
    await expect(updateMembers({ ...clients, cloudformation }, PHYSICAL_ID, props([a]), props([a, b]), ctx('Update'))).resolves.toBeDefined();
    expect(calls(CreateMemberCommand)).toHaveLength(0);
  });

  test('a rollback that would add members back succeeds, and says they were not restored', async () => {
    const [a, b] = specs(2);
    stackStatus('UPDATE_ROLLBACK_IN_PROGRESS');
    const logs = captureLogs();
    try {
      await expect(updateMembers({ ...clients, cloudformation }, PHYSICAL_ID, props([a, b]), props([a]), ctx('Update'))).resolves.toBeDefined();
    } finally {
      logs.restore();
    }
    expect(calls(CreateMemberCommand)).toHaveLength(0);
    expect(logs.text()).toMatch(/"level":"WARN".*rollback cannot restore members.*Enable Macie and deploy again.*200000000001/);
  });
});

describe('the inviter-side rollback rule: a rollback assumes no role and invites no member whose relationship ended', () => {
  const { cloudformation, stackStatus } = mockedStack();

  test('a member that resigned is not invited again, none is accepted; one the update deleted is restored; the rollback succeeds', async () => {
    const [kept, resigned, deleted, added] = specs(4);
    fake.add(kept.accountId, 'Enabled', kept.email).add(resigned.accountId, 'Resigned', resigned.email).add(added.accountId, 'Invited', added.email);
    stackStatus('UPDATE_ROLLBACK_IN_PROGRESS');
    const logs = captureLogs();
    try {
      // no acceptance clients: assuming a role would throw
      const result = await updateMembers({ ...clients, cloudformation }, PHYSICAL_ID,
        props([kept, resigned, deleted], { acceptRoleName: 'MacieAccept' }), props([kept, added], { acceptRoleName: 'MacieAccept' }), ctx('Update'));
      expect(result.Data).toMatchObject({ CreatedCount: 1, InvitedCount: 1, RemovedCount: 1, AcceptedCount: 1 });
    } finally {
      logs.restore();
    }
    expect(invitedBatches()).toEqual([[deleted.accountId]]);
    expect(fake.members.get(resigned.accountId)).toMatchObject({ relationshipStatus: 'Resigned' });
    expect(idsOf(DeleteMemberCommand)).toEqual([added.accountId]);
    expect(logs.text()).toMatch(new RegExp(`"level":"WARN".*rollback: the invitation of the earlier properties ended.*"accountIds":\\["${resigned.accountId}"\\]`));
    expect(logs.text()).toMatch(/"level":"WARN".*rollback: no role is assumed/);
  });

  test('a forward update invites a member that resigned again', async () => {
    const [kept, resigned] = specs(2);
    fake.add(kept.accountId, 'Enabled', kept.email).add(resigned.accountId, 'Resigned', resigned.email);
    stackStatus('UPDATE_IN_PROGRESS');
    await updateMembers({ ...clients, cloudformation }, PHYSICAL_ID, props([kept, resigned]), props([kept]), ctx('Update'));
    expect(invitedBatches()).toEqual([[resigned.accountId]]);
  });
});

describe('renames with token properties: what another resource names through a parameter or an import stays', () => {
  let cfn: CfnStub;
  const cloudformation = new CloudFormationClient({ region: 'us-east-1', maxAttempts: 1 });
  beforeAll(() => {
    cfn = mockCfn();
  });
  const [a, b, c] = specs(3);
  function stack(members: unknown, parameters: Array<{ ParameterKey: string; ParameterValue: string }> = []) {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'LandingZone', StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', CreationTime: new Date(), Parameters: parameters }],
    });
    cfn.on(GetTemplateCommand).resolves({
      TemplateBody: JSON.stringify({ Resources: { Renamed: { Type: 'Custom::MacieInvitations', Properties: { Members: members } } } }),
    });
  }
  beforeEach(() => {
    cfn.reset();
    for (const m of [a, b, c]) fake.add(m.accountId, 'Enabled', m.email);
  });
  afterAll(() => cfn.restore());

  test('a member account from a parameter is resolved: that account stays, the others go', async () => {
    stack([{ AccountId: { Ref: 'MemberAccount' }, Email: { Ref: 'MemberEmail' } }], [
      { ParameterKey: 'MemberAccount', ParameterValue: a.accountId },
      { ParameterKey: 'MemberEmail', ParameterValue: a.email },
    ]);
    await deleteMembers({ ...clients, cloudformation }, PHYSICAL_ID, props([a, b]), ctx('Delete'));
    expect(idsOf(DisassociateMemberCommand)).toEqual([b.accountId]);
  });

  test('a member account from an import cannot be resolved: every member stays, and the log says why', async () => {
    stack([{ AccountId: { 'Fn::ImportValue': 'Shared-AccountId' }, Email: 'x@example.com' }]);
    const logs = captureLogs();
    try {
      await deleteMembers({ ...clients, cloudformation }, PHYSICAL_ID, props([a, b]), ctx('Delete'));
    } finally {
      logs.restore();
    }
    expect(calls(DisassociateMemberCommand)).toHaveLength(0);
    expect(logs.text()).toMatch(/"level":"WARN".*cannot resolve.*"logicalId":"Renamed","intrinsic":"Fn::ImportValue"/);
  });

  test('an update that drops accounts keeps those a resource of the stack names through a parameter', async () => {
    stack([{ AccountId: { Ref: 'Moved' }, Email: 'x@example.com' }], [{ ParameterKey: 'Moved', ParameterValue: b.accountId }]);
    await updateMembers({ ...clients, cloudformation }, PHYSICAL_ID, props([a]), props([a, b, c]), ctx('Update'));
    expect(idsOf(DisassociateMemberCommand)).toEqual([c.accountId]);
  });
});

describe('after a Create that did not finish: only what it can be shown to have made goes', () => {
  const SINCE = new Date(Date.now() - 60_000);
  const OURS = { [OWNER_TAG]: PHYSICAL_ID };

  test('removes members tagged by this resource, not accepted, changed since the Create started; keeps every other', async () => {
    const [accepted, otherResource, untagged, ours, oursBefore, oursAccepted] = specs(6);
    const long = new Date('2026-01-01T00:00:00Z');
    fake
      .add(accepted.accountId, 'Enabled', accepted.email, { updatedAt: long })
      .add(otherResource.accountId, 'Invited', otherResource.email, { tags: { [OWNER_TAG]: 'macie-invitations:us-east-1:0000000000000000' } })
      .add(untagged.accountId, 'Invited', untagged.email)
      .add(ours.accountId, 'Invited', ours.email, { tags: OURS })
      .add(oursBefore.accountId, 'Invited', oursBefore.email, { tags: OURS, updatedAt: long })
      .add(oursAccepted.accountId, 'Enabled', oursAccepted.email, { tags: OURS });
    const all = [accepted, otherResource, untagged, ours, oursBefore, oursAccepted];

    await macieInvitationsLifecycle.abandonedCreate!(clients, props(all), ctx('Delete'), SINCE);

    expect(idsOf(DisassociateMemberCommand)).toEqual([ours.accountId]);
    expect(idsOf(DeleteMemberCommand)).toEqual([ours.accountId]);
    expect(fake.ids()).toEqual(ids(all.filter((m) => m !== ours)));
  });

  test('item 4: with acceptance, what the Create made is removed even when it accepted there; an accepted member it did not invite stays', async () => {
    const [oursAccepted, oursInvited, theirsAccepted, oursBefore, acceptedEarlierInvitation] = specs(5);
    const long = new Date('2026-01-01T00:00:00Z');
    const now = new Date();
    fake
      .add(oursAccepted.accountId, 'Enabled', oursAccepted.email, { tags: OURS, invitedAt: now })
      .add(oursInvited.accountId, 'Invited', oursInvited.email, { tags: OURS, invitedAt: now })
      .add(theirsAccepted.accountId, 'Enabled', theirsAccepted.email, { invitedAt: now })
      .add(oursBefore.accountId, 'Enabled', oursBefore.email, { tags: OURS, updatedAt: long, invitedAt: long })
      // invited by an earlier deployment of this resource, accepted (by its own stack) while this Create ran
      .add(acceptedEarlierInvitation.accountId, 'Enabled', acceptedEarlierInvitation.email, { tags: OURS, invitedAt: long });
    const all = [oursAccepted, oursInvited, theirsAccepted, oursBefore, acceptedEarlierInvitation];

    await macieInvitationsLifecycle.abandonedCreate!(clients, props(all, { acceptRoleName: 'MacieAccept' }), ctx('Delete'), SINCE);

    expect(idsOf(DeleteMemberCommand)).toEqual(ids([oursAccepted, oursInvited]));
    expect(fake.ids()).toEqual(ids([theirsAccepted, oursBefore, acceptedEarlierInvitation]));
    // without acceptance an accepted member never goes
    macie.resetHistory();
    fake.add(oursAccepted.accountId, 'Enabled', oursAccepted.email, { tags: OURS, invitedAt: now });
    await macieInvitationsLifecycle.abandonedCreate!(clients, props([oursAccepted]), ctx('Delete'), SINCE);
    expect(idsOf(DeleteMemberCommand)).toEqual([]);
  });

  test('what may predate the Create (changed or invited within the clock skew of its start) is kept: surelyMadeSince', async () => {
    const [changedAround, invitedAround, surely] = specs(3);
    const around = new Date(SINCE.getTime() - CLOCK_SKEW_MS / 2);
    const after = new Date(SINCE.getTime() + CLOCK_SKEW_MS + 1_000);
    fake
      .add(changedAround.accountId, 'Invited', changedAround.email, { tags: OURS, updatedAt: around })
      // accepted: goes only with acceptance and an invitation surely of this Create
      .add(invitedAround.accountId, 'Enabled', invitedAround.email, { tags: OURS, updatedAt: after, invitedAt: around })
      .add(surely.accountId, 'Invited', surely.email, { tags: OURS, updatedAt: after });
    const all = [changedAround, invitedAround, surely];

    await macieInvitationsLifecycle.abandonedCreate!(clients, props(all, { acceptRoleName: 'MacieAccept' }), ctx('Delete'), SINCE);

    expect(idsOf(DeleteMemberCommand)).toEqual([surely.accountId]);
    expect(fake.ids()).toEqual(ids([changedAround, invitedAround]));
  });

  test('members a Create made before it was cut off are found by their tag and removed', async () => {
    const members = specs(3);
    await createMembers(clients, props(members), ctx());
    macie.resetHistory();
    await macieInvitationsLifecycle.abandonedCreate!(clients, props(members), ctx('Delete'), SINCE);
    expect(idsOf(DeleteMemberCommand)).toEqual(ids(members));
    expect(fake.ids()).toEqual([]);
  });

  test('when the Create\'s start is unknown, nothing is removed, and the log says why', async () => {
    const [a] = specs(1);
    fake.add(a.accountId, 'Invited', a.email, { tags: OURS });
    const logs = captureLogs();
    try {
      await macieInvitationsLifecycle.abandonedCreate!(clients, props([a]), ctx('Delete'), undefined);
    } finally {
      logs.restore();
    }
    expect(macie.calls()).toHaveLength(0);
    expect(logs.text()).toMatch(/"level":"WARN".*start of the unfinished Create is unknown: no member is removed/);
  });

  test('ownsPhysicalId: macie-invitations:<region>:<16 hex> only', () => {
    expect(ownsPhysicalId(PHYSICAL_ID)).toBe(true);
    for (const id of ['cdk-account-invitations:create-timed-out', 'macie-invitations:us-east-1:xyz', 'LandingZone-Members-1A2B3C', '']) {
      expect(ownsPhysicalId(id)).toBe(false);
    }
  });
});

describe('old properties that no longer parse as a whole (parseOld: the member account IDs alone)', () => {
  // the stack keeps nothing: the Delete (or the removal) goes ahead (when the stack cannot be read, it keeps)
  let stackMock: ReturnType<typeof mockStackKeepingNothing>;
  beforeEach(() => {
    stackMock = mockStackKeepingNothing();
  });
  afterEach(() => stackMock.restore());

  test('removed accounts are still removed when the old message or an old email no longer parses', async () => {
    const [a, b] = specs(2);
    await createMembers(clients, props([a, b]), ctx());
    macie.resetHistory();
    const oldRaw = rawProps([a, { ...b, email: 'not-an-email' }], { Message: 'x'.repeat(200) });
    expect(() => MACIE_INVITATIONS.parse(oldRaw)).toThrow();
    await handler(updateEvent(PHYSICAL_ID, rawProps([a]), oldRaw, { ResourceType: 'Custom::MacieInvitations' }));
    expect(idsOf(DisassociateMemberCommand)).toEqual([b.accountId]);
    expect(fake.ids()).toEqual([a.accountId]);
  });

  test('parseOld keeps the account IDs and throws when even they do not parse', () => {
    const [a] = specs(1);
    expect(macieInvitationsLifecycle.parseOld!({ Members: [{ AccountId: a.accountId, Email: 7 }], Message: '\n' }))
      .toEqual({ members: [{ accountId: a.accountId, email: '' }], disableEmailNotification: false, removalPolicy: 'DESTROY' });
    expect(() => macieInvitationsLifecycle.parseOld!({ Members: [{ AccountId: 'nope' }] })).toThrow(/12-digit/);
  });
});

describe('the message length counts characters (code points), not UTF-16 units', () => {
  test('80 emoji are 80 characters (160 UTF-16 units); 81 are too many', () => {
    const [a] = specs(1);
    expect(MACIE_INVITATIONS.parse(rawProps([a], { Message: '\u{1F600}'.repeat(80) })).message).toHaveLength(160);
    expect(() => MACIE_INVITATIONS.parse(rawProps([a], { Message: '\u{1F600}'.repeat(81) }))).toThrow(/at most 80 characters on one line, got 81 characters/);
  });
});
