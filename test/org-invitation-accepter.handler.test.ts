import { CloudFormationClient, DescribeStacksCommand, StackStatus } from '@aws-sdk/client-cloudformation';
import {
  AcceptHandshakeCommand,
  DeclineHandshakeCommand,
  DescribeHandshakeCommand,
  DescribeOrganizationCommand,
  Handshake,
  LeaveOrganizationCommand,
  ListHandshakesForAccountCommand,
  Organization,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, captureLogs, createEvent, deleteEvent, updateEvent } from './util/events';
import { expectModelValidRequests, modelProblems, recordedRequests } from './util/model';
import { AcceptOptions, acceptOrganizationInvitation } from '../lambda/organizations/accept';
import { handler } from '../lambda/organizations/accepter';
import { ORG_ACCEPTER_SPEC, inviterOf, orgInvitationAccepterLifecycle, partyOf } from '../lambda/organizations/accepter/lifecycle';
import { OrgExpectation, invitedAccountClients } from '../lambda/organizations/service';
import { accepterLifecycle } from '../lambda/shared/accepter';
import { ACT_RESERVE_MS, looksWithin } from '../lambda/shared/wait';
import { ORG_ACCEPTER } from '../src/private/contract/organizations';

const org = mockClient(OrganizationsClient);
const parseProps = ORG_ACCEPTER.parse;
const clients = { organizations: new OrganizationsClient({ region: 'us-east-1', maxAttempts: 1 }) };

const MGMT = '111111111111';
const ORG = 'o-exampleorg11';
const OTHER_MGMT = '333333333333';
const OTHER_ORG = 'o-otherorg999';
const SELF = '222222222222';

/** An INVITE handshake as the invited account sees it: parties, the organization's details, notes and emails. */
function invite(id: string, state: string, mgmt = MGMT, orgId = ORG, requested = new Date('2026-11-30T10:00:00Z')): Handshake {
  return {
    Id: id,
    Arn: `arn:aws:organizations::${mgmt}:handshake/${orgId}/invite/${id}`,
    Action: 'INVITE',
    State: state as Handshake['State'],
    RequestedTimestamp: requested,
    Parties: [{ Id: orgId, Type: 'ORGANIZATION' }, { Id: 'invitee-owner@example.com', Type: 'EMAIL' }],
    Resources: [
      {
        Type: 'ORGANIZATION',
        Value: orgId,
        Resources: [
          { Type: 'MASTER_EMAIL', Value: 'mgmt-owner@example.com' },
          { Type: 'MASTER_NAME', Value: 'Example Corp' },
          { Type: 'ORGANIZATION_FEATURE_SET', Value: 'ALL' },
        ],
      },
      { Type: 'ACCOUNT', Value: SELF },
      { Type: 'NOTES', Value: 'top secret welcome notes' },
    ],
  };
}

function organization(id = ORG, mgmt = MGMT): { Organization: Organization } {
  return { Organization: { Id: id, MasterAccountId: mgmt, MasterAccountEmail: 'mgmt-owner@example.com', FeatureSet: 'ALL' } };
}

const notInUse = () => awsError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');

/** A fake clock: `sleep` advances it instead of waiting. */
function fakeWait(timeoutMs: number) {
  let t = 0;
  const sleeps: number[] = [];
  return { timeoutMs, now: () => t, sleep: async (ms: number) => { sleeps.push(ms); t += ms; }, sleeps };
}

function options(timeoutMs = 300_000): AcceptOptions & { wait: ReturnType<typeof fakeWait> } {
  return { invitee: `account ${SELF}`, wait: fakeWait(timeoutMs) };
}

/** The accept flow's attributes (its outcome, accepted or adopted, is asserted where it matters). */
async function accept(...args: Parameters<typeof acceptOrganizationInvitation>) {
  return (await acceptOrganizationInvitation(...args)).attributes;
}
const ownsPhysicalId = (id: string) => orgInvitationAccepterLifecycle.ownsPhysicalId(id);

const BY_MGMT: OrgExpectation = { managementAccountId: MGMT };
const BY_ORG: OrgExpectation = { organizationId: ORG };

const CTX = {
  requestType: 'Create' as const,
  stackId: `arn:aws:cloudformation:us-east-1:${SELF}:stack/Member/5b1c4e10-0000-0000-0000-000000000000`,
  logicalResourceId: 'Accepter',
  requestId: 'r',
  resourceType: 'Custom::OrgInvitationAccepter',
};

beforeEach(() => {
  org.reset();
  org.on(DescribeOrganizationCommand).rejects(notInUse());
  org.on(ListHandshakesForAccountCommand).resolves({ Handshakes: [] });
  org.on(AcceptHandshakeCommand).callsFake(({ HandshakeId }) => ({ Handshake: { ...invite(HandshakeId, 'ACCEPTED') } }));
});

// every request any test sends satisfies the Organizations model (members, patterns, enums)
afterEach(() => {
  expect(modelProblems('organizations', recordedRequests(org))).toEqual([]);
});

function expectNothingChanged() {
  expect(org.commandCalls(AcceptHandshakeCommand)).toHaveLength(0);
  expect(org.commandCalls(DeclineHandshakeCommand)).toHaveLength(0);
  expect(org.commandCalls(LeaveOrganizationCommand)).toHaveLength(0);
}

