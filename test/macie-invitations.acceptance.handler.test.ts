/**
 * MacieInvitations with `acceptance`: after inviting, the handler assumes the role in each member account and accepts
 * there with the accepter's own function. The administrator's Macie is the mocked client; each member's Macie is a
 * fake client of its own (what `inMember` hands out for the assumed role), linked to the administrator's state.
 */
import {
  CreateInvitationsCommand,
  CreateInvitationsCommandInput,
  CreateMemberCommand,
  CreateMemberCommandInput,
  DeleteMemberCommand,
  DisassociateMemberCommand,
  GetMacieSessionCommand,
  ListMembersCommand,
  Macie2Client,
} from '@aws-sdk/client-macie2';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, captureLogs } from './util/events';
import { modelProblems, RecordedRequest } from './util/model';
import { ACCEPT_CONCURRENCY, acceptInMembers } from '../lambda/macie/inviter/acceptance';
import { createMembers, updateMembers } from '../lambda/macie/inviter/lifecycle';
import { physicalResourceId } from '../lambda/macie/inviter/ownership';
import { MacieInviterClients, MemberMacieClients } from '../lambda/macie/service';
import { InvitationError } from '../lambda/shared/errors';
import type { RequestContext } from '../lambda/shared/runtime';
import { MACIE_INVITATIONS, MacieInviterProps, MacieMemberSpec } from '../src/private/contract/macie';

const ADMIN = '111111111111';
const STACK_ID = `arn:aws:cloudformation:us-east-1:${ADMIN}:stack/LandingZone/5b1c4e10-0000-0000-0000-000000000000`;
const ROLE = 'MacieAccept';
const ctx = (requestType: RequestContext['requestType'] = 'Create'): RequestContext => ({
  requestType,
  stackId: STACK_ID,
  logicalResourceId: 'Invitation1A2B3C4D',
  requestId: 'b4e7a7f6-0000-0000-0000-000000000001',
  resourceType: 'Custom::MacieInvitations',
});

const admin = mockClient(Macie2Client);

function specs(n: number, start = 0): MacieMemberSpec[] {
  return [...Array(n).keys()].map((i) => ({ accountId: String(200000000000 + start + i), email: `owner${start + i}@example.com` }));
}
function props(members: readonly MacieMemberSpec[], extra: Partial<MacieInviterProps> = {}): MacieInviterProps {
  return { members, disableEmailNotification: false, removalPolicy: 'DESTROY', acceptRoleName: ROLE, ...extra };
}

/** Both sides: the administrator's members, and per member account its Macie (enabled?) and what it sent. */
class World {
  public readonly members = new Map<string, { email?: string; status: string; invitationId?: string }>();
  /** Member accounts whose Macie is off. */
  public readonly macieOff = new Set<string>();
  /** Member accounts where the role cannot be assumed. */
  public readonly denyAssume = new Set<string>();
  /** Member accounts where AcceptInvitation is denied (the role lacks the permission). */
  public readonly denyAccept = new Set<string>();
  /** Member accounts associated with another administrator. */
  public readonly otherAdmin = new Map<string, string>();
  public readonly assumed: Array<{ roleName: string; accountId: string }> = [];
  public readonly memberRequests: RecordedRequest[] = [];
  public readonly destroyed: string[] = [];
  public inFlight = 0;
  public maxInFlight = 0;
  public delayMs = 0;

  constructor() {
    admin.on(GetMacieSessionCommand).resolves({ status: 'ENABLED' });
    admin.on(ListMembersCommand).callsFake(async () => ({
      members: [...this.members.entries()].map(([accountId, m]) => (
        { accountId, email: m.email, relationshipStatus: m.status as never, updatedAt: new Date() })),
    }));
    admin.on(CreateMemberCommand).callsFake(async (input: CreateMemberCommandInput) => {
      this.members.set(input.account!.accountId!, { email: input.account!.email, status: 'Created' });
      return { arn: 'arn:aws:macie2:us-east-1:111111111111:member/x' };
    });
    admin.on(CreateInvitationsCommand).callsFake(async (input: CreateInvitationsCommandInput) => {
      for (const id of input.accountIds ?? []) {
        const m = this.members.get(id)!;
        m.status = 'Invited';
        m.invitationId = `inv${id}`;
      }
      return { unprocessedAccounts: [] };
    });
    admin.on(DisassociateMemberCommand).callsFake(async ({ id }) => {
      this.members.get(id)!.status = 'Removed';
      return {};
    });
    admin.on(DeleteMemberCommand).callsFake(async ({ id }) => {
      this.members.delete(id);
      return {};
    });
  }

