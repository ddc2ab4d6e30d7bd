/**
 * What only the Security Hub handlers do, with a mocked SDK client (aws-sdk-client-mock): batching to 50 accounts per
 * call, UnprocessedAccounts named with their reasons (and the created members removed again), accounts of the
 * administrator's organization, the hub switched off on either side, members made versus adopted on Delete, and the
 * rollback that only restores what its update deleted.
 */
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import {
  AcceptAdministratorInvitationCommand,
  CreateMembersCommand,
  DeleteMembersCommand,
  DescribeHubCommand,
  DisassociateMembersCommand,
  GetAdministratorAccountCommand,
  InviteMembersCommand,
  ListInvitationsCommand,
  ListMembersCommand,
  Member,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, captureLogs, requestContext } from './util/events';
import { acceptInvitation, ensureMemberHubEnabled, lookForInvitation } from '../lambda/securityhub/accept';
import { createMembers, deleteMembers, physicalResourceId, sinceOf, updateMembers } from '../lambda/securityhub/inviter/lifecycle';
import { BATCH_SIZE } from '../lambda/securityhub/inviter/members';
import { Adopted } from '../lambda/shared/accept';
import type { RequestContext } from '../lambda/shared/runtime';
import { SecurityHubInviterProps, SecurityHubMemberSpec } from '../src/private/contract/securityhub';

const hub = mockClient(SecurityHubClient);
const cfn = mockClient(CloudFormationClient);
const clients = {
  securityhub: new SecurityHubClient({ region: 'us-east-1', maxAttempts: 1 }),
  cloudformation: new CloudFormationClient({ region: 'us-east-1', maxAttempts: 1 }),
};
const ctx = (overrides: Partial<RequestContext> = {}) => requestContext('securityhub-invitations', overrides);
const CREATE_STARTED = new Date('2026-12-01T10:00:00Z');
const before = new Date(CREATE_STARTED.getTime() - 60_000);
const after = new Date(CREATE_STARTED.getTime() + 10_000);

const specs = (n: number, start = 0): SecurityHubMemberSpec[] => [...Array(n).keys()].map((i) => ({ accountId: String(200000000000 + start + i) }));
const props = (members: readonly SecurityHubMemberSpec[], extra: Partial<SecurityHubInviterProps> = {}): SecurityHubInviterProps =>
  ({ members, removalPolicy: 'DESTROY', ...extra });

/** The error a promise rejects with (the test fails if it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

/** An administrator's members behind the mocked client. */
function live(members: Member[]): void {
  hub.on(ListMembersCommand).resolves({ Members: members });
}

beforeEach(() => {
  hub.reset();
  cfn.reset();
  hub.on(DescribeHubCommand).resolves({ HubArn: 'arn:aws:securityhub:us-east-1:111111111111:hub/default' });
  live([]);
  hub.on(CreateMembersCommand).resolves({ UnprocessedAccounts: [] });
  hub.on(InviteMembersCommand).resolves({ UnprocessedAccounts: [] });
  hub.on(DisassociateMembersCommand).resolves({});
  hub.on(DeleteMembersCommand).resolves({ UnprocessedAccounts: [] });
  const context = ctx();
  cfn.on(DescribeStackEventsCommand).resolves({
    StackEvents: [{ StackId: context.stackId, StackName: 'S', EventId: '1', LogicalResourceId: context.logicalResourceId, ResourceStatus: 'CREATE_IN_PROGRESS', Timestamp: CREATE_STARTED }],
  });
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'S', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: before }] });
  cfn.on(GetTemplateCommand).resolves({ TemplateBody: '{"Resources":{}}' });
});

