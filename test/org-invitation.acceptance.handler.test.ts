/**
 * OrgInvitation's one-stack acceptance (handler side): after inviting, accept in the invited account through a role
 * there; a failure names the account and the role, and a Create cancels the invitation it sent.
 * Two client instances, each mocked on its own: the management account's and the invited account's (assumed role).
 */
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
import { OrgClients, orgInvitationLifecycle } from '../lambda/organizations/inviter/lifecycle';
import type { InvitedAccountClients } from '../lambda/organizations/service';
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
const clients: OrgClients = {
  organizations: mgmtClient,
  acceptingAs: (roleName) => async (accountId): Promise<InvitedAccountClients> => {
    assumed.push({ roleName, accountId });
    if (assumeError) throw assumeError;
    return { organizations: memberClient };
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
      expect(error.message).toMatch(/No AWS Organizations invitation from management account 111111111111 reached account 222222222222 within 0 seconds\. Organizations had not shown the invitation to the invited account yet.*deploy again\./);
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
    assumeError = new InvitationError(`Assuming role Accept in account ${MEMBER} (arn:aws:iam::${MEMBER}:role/Accept) to accept the invitation failed with AccessDenied: not authorized.`);
    const error = await failure(orgInvitationLifecycle.create(clients, PROPS, CTX));

    expect(error).toBeInstanceOf(InvitationError);
    expect(error.message).toMatch(new RegExp(`^Accepting the invitation through role Accept in account ${MEMBER}: Assuming role Accept in account ${MEMBER}.*AccessDenied.*The invitation ${H} this deployment sent was canceled\\.$`));
    expect(mgmt.commandCalls(CancelHandshakeCommand).map((c) => c.args[0].input)).toEqual([{ HandshakeId: H }]);
    expect(member.calls()).toHaveLength(0);
  });

  test('a role without organizations:AcceptHandshake: the failure says what the role needs; the invitation is canceled', async () => {
    member.on(AcceptHandshakeCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform organizations:AcceptHandshake'));
    const error = await failure(orgInvitationLifecycle.create(clients, PROPS, CTX));
    expect(error.message).toContain(`failed with AccessDeniedException: not authorized to perform organizations:AcceptHandshake. Role Accept in account ${MEMBER} needs organizations:AcceptHandshake`);
    expect(error.message).toContain(`The invitation ${H} this deployment sent was canceled.`);
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
    expect(error.message).toContain(`Invitation ${H} stays open`);
    expect(mgmt.commandCalls(InviteAccountToOrganizationCommand)).toHaveLength(0);
    expect(mgmt.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
  });

  test('a cancel that fails too is said in the message; the accept failure is still the one reported', async () => {
    assumeError = new InvitationError('Assuming role Accept failed.');
    mgmt.on(CancelHandshakeCommand).rejects(awsError('ServiceException', 'boom', {}, 500));
    const error = await failure(orgInvitationLifecycle.create(clients, PROPS, CTX));
    expect(error.message).toMatch(/Assuming role Accept failed\. Canceling the invitation h-abcdef1234 failed too: cancel it in the AWS Organizations console\.$/);
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
    expect(error.message).toContain(`Invitation ${H} stays open`);
    expect(mgmt.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
  });

  test('an update that invites a new target cancels that new invitation when accepting fails', async () => {
    const old: OrgInvitationProps = { targetId: '333333333333', targetType: 'ACCOUNT', tags: {} };
    assumeError = new InvitationError('Assuming role Accept failed.');
    const error = await failure(orgInvitationLifecycle.update(clients, 'h-oldhandshake1', PROPS, old, { ...CTX, requestType: 'Update' }));
    expect(error.message).toContain(`The invitation ${H} this deployment sent was canceled.`);
    expect(mgmt.commandCalls(CancelHandshakeCommand).map((c) => c.args[0].input)).toEqual([{ HandshakeId: H }]);
  });

  test('an accepted invitation is left as it is: no role assumed', async () => {
    mgmt.on(DescribeHandshakeCommand).resolves({ Handshake: invite(H, 'ACCEPTED') });
    const result = await orgInvitationLifecycle.update(clients, H, PROPS, PROPS, { ...CTX, requestType: 'Update' });
    expect(result.Data?.HandshakeState).toBe('ACCEPTED');
    expect(assumed).toEqual([]);
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