describe('create: find and accept', () => {
  test('accepts the open invitation of the expected management account and reports it', async () => {
    org.on(ListHandshakesForAccountCommand).resolves({ Handshakes: [invite('h-abcdef1234', 'OPEN')] });

    const result = await accept(clients, BY_MGMT, options());

    expect(result).toEqual({ handshakeId: 'h-abcdef1234', organizationId: ORG, handshakeState: 'ACCEPTED', managementAccountId: MGMT });
    const accepts = org.commandCalls(AcceptHandshakeCommand);
    expect(accepts).toHaveLength(1);
    expect(accepts[0].args[0].input).toEqual({ HandshakeId: 'h-abcdef1234' });
    expect(org.commandCalls(ListHandshakesForAccountCommand)[0].args[0].input.Filter).toEqual({ ActionType: 'INVITE' });
    // DescribeOrganization before looking for handshakes
    expect(org.calls()[0].args[0]).toBeInstanceOf(DescribeOrganizationCommand);
    expectModelValidRequests(org, 'organizations');
  });

  test('matches by organization ID too, and by both; ignores open invitations of other organizations', async () => {
    org.on(ListHandshakesForAccountCommand).resolves({
      Handshakes: [invite('h-foreign0001', 'OPEN', OTHER_MGMT, OTHER_ORG), invite('h-ours0000001', 'OPEN')],
    });
    for (const expected of [BY_ORG, { ...BY_ORG, ...BY_MGMT }]) {
      org.resetHistory();
      const result = await accept(clients, expected, options());
      expect(result.handshakeId).toBe('h-ours0000001');
      expect(org.commandCalls(AcceptHandshakeCommand).map((c) => c.args[0].input.HandshakeId)).toEqual(['h-ours0000001']);
    }
  });

  test('an invitation whose organization matches but whose management account does not is not accepted', async () => {
    org.on(ListHandshakesForAccountCommand).resolves({ Handshakes: [invite('h-mixed00001', 'OPEN', OTHER_MGMT, ORG)] });
    await expect(accept(clients, { ...BY_ORG, ...BY_MGMT }, options(0))).rejects.toThrow(/No AWS Organizations invitation/);
    expectNothingChanged();
  });

  test('pages until NextToken is empty, past empty pages that still carry one', async () => {
    org.on(ListHandshakesForAccountCommand)
      .resolvesOnce({ Handshakes: [invite('h-foreign0001', 'OPEN', OTHER_MGMT, OTHER_ORG)], NextToken: 't1' })
      .resolvesOnce({ Handshakes: [], NextToken: 't2' })
      .resolvesOnce({ Handshakes: [], NextToken: 't3' })
      .resolvesOnce({ Handshakes: [invite('h-lastpage01', 'OPEN')] });

    const result = await accept(clients, BY_MGMT, options());

    expect(result.handshakeId).toBe('h-lastpage01');
    expect(org.commandCalls(ListHandshakesForAccountCommand)).toHaveLength(4);
  });

  test('prefers an OPEN invitation over a REQUESTED one and over ended ones, newest first', async () => {
    org.on(ListHandshakesForAccountCommand).resolves({
      Handshakes: [
        invite('h-canceled001', 'CANCELED', MGMT, ORG, new Date('2026-11-30T12:00:00Z')),
        invite('h-requested01', 'REQUESTED', MGMT, ORG, new Date('2026-11-30T11:00:00Z')),
        invite('h-oldopen0001', 'OPEN', MGMT, ORG, new Date('2026-11-29T10:00:00Z')),
        invite('h-newopen0001', 'OPEN', MGMT, ORG, new Date('2026-11-30T10:00:00Z')),
      ],
    });
    expect((await accept(clients, BY_MGMT, options())).handshakeId).toBe('h-newopen0001');
  });

  test('a REQUESTED invitation is accepted when it is the only pending one', async () => {
    org.on(ListHandshakesForAccountCommand).resolves({ Handshakes: [invite('h-requested01', 'REQUESTED')] });
    expect((await accept(clients, BY_ORG, options())).handshakeId).toBe('h-requested01');
  });
});

describe('create: waiting', () => {
  test('an invitation that arrives during the wait is accepted', async () => {
    org.on(ListHandshakesForAccountCommand)
      .resolvesOnce({ Handshakes: [] })
      .resolvesOnce({ Handshakes: [] })
      .resolves({ Handshakes: [invite('h-arrived0001', 'OPEN')] });
    const opts = options();

    const result = await accept(clients, BY_MGMT, opts);

    expect(result.handshakeId).toBe('h-arrived0001');
    expect(org.commandCalls(ListHandshakesForAccountCommand)).toHaveLength(3);
    expect(opts.wait.sleeps).toEqual([1000, 2000]);
  });

  test('an invitation that never arrives fails within waitTimeout, naming the inviter and what to do', async () => {
    const opts = options(300_000);
    await expect(accept(clients, BY_MGMT, opts)).rejects.toThrow(
      `No AWS Organizations invitation from management account ${MGMT} reached account ${SELF} within 5 minutes. ` +
        'Deploy the inviting stack first',
    );
    // bounded: a 5-minute wait makes 15 looks, each one DescribeOrganization and one page of ListHandshakesForAccount
    expect(org.commandCalls(DescribeOrganizationCommand)).toHaveLength(looksWithin(300_000));
    expect(org.commandCalls(ListHandshakesForAccountCommand)).toHaveLength(15);
    expect(opts.wait.sleeps.reduce((a, b) => a + b, 0)).toBe(300_000);
    expectNothingChanged();
  });

  test('waitTimeout 0 looks once', async () => {
    await expect(accept(clients, BY_ORG, options(0))).rejects.toThrow(
      `No AWS Organizations invitation from organization ${ORG} reached account ${SELF} within 0 seconds`);
    expect(org.commandCalls(ListHandshakesForAccountCommand)).toHaveLength(1);
  });

  test('only ended invitations: keeps waiting, then says the last one ended, with its state', async () => {
    org.on(ListHandshakesForAccountCommand).resolves({
      Handshakes: [
        invite('h-expired0001', 'EXPIRED', MGMT, ORG, new Date('2026-11-01T10:00:00Z')),
        invite('h-canceled001', 'CANCELED', MGMT, ORG, new Date('2026-11-30T10:00:00Z')),
      ],
    });
    await expect(accept(clients, BY_MGMT, options(60_000))).rejects.toThrow(
      /\(h-canceled001\) ended with state CANCELED, and no new one arrived within 1 minute\. The inviter must send a new invitation/);
    expect(org.commandCalls(ListHandshakesForAccountCommand).length).toBeGreaterThan(1);
    expectNothingChanged();
  });

  test('an ended invitation followed by a new one: the new one is accepted', async () => {
    org.on(ListHandshakesForAccountCommand)
      .resolvesOnce({ Handshakes: [invite('h-declined001', 'DECLINED')] })
      .resolves({ Handshakes: [invite('h-declined001', 'DECLINED'), invite('h-second00001', 'OPEN')] });
    expect((await accept(clients, BY_MGMT, options())).handshakeId).toBe('h-second00001');
  });

  test('an accepted invitation of an account that left again counts as ended (it is spent)', async () => {
    org.on(ListHandshakesForAccountCommand).resolves({ Handshakes: [invite('h-usedonce001', 'ACCEPTED')] });
    await expect(accept(clients, BY_MGMT, options(0))).rejects.toThrow(/\(h-usedonce001\) ended with state ACCEPTED/);
    expectNothingChanged();
  });

  test('the request\'s abort signal (Lambda deadline) stops the wait', async () => {
    const controller = new AbortController();
    const promise = accept(clients, BY_MGMT, {
      invitee: `account ${SELF}`, wait: { timeoutMs: 600_000, firstDelayMs: 60_000, signal: controller.signal },
    });
    setTimeout(() => controller.abort(new Error('deadline')), 20);
    await expect(promise).rejects.toThrow('deadline');
  });
});

