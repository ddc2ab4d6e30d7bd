import {
  CancelHandshakeCommand,
  DescribeAccountCommand,
  DescribeHandshakeCommand,
  Handshake,
  InviteAccountToOrganizationCommand,
  ListAccountsCommand,
  ListHandshakesForOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, captureLogs, createEvent, deleteEvent, updateEvent } from './util/events';
import { mockStackKeepingNothing } from './util/stack';
import { ORG_HINTS } from '../lambda/organizations/invite-hints';
import { handler } from '../lambda/organizations/inviter';
import * as steps from '../lambda/organizations/inviter/invite';
import { deleteInvitation, handshakeTargets } from '../lambda/organizations/inviter/invite';
import { orgInvitationLifecycle, ownsPhysicalId, toResponse } from '../lambda/organizations/inviter/lifecycle';
import { ORG_INVITATION, OrgInvitationProps } from '../src/private/contract/organizations';

const org = mockClient(OrganizationsClient);
const parseProps = ORG_INVITATION.parse;
// the invitation steps answer in attributes; the lifecycle turns them into the response through the contract
const createInvitation = async (...args: Parameters<typeof steps.createInvitation>) => toResponse(await steps.createInvitation(...args));
const updateInvitation = async (...args: Parameters<typeof steps.updateInvitation>) => toResponse(await steps.updateInvitation(...args));
const clients = { organizations: new OrganizationsClient({ region: 'us-east-1', maxAttempts: 1 }) };

const ACCOUNT: OrgInvitationProps = { targetId: '222222222222', targetType: 'ACCOUNT', tags: {} };
const EMAIL: OrgInvitationProps = { targetId: 'Owner@Example.com', targetType: 'EMAIL', notes: 'secret note', tags: {} };

