/**
 * MacieInvitations with `acceptance`: after inviting, the handler assumes the role in each member account and accepts
 * there with the accepter's own function (the shared mechanism, lambda/shared/acceptance.ts, with Macie's adapter).
 * The administrator's Macie is the mocked client; each member's Macie is a fake client of its own (what `assumeRole`
 * hands out for the assumed role), linked to the administrator's state.
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
import { acceptInMembers } from '../lambda/macie/inviter/acceptance';
import { createMembers, updateMembers } from '../lambda/macie/inviter/lifecycle';
import { physicalResourceId } from '../lambda/macie/inviter/ownership';
import { MacieInviterClients, MemberMacieClients } from '../lambda/macie/service';
import { ACCEPT_CONCURRENCY, ACCEPT_WAIT_MS } from '../lambda/shared/acceptance';
import { AssumeRoleError } from '../lambda/shared/assume-role';
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
          case 'DisassociateFromAdministratorAccount':
            if (!m || (m.status !== 'Enabled' && m.status !== 'Paused')) {
              throw awsError('ResourceNotFoundException', 'The account isn\'t associated with an administrator account.', {}, 404);
            }
            m.status = 'Resigned';
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
      assumeRole: (roleName) => async (accountId): Promise<MemberMacieClients> => {
        this.assumed.push({ roleName, accountId });
        if (this.denyAssume.has(accountId)) {
          throw new AssumeRoleError(accountId, roleName, `arn:aws:iam::${accountId}:role/${roleName}`, ADMIN,
            awsError('AccessDenied', 'User is not authorized to perform: sts:AssumeRole', {}, 403));
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

/** The user-facing message of a Create that fails. */
async function failedCreate(members: readonly MacieMemberSpec[]): Promise<string> {
  const error = await createMembers(world.clients(), props(members), ctx()).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InvitationError);
  return (error as Error).message;
}

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

  test('roles that cannot be assumed: nothing is accepted in any account, every such account named, the created members removed again', async () => {
    const members = specs(6);
    world.denyAssume.add('200000000001').add('200000000002');
    world.macieOff.add('200000000003');
    const message = await failedCreate(members);
    // every role is assumed first: a role that cannot be assumed means nothing is tried anywhere
    expect(message).toMatch(/^Nothing was accepted in any of the 6 accounts; 6 of the 6 members created by this deployment were removed again\. /);
    expect(message).toContain(`Assuming role ${ROLE} in accounts 200000000001 and 200000000002 failed with AccessDenied: User is not authorized to perform: sts:AssumeRole.`);
    expect(message).toContain(`Create the role ${ROLE} in accounts 200000000001 and 200000000002 with the accept permissions`);
    expect(message).not.toContain('200000000003');
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(1000);
    expect(world.memberRequests).toEqual([]);
    expect(world.members.size).toBe(0);
    expect(admin.commandCalls(DeleteMemberCommand).map((c) => c.args[0].input.id).sort()).toEqual(members.map((m) => m.accountId));
  });

  test('accept failures (Macie off, AcceptInvitation denied): each account named with what to do; the acceptances made are undone, the created members removed', async () => {
    const members = specs(6);
    world.macieOff.add('200000000003');
    world.denyAccept.add('200000000004');
    const message = await failedCreate(members);
    expect(message).toMatch(/^Nothing stays accepted by this deployment: the acceptance it made in accounts 200000000000, 200000000001, 200000000002 and 200000000005 was undone; 6 of the 6 members created by this deployment were removed again\. /);
    expect(message).toContain(`Accepting through role ${ROLE} in account 200000000003 failed: Amazon Macie is not enabled in account 200000000003 in us-east-1, ` +
      'so that account cannot accept the Macie invitation. Nothing was changed there. Enable Macie in that account and Region');
    expect(message).toContain(`Accepting through role ${ROLE} in account 200000000004 failed: Accepting the Macie invitation inv200000000004 from administrator ${ADMIN} ` +
      'in account 200000000004 in us-east-1 failed with AccessDeniedException: User is not authorized to perform: macie2:AcceptInvitation');
    // the undo: each account this request accepted in left the administrator again, through its role
    expect(world.memberRequests.filter((r) => r.operation === 'DisassociateFromAdministratorAccount')).toHaveLength(4);
    expect(world.members.size).toBe(0);
  });

  test('a member of another administrator: named, nothing accepted there', async () => {
    world.otherAdmin.set('200000000000', '888888888888');
    await expect(createMembers(world.clients(), props(specs(1)), ctx())).rejects.toThrow(
      'Nothing was accepted in account 200000000000; 1 of the 1 members created by this deployment was removed again. Accepting through ' +
        'role MacieAccept in account 200000000000 failed: The account 200000000000 is associated with Macie administrator 888888888888 ' +
        '(relationship Enabled), not with the expected Macie administrator 111111111111. Nothing was changed. An account has one Macie ' +
        'administrator per Region: disassociate that account from its administrator first (its Macie console: Settings, Accounts), or have ' +
        'that administrator remove it, or remove it from members; then deploy again.');
    expect(world.memberRequests.filter((r) => r.operation === 'AcceptInvitation')).toHaveLength(0);
  });
});