describe('create: already a member', () => {
  test.each([
    ['management account', BY_MGMT],
    ['organization ID', BY_ORG],
    ['both', { ...BY_ORG, ...BY_MGMT }],
  ])('a member of the expected organization (by %s) is adopted: ALREADY_MEMBER, non-empty handshake attribute', async (_, expected) => {
    org.on(DescribeOrganizationCommand).resolves(organization());

    const result = await accept(clients, expected, options());

    expect(result).toEqual({ handshakeId: `already-member:${ORG}`, organizationId: ORG, handshakeState: 'ALREADY_MEMBER', managementAccountId: MGMT });
    expect(org.commandCalls(ListHandshakesForAccountCommand)).toHaveLength(0);
    expectNothingChanged();
  });

  test('a member of another organization fails at once, naming it; nothing is accepted or left', async () => {
    org.on(DescribeOrganizationCommand).resolves(organization(OTHER_ORG, OTHER_MGMT));
    org.on(ListHandshakesForAccountCommand).resolves({ Handshakes: [invite('h-abcdef1234', 'OPEN')] });

    await expect(accept(clients, BY_MGMT, options())).rejects.toThrow(
      `The account ${SELF} is a member of organization ${OTHER_ORG} (management account ${OTHER_MGMT}), not with the expected ` +
        `management account ${MGMT}. Nothing was changed. An account belongs to at most one organization: it must leave that ` +
        'organization first');
    expect(org.commandCalls(DescribeOrganizationCommand)).toHaveLength(1);
    expect(org.commandCalls(ListHandshakesForAccountCommand)).toHaveLength(0);
    expectNothingChanged();
  });

  test('the expected organization ID with another management account is another organization', async () => {
    org.on(DescribeOrganizationCommand).resolves(organization(ORG, OTHER_MGMT));
    await expect(accept(clients, { ...BY_ORG, ...BY_MGMT }, options())).rejects.toThrow(/is a member of organization o-exampleorg11 \(management account 333333333333\)/);
  });
});

describe('create: a given handshake ID', () => {
  test('is described and accepted, without listing', async () => {
    org.on(DescribeHandshakeCommand).resolves({ Handshake: invite('h-given000001', 'OPEN') });
    const result = await accept(clients, { ...BY_MGMT, handshakeId: 'h-given000001' }, options());
    expect(result).toEqual({ handshakeId: 'h-given000001', organizationId: ORG, handshakeState: 'ACCEPTED', managementAccountId: MGMT });
    expect(org.commandCalls(DescribeHandshakeCommand)[0].args[0].input).toEqual({ HandshakeId: 'h-given000001' });
    expect(org.commandCalls(ListHandshakesForAccountCommand)).toHaveLength(0);
  });

  test('from another inviter fails naming that inviter; nothing is accepted', async () => {
    org.on(DescribeHandshakeCommand).resolves({ Handshake: invite('h-given000001', 'OPEN', OTHER_MGMT, OTHER_ORG) });
    await expect(accept(clients, { ...BY_MGMT, handshakeId: 'h-given000001' }, options())).rejects.toThrow(
      `The account ${SELF} was invited by organization ${OTHER_ORG} (management account ${OTHER_MGMT}) with handshake h-given000001, ` +
        `not with the expected management account ${MGMT}. Nothing was changed.`);
    expectNothingChanged();
  });

  test('not visible yet: waits for it', async () => {
    org.on(DescribeHandshakeCommand)
      .rejectsOnce(awsError('HandshakeNotFoundException'))
      .resolves({ Handshake: invite('h-given000001', 'OPEN') });
    const result = await accept(clients, { ...BY_ORG, handshakeId: 'h-given000001' }, options());
    expect(result.handshakeId).toBe('h-given000001');
    expect(org.commandCalls(DescribeHandshakeCommand)).toHaveLength(2);
  });

  test('ended: waits, then fails naming its state', async () => {
    org.on(DescribeHandshakeCommand).resolves({ Handshake: invite('h-given000001', 'EXPIRED') });
    await expect(accept(clients, { ...BY_ORG, handshakeId: 'h-given000001' }, options(10_000)))
      .rejects.toThrow(/\(h-given000001\) ended with state EXPIRED/);
    expectNothingChanged();
  });

  test('a handshake that is not an invitation fails clearly', async () => {
    org.on(DescribeHandshakeCommand).resolves({ Handshake: { ...invite('h-given000001', 'OPEN'), Action: 'ENABLE_ALL_FEATURES' } });
    await expect(accept(clients, { ...BY_ORG, handshakeId: 'h-given000001' }, options()))
      .rejects.toThrow(/h-given000001 is a ENABLE_ALL_FEATURES handshake, not an invitation/);
    expectNothingChanged();
  });
});