function handshake(id: string, state: string, parties: Handshake['Parties'], resources: Handshake['Resources'] = []): Handshake {
  return {
    Id: id,
    Arn: `arn:aws:organizations::111111111111:handshake/o-exampleorg11/invite/${id}`,
    Action: 'INVITE',
    State: state as Handshake['State'],
    Parties: parties,
    Resources: resources,
  };
}
const CTX = { requestType: 'Create' as const, stackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/S/x', logicalResourceId: 'L', requestId: 'r', resourceType: 'Custom::OrgInvitation' };
const ORG_PARTY = { Id: 'o-exampleorg11', Type: 'ORGANIZATION' as const };

beforeEach(() => {
  org.reset();
  org.on(ListHandshakesForOrganizationCommand).resolves({ Handshakes: [] });
});

describe('create', () => {
  test('invites with Target, Notes and Tags, and returns the handshake as physical ID and Data', async () => {
    org.on(InviteAccountToOrganizationCommand).resolves({ Handshake: handshake('h-abcdef1234', 'OPEN', []) });

    const result = await createInvitation(clients, { ...ACCOUNT, notes: 'hello', tags: { team: 'a', env: 'prod' } });

    expect(result).toEqual({
      PhysicalResourceId: 'h-abcdef1234',
      Data: {
        HandshakeId: 'h-abcdef1234',
        HandshakeArn: 'arn:aws:organizations::111111111111:handshake/o-exampleorg11/invite/h-abcdef1234',
        HandshakeState: 'OPEN',
        Adopted: false,
      },
    });
    const invite = org.commandCalls(InviteAccountToOrganizationCommand);
    expect(invite).toHaveLength(1);
    expect(invite[0].args[0].input).toEqual({
      Target: { Id: '222222222222', Type: 'ACCOUNT' },
      Notes: 'hello',
      Tags: [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'prod' }],
    });
  });

  test('sends no Tags member when there are no tags', async () => {
    org.on(InviteAccountToOrganizationCommand).resolves({ Handshake: handshake('h-abcdef1234', 'OPEN', []) });
    await createInvitation(clients, ACCOUNT);
    expect(org.commandCalls(InviteAccountToOrganizationCommand)[0].args[0].input.Tags).toBeUndefined();
  });

  test('adopts an open invitation found before inviting, paging past empty pages', async () => {
    org.on(ListHandshakesForOrganizationCommand)
      .resolvesOnce({ Handshakes: [handshake('h-other00001', 'OPEN', [{ Id: '999999999999', Type: 'ACCOUNT' }, ORG_PARTY])], NextToken: 't1' })
      .resolvesOnce({ Handshakes: [], NextToken: 't2' })
      .resolvesOnce({ Handshakes: [handshake('h-match00001', 'OPEN', [{ Id: '222222222222', Type: 'ACCOUNT' }, ORG_PARTY])] });

    const result = await createInvitation(clients, ACCOUNT);

    expect(result.PhysicalResourceId).toBe('h-match00001');
    expect(result.Data?.Adopted).toBe(true);
    expect(org.commandCalls(InviteAccountToOrganizationCommand)).toHaveLength(0);
    const calls = org.commandCalls(ListHandshakesForOrganizationCommand);
    // the SDK paginator reuses one input object, so the recorded inputs all show the last token: count the pages
    expect(calls).toHaveLength(3);
    expect(calls[0].args[0].input.Filter).toEqual({ ActionType: 'INVITE' });
  });

  test('does not adopt a finished invitation to the same target', async () => {
    org.on(ListHandshakesForOrganizationCommand).resolves({
      Handshakes: [
        handshake('h-declined01', 'DECLINED', [{ Id: '222222222222', Type: 'ACCOUNT' }, ORG_PARTY]),
        handshake('h-expired001', 'EXPIRED', [{ Id: '222222222222', Type: 'ACCOUNT' }, ORG_PARTY]),
      ],
    });
    org.on(InviteAccountToOrganizationCommand).resolves({ Handshake: handshake('h-new0000001', 'OPEN', []) });
    expect((await createInvitation(clients, ACCOUNT)).PhysicalResourceId).toBe('h-new0000001');
  });

  test('on DuplicateHandshakeException, looks again and adopts', async () => {
    org.on(ListHandshakesForOrganizationCommand)
      .resolvesOnce({ Handshakes: [] })
      .resolvesOnce({ Handshakes: [handshake('h-raced00001', 'REQUESTED', [{ Id: '222222222222', Type: 'ACCOUNT' }, ORG_PARTY])] });
    org.on(InviteAccountToOrganizationCommand).rejects(awsError('DuplicateHandshakeException'));

    const result = await createInvitation(clients, ACCOUNT);
    expect(result.PhysicalResourceId).toBe('h-raced00001');
    expect(result.Data?.HandshakeState).toBe('REQUESTED');
  });

  test('DuplicateHandshakeException without a match fails with what to do', async () => {
    org.on(InviteAccountToOrganizationCommand).rejects(awsError('DuplicateHandshakeException'));
    await expect(createInvitation(clients, ACCOUNT)).rejects.toThrow(/account 222222222222.*already open.*Cancel the invitation/);
  });

  test('a member of this organization succeeds with ALREADY_MEMBER and sends no invitation', async () => {
    org.on(InviteAccountToOrganizationCommand).rejects(
      awsError('HandshakeConstraintViolationException', 'in an org', { Reason: 'ALREADY_IN_AN_ORGANIZATION' }));
    org.on(DescribeAccountCommand, { AccountId: '222222222222' }).resolves({ Account: { Id: '222222222222' } });

    const result = await createInvitation(clients, ACCOUNT);
    expect(result).toEqual({
      PhysicalResourceId: 'already-member:222222222222',
      Data: { HandshakeId: 'already-member:222222222222', HandshakeArn: '', HandshakeState: 'ALREADY_MEMBER', Adopted: false },
    });
  });

  test('an email target already in this organization is found by email, case-insensitively, across pages', async () => {
    org.on(InviteAccountToOrganizationCommand).rejects(
      awsError('HandshakeConstraintViolationException', 'in an org', { Reason: 'ALREADY_IN_AN_ORGANIZATION' }));
    org.on(ListAccountsCommand)
      .resolvesOnce({ Accounts: [{ Id: '333333333333', Email: 'x@example.com' }], NextToken: 'n' })
      .resolvesOnce({ Accounts: [{ Id: '444444444444', Email: 'owner@example.COM' }] });

    const result = await createInvitation(clients, EMAIL);
    expect(result.PhysicalResourceId).toBe('already-member:444444444444');
  });

  test('a target in another organization fails clearly', async () => {
    org.on(InviteAccountToOrganizationCommand).rejects(
      awsError('HandshakeConstraintViolationException', 'in an org', { Reason: 'ALREADY_IN_AN_ORGANIZATION' }));
    org.on(DescribeAccountCommand).rejects(awsError('AccountNotFoundException'));
    await expect(createInvitation(clients, ACCOUNT)).rejects.toThrow(
      /^Inviting account 222222222222 failed with HandshakeConstraintViolationException \(ALREADY_IN_AN_ORGANIZATION\): in an org\. The account already belongs to another AWS Organization: it must leave/);
  });

  test.each([
    ['ACCOUNT_NUMBER_LIMIT_EXCEEDED', /ACCOUNT_NUMBER_LIMIT_EXCEEDED.*quota/],
    ['HANDSHAKE_RATE_LIMIT_EXCEEDED', /HANDSHAKE_RATE_LIMIT_EXCEEDED.*20 invitations per 24 hours/],
    ['PAYMENT_INSTRUMENT_REQUIRED', /PAYMENT_INSTRUMENT_REQUIRED.*payment instrument/],
    ['ORGANIZATION_FROM_DIFFERENT_SELLER_OF_RECORD', /different sellers of record/],
    ['INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES', /enabling all features/],
  ])('constraint %s fails with the reason and what to do, without retrying', async (reason, message) => {
    org.on(InviteAccountToOrganizationCommand).rejects(awsError('HandshakeConstraintViolationException', 'no', { Reason: reason }));
    await expect(createInvitation(clients, ACCOUNT)).rejects.toThrow(message);
    expect(org.commandCalls(InviteAccountToOrganizationCommand)).toHaveLength(1);
  });

  test('a tag policy violation names the reason', async () => {
    org.on(InviteAccountToOrganizationCommand).rejects(awsError('ConstraintViolationException', 'tags', { Reason: 'TAG_POLICY_VIOLATION' }));
    await expect(createInvitation(clients, ACCOUNT)).rejects.toThrow(/ConstraintViolationException \(TAG_POLICY_VIOLATION\).*tag policy/);
  });

  test.each(['AWSOrganizationsNotInUseException', 'AccessDeniedException', 'AccountOwnerNotVerifiedException'])(
    '%s tells the user to deploy in the management account', async (name) => {
      org.on(InviteAccountToOrganizationCommand).rejects(awsError(name));
      await expect(createInvitation(clients, ACCOUNT)).rejects.toThrow(new RegExp(`${name}.*management account`));
    });

  test.each(['AccessDeniedException', 'AWSOrganizationsNotInUseException'])(
    '%s on the first read (ListHandshakesForOrganization) says where to deploy', async (name) => {
      org.on(ListHandshakesForOrganizationCommand).rejects(awsError(name));
      await expect(orgInvitationLifecycle.create(clients, ACCOUNT, CTX)).rejects.toThrow(/^Inviting account 222222222222 failed with .*management account/);
      await expect(orgInvitationLifecycle.update(clients, 'h-abcdef1234', { ...ACCOUNT, targetId: '333333333333' }, ACCOUNT, CTX))
        .rejects.toThrow(/management account/);
    });

  test('email targets are masked in messages', async () => {
    org.on(InviteAccountToOrganizationCommand).rejects(awsError('AccessDeniedException', 'denied for Owner@Example.com'));
    const error = await createInvitation(clients, EMAIL).catch((e: Error) => e);
    expect(String((error as Error).message)).toContain('O***@Example.com');
    expect(String((error as Error).message)).not.toContain('Owner@');
  });
});