describe('SecurityHubInvitations handler', () => {
  test('batches: 120 members are 3 CreateMembers and 3 InviteMembers calls of at most 50 accounts', async () => {
    const response = await createMembers(clients, props(specs(120)), ctx());
    const created = hub.commandCalls(CreateMembersCommand).map((c) => c.args[0].input.AccountDetails!.length);
    const invited = hub.commandCalls(InviteMembersCommand).map((c) => c.args[0].input.AccountIds!.length);
    expect(created.sort()).toEqual([20, 50, 50]);
    expect(invited.sort()).toEqual([20, 50, 50]);
    expect(Math.max(...created, ...invited)).toBeLessThanOrEqual(BATCH_SIZE);
    expect(response.Data).toMatchObject({ MemberCount: 120, CreatedCount: 120, InvitedCount: 120, AdoptedCount: 0 });
    // the physical ID records when CloudFormation began the Create
    expect(sinceOf(response.PhysicalResourceId)).toBe(CREATE_STARTED.getTime());
    expect(hub.commandCalls(ListMembersCommand)[0].args[0].input).toMatchObject({ OnlyAssociated: false });
  });

  test('UnprocessedAccounts: the Create fails naming each account and its reason; the members it created are removed again', async () => {
    hub.on(CreateMembersCommand).resolves({ UnprocessedAccounts: [{ AccountId: '200000000001', ProcessingResult: 'Maximum number of results exceeded' }] });
    hub.on(InviteMembersCommand).resolves({ UnprocessedAccounts: [{ AccountId: '200000000002', ProcessingResult: 'The account is suspended.' }] });
    await expect(createMembers(clients, props(specs(3)), ctx())).rejects.toThrow(
      /200000000001 \(CreateMembers refused it: Maximum number of results exceeded\)/);
    // nothing was invited: the two members it created went again
    expect(hub.commandCalls(InviteMembersCommand)).toHaveLength(0);
    expect(hub.commandCalls(DeleteMembersCommand)[0].args[0].input.AccountIds).toEqual(['200000000000', '200000000002']);

    hub.on(CreateMembersCommand).resolves({ UnprocessedAccounts: [] });
    const error = await failure(createMembers(clients, props(specs(3)), ctx()));
    expect(error.message).toMatch(/Creating the Security Hub members: 1 of 3 accounts failed: 200000000002 \(InviteMembers refused it: The account is suspended\.\)\. 3 of the 3 members created by this deployment were removed again\./);
  });

  test('already a member (seen: "already a member or associated member"): adopted, not a failure', async () => {
    hub.on(CreateMembersCommand).resolves({
      UnprocessedAccounts: [{ AccountId: '200000000000', ProcessingResult: 'The given account ID is already a member or associated member of the current account.' }],
    });
    const response = await createMembers(clients, props(specs(2)), ctx());
    expect(response.Data).toMatchObject({ CreatedCount: 1, InvitedCount: 2 });
  });

  test('an existing member whose status is spelled ENABLED is adopted: no new invitation is sent', async () => {
    live([{ AccountId: '200000000000', MemberStatus: 'ENABLED', AdministratorId: '111111111111' }]);
    await createMembers(clients, props(specs(2)), ctx());
    const invited = hub.commandCalls(InviteMembersCommand).flatMap((c) => c.args[0].input.AccountIds ?? []);
    expect(invited).toEqual(['200000000001']);
  });

  test('an account of the administrator\'s organization: a deploy-time failure saying invitations do not apply and what to use', async () => {
    hub.on(InviteMembersCommand).resolves({
      UnprocessedAccounts: [{ AccountId: '200000000000', ProcessingResult: 'The account is part of the administrator account\'s organization.' }],
    });
    const error = await failure(createMembers(clients, props(specs(1)), ctx()));
    expect(error.message).toContain('200000000000 (InviteMembers refused it (OrganizationAccount): The account is part of the administrator account\'s organization.)');
    expect(error.message).toContain('Invitations do not apply to accounts of the administrator\'s own AWS organization');
    expect(error.message).toContain('delegated administrator');
    // a member the organization's delegated administrator enabled (never invited) is left alone
    live([{ AccountId: '200000000000', MemberStatus: 'Enabled', AdministratorId: '111111111111' }]);
    hub.on(InviteMembersCommand).resolves({ UnprocessedAccounts: [] });
    const response = await createMembers(clients, props(specs(1)), ctx());
    expect(response.Data).toMatchObject({ CreatedCount: 0, InvitedCount: 0 });
  });

  test('hub off in the administrator account: fails before any change, saying how to enable it', async () => {
    hub.on(DescribeHubCommand).rejects(awsError('InvalidAccessException', 'Account 111111111111 is not subscribed to AWS Security Hub', {}, 401));
    const error = await failure(createMembers(clients, props(specs(1)), ctx()));
    expect(error.message).toMatch(/AWS Security Hub is not enabled in account 111111111111 in us-east-1 \(InvalidAccessException\).*AWS::SecurityHub::Hub.*Nothing was changed\./);
    expect(hub.commandCalls(CreateMembersCommand)).toHaveLength(0);
    // Delete with the hub off: nothing to remove, success
    await expect(deleteMembers(clients, physicalResourceId(ctx(), CREATE_STARTED), props(specs(1)), ctx({ requestType: 'Delete' }))).resolves.toBeUndefined();
  });

  test('Delete removes only the members this resource invited (at or after its Create began); adopted ones stay', async () => {
    live([
      { AccountId: '200000000000', MemberStatus: 'Invited', InvitedAt: after },
      { AccountId: '200000000001', MemberStatus: 'Enabled', InvitedAt: before },
      { AccountId: '200000000002', MemberStatus: 'Enabled' },
    ]);
    await deleteMembers(clients, physicalResourceId(ctx(), CREATE_STARTED), props(specs(3)), ctx({ requestType: 'Delete' }));
    expect(hub.commandCalls(DisassociateMembersCommand).map((c) => c.args[0].input.AccountIds)).toEqual([['200000000000']]);
    expect(hub.commandCalls(DeleteMembersCommand).map((c) => c.args[0].input.AccountIds)).toEqual([['200000000000']]);
    // a physical ID without the Create's start: nothing can be told, every member stays, and the log says why
    hub.resetHistory();
    const logs = captureLogs();
    try {
      await deleteMembers(clients, physicalResourceId(ctx(), undefined), props(specs(3)), ctx({ requestType: 'Delete' }));
    } finally {
      logs.restore();
    }
    expect(hub.commandCalls(DisassociateMembersCommand)).toHaveLength(0);
    expect(logs.text()).toContain('which members it invited cannot be told: every member stays');
  });

  test('Delete keeps a member someone else invited between two of this resource\'s operations (adopted by a later Update)', async () => {
    const t = (seconds: number) => new Date(CREATE_STARTED.getTime() + seconds * 1000);
    const context = ctx({ requestType: 'Delete' });
    const event = (seconds: number, status: string) =>
      ({ StackId: context.stackId, StackName: 'S', EventId: String(seconds), LogicalResourceId: context.logicalResourceId, ResourceStatus: status, Timestamp: t(seconds) });
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        event(9000, 'DELETE_IN_PROGRESS'),
        event(5030, 'UPDATE_COMPLETE'), event(5000, 'UPDATE_IN_PROGRESS'),
        event(20, 'CREATE_COMPLETE'), event(0, 'CREATE_IN_PROGRESS'),
      ] as any,
    });
    live([
      { AccountId: '200000000000', MemberStatus: 'Enabled', InvitedAt: t(10) }, // the Create invited it
      { AccountId: '200000000001', MemberStatus: 'Enabled', InvitedAt: t(3000) }, // someone else, adopted by the Update
      { AccountId: '200000000002', MemberStatus: 'Invited', InvitedAt: t(5010) }, // the Update invited it
    ]);
    const logs = captureLogs();
    try {
      await deleteMembers(clients, physicalResourceId(context, CREATE_STARTED), props(specs(3)), context);
    } finally {
      logs.restore();
    }
    expect(hub.commandCalls(DeleteMembersCommand).map((c) => c.args[0].input.AccountIds)).toEqual([['200000000000', '200000000002']]);
    expect(logs.text()).toMatch(/did not invite.*200000000001/);
    // the stack's events cannot be read: every member stays, and the log says why
    hub.resetHistory();
    cfn.on(DescribeStackEventsCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    const again = captureLogs();
    try {
      await deleteMembers(clients, physicalResourceId(context, CREATE_STARTED), props(specs(3)), context);
    } finally {
      again.restore();
    }
    expect(hub.commandCalls(DeleteMembersCommand)).toHaveLength(0);
    expect(again.text()).toContain('which members this resource invited cannot be told: every member stays');
  });

  test('DeleteMembers UnprocessedAccounts fail the Delete naming them; "not a member" is already clean', async () => {
    live([{ AccountId: '200000000000', MemberStatus: 'Invited', InvitedAt: after }, { AccountId: '200000000001', MemberStatus: 'Invited', InvitedAt: after }]);
    hub.on(DeleteMembersCommand).resolves({
      UnprocessedAccounts: [
        { AccountId: '200000000000', ProcessingResult: 'The account is not a member of the administrator account.' },
        { AccountId: '200000000001', ProcessingResult: 'Internal error' },
      ],
    });
    await expect(deleteMembers(clients, physicalResourceId(ctx(), CREATE_STARTED), props(specs(2)), ctx({ requestType: 'Delete' })))
      .rejects.toThrow(/removing 1 of 2 Security Hub members failed: 200000000001 \(DeleteMembers refused it: Internal error\)/);
  });

  test('rollback: restores only a member its update deleted; one that still exists (it left) is not invited again', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'S', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: before }] });
    const physicalId = physicalResourceId(ctx(), CREATE_STARTED);
    // 200000000000 was deleted by the failed update; 200000000001 resigned on its own
    live([{ AccountId: '200000000001', MemberStatus: 'Resigned', InvitedAt: after }]);
    const response = await updateMembers(clients, physicalId, props(specs(2)), props([]), ctx({ requestType: 'Update' }));
    expect(hub.commandCalls(InviteMembersCommand).map((c) => c.args[0].input.AccountIds)).toEqual([['200000000000']]);
    expect(response.PhysicalResourceId).toBe(physicalId);
    // the hub switched off meanwhile: the rollback cannot restore, and succeeds rather than fail like its update
    hub.resetHistory();
    hub.on(DescribeHubCommand).rejects(awsError('InvalidAccessException', 'Account 111111111111 is not subscribed to AWS Security Hub', {}, 401));
    await expect(updateMembers(clients, physicalId, props(specs(2)), props([]), ctx({ requestType: 'Update' }))).resolves.toMatchObject({ PhysicalResourceId: physicalId });
    expect(hub.commandCalls(InviteMembersCommand)).toHaveLength(0);
  });
});