describe('create: what AcceptHandshake answers', () => {
  beforeEach(() => {
    org.on(ListHandshakesForAccountCommand).resolves({ Handshakes: [invite('h-abcdef1234', 'OPEN')] });
  });

  test('HandshakeAlreadyInStateException: success after reading the membership again, adopted (someone else accepted)', async () => {
    org.on(AcceptHandshakeCommand).rejects(awsError('HandshakeAlreadyInStateException'));
    org.on(DescribeOrganizationCommand).rejectsOnce(notInUse()).resolves(organization());
    const outcome = await acceptOrganizationInvitation(clients, BY_MGMT, options());
    expect(outcome.outcome).toBe('adopted');
    const result = outcome.attributes;
    expect(result).toEqual({ handshakeId: 'h-abcdef1234', organizationId: ORG, handshakeState: 'ACCEPTED', managementAccountId: MGMT });
    expect(org.commandCalls(DescribeOrganizationCommand)).toHaveLength(2);
  });

  test('InvalidHandshakeTransitionException (canceled meanwhile): keeps waiting and accepts the new invitation', async () => {
    org.on(AcceptHandshakeCommand, { HandshakeId: 'h-abcdef1234' }).rejects(awsError('InvalidHandshakeTransitionException'));
    org.on(DescribeHandshakeCommand).resolves({ Handshake: invite('h-abcdef1234', 'CANCELED') });
    org.on(ListHandshakesForAccountCommand)
      .resolvesOnce({ Handshakes: [invite('h-abcdef1234', 'OPEN')] })
      .resolves({ Handshakes: [invite('h-abcdef1234', 'CANCELED'), invite('h-newone00001', 'OPEN')] });
    const result = await accept(clients, BY_MGMT, options());
    expect(result.handshakeId).toBe('h-newone00001');
    expect(org.commandCalls(AcceptHandshakeCommand)).toHaveLength(2);
  });

  test('HandshakeNotFoundException at accept and nothing new: fails saying the invitation ended', async () => {
    org.on(AcceptHandshakeCommand).rejects(awsError('HandshakeNotFoundException'));
    org.on(DescribeHandshakeCommand).rejects(awsError('HandshakeNotFoundException'));
    org.on(ListHandshakesForAccountCommand).resolvesOnce({ Handshakes: [invite('h-abcdef1234', 'OPEN')] }).resolves({ Handshakes: [] });
    await expect(accept(clients, BY_MGMT, options(10_000))).rejects.toThrow(/\(h-abcdef1234\) ended with state NOT_FOUND/);
  });

  test('ALREADY_IN_AN_ORGANIZATION at accept: joined the expected organization meanwhile = success', async () => {
    org.on(AcceptHandshakeCommand).rejects(awsError('HandshakeConstraintViolationException', 'already', { Reason: 'ALREADY_IN_AN_ORGANIZATION' }));
    org.on(DescribeOrganizationCommand).rejectsOnce(notInUse()).resolves(organization());
    expect((await accept(clients, BY_MGMT, options())).handshakeState).toBe('ACCEPTED');
  });

  test('ALREADY_IN_AN_ORGANIZATION at accept: joined another organization meanwhile = failure naming it', async () => {
    org.on(AcceptHandshakeCommand).rejects(awsError('HandshakeConstraintViolationException', 'already', { Reason: 'ALREADY_IN_AN_ORGANIZATION' }));
    org.on(DescribeOrganizationCommand).rejectsOnce(notInUse()).resolves(organization(OTHER_ORG, OTHER_MGMT));
    await expect(accept(clients, BY_MGMT, options())).rejects.toThrow(
      /failed with HandshakeConstraintViolationException \(ALREADY_IN_AN_ORGANIZATION\).*is a member of organization o-otherorg999 \(management account 333333333333\), not of the expected management account 111111111111.*must leave that organization first/);
  });

  test('AccessDeniedForDependencyException names iam:CreateServiceLinkedRole and what to check', async () => {
    org.on(AcceptHandshakeCommand).rejects(awsError('AccessDeniedForDependencyException', 'no SLR', { Reason: 'ACCESS_DENIED_DURING_CREATE_SERVICE_LINKED_ROLE' }));
    await expect(accept(clients, BY_MGMT, options())).rejects.toThrow(
      /Accepting the AWS Organizations invitation h-abcdef1234 from organization o-exampleorg11 \(management account 111111111111\) failed with AccessDeniedForDependencyException \(ACCESS_DENIED_DURING_CREATE_SERVICE_LINKED_ROLE\).*iam:CreateServiceLinkedRole.*service control policy or permissions boundary/);
  });

  test.each([
    ['ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED', /changed its organization membership too recently.*Wait, then deploy again/],
    ['ORGANIZATION_FROM_DIFFERENT_SELLER_OF_RECORD', /different sellers of record/],
    ['PAYMENT_INSTRUMENT_REQUIRED', /payment instrument.*Billing console/],
    ['ACCOUNT_NUMBER_LIMIT_EXCEEDED', /account quota/],
    ['MANAGEMENT_ACCOUNT_EMAIL_NOT_VERIFIED', /verify its email address/],
    ['UNUSED_PREPAYMENT_BALANCE', /Resolve the constraint named here/],
  ])('HandshakeConstraintViolationException %s: the message names the reason and what to do; no retry', async (reason, hint) => {
    org.on(AcceptHandshakeCommand).rejects(awsError('HandshakeConstraintViolationException', 'constraint', { Reason: reason }));
    const error = await accept(clients, BY_MGMT, options()).then(() => new Error('no failure'), (e: Error) => e);
    expect(error.message).toContain(`failed with HandshakeConstraintViolationException (${reason})`);
    expect(error.message).toMatch(hint);
    expect(org.commandCalls(AcceptHandshakeCommand)).toHaveLength(1);
  });

  test('an accept answer without ARN or parties: the organization comes from the matched invitation', async () => {
    org.on(ListHandshakesForAccountCommand).resolves({ Handshakes: [{ ...invite('h-abcdef1234', 'OPEN'), Parties: [] }] });
    org.on(AcceptHandshakeCommand).resolves({ Handshake: { Id: 'h-abcdef1234', State: 'ACCEPTED' } });
    org.on(DescribeOrganizationCommand).rejectsOnce(notInUse()).resolves(organization());
    expect(await accept(clients, BY_MGMT, options(0))).toEqual({
      handshakeId: 'h-abcdef1234', organizationId: ORG, handshakeState: 'ACCEPTED', managementAccountId: MGMT,
    });
    expect(org.commandCalls(DescribeOrganizationCommand)).toHaveLength(1);
  });

  test('a handshake that names no organization (no ARN, no ORGANIZATION party) is never taken for the expected one', async () => {
    org.on(ListHandshakesForAccountCommand).resolves({ Handshakes: [{ ...invite('h-abcdef1234', 'OPEN'), Arn: undefined, Parties: [] }] });
    await expect(accept(clients, BY_ORG, options(0))).rejects.toThrow(/No AWS Organizations invitation/);
    await expect(accept(clients, BY_MGMT, options(0))).rejects.toThrow(/No AWS Organizations invitation/);
    expectNothingChanged();
  });

  test('MasterCannotLeaveOrganizationException and unexpected errors name the error and what to do', async () => {
    org.on(AcceptHandshakeCommand).rejects(awsError('MasterCannotLeaveOrganizationException', 'is a management account'));
    await expect(accept(clients, BY_MGMT, options())).rejects.toThrow(/management account of its own organization and cannot join another one\. Nothing was changed/);
    org.on(AcceptHandshakeCommand).rejects(awsError('ServiceException', 'boom', {}, 500));
    await expect(accept(clients, BY_MGMT, options())).rejects.toThrow(/failed with ServiceException: boom\. If this is transient, deploy again/);
  });

  test('AccessDeniedException at accept says which handshakes the role may accept', async () => {
    org.on(AcceptHandshakeCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    await expect(accept(clients, BY_MGMT, options())).rejects.toThrow(/AccessDeniedException: not authorized\. The handler's role may accept only handshakes of the expected organization/);
  });

  test('AccessDeniedException on the reads names the actions and SCPs', async () => {
    org.on(DescribeOrganizationCommand).rejects(awsError('AccessDeniedException', 'denied by scp'));
    await expect(accept(clients, BY_MGMT, options())).rejects.toThrow(
      /Reading the organization and invitations of the account 222222222222 failed with AccessDeniedException: denied by scp\..*organizations:DescribeOrganization.*service control policy/);
  });
});

describe('lifecycle: update and delete', () => {
  const props = { managementAccountId: MGMT, waitTimeoutMs: 0 };

  test('the same expectation makes no accept call: it reports the membership', async () => {
    org.on(DescribeOrganizationCommand).resolves(organization());
    const result = await orgInvitationAccepterLifecycle.update(clients, 'h-abcdef1234', { ...props, waitTimeoutMs: 600_000 }, props, CTX);
    expect(result).toEqual({
      PhysicalResourceId: 'h-abcdef1234',
      Data: { HandshakeId: 'h-abcdef1234', OrganizationId: ORG, HandshakeState: 'ACCEPTED' },
    });
    expect(org.commandCalls(ListHandshakesForAccountCommand)).toHaveLength(0);
    expectNothingChanged();
  });

  test('the same expectation keeps ALREADY_MEMBER', async () => {
    org.on(DescribeOrganizationCommand).resolves(organization());
    const result = await orgInvitationAccepterLifecycle.update(clients, `already-member:${ORG}`, props, props, CTX);
    expect(result.Data).toEqual({ HandshakeId: `already-member:${ORG}`, OrganizationId: ORG, HandshakeState: 'ALREADY_MEMBER' });
  });

  test('the same expectation never fails on what it finds (its rollback would fail the same way): left or moved', async () => {
    org.on(DescribeOrganizationCommand).rejects(notInUse());
    const left = await orgInvitationAccepterLifecycle.update(clients, `already-member:${ORG}`, props, props, CTX);
    expect(left.Data).toEqual({ HandshakeId: `already-member:${ORG}`, OrganizationId: ORG, HandshakeState: 'NOT_A_MEMBER' });
    org.on(DescribeOrganizationCommand).resolves(organization(OTHER_ORG, OTHER_MGMT));
    const moved = await orgInvitationAccepterLifecycle.update(clients, 'h-abcdef1234', props, props, CTX);
    expect(moved.Data).toEqual({ HandshakeId: 'h-abcdef1234', OrganizationId: OTHER_ORG, HandshakeState: 'OTHER_ORGANIZATION' });
    expectNothingChanged();
  });

  test.each([
    ['management account', { managementAccountId: '444444444444' }],
    ['organization', { organizationId: 'o-neworg00001' }],
    ['handshake ID', { managementAccountId: MGMT, handshakeId: 'h-given000002' }],
  ])('a changed %s behaves like Create for the new expectation', async (_, changed: OrgExpectation) => {
    const mgmt = changed.managementAccountId ?? MGMT;
    const orgId = changed.organizationId ?? ORG;
    org.on(ListHandshakesForAccountCommand).resolves({ Handshakes: [invite('h-given000002', 'OPEN', mgmt, orgId)] });
    org.on(DescribeHandshakeCommand).resolves({ Handshake: invite('h-given000002', 'OPEN', mgmt, orgId) });
    org.on(AcceptHandshakeCommand).resolves({ Handshake: invite('h-given000002', 'ACCEPTED', mgmt, orgId) });
    const result = await orgInvitationAccepterLifecycle.update(clients, 'h-abcdef1234', { ...changed, waitTimeoutMs: 0 }, props, CTX);
    expect(result).toEqual({
      PhysicalResourceId: `org-invitation-accepter:us-east-1:${orgId}/${mgmt}:accepted:h-given000002`,
      Data: { HandshakeId: 'h-given000002', OrganizationId: orgId, HandshakeState: 'ACCEPTED' },
    });
    expect(org.commandCalls(AcceptHandshakeCommand)).toHaveLength(1);
  });

  test('delete makes no call: leaving an organization is never automatic, and the log says so', async () => {
    const logs = captureLogs();
    try {
      await orgInvitationAccepterLifecycle.delete(clients, 'h-abcdef1234', props, CTX);
    } finally {
      logs.restore();
    }
    expect(org.calls()).toHaveLength(0);
    expect(logs.text()).toMatch(/leaving an organization is never automatic/);
  });

  test('owns handshake IDs and already-member IDs only', () => {
    expect(ownsPhysicalId('h-abcdef1234')).toBe(true);
    expect(ownsPhysicalId(`already-member:${ORG}`)).toBe(true);
    expect(ownsPhysicalId('already-member:222222222222')).toBe(false);
    expect(ownsPhysicalId('cdk-account-invitations:create-failed')).toBe(false);
    expect(orgInvitationAccepterLifecycle.ownsPhysicalId('link-abcdefgh')).toBe(false);
  });
});

describe('properties', () => {
  test('parses the expectation and the wait', () => {
    expect(parseProps({ ManagementAccountId: MGMT, OrganizationId: ORG, HandshakeId: 'h-abcdef1234', WaitTimeoutSeconds: '600' }))
      .toEqual({ managementAccountId: MGMT, organizationId: ORG, handshakeId: 'h-abcdef1234', waitTimeoutMs: 600_000 });
    expect(parseProps({ OrganizationId: ORG })).toEqual({ organizationId: ORG, waitTimeoutMs: 300_000 });
  });

  test.each([
    [{}, /ManagementAccountId or OrganizationId is required/],
    [{ ManagementAccountId: '1234' }, /ManagementAccountId must be a 12-digit AWS account ID, got "1234"/],
    [{ OrganizationId: 'o-SHORT' }, /OrganizationId must be an organization ID like o-exampleorgid.*got "o-SHORT"/],
    [{ OrganizationId: ORG, HandshakeId: 'h-1' }, /HandshakeId must be a handshake ID like h-examplehandshakeid.*got "h-1"/],
    [{ OrganizationId: ORG, WaitTimeoutSeconds: '900' }, /WaitTimeoutSeconds must be a whole number from 0 to 840, got "900"/],
    [{ OrganizationId: ORG, WaitTimeoutSeconds: 'soon' }, /WaitTimeoutSeconds must be a whole number/],
    // whole seconds, as every accepter (a fraction was accepted before the accepters shared one contract)
    [{ OrganizationId: ORG, WaitTimeoutSeconds: '2.5' }, /WaitTimeoutSeconds must be a whole number from 0 to 840, got "2.5"/],
  ])('%o is refused', (raw, message) => {
    expect(() => parseProps(raw)).toThrow(message);
  });
});

describe('handler (the custom-resource contract)', () => {
  const props = { ManagementAccountId: MGMT, WaitTimeoutSeconds: '2' };
  const inMember = { StackId: CTX.stackId, ResourceType: 'Custom::OrgInvitationAccepter' };
  const env = { ...process.env };
  beforeAll(() => {
    // real timers, short polling: the wait's own clock, shortened through the environment
    process.env.CDK_ACCOUNT_INVITATIONS_POLL_FIRST_MS = '10';
    process.env.CDK_ACCOUNT_INVITATIONS_POLL_MAX_MS = '200';
  });
  afterAll(() => { process.env = env; });

  test('Create accepts, returns the physical ID and small Data, and logs neither emails nor notes', async () => {
    org.on(DescribeOrganizationCommand).rejectsOnce(notInUse()).resolves(organization());
    org.on(ListHandshakesForAccountCommand)
      .resolvesOnce({ Handshakes: [], NextToken: 'x' })
      .resolves({ Handshakes: [invite('h-abcdef1234', 'OPEN'), invite('h-foreign0001', 'OPEN', OTHER_MGMT, OTHER_ORG)] });
    const logs = captureLogs();
    let result;
    try {
      result = await handler(createEvent(props, inMember));
    } finally {
      logs.restore();
    }
    expect(result).toEqual({
      PhysicalResourceId: `org-invitation-accepter:us-east-1:${ORG}/${MGMT}:accepted:h-abcdef1234`,
      Data: { HandshakeId: 'h-abcdef1234', OrganizationId: ORG, HandshakeState: 'ACCEPTED' },
    });
    expect(Buffer.byteLength(JSON.stringify(result?.Data))).toBeLessThan(4096);
    expect(logs.text()).toContain('h-abcdef1234');
    expect(logs.text()).not.toMatch(/@example\.com|o\*\*\*@|top secret|Example Corp/);
  });

  test('failures log no emails or notes either (another organization, constraint)', async () => {
    org.on(DescribeOrganizationCommand).resolves(organization(OTHER_ORG, OTHER_MGMT));
    const logs = captureLogs();
    try {
      await expect(handler(createEvent(props, inMember))).rejects.toThrow(/is a member of organization o-otherorg999/);
      org.on(DescribeOrganizationCommand).rejects(notInUse());
      org.on(ListHandshakesForAccountCommand).resolves({ Handshakes: [invite('h-abcdef1234', 'OPEN')] });
      org.on(AcceptHandshakeCommand).rejects(awsError('HandshakeConstraintViolationException', 'c', { Reason: 'PAYMENT_INSTRUMENT_REQUIRED' }));
      await expect(handler(createEvent(props, inMember))).rejects.toThrow(/PAYMENT_INSTRUMENT_REQUIRED/);
    } finally {
      logs.restore();
    }
    expect(logs.text()).not.toMatch(/@example\.com|top secret|Example Corp/);
  });

  test('never arrives: fails within the (short) waitTimeout through the real clock, naming the inviter', async () => {
    const started = Date.now();
    await expect(handler(createEvent(props, inMember))).rejects.toThrow(
      `No AWS Organizations invitation from management account ${MGMT} reached account ${SELF} within 2 seconds`);
    expect(Date.now() - started).toBeLessThan(2_000 + 1_000);
    expect(org.commandCalls(ListHandshakesForAccountCommand).length).toBeGreaterThan(3);
  });

  test('Update with the same expectation and Delete make no accept call', async () => {
    org.on(DescribeOrganizationCommand).resolves(organization());
    await expect(handler(updateEvent('h-abcdef1234', props, { ...props, WaitTimeoutSeconds: '300' })))
      .resolves.toMatchObject({ PhysicalResourceId: 'h-abcdef1234', Data: { HandshakeState: 'ACCEPTED' } });
    org.resetHistory();
    await expect(handler(deleteEvent('h-abcdef1234', props))).resolves.toEqual({ PhysicalResourceId: 'h-abcdef1234' });
    expect(org.calls()).toHaveLength(0);
  });

  test('bad properties fail Create with a message, and a Delete with them succeeds', async () => {
    await expect(handler(createEvent({ OrganizationId: 'nope' }))).rejects.toThrow(/OrganizationId must be an organization ID like o-exampleorgid/);
    await expect(handler(deleteEvent('h-abcdef1234', { OrganizationId: 'nope' }))).resolves.toEqual({ PhysicalResourceId: 'h-abcdef1234' });
    expect(org.calls()).toHaveLength(0);
  });
});

describe('retries', () => {
  test('ConcurrentModificationException is retried by the client\'s strategy, then the call succeeds', async () => {
    org.restore();
    const { organizations: base } = invitedAccountClients();
    const seen: string[] = [];
    const client = new OrganizationsClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: await base.config.maxAttempts(),
      retryStrategy: await base.config.retryStrategy(),
      requestHandler: {
        handle: async () => {
          const fail = seen.length < 2;
          seen.push(fail ? 'ConcurrentModificationException' : 'ok');
          const body = fail
            ? { __type: 'ConcurrentModificationException', Message: 'busy' }
            : { Organization: { Id: ORG, MasterAccountId: MGMT } };
          return { response: { statusCode: fail ? 400 : 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Buffer.from(JSON.stringify(body)) } };
        },
      },
    });
    expect(await base.config.maxAttempts()).toBe(6);
    const result = await client.send(new DescribeOrganizationCommand({}));
    expect(result.Organization?.Id).toBe(ORG);
    expect(seen).toEqual(['ConcurrentModificationException', 'ConcurrentModificationException', 'ok']);
  }, 30_000);
});