describe('handshake matching', () => {
  test('matches an account ID found only in nested Resources (Parties show the resolved email)', () => {
    const h = handshake('h-abcdef1234', 'OPEN', [{ Id: 'owner@example.com', Type: 'EMAIL' }, ORG_PARTY], [
      { Type: 'ORGANIZATION', Value: 'o-exampleorg11', Resources: [{ Type: 'MASTER_EMAIL', Value: 'admin@example.com' }] },
      { Type: 'ACCOUNT', Value: 'x', Resources: [{ Type: 'ACCOUNT', Value: '222222222222' }] },
    ]);
    expect(handshakeTargets(h, ACCOUNT)).toBe(true);
    expect(handshakeTargets(h, { ...ACCOUNT, targetId: '333333333333' })).toBe(false);
  });

  test('matches emails case-insensitively in Parties and Resources, never the organization party', () => {
    expect(handshakeTargets(handshake('h-1', 'OPEN', [{ Id: 'OWNER@example.com', Type: 'EMAIL' }]), EMAIL)).toBe(true);
    expect(handshakeTargets(handshake('h-1', 'OPEN', [], [{ Type: 'EMAIL', Value: 'owner@EXAMPLE.com' }]), EMAIL)).toBe(true);
    expect(handshakeTargets(handshake('h-1', 'OPEN', [{ Id: '222222222222', Type: 'ORGANIZATION' }]), ACCOUNT)).toBe(false);
    expect(handshakeTargets(handshake('h-1', 'OPEN', [], [{ Type: 'MASTER_EMAIL', Value: 'owner@example.com' }]), EMAIL)).toBe(false);
  });
});