  /** The member side's Macie client of `accountId` (a fake with `send` and `destroy`). */
  memberClient(accountId: string): Macie2Client {
    const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const operation = command.constructor.name.replace(/Command$/, '');
      this.memberRequests.push({ operation, input: command.input });
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
        if (this.macieOff.has(accountId)) throw awsError('AccessDeniedException', 'Macie is not enabled.', {}, 403);
        const m = this.members.get(accountId);
        switch (operation) {
          case 'GetMacieSession':
            return { status: 'ENABLED' };
          case 'GetAdministratorAccount': {
            const other = this.otherAdmin.get(accountId);
            if (other) return { administrator: { accountId: other, invitationId: 'x', relationshipStatus: 'Enabled' } };
            return m && (m.status === 'Enabled' || m.status === 'Paused') ? { administrator: { accountId: ADMIN, invitationId: m.invitationId, relationshipStatus: m.status } } : {};
          }
          case 'ListInvitations':
            return { invitations: m?.status === 'Invited' ? [{ accountId: ADMIN, invitationId: m.invitationId, relationshipStatus: 'Invited', invitedAt: new Date() }] : [] };
          case 'AcceptInvitation':
            if (this.denyAccept.has(accountId)) throw awsError('AccessDeniedException', 'User is not authorized to perform: macie2:AcceptInvitation', {}, 403);
            m!.status = 'Enabled';
            return {};
          default:
            throw new Error(`unexpected ${operation}`);
        }
      } finally {
        this.inFlight--;
      }
    };
    return { send, destroy: () => this.destroyed.push(accountId) } as unknown as Macie2Client;
  }

  clients(): MacieInviterClients {
    return {
      macie: new Macie2Client({ region: 'us-east-1', maxAttempts: 1 }),
      inMember: (roleName) => async (accountId): Promise<MemberMacieClients> => {
        this.assumed.push({ roleName, accountId });
        if (this.denyAssume.has(accountId)) {
          throw new InvitationError(`Assuming role ${roleName} in account ${accountId} failed with AccessDenied: not authorized to perform sts:AssumeRole.`,
            { cause: awsError('AccessDenied', 'User is not authorized to perform: sts:AssumeRole', {}, 403) });
        }
        return { macie: this.memberClient(accountId) };
      },
    };
  }

  status(accountId: string): string | undefined {
    return this.members.get(accountId)?.status;
  }
}

let world: World;
let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  admin.reset();
  world = new World();
  logs = captureLogs();
});
afterEach(() => {
  logs.restore();
  // the member-side requests satisfy the Macie model
  expect(modelProblems('macie2', world.memberRequests)).toEqual([]);
});

test('parse: AcceptRoleName is optional and must be a role name', () => {
  const raw = { Members: [{ AccountId: '200000000000', Email: 'a@example.com' }] };
  expect(MACIE_INVITATIONS.parse(raw).acceptRoleName).toBeUndefined();
  expect(MACIE_INVITATIONS.parse({ ...raw, AcceptRoleName: ROLE }).acceptRoleName).toBe(ROLE);
  expect(() => MACIE_INVITATIONS.parse({ ...raw, AcceptRoleName: 'a/b' })).toThrow('AcceptRoleName must be an IAM role name (1 to 64 letters, digits and +=,.@_-, no path), got "a/b".');
});