describe('update with acceptance', () => {
  test('adding members: only the new ones are accepted; the counts are of every accepted member', async () => {
    const old = specs(2);
    for (const m of old) world.members.set(m.accountId, { email: m.email, status: 'Enabled', invitationId: `inv${m.accountId}` });
    const result = await updateMembers(world.clients(), physicalResourceId(ctx()), props(specs(3)), props(old), ctx('Update'));
    expect(world.assumed.map((a) => a.accountId)).toEqual(['200000000002']);
    expect(result.Data).toMatchObject({ AcceptedCount: 3, EnabledCount: 3 });
  });

  test('a role given on update: every member is accepted', async () => {
    const members = specs(2);
    for (const m of members) world.members.set(m.accountId, { email: m.email, status: 'Invited', invitationId: `inv${m.accountId}` });
    const result = await updateMembers(world.clients(), physicalResourceId(ctx()), props(members), props(members, { acceptRoleName: undefined }), ctx('Update'));
    expect(world.assumed.map((a) => a.accountId)).toEqual(members.map((m) => m.accountId));
    expect(result.Data).toMatchObject({ AcceptedCount: 2, EnabledCount: 2 });
  });

  test('the same role and members: nothing assumed; the counts are still reported, read from the members (item 15)', async () => {
    const members = specs(3);
    world.members.set(members[0].accountId, { email: members[0].email, status: 'Enabled', invitationId: 'inv0' });
    world.members.set(members[1].accountId, { email: members[1].email, status: 'Paused', invitationId: 'inv1' });
    world.members.set(members[2].accountId, { email: members[2].email, status: 'Invited', invitationId: 'inv2' });
    const result = await updateMembers(world.clients(), physicalResourceId(ctx()), props(members), props(members), ctx('Update'));
    expect(world.assumed).toEqual([]);
    expect(result.Data).toMatchObject({ AcceptedCount: 2, EnabledCount: 1 });
    expect(admin.commandCalls(CreateInvitationsCommand)).toHaveLength(0);
  });

  test('without acceptance, no count is reported and nothing is read on a no-op update', async () => {
    const members = specs(2);
    const result = await updateMembers(world.clients(), physicalResourceId(ctx()), props(members, { acceptRoleName: undefined }),
      props(members, { acceptRoleName: undefined }), ctx('Update'));
    expect(result.Data).not.toHaveProperty('AcceptedCount');
    expect(admin.calls()).toHaveLength(0);
  });
});

test('the invitation never shows in the member account: looks until the shared budget, then names the account and says to deploy again', async () => {
  world.members.set('200000000000', { email: 'a@example.com', status: 'Created' });
  let t = 0;
  await expect(acceptInMembers(world.clients(), ROLE, ['200000000000'], [], ctx(), { now: () => t, sleep: async (ms) => { t += ms; } })).rejects.toThrow(
    'Nothing was accepted in account 200000000000. Accepting through role MacieAccept in account 200000000000 failed: No Macie membership ' +
      `invitation from Macie administrator ${ADMIN} reached account 200000000000 within 2 minutes. The invitation sent by this deployment had ` +
      'not reached the invited account yet (it usually does within seconds); deploy again.');
  expect(t).toBe(ACCEPT_WAIT_MS);
});

test('cut off at the deadline: the step stops and throws the abort, reporting no member as failed', async () => {
  world.members.set('200000000000', { email: 'a@example.com', status: 'Invited', invitationId: 'inv200000000000' });
  const controller = new AbortController();
  controller.abort(new Error('deadline'));
  await expect(acceptInMembers(world.clients(), ROLE, ['200000000000'], [], { ...ctx(), signal: controller.signal })).rejects.toThrow('deadline');
  expect(world.status('200000000000')).toBe('Invited');
});