describe('update', () => {
  test('a changed target is a new invitation with a new physical ID', async () => {
    org.on(InviteAccountToOrganizationCommand).resolves({ Handshake: handshake('h-new0000001', 'OPEN', []) });
    const result = await updateInvitation(clients, 'h-old0000001', { ...ACCOUNT, targetId: '333333333333' }, ACCOUNT);
    expect(result.PhysicalResourceId).toBe('h-new0000001');
    expect(org.commandCalls(InviteAccountToOrganizationCommand)[0].args[0].input.Target?.Id).toBe('333333333333');
  });

  test.each(['OPEN', 'REQUESTED', 'ACCEPTED'])('a change of notes or tags alone sends nothing while the handshake is %s', async (state) => {
    org.on(DescribeHandshakeCommand, { HandshakeId: 'h-old0000001' }).resolves({ Handshake: handshake('h-old0000001', state, []) });
    const result = await updateInvitation(clients, 'h-old0000001', { ...ACCOUNT, notes: 'new', tags: { a: 'b' } }, ACCOUNT);
    expect(result.PhysicalResourceId).toBe('h-old0000001');
    expect(result.Data?.HandshakeState).toBe(state);
    expect(org.commandCalls(InviteAccountToOrganizationCommand)).toHaveLength(0);
  });

  test.each(['EXPIRED', 'DECLINED', 'CANCELED'])('once the handshake is %s, an update invites again', async (state) => {
    org.on(DescribeHandshakeCommand).resolves({ Handshake: handshake('h-old0000001', state, []) });
    org.on(InviteAccountToOrganizationCommand).resolves({ Handshake: handshake('h-new0000001', 'OPEN', []) });
    const result = await updateInvitation(clients, 'h-old0000001', { ...ACCOUNT, notes: 'again' }, ACCOUNT);
    expect(result.PhysicalResourceId).toBe('h-new0000001');
    expect(org.commandCalls(InviteAccountToOrganizationCommand)[0].args[0].input.Notes).toBe('again');
  });

  test('an email target that differs only in case is the same target', async () => {
    org.on(DescribeHandshakeCommand).resolves({ Handshake: handshake('h-old0000001', 'OPEN', []) });
    const result = await updateInvitation(clients, 'h-old0000001', { ...EMAIL, targetId: 'owner@example.com' }, EMAIL);
    expect(result.PhysicalResourceId).toBe('h-old0000001');
    expect(org.commandCalls(InviteAccountToOrganizationCommand)).toHaveLength(0);
  });

  test('an account that was already a member stays so without calls', async () => {
    const result = await updateInvitation(clients, 'already-member:222222222222', { ...ACCOUNT, notes: 'x' }, ACCOUNT);
    expect(result.PhysicalResourceId).toBe('already-member:222222222222');
    expect(org.calls()).toHaveLength(0);
  });
});