describe('SecurityHubInvitationAccepter: the member side', () => {
  const member = { securityhub: clients.securityhub };
  const memberCtx = { stackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/Member/1' };

  test('accepts only the named administrator\'s invitation; others are never accepted', async () => {
    hub.on(GetAdministratorAccountCommand).resolves({});
    hub.on(ListInvitationsCommand).resolves({
      Invitations: [
        { AccountId: '444444444444', InvitationId: 'other', MemberStatus: 'Invited', InvitedAt: after },
        { AccountId: '111111111111', InvitationId: 'ours', MemberStatus: 'Invited', InvitedAt: before },
      ],
    });
    const sighting = await lookForInvitation(member, '111111111111', memberCtx);
    expect(sighting).toMatchObject({ kind: 'pending', id: 'ours' });
    expect(await lookForInvitation(member, '555555555555', memberCtx)).toEqual({ kind: 'none' });
  });

  test('MemberStatus is a free string: another spelling (INVITED, enabled) is read as the same status', async () => {
    hub.on(GetAdministratorAccountCommand).resolves({});
    hub.on(ListInvitationsCommand).resolves({ Invitations: [{ AccountId: '111111111111', InvitationId: 'ours', MemberStatus: 'INVITED', InvitedAt: before }] });
    expect(await lookForInvitation(member, '111111111111', memberCtx)).toMatchObject({ kind: 'pending', id: 'ours' });
    hub.on(AcceptAdministratorInvitationCommand).rejects(awsError('ResourceNotFoundException', 'Invitation not found', {}, 404));
    hub.on(GetAdministratorAccountCommand).resolves({ Administrator: { AccountId: '111111111111', InvitationId: 'ours', MemberStatus: 'enabled' } });
    expect(await acceptInvitation(member, '111111111111', 'ours', memberCtx)).toBeInstanceOf(Adopted);
  });

  test('hub off in the member account: DescribeHub says InvalidAccessException, the accept fails saying how to enable it', async () => {
    hub.on(DescribeHubCommand).rejects(awsError('InvalidAccessException', 'Account 222222222222 is not subscribed to AWS Security Hub', {}, 401));
    await expect(ensureMemberHubEnabled(member, memberCtx)).rejects.toThrow(
      /not enabled in account 222222222222 in us-east-1 \(InvalidAccessException\).*aws_securityhub\.CfnHub.*enableSecurityHub: true/);
    expect(hub.commandCalls(AcceptAdministratorInvitationCommand)).toHaveLength(0);
  });

  test('an accept that fails although the account is now associated on that invitation is adopted (Delete keeps it)', async () => {
    hub.on(AcceptAdministratorInvitationCommand).rejects(awsError('ResourceNotFoundException', 'Invitation not found', {}, 404));
    hub.on(GetAdministratorAccountCommand).resolves({ Administrator: { AccountId: '111111111111', InvitationId: 'ours', MemberStatus: 'Enabled' } });
    expect(await acceptInvitation(member, '111111111111', 'ours', memberCtx)).toBeInstanceOf(Adopted);
    hub.on(GetAdministratorAccountCommand).resolves({});
    await expect(acceptInvitation(member, '111111111111', 'ours', memberCtx)).rejects.toThrow(/withdrawn or replaced meanwhile/);
  });
});