describe('issue 17', () => {
  test('item 4: B had a pending invitation, C\'s role cannot be assumed: nothing is accepted in B, the member made for C is removed', async () => {
    const [b, c] = specs(2);
    world.members.set(b.accountId, { email: b.email, status: 'Invited', invitationId: 'inv-b' });
    world.denyAssume.add(c.accountId);
    await expect(createMembers(world.clients(), props([b, c]), ctx())).rejects.toThrow(
      /^Nothing was accepted in any of the 2 accounts; 1 of the 1 members created by this deployment was removed again\. Assuming role MacieAccept in account 200000000001 failed/);
    expect(world.memberRequests.filter((r) => r.operation === 'AcceptInvitation')).toEqual([]);
    expect(world.status(b.accountId)).toBe('Invited');
    expect(world.status(c.accountId)).toBeUndefined();
  });

  test('item 4: B had a pending invitation, Macie is off in C: B\'s acceptance made by this request is undone', async () => {
    const [b, c] = specs(2);
    world.members.set(b.accountId, { email: b.email, status: 'Invited', invitationId: 'inv-b' });
    world.macieOff.add(c.accountId);
    await expect(createMembers(world.clients(), props([b, c]), ctx())).rejects.toThrow(
      /^Nothing stays accepted by this deployment: the acceptance it made in account 200000000000 was undone; 1 of the 1 members created/);
    expect(world.status(b.accountId)).toBe('Resigned');
  });

  test('item 4: a member that had accepted before is adopted, and stays accepted when another account fails', async () => {
    const [b, c] = specs(2);
    world.members.set(b.accountId, { email: b.email, status: 'Enabled', invitationId: 'inv-b' });
    world.macieOff.add(c.accountId);
    await expect(createMembers(world.clients(), props([b, c]), ctx())).rejects.toThrow(/^Nothing was accepted in any of the 2 accounts/);
    expect(world.status(b.accountId)).toBe('Enabled');
    expect(world.memberRequests.filter((r) => r.operation === 'DisassociateFromAdministratorAccount')).toEqual([]);
  });

  test('item 4: a failed update that adds acceptance leaves no acceptance behind', async () => {
    const members = specs(2);
    for (const m of members) world.members.set(m.accountId, { email: m.email, status: 'Invited', invitationId: `inv${m.accountId}` });
    world.denyAssume.add(members[1].accountId);
    await expect(updateMembers(world.clients(), physicalResourceId(ctx()), props(members), props(members, { acceptRoleName: undefined }), ctx('Update')))
      .rejects.toThrow(/^Nothing was accepted in any of the 2 accounts\. Assuming role MacieAccept in account 200000000001 failed/);
    expect(members.map((m) => world.status(m.accountId))).toEqual(['Invited', 'Invited']);
  });

  test('item 5: adding acceptance while a member has resigned invites it again first, then accepts in every member', async () => {
    const members = specs(3);
    world.members.set(members[0].accountId, { email: members[0].email, status: 'Resigned', invitationId: 'old' });
    world.members.set(members[1].accountId, { email: members[1].email, status: 'Removed', invitationId: 'old' });
    world.members.set(members[2].accountId, { email: members[2].email, status: 'Invited', invitationId: `inv${members[2].accountId}` });
    const result = await updateMembers(world.clients(), physicalResourceId(ctx()), props(members), props(members, { acceptRoleName: undefined }), ctx('Update'));
    const invited = admin.commandCalls(CreateInvitationsCommand).map((c) => c.args[0].input.accountIds);
    expect(invited).toEqual([[members[0].accountId, members[1].accountId]]);
    expect(members.map((m) => world.status(m.accountId))).toEqual(['Enabled', 'Enabled', 'Enabled']);
    expect(result.Data).toMatchObject({ InvitedCount: 2, AdoptedCount: 1, AcceptedCount: 3, EnabledCount: 3 });
  });

  test('item 5: an ended invitation that the new one has not replaced yet is worded for the inviting stack (deploy again)', async () => {
    let t = 0;
    world.members.set('200000000000', { email: 'a@example.com', status: 'Created' });
    const client = world.clients();
    const assume = client.assumeRole!;
    // the member account still shows only the ended invitation
    const clients: MacieInviterClients = {
      ...client,
      assumeRole: (roleName) => async (accountId) => {
        const member = await assume(roleName)(accountId);
        const send = member.macie.send.bind(member.macie) as (command: { constructor: { name: string } }) => Promise<unknown>;
        return {
          macie: {
            send: async (command: { constructor: { name: string } }) => (command.constructor.name === 'ListInvitationsCommand'
              ? { invitations: [{ accountId: ADMIN, invitationId: 'ended-one', relationshipStatus: 'Resigned' }] }
              : send(command)),
            destroy: () => undefined,
          } as unknown as Macie2Client,
        };
      },
    };
    const error = acceptInMembers(clients, ROLE, ['200000000000'], [], ctx(), { now: () => t, sleep: async (ms) => { t += ms; } });
    await expect(error).rejects.toThrow(/\(ended-one\) ended with state Resigned, and no new one arrived within 2 minutes\. This deployment invites every member without an open invitation before accepting, and the new invitation had not reached the account yet .*; deploy again\./);
    await expect(error).rejects.not.toThrow(/deploy the inviting stack/i);
  });
});
