/**
 * OrgInvitation's one-stack acceptance (handler side): after inviting, accept in the invited account through a role
 * there; a failure names the account and the role, and a Create cancels the invitation it sent.
 * Two client instances, each mocked on its own: the management account's and the invited account's (assumed role).
 */
import { CloudFormationClient, DescribeStacksCommand, StackStatus } from '@aws-sdk/client-cloudformation';
import {
  AcceptHandshakeCommand,
  CancelHandshakeCommand,
  DescribeAccountCommand,
  DescribeHandshakeCommand,
  DescribeOrganizationCommand,
  Handshake,
  InviteAccountToOrganizationCommand,
  ListHandshakesForAccountCommand,
  ListHandshakesForOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, captureLogs } from './util/events';
import { expectModelValidRequests } from './util/model';
import { OrgClients, orgInvitationLifecycle, ownsPhysicalId } from '../lambda/organizations/inviter/lifecycle';
import type { InvitedAccountClients } from '../lambda/organizations/service';
import { MAX_FAILURE_BYTES } from '../lambda/shared/acceptance';
import { AssumeRoleError } from '../lambda/shared/assume-role';
import { InvitationError } from '../lambda/shared/errors';
import { ORG_INVITATION, OrgInvitationProps } from '../src/private/contract/organizations';

const MGMT = '111111111111';
const MEMBER = '222222222222';
const ORG = 'o-exampleorg11';
const H = 'h-abcdef1234';
const parseProps = ORG_INVITATION.parse;

const mgmtClient = new OrganizationsClient({ region: 'us-east-1', maxAttempts: 1 });
const memberClient = new OrganizationsClient({ region: 'us-east-1', maxAttempts: 1 });
const mgmt = mockClient(mgmtClient);
const member = mockClient(memberClient);

const assumed: Array<{ roleName: string; accountId: string }> = [];
let assumeError: Error | undefined;
/** How often the invited account's clients were released (destroyed) after use. */
let released = 0;
const clients: OrgClients = {
  organizations: mgmtClient,
  assumeRole: (roleName) => async (accountId): Promise<InvitedAccountClients> => {
    assumed.push({ roleName, accountId });
    if (assumeError) throw assumeError;
    // the mocked client itself, with a destroy that counts (destroying it would end the mock)
    return { organizations: new Proxy(memberClient, { get: (t, p, r) => (p === 'destroy' ? () => { released++; } : Reflect.get(t, p, r)) }) };
  },
};

const PROPS: OrgInvitationProps = { targetId: MEMBER, targetType: 'ACCOUNT', tags: {}, acceptRoleName: 'Accept' };
const CTX = {
  requestType: 'Create' as const,
  stackId: `arn:aws:cloudformation:us-east-1:${MGMT}:stack/Mgmt/x`,
  logicalResourceId: 'Invite',
  requestId: 'r',
  resourceType: 'Custom::OrgInvitation',
};

function invite(id: string, state: string): Handshake {
  return {
    Id: id,
    Arn: `arn:aws:organizations::${MGMT}:handshake/${ORG}/invite/${id}`,
    Action: 'INVITE',
    State: state as Handshake['State'],
    Parties: [{ Id: ORG, Type: 'ORGANIZATION' }, { Id: MEMBER, Type: 'ACCOUNT' }],
    Resources: [{ Type: 'ACCOUNT', Value: MEMBER }],
  };
}

beforeAll(() => {
  // the wait's first looks come fast (the role path waits for its own invitation to reach the invited account)
  process.env.CDK_ACCOUNT_INVITATIONS_POLL_FIRST_MS = '5';
  process.env.CDK_ACCOUNT_INVITATIONS_POLL_MAX_MS = '20';
});
afterAll(() => {
  delete process.env.CDK_ACCOUNT_INVITATIONS_POLL_FIRST_MS;
  delete process.env.CDK_ACCOUNT_INVITATIONS_POLL_MAX_MS;
});