describe('create with acceptance', () => {
  test('invites, then assumes the role in each member and accepts there: members Enabled, counts in Data', async () => {
    const members = specs(3);
    const result = await createMembers(world.clients(), props(members), ctx());
    expect(world.assumed).toEqual(members.map((m) => ({ roleName: ROLE, accountId: m.accountId })));
    expect(members.map((m) => world.status(m.accountId))).toEqual(['Enabled', 'Enabled', 'Enabled']);
    expect(world.memberRequests.filter((r) => r.operation === 'AcceptInvitation').map((r) => r.input)).toEqual(
      members.map((m) => ({ administratorAccountId: ADMIN, invitationId: `inv${m.accountId}` })));
    expect(result.Data).toMatchObject({ MemberCount: 3, InvitedCount: 3, AcceptedCount: 3, EnabledCount: 3 });
    // each member's client is released after use
    expect(world.destroyed.sort()).toEqual(members.map((m) => m.accountId));
    // nothing about credentials in the logs
    expect(logs.text()).not.toMatch(/secret|sessionToken|AccessKey/i);
  });

  test('without a role: no member account is touched, no acceptance counts', async () => {
    const result = await createMembers(world.clients(), props(specs(2), { acceptRoleName: undefined }), ctx());
    expect(world.assumed).toEqual([]);
    expect(result.Data).not.toHaveProperty('AcceptedCount');
  });

  test('a member that already accepted is adopted (no AcceptInvitation); one managed by Organizations is skipped', async () => {
    world.members.set('200000000000', { email: 'owner0@example.com', status: 'Enabled', invitationId: 'old' });
    world.members.set('200000000001', { status: 'Enabled' });
    const result = await createMembers(world.clients(), props(specs(3)), ctx());
    expect(world.assumed.map((a) => a.accountId)).toEqual(['200000000000', '200000000002']);
    expect(world.memberRequests.filter((r) => r.operation === 'AcceptInvitation')).toHaveLength(1);
    expect(result.Data).toMatchObject({ AcceptedCount: 2, EnabledCount: 2, OrganizationManagedCount: 1 });
  });

  test(`bounded concurrency: at most ${ACCEPT_CONCURRENCY} member accounts at once, every member accepted`, async () => {
    world.delayMs = 5;
    const members = specs(35);
    const result = await createMembers(world.clients(), props(members), ctx());
    expect(world.maxInFlight).toBeLessThanOrEqual(ACCEPT_CONCURRENCY);
    expect(world.maxInFlight).toBeGreaterThan(1);
    expect(result.Data).toMatchObject({ AcceptedCount: 35, EnabledCount: 35 });
  });

  test('failures: every failed account is named, grouped by reason; the members created are removed again', async () => {
    const members = specs(6);
    world.denyAssume.add('200000000001').add('200000000002');
    world.macieOff.add('200000000003');
    world.denyAccept.add('200000000004');
    let error: Error | undefined;
    try {
      await createMembers(world.clients(), props(members), ctx());
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(InvitationError);
    const message = error!.message;
    expect(message).toMatch(/^Accepting the Macie invitations in the member accounts \(role MacieAccept\): 4 of 6 accounts failed: /);
    expect(message).toContain('200000000001, 200000000002 (the role cannot be assumed (AccessDenied: User is not authorized to perform: sts:AssumeRole))');
    expect(message).toContain('200000000003 (Macie is not enabled in the member account)');
    expect(message).toContain('200000000004 (AccessDeniedException: User is not authorized to perform: macie2:AcceptInvitation)');
    expect(message).toContain('6 of the 6 members created by this deployment were removed again.');
    expect(message).toContain(`Create role ${ROLE} in each account named here`);
    expect(message).toContain(`Role ${ROLE} needs macie2:GetMacieSession, GetAdministratorAccount, ListInvitations, AcceptInvitation.`);
    expect(message).toContain('Enable Macie in each member account named here');
    expect(message.length).toBeLessThanOrEqual(1400);
    // the compensation ends the acceptances made in this Create too: no member is left
    expect(world.members.size).toBe(0);
    expect(admin.commandCalls(DeleteMemberCommand).map((c) => c.args[0].input.id).sort()).toEqual(members.map((m) => m.accountId));
  });

  test('a member of another administrator: named, nothing accepted there', async () => {
    world.otherAdmin.set('200000000000', '888888888888');
    await expect(createMembers(world.clients(), props(specs(1)), ctx())).rejects.toThrow(
      /200000000000 \(The account is associated with Macie administrator 888888888888 \(relationship Enabled\), not with the expected Macie administrator 111111111111\)/);
    expect(world.memberRequests.filter((r) => r.operation === 'AcceptInvitation')).toHaveLength(0);
  });
});

describe('update with acceptance', () => {
  test('adding members: only the new ones are accepted', async () => {
    const old = specs(2);
    for (const m of old) world.members.set(m.accountId, { email: m.email, status: 'Enabled', invitationId: `inv${m.accountId}` });
    const result = await updateMembers(world.clients(), physicalResourceId(ctx()), props(specs(3)), props(old), ctx('Update'));
    expect(world.assumed.map((a) => a.accountId)).toEqual(['200000000002']);
    expect(result.Data).toMatchObject({ AcceptedCount: 1, EnabledCount: 1 });
  });

  test('a role given on update: every member is accepted', async () => {
    const members = specs(2);
    for (const m of members) world.members.set(m.accountId, { email: m.email, status: 'Invited', invitationId: `inv${m.accountId}` });
    const result = await updateMembers(world.clients(), physicalResourceId(ctx()), props(members), props(members, { acceptRoleName: undefined }), ctx('Update'));
    expect(world.assumed.map((a) => a.accountId)).toEqual(members.map((m) => m.accountId));
    expect(result.Data).toMatchObject({ AcceptedCount: 2, EnabledCount: 2 });
  });

  test('the same role and members: nothing assumed', async () => {
    const members = specs(2);
    await updateMembers(world.clients(), physicalResourceId(ctx()), props(members), props(members), ctx('Update'));
    expect(world.assumed).toEqual([]);
  });
});

test('the invitation never shows in the member account: looks until the budget, then names the account', async () => {
  world.members.set('200000000000', { email: 'a@example.com', status: 'Created' });
  let t = 0;
  const outcome = await acceptInMembers(world.clients(), ROLE, ['200000000000'], ctx(), { now: () => t, sleep: async (ms) => { t += ms; } });
  expect(outcome.accepted).toEqual([]);
  expect(outcome.failures).toEqual([{
    accountId: '200000000000',
    error: 'No Macie membership invitation from Macie administrator 111111111111 reached the account within 30 seconds',
    code: 'NotAccepted',
  }]);
  expect(t).toBe(30_000);
});

test('cut off at the deadline: the step stops and throws the abort, reporting no member as failed', async () => {
  world.members.set('200000000000', { email: 'a@example.com', status: 'Invited', invitationId: 'inv200000000000' });
  const controller = new AbortController();
  controller.abort(new Error('deadline'));
  await expect(acceptInMembers(world.clients(), ROLE, ['200000000000'], { ...ctx(), signal: controller.signal })).rejects.toThrow('deadline');
  expect(world.status('200000000000')).toBe('Invited');
});