describe('the one accepter lifecycle (lambda/shared/accepter.ts) with the Organizations spec', () => {
  const cfn = mockClient(CloudFormationClient);
  const withStack = { ...clients, cloudformation: new CloudFormationClient({ region: 'us-east-1', maxAttempts: 1 }) };
  const P = 'org-invitation-accepter:us-east-1';
  const byMgmt = { managementAccountId: MGMT, waitTimeoutMs: 0 };
  const stackIn = (status: string) => cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'Member', StackStatus: status as StackStatus, CreationTime: new Date() }],
  });
  const lifecycle = orgInvitationAccepterLifecycle;
  beforeEach(() => cfn.reset());
  afterAll(() => cfn.restore());

  test('Create records what it did: accepted, with the handshake; adopted, without one (the membership was there)', async () => {
    org.on(ListHandshakesForAccountCommand).resolves({ Handshakes: [invite('h-abcdef1234', 'OPEN')] });
    const accepted = await lifecycle.create(withStack, byMgmt, CTX);
    expect(accepted.PhysicalResourceId).toBe(`${P}:${ORG}/${MGMT}:accepted:h-abcdef1234`);
    expect(lifecycle.ownsPhysicalId(accepted.PhysicalResourceId)).toBe(true);

    org.on(DescribeOrganizationCommand).resolves(organization());
    const adopted = await lifecycle.create(withStack, { organizationId: ORG, waitTimeoutMs: 0 }, CTX);
    expect(adopted).toEqual({
      PhysicalResourceId: `${P}:${ORG}/${MGMT}:adopted:NONE`,
      Data: { HandshakeId: `already-member:${ORG}`, OrganizationId: ORG, HandshakeState: 'ALREADY_MEMBER' },
    });
  });

  // issue 17 item 9
  test.each([
    ['the same organization\'s ID added', { ...byMgmt, organizationId: ORG }],
    ['the accepted handshake\'s ID added', { ...byMgmt, handshakeId: 'h-abcdef1234' }],
    ['only the management account left (the organization\'s ID removed)', byMgmt],
    ['the organization alone (its management account removed)', { organizationId: ORG, waitTimeoutMs: 0 }],
  ])('an update with %s keeps the physical ID and HandshakeId: nothing identifying the membership changed', async (_, props) => {
    org.on(DescribeOrganizationCommand).resolves(organization());
    const physicalId = `${P}:${ORG}/${MGMT}:accepted:h-abcdef1234`;
    const result = await lifecycle.update(withStack, physicalId, props, { ...byMgmt, organizationId: ORG }, { ...CTX, requestType: 'Update' });
    expect(result).toEqual({ PhysicalResourceId: physicalId, Data: { HandshakeId: 'h-abcdef1234', OrganizationId: ORG, HandshakeState: 'ACCEPTED' } });
    expectNothingChanged();
    expect(cfn.calls()).toHaveLength(0);
  });

  // issue 17 item 9
  test('the rollback of a failed expectation change keeps the physical ID and HandshakeId', async () => {
    org.on(DescribeOrganizationCommand).resolves(organization());
    stackIn('UPDATE_IN_PROGRESS');
    const physicalId = `${P}:${ORG}/${MGMT}:accepted:h-abcdef1234`;
    const changed = { managementAccountId: OTHER_MGMT, waitTimeoutMs: 0 };
    await expect(lifecycle.update(withStack, physicalId, changed, byMgmt, { ...CTX, requestType: 'Update' }))
      .rejects.toThrow(/is a member of organization o-exampleorg11 \(management account 111111111111\), not .*management account 333333333333/);
    stackIn('UPDATE_ROLLBACK_IN_PROGRESS');
    const rollback = await lifecycle.update(withStack, physicalId, byMgmt, changed, { ...CTX, requestType: 'Update' });
    expect(rollback).toEqual({ PhysicalResourceId: physicalId, Data: { HandshakeId: 'h-abcdef1234', OrganizationId: ORG, HandshakeState: 'ACCEPTED' } });
    expectNothingChanged();
  });

  test('another organization expected while a member of the recorded one: a rollback accepts nothing; an unreadable stack keeps it, warning', async () => {
    org.on(DescribeOrganizationCommand).resolves(organization());
    const physicalId = `${P}:${ORG}/${MGMT}:accepted:h-abcdef1234`;
    const changed = { managementAccountId: OTHER_MGMT, waitTimeoutMs: 0 };
    stackIn('UPDATE_ROLLBACK_IN_PROGRESS');
    const rollback = await lifecycle.update(withStack, physicalId, changed, byMgmt, { ...CTX, requestType: 'Update' });
    expect(rollback.PhysicalResourceId).toBe(`${P}:${ORG}/${MGMT}:unknown:NONE`);
    expect(rollback.Data).toEqual({ HandshakeId: 'NONE', OrganizationId: ORG, HandshakeState: 'OTHER_ORGANIZATION' });

    cfn.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'denied by a permissions boundary'));
    const logs = captureLogs();
    try {
      const unreadable = await lifecycle.update(withStack, physicalId, changed, byMgmt, { ...CTX, requestType: 'Update' });
      expect(unreadable.PhysicalResourceId).toBe(`${P}:${ORG}/${MGMT}:unknown:NONE`);
    } finally {
      logs.restore();
    }
    expect(logs.text()).toMatch(/"level":"WARN".*whether this update is a rollback cannot be told.*cloudformation:DescribeStacks/);
    expectNothingChanged();
  });

  // issue 17 item 14
  test('a management account that is the stack\'s own account fails at once, naming the mix-up; nothing is read', async () => {
    const own = { managementAccountId: SELF, waitTimeoutMs: 300_000 };
    await expect(lifecycle.create(withStack, own, CTX)).rejects.toThrow(
      `The expected management account ${SELF} is this stack's own account: an accepter is deployed in the invited account and names the inviting one.`);
    expect(org.calls()).toHaveLength(0);
  });

  // issue 17 item 6
  test('the wait ends before the function\'s deadline, and the failure says it was cut by the time left', async () => {
    let t = 1_000_000;
    const timed = accepterLifecycle(ORG_ACCEPTER_SPEC, { timing: { now: () => t, sleep: async (ms) => { t += ms; } } });
    const deadline = t + 60_000;
    await expect(timed.create(withStack, { ...byMgmt, waitTimeoutMs: 300_000 }, { ...CTX, deadline })).rejects.toThrow(
      `No AWS Organizations invitation from management account ${MGMT} reached account ${SELF} within 40 seconds (the time the function had left).`);
    expect(t).toBe(deadline - ACT_RESERVE_MS);
  });

  test('Delete keeps the membership whatever this resource accepted, and says why; no call', async () => {
    const logs = captureLogs();
    try {
      for (const id of [`${P}:${ORG}/${MGMT}:accepted:h-abcdef1234`, `${P}:${ORG}/${MGMT}:adopted:NONE`, 'h-abcdef1234', `already-member:${ORG}`]) {
        await lifecycle.delete(withStack, id, byMgmt, { ...CTX, requestType: 'Delete' });
      }
    } finally {
      logs.restore();
    }
    expect(org.calls()).toHaveLength(0);
    expect(cfn.calls()).toHaveLength(0);
    expect(logs.text().match(/the relationship stays: leaving an organization is never automatic/g)).toHaveLength(4);
  });

  test('physical IDs of earlier versions: a handshake ID keeps reporting it, already-member keeps its organization', async () => {
    org.on(DescribeOrganizationCommand).rejects(notInUse());
    const left = await lifecycle.update(withStack, `already-member:${ORG}`, byMgmt, byMgmt, { ...CTX, requestType: 'Update' });
    expect(left).toEqual({
      PhysicalResourceId: `already-member:${ORG}`,
      Data: { HandshakeId: `already-member:${ORG}`, OrganizationId: ORG, HandshakeState: 'NOT_A_MEMBER' },
    });
    org.on(DescribeOrganizationCommand).resolves(organization());
    expect((await lifecycle.update(withStack, 'h-abcdef1234', byMgmt, byMgmt, { ...CTX, requestType: 'Update' })).Data)
      .toEqual({ HandshakeId: 'h-abcdef1234', OrganizationId: ORG, HandshakeState: 'ACCEPTED' });
  });

  test('an update that cannot read the membership reports UNKNOWN instead of failing (its rollback would fail the same way)', async () => {
    org.on(DescribeOrganizationCommand).rejects(awsError('ServiceException', 'down', {}, 500));
    const physicalId = `${P}:${ORG}/${MGMT}:accepted:h-abcdef1234`;
    const result = await lifecycle.update(withStack, physicalId, byMgmt, byMgmt, { ...CTX, requestType: 'Update' });
    expect(result).toEqual({ PhysicalResourceId: physicalId, Data: { HandshakeId: 'h-abcdef1234', OrganizationId: ORG, HandshakeState: 'UNKNOWN' } });
  });

  test('the inviter segment: unknown parts are written as such and never match a given part', () => {
    expect(inviterOf({ organizationId: ORG, managementAccountId: MGMT })).toBe(`${ORG}/${MGMT}`);
    expect(inviterOf({ organizationId: 'none' })).toBe('unknown/unknown');
    expect(partyOf('unknown/111111111111')).toEqual({ managementAccountId: MGMT });
    expect(ORG_ACCEPTER_SPEC.expects({ organizationId: ORG, waitTimeoutMs: 0 }, { inviter: `unknown/${MGMT}` })).toBe(false);
    expect(ORG_ACCEPTER_SPEC.expects(byMgmt, { inviter: `unknown/${MGMT}` })).toBe(true);
  });
});

// issue 17 item 11
describe('an expectation present but empty (a parameter or reference that resolved to \'\')', () => {
  test.each(['ManagementAccountId', 'OrganizationId', 'HandshakeId'])('%s \'\' is refused clearly, not read as "any"', (key) => {
    expect(() => parseProps({ ManagementAccountId: MGMT, OrganizationId: ORG, [key]: '' })).toThrow(
      `The property ${key} is empty (a parameter or reference that resolved to ''). An empty value does not mean "any"`);
  });

  test('absent is still "not given"', () => {
    expect(parseProps({ ManagementAccountId: MGMT })).toEqual({ managementAccountId: MGMT, waitTimeoutMs: 300_000 });
  });
});