beforeEach(() => {
  mgmt.reset();
  member.reset();
  assumed.length = 0;
  assumeError = undefined;
  released = 0;
  mgmt.on(ListHandshakesForOrganizationCommand).resolves({ Handshakes: [] });
  mgmt.on(InviteAccountToOrganizationCommand).resolves({ Handshake: invite(H, 'OPEN') });
  mgmt.on(DescribeHandshakeCommand).resolves({ Handshake: invite(H, 'OPEN') });
  mgmt.on(CancelHandshakeCommand).resolves({ Handshake: invite(H, 'CANCELED') });
  member.on(DescribeOrganizationCommand).rejects(awsError('AWSOrganizationsNotInUseException', 'not in an organization'));
  member.on(DescribeHandshakeCommand).resolves({ Handshake: invite(H, 'OPEN') });
  member.on(AcceptHandshakeCommand).resolves({ Handshake: invite(H, 'ACCEPTED') });
});

function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(() => new Error('no failure'), (e: Error) => e);
}

describe('create with acceptance', () => {
  test('invites, assumes the role in the invited account, accepts exactly that handshake, and reports ACCEPTED', async () => {
    const result = await orgInvitationLifecycle.create(clients, PROPS, CTX);

    expect(result).toEqual({
      PhysicalResourceId: H,
      Data: { HandshakeId: H, HandshakeArn: invite(H, 'OPEN').Arn, HandshakeState: 'ACCEPTED', Adopted: false },
    });
    expect(assumed).toEqual([{ roleName: 'Accept', accountId: MEMBER }]);
    // the accept happens in the invited account (its client), never with the management account's
    expect(member.commandCalls(AcceptHandshakeCommand).map((c) => c.args[0].input)).toEqual([{ HandshakeId: H }]);
    expect(mgmt.commandCalls(AcceptHandshakeCommand)).toHaveLength(0);
    // the given handshake is described, not searched for among other organizations' invitations
    expect(member.commandCalls(ListHandshakesForAccountCommand)).toHaveLength(0);
    expect(mgmt.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
    expectModelValidRequests(mgmt, 'organizations');
    expectModelValidRequests(member, 'organizations');
  });

  test('waits for its invitation to become visible in the invited account', async () => {
    member.on(DescribeHandshakeCommand)
      .rejectsOnce(awsError('HandshakeNotFoundException', 'not found'))
      .rejectsOnce(awsError('HandshakeNotFoundException', 'not found'))
      .resolves({ Handshake: invite(H, 'OPEN') });
    const result = await orgInvitationLifecycle.create(clients, PROPS, CTX);
    expect(result.Data?.HandshakeState).toBe('ACCEPTED');
    expect(member.commandCalls(DescribeHandshakeCommand)).toHaveLength(3);
  });

  test('an invitation that never becomes visible in the invited account: says so (not "deploy the inviting stack first"); canceled', async () => {
    process.env.CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS = '50';
    try {
      member.on(DescribeHandshakeCommand).rejects(awsError('HandshakeNotFoundException', 'not found'));
      const error = await failure(orgInvitationLifecycle.create(clients, PROPS, CTX));
      expect(error.message).toMatch(new RegExp(`^Nothing was accepted in account 222222222222; the invitation ${H} this deployment sent was canceled\\. ` +
        'Accepting through role Accept in account 222222222222 failed: No AWS Organizations invitation from management account 111111111111 ' +
        'reached account 222222222222 within 0 seconds\\. The invitation sent by this deployment had not reached the invited account yet.*deploy again\\.$'));
      expect(error.message).not.toMatch(/inviting stack first/);
      expect(mgmt.commandCalls(CancelHandshakeCommand)).toHaveLength(1);
    } finally {
      delete process.env.CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS;
    }
  });

  test('an invited account that is already in the organization (HandshakeAlreadyInState after accepting elsewhere) is success', async () => {
    member.on(AcceptHandshakeCommand).rejects(awsError('HandshakeAlreadyInStateException', 'already accepted'));
    member.on(DescribeOrganizationCommand)
      .rejectsOnce(awsError('AWSOrganizationsNotInUseException', 'no'))
      .resolves({ Organization: { Id: ORG, MasterAccountId: MGMT } });
    expect((await orgInvitationLifecycle.create(clients, PROPS, CTX)).Data?.HandshakeState).toBe('ACCEPTED');
  });

  test('a role that cannot be assumed: the failure names the account and the role, and the invitation it sent is canceled', async () => {
    assumeError = new AssumeRoleError(MEMBER, 'Accept', `arn:aws:iam::${MEMBER}:role/Accept`, MGMT, awsError('AccessDenied', 'not authorized', {}, 403));
    const error = await failure(orgInvitationLifecycle.create(clients, PROPS, CTX));

    expect(error).toBeInstanceOf(InvitationError);
    // the outcome first, then the account, the role, the AWS error code and what to do
    expect(error.message).toMatch(new RegExp(`^Nothing was accepted in account ${MEMBER}; the invitation ${H} this deployment sent was canceled\\. ` +
      `Assuming role Accept in account ${MEMBER} failed with AccessDenied: not authorized\\. Create the role Accept in account ${MEMBER}`));
    expect(mgmt.commandCalls(CancelHandshakeCommand).map((c) => c.args[0].input)).toEqual([{ HandshakeId: H }]);
    expect(member.calls()).toHaveLength(0);
  });

  test('a role without organizations:AcceptHandshake: the failure says what the role needs; the invitation is canceled', async () => {
    member.on(AcceptHandshakeCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform organizations:AcceptHandshake'));
    const error = await failure(orgInvitationLifecycle.create(clients, PROPS, CTX));
    expect(error.message).toContain(`failed with AccessDeniedException: not authorized to perform organizations:AcceptHandshake. Role Accept in account ${MEMBER} needs organizations:AcceptHandshake`);
    expect(error.message).toMatch(new RegExp(`^Nothing was accepted in account ${MEMBER}; the invitation ${H} this deployment sent was canceled\\.`));
    expect(mgmt.commandCalls(CancelHandshakeCommand)).toHaveLength(1);
  });

  test('a role without iam:CreateServiceLinkedRole: the failure names it and the role', async () => {
    member.on(AcceptHandshakeCommand).rejects(awsError('AccessDeniedForDependencyException', 'no SLR', { Reason: 'ACCESS_DENIED_DURING_CREATE_SERVICE_LINKED_ROLE' }));
    const error = await failure(orgInvitationLifecycle.create(clients, PROPS, CTX));
    expect(error.message).toMatch(/AccessDeniedForDependencyException \(ACCESS_DENIED_DURING_CREATE_SERVICE_LINKED_ROLE\).*Allow role Accept in account 222222222222 iam:CreateServiceLinkedRole/);
  });

  test('reads denied to the role: the failure lists the read actions the role needs', async () => {
    member.on(DescribeOrganizationCommand).rejects(awsError('AccessDeniedException', 'denied'));
    const error = await failure(orgInvitationLifecycle.create(clients, PROPS, CTX));
    expect(error.message).toMatch(/Role Accept in account 222222222222 needs organizations:DescribeOrganization, ListHandshakesForAccount and DescribeHandshake/);
  });

  test('an adopted open invitation (not sent by this request) is kept when accepting fails', async () => {
    mgmt.on(ListHandshakesForOrganizationCommand).resolves({ Handshakes: [invite(H, 'OPEN')] });
    assumeError = new InvitationError('Assuming role Accept failed.');
    const error = await failure(orgInvitationLifecycle.create(clients, PROPS, CTX));
    expect(error.message).toMatch(new RegExp(`^Nothing was accepted in account ${MEMBER}; invitation ${H} stays open: accept it in account ${MEMBER}, or fix the role and deploy again\\.`));
    expect(mgmt.commandCalls(InviteAccountToOrganizationCommand)).toHaveLength(0);
    expect(mgmt.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
  });

  test('a cancel that fails too is said in the message; the accept failure is still the one reported', async () => {
    assumeError = new InvitationError('Assuming role Accept failed.');
    mgmt.on(CancelHandshakeCommand).rejects(awsError('ServiceException', 'boom', {}, 500));
    const error = await failure(orgInvitationLifecycle.create(clients, PROPS, CTX));
    expect(error.message).toMatch(/^Nothing was accepted in account 222222222222; the invitation h-abcdef1234 this deployment sent could not be canceled: cancel it in the AWS Organizations console\. Assuming role Accept in account 222222222222 failed/);
  });

  test('an account already in the organization needs no acceptance: no role is assumed', async () => {
    mgmt.on(InviteAccountToOrganizationCommand).rejects(awsError('HandshakeConstraintViolationException', 'in org', { Reason: 'ALREADY_IN_AN_ORGANIZATION' }));
    mgmt.on(DescribeAccountCommand).resolves({ Account: { Id: MEMBER } });
    const result = await orgInvitationLifecycle.create(clients, PROPS, CTX);
    expect(result.Data?.HandshakeState).toBe('ALREADY_MEMBER');
    expect(assumed).toEqual([]);
  });

  test('without AcceptRoleName nothing is assumed and the handshake stays OPEN', async () => {
    const result = await orgInvitationLifecycle.create(clients, { ...PROPS, acceptRoleName: undefined }, CTX);
    expect(result.Data?.HandshakeState).toBe('OPEN');
    expect(assumed).toEqual([]);
  });

  test('logs name the account and role, never credentials', async () => {
    const logs = captureLogs();
    try {
      await orgInvitationLifecycle.create(clients, PROPS, CTX);
    } finally {
      logs.restore();
    }
    expect(logs.text()).toContain('accepted in the invited account through the role');
    expect(logs.text()).not.toMatch(/SecretAccessKey|SessionToken|ASIA/);
  });
});

describe('update with acceptance', () => {
  test('an open invitation of the resource is accepted when acceptance is added; a failure then keeps it (this request did not send it)', async () => {
    const old = { ...PROPS, acceptRoleName: undefined };
    const ok = await orgInvitationLifecycle.update(clients, H, PROPS, old, { ...CTX, requestType: 'Update' });
    expect(ok.Data?.HandshakeState).toBe('ACCEPTED');
    expect(mgmt.commandCalls(InviteAccountToOrganizationCommand)).toHaveLength(0);

    assumeError = new InvitationError('Assuming role Accept failed.');
    const error = await failure(orgInvitationLifecycle.update(clients, H, PROPS, old, { ...CTX, requestType: 'Update' }));
    expect(error.message).toContain(`invitation ${H} stays open`);
    expect(mgmt.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
  });

  test('an update that invites a new target cancels that new invitation when accepting fails', async () => {
    const old: OrgInvitationProps = { targetId: '333333333333', targetType: 'ACCOUNT', tags: {} };
    assumeError = new InvitationError('Assuming role Accept failed.');
    const error = await failure(orgInvitationLifecycle.update(clients, 'h-oldhandshake1', PROPS, old, { ...CTX, requestType: 'Update' }));
    expect(error.message).toContain(`the invitation ${H} this deployment sent was canceled.`);
    expect(mgmt.commandCalls(CancelHandshakeCommand).map((c) => c.args[0].input)).toEqual([{ HandshakeId: H }]);
  });

  test('an accepted invitation is left as it is: no role assumed', async () => {
    mgmt.on(DescribeHandshakeCommand).resolves({ Handshake: invite(H, 'ACCEPTED') });
    const result = await orgInvitationLifecycle.update(clients, H, PROPS, PROPS, { ...CTX, requestType: 'Update' });
    expect(result.Data?.HandshakeState).toBe('ACCEPTED');
    expect(assumed).toEqual([]);
  });
});

// issue 17 item 13 (Org part): the shared mechanism releases what it assumed
describe('the invited account\'s clients', () => {
  test('are released after the acceptance, whether it succeeded or failed', async () => {
    await orgInvitationLifecycle.create(clients, PROPS, CTX);
    expect(released).toBe(1);
    member.on(AcceptHandshakeCommand).rejects(awsError('AccessDeniedException', 'no'));
    await failure(orgInvitationLifecycle.create(clients, PROPS, CTX));
    expect(released).toBe(2);
  });
});

// issue 17 item 8
describe('a long AWS message', () => {
  test('the Reason says first that the invitation was canceled, and fits what CloudFormation shows', async () => {
    member.on(AcceptHandshakeCommand).rejects(awsError('ConstraintViolationException', `denied: ${'x'.repeat(3_000)}`, { Reason: 'POLICY' }));
    const error = await failure(orgInvitationLifecycle.create(clients, PROPS, CTX));
    expect(error.message.startsWith(`Nothing was accepted in account ${MEMBER}; the invitation ${H} this deployment sent was canceled.`)).toBe(true);
    expect(Buffer.byteLength(error.message)).toBeLessThanOrEqual(MAX_FAILURE_BYTES);
    expect(mgmt.commandCalls(CancelHandshakeCommand)).toHaveLength(1);
  });
});

// issue 17 item 3
describe('a rollback', () => {
  const cfn = mockClient(CloudFormationClient);
  const withStack: OrgClients = { ...clients, cloudformation: new CloudFormationClient({ region: 'us-east-1', maxAttempts: 1 }) };
  const UPDATE = { ...CTX, requestType: 'Update' as const };
  const stackIn = (status: string) => cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'Mgmt', StackStatus: status as StackStatus, CreationTime: new Date() }],
  });
  beforeEach(() => cfn.reset());
  afterAll(() => cfn.restore());

  test.each(['EXPIRED', 'CANCELED'])('of an update whose invitation is %s: no invitation, no role; the old physical ID, with a warning', async (state) => {
    stackIn('UPDATE_ROLLBACK_IN_PROGRESS');
    mgmt.on(DescribeHandshakeCommand).resolves({ Handshake: invite(H, state) });
    const logs = captureLogs();
    let result;
    try {
      result = await orgInvitationLifecycle.update(withStack, H, PROPS, { ...PROPS, notes: 'newer' }, UPDATE);
    } finally {
      logs.restore();
    }
    expect(result).toEqual({
      PhysicalResourceId: H,
      Data: { HandshakeId: H, HandshakeArn: invite(H, state).Arn, HandshakeState: state, Adopted: false },
    });
    expect(mgmt.commandCalls(InviteAccountToOrganizationCommand)).toHaveLength(0);
    expect(assumed).toEqual([]);
    expect(logs.text()).toMatch(/"level":"WARN".*rollback.*not restored\. The next deployment invites again/);
  });

  test('of an update whose handshake Organizations forgot: the old physical ID, NOT_FOUND', async () => {
    stackIn('UPDATE_ROLLBACK_IN_PROGRESS');
    mgmt.on(DescribeHandshakeCommand).rejects(awsError('HandshakeNotFoundException'));
    const result = await orgInvitationLifecycle.update(withStack, H, PROPS, { ...PROPS, notes: 'newer' }, UPDATE);
    expect(result).toEqual({ PhysicalResourceId: H, Data: { HandshakeId: H, HandshakeArn: '', HandshakeState: 'NOT_FOUND', Adopted: false } });
    expect(mgmt.commandCalls(InviteAccountToOrganizationCommand)).toHaveLength(0);
    expect(assumed).toEqual([]);
  });

  test('with an open invitation and acceptance: no role assumed, the invitation stays open', async () => {
    stackIn('UPDATE_ROLLBACK_IN_PROGRESS');
    const result = await orgInvitationLifecycle.update(withStack, H, PROPS, { ...PROPS, acceptRoleName: undefined }, UPDATE);
    expect(result.Data?.HandshakeState).toBe('OPEN');
    expect(assumed).toEqual([]);
  });

  test('of a replacement (the target changed back): the old target\'s invitation is found, never sent', async () => {
    stackIn('UPDATE_ROLLBACK_IN_PROGRESS');
    const other: OrgInvitationProps = { targetId: '333333333333', targetType: 'ACCOUNT', tags: {} };
    // open: adopted
    mgmt.on(ListHandshakesForOrganizationCommand).resolves({ Handshakes: [invite(H, 'OPEN')] });
    expect((await orgInvitationLifecycle.update(withStack, 'h-newtarget01', PROPS, other, UPDATE)).PhysicalResourceId).toBe(H);
    // ended: the newest one, as it is
    mgmt.on(ListHandshakesForOrganizationCommand).resolves({ Handshakes: [invite('h-older000001', 'EXPIRED'), { ...invite(H, 'EXPIRED'), RequestedTimestamp: new Date() }] });
    mgmt.on(DescribeAccountCommand).rejects(awsError('AccountNotFoundException'));
    expect((await orgInvitationLifecycle.update(withStack, 'h-newtarget01', PROPS, other, UPDATE)).Data?.HandshakeState).toBe('EXPIRED');
    // none at all: not-invited, which an update invites again and a Delete has nothing to cancel for
    mgmt.on(ListHandshakesForOrganizationCommand).resolves({ Handshakes: [] });
    const none = await orgInvitationLifecycle.update(withStack, 'h-newtarget01', PROPS, other, UPDATE);
    expect(none).toMatchObject({ PhysicalResourceId: 'not-invited', Data: { HandshakeState: 'NOT_FOUND' } });
    expect(ownsPhysicalId('not-invited')).toBe(true);
    expect(mgmt.commandCalls(InviteAccountToOrganizationCommand)).toHaveLength(0);
    expect(assumed).toEqual([]);
  });

  test('a forward update (or a stack that cannot be read) still invites again and accepts', async () => {
    stackIn('UPDATE_IN_PROGRESS');
    mgmt.on(DescribeHandshakeCommand, { HandshakeId: 'h-expired0001' }).resolves({ Handshake: invite('h-expired0001', 'EXPIRED') });
    expect((await orgInvitationLifecycle.update(withStack, 'h-expired0001', PROPS, PROPS, UPDATE)).Data?.HandshakeState).toBe('ACCEPTED');
    cfn.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'no'));
    expect((await orgInvitationLifecycle.update(withStack, 'h-expired0001', PROPS, PROPS, UPDATE)).Data?.HandshakeState).toBe('ACCEPTED');
    expect(mgmt.commandCalls(InviteAccountToOrganizationCommand)).toHaveLength(2);
  });

  test('an update that neither invites nor accepts does not ask CloudFormation', async () => {
    mgmt.on(DescribeHandshakeCommand).resolves({ Handshake: invite(H, 'ACCEPTED') });
    await orgInvitationLifecycle.update(withStack, H, PROPS, PROPS, UPDATE);
    expect(cfn.calls()).toHaveLength(0);
  });
});

describe('properties', () => {
  test('AcceptRoleName is parsed; an email target or a role path is refused', () => {
    expect(parseProps({ TargetId: MEMBER, TargetType: 'ACCOUNT', AcceptRoleName: 'Accept' }).acceptRoleName).toBe('Accept');
    expect(() => parseProps({ TargetId: 'owner@example.com', TargetType: 'EMAIL', AcceptRoleName: 'Accept' }))
      .toThrow(/AcceptRoleName needs an invitation by account ID/);
    expect(() => parseProps({ TargetId: MEMBER, TargetType: 'ACCOUNT', AcceptRoleName: 'path/Accept' })).toThrow(/AcceptRoleName must be an IAM role name/);
  });
});