describe('delete', () => {
  test.each(['OPEN', 'REQUESTED'])('cancels a %s handshake', async (state) => {
    org.on(DescribeHandshakeCommand).resolves({ Handshake: handshake('h-abcdef1234', state, []) });
    org.on(CancelHandshakeCommand).resolves({});
    await deleteInvitation(clients, 'h-abcdef1234');
    expect(org.commandCalls(CancelHandshakeCommand)[0].args[0].input).toEqual({ HandshakeId: 'h-abcdef1234' });
  });

  test.each(['ACCEPTED', 'CANCELED', 'DECLINED', 'EXPIRED'])('leaves a %s handshake alone and succeeds', async (state) => {
    org.on(DescribeHandshakeCommand).resolves({ Handshake: handshake('h-abcdef1234', state, []) });
    await deleteInvitation(clients, 'h-abcdef1234');
    expect(org.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
  });

  test('an accepted invitation is logged as a warning: the account stays', async () => {
    org.on(DescribeHandshakeCommand).resolves({ Handshake: handshake('h-abcdef1234', 'ACCEPTED', []) });
    const logs = captureLogs();
    try {
      await deleteInvitation(clients, 'h-abcdef1234');
    } finally {
      logs.restore();
    }
    expect(logs.text()).toMatch(/"level":"WARN".*stays in the organization/);
  });

  test('HandshakeNotFoundException on describe succeeds', async () => {
    org.on(DescribeHandshakeCommand).rejects(awsError('HandshakeNotFoundException'));
    await expect(deleteInvitation(clients, 'h-abcdef1234')).resolves.toBeUndefined();
    expect(org.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
  });

  test.each(['HandshakeAlreadyInStateException', 'HandshakeNotFoundException'])('%s on cancel succeeds', async (name) => {
    org.on(DescribeHandshakeCommand).resolves({ Handshake: handshake('h-abcdef1234', 'OPEN', []) });
    org.on(CancelHandshakeCommand).rejects(awsError(name));
    await expect(deleteInvitation(clients, 'h-abcdef1234')).resolves.toBeUndefined();
  });

  test('InvalidHandshakeTransitionException re-reads the state and succeeds', async () => {
    org.on(DescribeHandshakeCommand)
      .resolvesOnce({ Handshake: handshake('h-abcdef1234', 'OPEN', []) })
      .resolvesOnce({ Handshake: handshake('h-abcdef1234', 'ACCEPTED', []) });
    org.on(CancelHandshakeCommand).rejects(awsError('InvalidHandshakeTransitionException'));
    await expect(deleteInvitation(clients, 'h-abcdef1234')).resolves.toBeUndefined();
    expect(org.commandCalls(DescribeHandshakeCommand)).toHaveLength(2);
  });

  test.each(['already-member:222222222222', 'cdk-account-invitations:create-failed', 'not-a-handshake'])(
    'a physical ID that is not a handshake ID (%s) succeeds without calls', async (id) => {
      await deleteInvitation(clients, id);
      expect(org.calls()).toHaveLength(0);
    });

  test('access denied on cancel fails with what to do', async () => {
    org.on(DescribeHandshakeCommand).resolves({ Handshake: handshake('h-abcdef1234', 'OPEN', []) });
    org.on(CancelHandshakeCommand).rejects(awsError('AccessDeniedException'));
    await expect(orgInvitationLifecycle.delete(clients, 'h-abcdef1234', ACCOUNT, CTX)).rejects.toThrow(/management account.*retry the delete/);
  });

  test('access denied on the first read of a delete also says where to deploy', async () => {
    org.on(DescribeHandshakeCommand).rejects(awsError('AccessDeniedException', 'You don\'t have permissions to access this resource.'));
    await expect(orgInvitationLifecycle.delete(clients, 'h-abcdef1234', ACCOUNT, CTX))
      .rejects.toThrow(/^Canceling invitation h-abcdef1234 failed with AccessDeniedException: You don't have permissions to access this resource\. Deploy this stack in the AWS Organization's management account/);
  });
});

describe('after a Create that did not finish (cut off, or cancelled by CloudFormation)', () => {
  const SINCE = new Date('2026-12-01T05:00:00Z');
  const at = (offsetMs: number) => new Date(SINCE.getTime() + offsetMs);
  function openTo(id: string, requested: Date): Handshake {
    return { ...handshake(id, 'OPEN', [{ Id: '222222222222', Type: 'ACCOUNT' }, ORG_PARTY]), RequestedTimestamp: requested };
  }
  beforeEach(() => {
    org.on(CancelHandshakeCommand).resolves({});
  });

  test('cancels the open invitation to the target requested after the Create started (beyond the clock skew)', async () => {
    org.on(ListHandshakesForOrganizationCommand).resolves({ Handshakes: [openTo('h-abandoned1', at(12_000))] });
    org.on(DescribeHandshakeCommand).resolves({ Handshake: openTo('h-abandoned1', at(12_000)) });
    await orgInvitationLifecycle.abandonedCreate!(clients, ACCOUNT, CTX, SINCE);
    expect(org.commandCalls(CancelHandshakeCommand).map((c) => c.args[0].input)).toEqual([{ HandshakeId: 'h-abandoned1' }]);
  });

  // issue 17 item 7: the 5 s of clock skew go to the safe side (it allowed 5 s before the start, on the unsafe side)
  test('the clock-skew slack keeps: requested 3 s before or 4 s after the start may predate it (kept), 6 s after counts', async () => {
    const logs = captureLogs();
    try {
      for (const [id, offset] of [['h-before00001', -3_000], ['h-skewed0001', 4_000]] as const) {
        org.on(ListHandshakesForOrganizationCommand).resolves({ Handshakes: [openTo(id, at(offset))] });
        org.on(DescribeHandshakeCommand).resolves({ Handshake: openTo(id, at(offset)) });
        await orgInvitationLifecycle.abandonedCreate!(clients, ACCOUNT, CTX, SINCE);
        expect(org.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
      }
    } finally {
      logs.restore();
    }
    expect(logs.text()).toMatch(/"level":"WARN".*within seconds of the unfinished Create's start, so it may be older.*kept.*h-before00001/);
    expect(logs.text()).toMatch(/"level":"WARN".*within seconds of the unfinished Create's start.*h-skewed0001/);

    org.on(ListHandshakesForOrganizationCommand).resolves({ Handshakes: [openTo('h-surely00001', at(6_000))] });
    org.on(DescribeHandshakeCommand).resolves({ Handshake: openTo('h-surely00001', at(6_000)) });
    await orgInvitationLifecycle.abandonedCreate!(clients, ACCOUNT, CTX, SINCE);
    expect(org.commandCalls(CancelHandshakeCommand).map((c) => c.args[0].input)).toEqual([{ HandshakeId: 'h-surely00001' }]);
  });

  test('keeps an invitation that was open before the Create started (another stack\'s, or one the Create adopted)', async () => {
    org.on(ListHandshakesForOrganizationCommand).resolves({ Handshakes: [openTo('h-otherstack', new Date('2026-11-20T10:00:00Z'))] });
    const logs = captureLogs();
    try {
      await orgInvitationLifecycle.abandonedCreate!(clients, ACCOUNT, CTX, SINCE);
    } finally {
      logs.restore();
    }
    expect(org.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
    expect(logs.text()).toMatch(/requested before the unfinished Create started: it is kept.*h-otherstack/);
  });

  test('keeps everything, and says so, when the Create\'s start is unknown', async () => {
    org.on(ListHandshakesForOrganizationCommand).resolves({ Handshakes: [openTo('h-abandoned1', new Date())] });
    const logs = captureLogs();
    try {
      await orgInvitationLifecycle.abandonedCreate!(clients, ACCOUNT, CTX, undefined);
    } finally {
      logs.restore();
    }
    expect(org.calls()).toHaveLength(0);
    expect(logs.text()).toMatch(/"level":"WARN".*start of the unfinished Create is unknown.*kept.*Organizations console/);
  });

  test('with no open invitation, sends nothing', async () => {
    await orgInvitationLifecycle.abandonedCreate!(clients, ACCOUNT, CTX, SINCE);
    expect(org.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
  });

  test('ownsPhysicalId: handshake IDs, already-member:<account> and a rollback\'s not-invited, not markers or made-up IDs', () => {
    for (const id of ['h-abcdef1234', 'already-member:444444444444', 'not-invited']) expect(ownsPhysicalId(id)).toBe(true);
    for (const id of ['cdk-account-invitations:create-timed-out', 'LandingZone-Invitation-1A2B3C4D5E6F', 'already-member:x', 'link-abcd1234efgh', '']) {
      expect(ownsPhysicalId(id)).toBe(false);
    }
  });
});

describe('TargetType decided at deploy time (absent or empty: targetId was a token at synth)', () => {
  test.each([
    [{ TargetId: 'Owner@Example.com' }, 'EMAIL'],
    [{ TargetId: 'owner@example.com', TargetType: '' }, 'EMAIL'],
    [{ TargetId: '222222222222' }, 'ACCOUNT'],
    [{ TargetId: '222222222222', TargetType: '' }, 'ACCOUNT'],
  ])('%j is %s', (raw, type) => {
    expect(parseProps(raw).targetType).toBe(type);
  });

  test('anything else is a clear error that names the value', () => {
    expect(() => parseProps({ TargetId: 'team-a' })).toThrow(/^TargetId team-a is neither a 12-digit account ID nor an email address/);
    expect(() => parseProps({ TargetId: '12345' })).toThrow(/neither a 12-digit account ID nor an email address/);
  });

  test('a given TargetType still has to match', () => {
    expect(() => parseProps({ TargetId: 'owner@example.com', TargetType: 'ACCOUNT' })).toThrow(/is not a 12-digit account ID, but TargetType is ACCOUNT/);
    expect(() => parseProps({ TargetId: '222222222222', TargetType: 'EMAIL' })).toThrow(/is not an email address, but TargetType is EMAIL/);
  });

  test('an email from a parameter without TargetType is invited as EMAIL through the handler', async () => {
    org.on(InviteAccountToOrganizationCommand).resolves({ Handshake: handshake('h-abcdef1234', 'OPEN', []) });
    await handler(createEvent({ TargetId: 'owner@example.com' }));
    expect(org.commandCalls(InviteAccountToOrganizationCommand)[0].args[0].input.Target).toEqual({ Id: 'owner@example.com', Type: 'EMAIL' });
  });
});

describe('old properties that no longer parse as a whole (parseOld: the target alone)', () => {
  test('a changed target still invites the new one', async () => {
    const old = orgInvitationLifecycle.parseOld!({ TargetId: '333333333333', TargetType: 'ACCOUNT', Tags: 'not a map' });
    expect(old).toEqual({ targetId: '333333333333', targetType: 'ACCOUNT', tags: {} });
    org.on(InviteAccountToOrganizationCommand).resolves({ Handshake: handshake('h-new0000001', 'OPEN', []) });
    const result = await orgInvitationLifecycle.update(clients, 'h-old0000001', ACCOUNT, old, CTX);
    expect(result.PhysicalResourceId).toBe('h-new0000001');
    expect(org.commandCalls(InviteAccountToOrganizationCommand)[0].args[0].input.Target).toEqual({ Id: '222222222222', Type: 'ACCOUNT' });
  });

  test('through the handler: old Tags that no longer parse do not hide a changed target', async () => {
    org.on(InviteAccountToOrganizationCommand).resolves({ Handshake: handshake('h-new0000001', 'OPEN', []) });
    const result = await handler(updateEvent('h-old0000001', { TargetId: '222222222222', TargetType: 'ACCOUNT' },
      { TargetId: '333333333333', TargetType: 'ACCOUNT', Tags: ['a list'] }));
    expect(result.PhysicalResourceId).toBe('h-new0000001');
  });

  test('an old target that does not parse either throws (the runtime then treats the old properties as unchanged)', () => {
    expect(() => orgInvitationLifecycle.parseOld!({ TargetId: 'nope', TargetType: 'ACCOUNT' })).toThrow(/not a 12-digit account ID/);
  });
});

describe('error messages name the AWS reason code and what to do', () => {
  test.each(Object.keys(ORG_HINTS).filter((k) => /^[A-Z_]+$/.test(k)))('%s', async (reason) => {
    org.on(InviteAccountToOrganizationCommand).rejects(awsError('HandshakeConstraintViolationException', 'no', { Reason: reason }));
    org.on(DescribeAccountCommand).rejects(awsError('AccountNotFoundException'));
    const message = (await createInvitation(clients, ACCOUNT).catch((e: Error) => e) as Error).message;
    expect(message).toContain(`(${reason})`);
    expect(message).toContain(ORG_HINTS[reason]);
    expect(message).not.toMatch(/\blogs?\b/);
  });
});

describe('handler (the custom-resource contract)', () => {
  // the stack keeps nothing: the Delete (or the removal) goes ahead (when the stack cannot be read, it keeps)
  let stackMock: ReturnType<typeof mockStackKeepingNothing>;
  beforeEach(() => {
    stackMock = mockStackKeepingNothing();
  });
  afterEach(() => stackMock.restore());

  const props = { TargetId: '222222222222', TargetType: 'ACCOUNT', Notes: 'top secret notes', Tags: { team: 'a' } };

  test('Create returns the physical ID and Data, and logs neither notes nor emails', async () => {
    org.on(InviteAccountToOrganizationCommand).resolves({ Handshake: handshake('h-abcdef1234', 'OPEN', []) });
    const logs = captureLogs();
    let result;
    try {
      result = await handler(createEvent({ ...props, TargetId: 'owner@example.com', TargetType: 'EMAIL' }));
    } finally {
      logs.restore();
    }
    expect(result?.PhysicalResourceId).toBe('h-abcdef1234');
    expect(Buffer.byteLength(JSON.stringify(result?.Data))).toBeLessThan(4096);
    expect(logs.text()).toContain('h-abcdef1234');
    expect(logs.text()).not.toMatch(/owner@example\.com|top secret/);
    const input = org.commandCalls(InviteAccountToOrganizationCommand)[0].args[0].input;
    expect(input.Target).toEqual({ Id: 'owner@example.com', Type: 'EMAIL' });
    expect(input.Notes).toBe('top secret notes');
  });

  test('Update and Delete dispatch to the lifecycle', async () => {
    org.on(DescribeHandshakeCommand).resolves({ Handshake: handshake('h-abcdef1234', 'OPEN', []) });
    org.on(CancelHandshakeCommand).resolves({});
    await expect(handler(updateEvent('h-abcdef1234', { ...props, Notes: 'n2' }, props))).resolves.toMatchObject({ PhysicalResourceId: 'h-abcdef1234' });
    await expect(handler(deleteEvent('h-abcdef1234', props))).resolves.toEqual({ PhysicalResourceId: 'h-abcdef1234' });
    expect(org.commandCalls(CancelHandshakeCommand)).toHaveLength(1);
  });

  test('bad properties fail Create with a message, and a Delete with them succeeds', async () => {
    await expect(handler(createEvent({ TargetId: 'nope', TargetType: 'ACCOUNT' }))).rejects.toThrow(/TargetId nope is not a 12-digit account ID/);
    await expect(handler(deleteEvent('h-abcdef1234', { TargetId: 'nope', TargetType: 'ACCOUNT' }))).resolves.toEqual({ PhysicalResourceId: 'h-abcdef1234' });
    expect(org.calls()).toHaveLength(0);
  });

  // issue 17 item 16
  test('an AWS error that echoes the notes or the email target: neither reaches the Reason nor the log', async () => {
    const notes = 'Welcome aboard, the door code is 4711';
    org.on(InviteAccountToOrganizationCommand).rejects(awsError('ConstraintViolationException',
      `Notes "${notes}" for Owner@Example.com violate a policy`, { Reason: 'TAG_POLICY_VIOLATION' }));
    const logs = captureLogs();
    let error: Error | undefined;
    try {
      error = await handler(createEvent({ ...props, TargetId: 'Owner@Example.com', TargetType: 'EMAIL', Notes: notes }))
        .then(() => undefined, (e: Error) => e);
    } finally {
      logs.restore();
    }
    expect(error?.message).toMatch(/ConstraintViolationException \(TAG_POLICY_VIOLATION\)/);
    // the email is masked when the message is made, the notes are scrubbed on the way out
    expect(error?.message).toContain('Notes "[redacted]" for O***@Example.com violate a policy');
    expect(logs.text()).not.toMatch(/door code|Owner@Example\.com/);
  });

  test('the sensitive inputs come from the contract: the notes and an email target, not an account ID', () => {
    expect(orgInvitationLifecycle.sensitive?.({ TargetId: 'a@example.com', Notes: 'n1' })).toEqual(['n1', 'a@example.com']);
    expect(orgInvitationLifecycle.sensitive?.({ TargetId: '222222222222', TargetType: 'ACCOUNT' })).toEqual([undefined, undefined]);
    // properties that do not parse still name what to scrub
    expect(orgInvitationLifecycle.sensitive?.({ TargetId: 42, Notes: 'n1', Tags: 'x' })).toEqual(['n1', undefined]);
  });

  test('an unexpected error becomes a user-facing message naming the request and the AWS error', async () => {
    org.on(ListHandshakesForOrganizationCommand).rejects(awsError('ServiceException', 'boom', {}, 500));
    await expect(handler(createEvent(props))).rejects.toThrow(/Create of the Organizations invitation failed with ServiceException: boom\. If this is transient, deploy again/);
  });
});
