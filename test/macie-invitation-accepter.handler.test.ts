import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import {
  AcceptInvitationCommand,
  AcceptInvitationCommandInput,
  DisassociateFromAdministratorAccountCommand,
  GetAdministratorAccountCommand,
  GetMacieSessionCommand,
  Invitation,
  ListInvitationsCommand,
  ListInvitationsCommandInput,
  Macie2Client,
} from '@aws-sdk/client-macie2';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE, awsError, captureLogs, createEvent, deleteEvent, updateEvent } from './util/events';
import { modelProblems, recordedRequests } from './util/model';
import { acceptMacieInvitation, classifyInvitations } from '../lambda/macie/accept';
import { handler } from '../lambda/macie/accepter';
import { administratorOf, macieInvitationAccepterLifecycle, ownsPhysicalId } from '../lambda/macie/accepter/lifecycle';
import { createClients } from '../lambda/macie/service';
import { CREATE_FAILED_PHYSICAL_ID } from '../lambda/shared/runtime';
import { ACT_RESERVE_MS } from '../lambda/shared/wait';
import { MACIE_ACCEPTER } from '../src/private/contract/macie';

const macie = mockClient(Macie2Client);
const cfn = mockClient(CloudFormationClient);
const clients = { macie: new Macie2Client({ region: 'us-east-1', maxAttempts: 1 }) };

/** The member account is the stack's (test/util/events.ts: 111111111111 in us-east-1). */
const ADMIN = '999999999999';
const OTHER_ADMIN = '888888888888';
const INVITATION_ID = '4d7a9b0c1e2f3a4b5c6d7e8f90a1b2c3';
/** What a resource records: `<prefix>:<region>:<administrator>:<accepted|adopted|unknown>:<invitation ID>`. */
const idOf = (how: string, administrator = ADMIN, invitationId = INVITATION_ID) =>
  `macie-invitation-accepter:us-east-1:${administrator}:${how}:${invitationId}`;
/** A resource that accepted ADMIN's invitation INVITATION_ID. */
const PHYSICAL_ID = idOf('accepted');
/** The physical ID of earlier versions: the administrator only (whether it accepted or adopted cannot be told). */
const LEGACY_ID = `macie-invitation-accepter:us-east-1:${ADMIN}`;
const CTX = { stackId: BASE.StackId };

const RAW = { AdministratorAccountId: ADMIN, WaitTimeoutSeconds: '0', RemovalPolicy: 'DESTROY' };

/** A fake clock: `sleep` advances it instead of waiting. */
function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms: number) => { sleeps.push(ms); t += ms; }, sleeps, elapsed: () => t };
}

/**
 * The member account's Macie behind the mocked client: enabled or not, its administrator (any relationship state),
 * the invitations it received (paged `pageSize` at a time, with optional empty pages first), and AcceptInvitation /
 * DisassociateFromAdministratorAccount that change that state as Macie does.
 */
class FakeMemberMacie {
  public enabled = true;
  public administrator: Invitation | undefined;
  public invitations: Invitation[] = [];
  public pageSize = 25;
  /** Empty pages (with a nextToken) before the first real one. */
  public emptyPages = 0;
  public listCalls = 0;
  public readonly listTokens: Array<string | undefined> = [];

  constructor() {
    const notEnabled = () => awsError('AccessDeniedException', 'Macie is not enabled.', {}, 403);
    macie.on(GetMacieSessionCommand).callsFake(async () => {
      if (!this.enabled) throw notEnabled();
      return { status: 'ENABLED' };
    });
    macie.on(GetAdministratorAccountCommand).callsFake(async () => {
      if (!this.enabled) throw notEnabled();
      return this.administrator ? { administrator: this.administrator } : {};
    });
    macie.on(ListInvitationsCommand).callsFake(async (input: ListInvitationsCommandInput) => {
      if (!this.enabled) throw notEnabled();
      this.onList(++this.listCalls);
      this.listTokens.push(input.nextToken);
      const index = Number(input.nextToken ?? 0);
      if (index < this.emptyPages) return { invitations: [], nextToken: String(index + 1) };
      const start = (index - this.emptyPages) * this.pageSize;
      const end = start + this.pageSize;
      return {
        invitations: this.invitations.slice(start, end),
        nextToken: end < this.invitations.length ? String(index + 1) : undefined,
      };
    });
    macie.on(AcceptInvitationCommand).callsFake(async (input: AcceptInvitationCommandInput) => {
      const invitation = this.invitations.find((i) => i.invitationId === input.invitationId && i.accountId === input.administratorAccountId);
      if (!invitation || invitation.relationshipStatus !== 'Invited') {
        throw awsError('ValidationException', 'The request failed because the invitation does not exist or is not pending.');
      }
      this.invitations = this.invitations.filter((i) => i !== invitation);
      this.administrator = { accountId: input.administratorAccountId, invitationId: input.invitationId, relationshipStatus: 'Enabled' };
      return {};
    });
    macie.on(DisassociateFromAdministratorAccountCommand).callsFake(async () => {
      if (!this.administrator) throw awsError('ResourceNotFoundException', 'The account is not associated with an administrator.', {}, 404);
      this.administrator = { ...this.administrator, relationshipStatus: 'Resigned' };
      return {};
    });
  }

  /** Called before every ListInvitations page: lets a test deliver an invitation during the wait. */
  public onList: (call: number) => void = () => {};

  invite(accountId = ADMIN, invitationId = INVITATION_ID, relationshipStatus = 'Invited', invitedAt = new Date('2026-11-30T10:00:00Z')): void {
    this.invitations.push({ accountId, invitationId, relationshipStatus: relationshipStatus as Invitation['relationshipStatus'], invitedAt });
  }
}

function calls(command: Parameters<typeof macie.commandCalls>[0]): number {
  return macie.commandCalls(command).length;
}

let fake: FakeMemberMacie;
let logs: ReturnType<typeof captureLogs>;

beforeEach(() => {
  macie.reset();
  cfn.reset();
  // the stack is being deleted: nothing is kept by another resource
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: 'DELETE_IN_PROGRESS', CreationTime: new Date() }] });
  fake = new FakeMemberMacie();
  logs = captureLogs();
});

afterEach(() => {
  logs.restore();
  // every request the handler sent satisfies the Macie service model (required members, patterns, ranges)
  expect(modelProblems('macie2', recordedRequests(macie))).toEqual([]);
});

describe('properties and physical IDs', () => {
  test('parse: defaults (5-minute wait, DESTROY) and strings as CloudFormation passes them', () => {
    expect(MACIE_ACCEPTER.parse({ AdministratorAccountId: ADMIN })).toEqual({ administratorAccountId: ADMIN, waitTimeoutMs: 300_000, removalPolicy: 'DESTROY' });
    expect(MACIE_ACCEPTER.parse({ ...RAW, WaitTimeoutSeconds: '600', RemovalPolicy: 'RETAIN' })).toEqual({ administratorAccountId: ADMIN, waitTimeoutMs: 600_000, removalPolicy: 'RETAIN' });
  });

  test.each([
    [{ AdministratorAccountId: '12345' }, /AdministratorAccountId must be a 12-digit AWS account ID, got "12345"/],
    [{}, /AdministratorAccountId is required/],
    [{ ...RAW, WaitTimeoutSeconds: '-1' }, /WaitTimeoutSeconds must be a whole number from 0 to 840, got "-1"/],
    [{ ...RAW, WaitTimeoutSeconds: '900' }, /from 0 to 840, got "900"/],
    [{ ...RAW, RemovalPolicy: 'SNAPSHOT' }, /RemovalPolicy must be DESTROY or RETAIN, got "SNAPSHOT"/],
  ])('parse rejects %j', (raw, message) => {
    expect(() => MACIE_ACCEPTER.parse(raw)).toThrow(message);
  });

  test('the physical ID names region, administrator, accepted or adopted, and the invitation; those and the earlier format are owned', () => {
    expect(ownsPhysicalId(PHYSICAL_ID)).toBe(true);
    expect(ownsPhysicalId(idOf('adopted', ADMIN, 'NONE'))).toBe(true);
    expect(ownsPhysicalId(idOf('unknown'))).toBe(true);
    expect(macieInvitationAccepterLifecycle.ownsPhysicalId(PHYSICAL_ID)).toBe(true);
    expect(administratorOf(LEGACY_ID)).toBe(ADMIN);
    expect(ownsPhysicalId(LEGACY_ID)).toBe(true);
    expect(administratorOf(PHYSICAL_ID)).toBeUndefined();
    expect(ownsPhysicalId(CREATE_FAILED_PHYSICAL_ID)).toBe(false);
    expect(ownsPhysicalId('macie-invitations:us-east-1:0123456789abcdef')).toBe(false);
    expect(ownsPhysicalId('macie-invitation-accepter:us-east-1:not-an-account')).toBe(false);
    expect(ownsPhysicalId(`macie-invitation-accepter:us-east-1:${ADMIN}:kept:${INVITATION_ID}`)).toBe(false);
  });

  test('createClients builds one Macie and one CloudFormation client', () => {
    const built = createClients();
    expect(built.macie).toBeInstanceOf(Macie2Client);
    expect(built.cloudformation).toBeInstanceOf(CloudFormationClient);
  });
});

describe('Create', () => {
  test('Macie not enabled: fails before anything else, saying how to enable it in the stack', async () => {
    fake.enabled = false;
    const error = handler(createEvent(RAW));
    await expect(error).rejects.toThrow(
      /^Amazon Macie is not enabled in account 111111111111 in us-east-1, so this account cannot accept a Macie invitation\. Nothing was changed\./);
    await expect(error).rejects.toThrow(/aws_macie\.CfnSession.*accepter\.node\.addDependency\(session\)/);
    expect(macie.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetMacieSessionCommand']);
  });

  test('GetMacieSession denied for another reason: names the AWS error and what to do', async () => {
    macie.on(GetMacieSessionCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform macie2:GetMacieSession with an explicit deny', {}, 403));
    await expect(handler(createEvent(RAW))).rejects.toThrow(
      /GetMacieSession\) failed with AccessDeniedException: User is not authorized.*explicit deny\. .*check service control policies and permission boundaries/);
    expect(calls(GetAdministratorAccountCommand)).toBe(0);
  });

  test.each(['Enabled', 'Paused'])('already a member of the expected administrator (%s): adopted, nothing accepted', async (status) => {
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: status as Invitation['relationshipStatus'] };
    await expect(handler(createEvent(RAW))).resolves.toEqual({
      PhysicalResourceId: idOf('adopted'),
      Data: { InvitationId: INVITATION_ID, RelationshipStatus: status, AdministratorAccountId: ADMIN },
    });
    expect(calls(ListInvitationsCommand)).toBe(0);
    expect(calls(AcceptInvitationCommand)).toBe(0);
  });

  test('a member through AWS Organizations (no invitation ID): adopted with InvitationId NONE, never an empty string', async () => {
    fake.administrator = { accountId: ADMIN, relationshipStatus: 'Enabled' };
    const result = await handler(createEvent(RAW));
    expect(result.Data).toEqual({ InvitationId: 'NONE', RelationshipStatus: 'Enabled', AdministratorAccountId: ADMIN });
    expect(result.PhysicalResourceId).toBe(idOf('adopted', ADMIN, 'NONE'));
  });

  test('a member of another administrator: fails naming both, changing nothing', async () => {
    fake.administrator = { accountId: OTHER_ADMIN, invitationId: 'other-invitation', relationshipStatus: 'Enabled' };
    fake.invite();
    await expect(handler(createEvent({ ...RAW, WaitTimeoutSeconds: '300' }))).rejects.toThrow(
      `The account 111111111111 is associated with Macie administrator ${OTHER_ADMIN} (relationship Enabled), not with the expected ` +
        `Macie administrator ${ADMIN}. Nothing was changed. An account has one Macie administrator per Region: disassociate from that administrator first`);
    expect(calls(AcceptInvitationCommand)).toBe(0);
    expect(calls(ListInvitationsCommand)).toBe(0);
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
  });

  test('a former administrator (Resigned) is no association: the expected invitation is accepted', async () => {
    fake.administrator = { accountId: OTHER_ADMIN, invitationId: 'old', relationshipStatus: 'Resigned' };
    fake.invite();
    const result = await handler(createEvent(RAW));
    expect(result.Data).toMatchObject({ InvitationId: INVITATION_ID, RelationshipStatus: 'Enabled' });
  });

  test('finds the invitation from the administrator among others and accepts it with both IDs', async () => {
    fake.invite(OTHER_ADMIN, 'from-another-administrator');
    fake.invite();
    await expect(handler(createEvent(RAW))).resolves.toEqual({
      PhysicalResourceId: idOf('accepted'),
      Data: { InvitationId: INVITATION_ID, RelationshipStatus: 'Enabled', AdministratorAccountId: ADMIN },
    });
    const accepts = macie.commandCalls(AcceptInvitationCommand);
    expect(accepts.map((c) => c.args[0].input)).toEqual([{ administratorAccountId: ADMIN, invitationId: INVITATION_ID }]);
    // the order: enabled check, then the association, then the invitations
    expect(macie.calls().slice(0, 3).map((c) => c.args[0].constructor.name))
      .toEqual(['GetMacieSessionCommand', 'GetAdministratorAccountCommand', 'ListInvitationsCommand']);
  });

  test('of two invitations from the administrator, the newest is accepted', async () => {
    fake.invite(ADMIN, 'older', 'Invited', new Date('2026-11-01T00:00:00Z'));
    fake.invite(ADMIN, 'newer', 'Invited', new Date('2026-11-29T00:00:00Z'));
    await handler(createEvent(RAW));
    expect(macie.commandCalls(AcceptInvitationCommand)[0].args[0].input.invitationId).toBe('newer');
  });

  test('pages until nextToken is empty, through empty pages, to find an invitation on the last page', async () => {
    fake.pageSize = 2;
    fake.emptyPages = 2;
    for (let i = 0; i < 5; i++) fake.invite(String(800000000000 + i), `other-${i}`);
    fake.invite();
    await handler(createEvent(RAW));
    expect(fake.listTokens).toEqual([undefined, '1', '2', '3', '4']);
    expect(macie.commandCalls(ListInvitationsCommand).every((c) => c.args[0].input.maxResults === 25)).toBe(true);
    expect(macie.commandCalls(AcceptInvitationCommand)[0].args[0].input).toEqual({ administratorAccountId: ADMIN, invitationId: INVITATION_ID });
  });

  test('an invitation without an ID is never accepted with an empty ID', async () => {
    fake.invite(ADMIN, '');
    await expect(handler(createEvent(RAW))).rejects.toThrow(
      /The last Macie membership invitation from Macie administrator 999999999999 to account 111111111111 \(NONE\) ended with state Invited without an invitation ID/);
    expect(calls(AcceptInvitationCommand)).toBe(0);
  });

  test('ListInvitations throttled beyond the SDK\'s retries: names the AWS error and what to do', async () => {
    macie.on(ListInvitationsCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', {}, 429));
    await expect(handler(createEvent(RAW))).rejects.toThrow(
      'Listing the Macie invitations of account 111111111111 in us-east-1 (macie2:ListInvitations) failed with ThrottlingException: ' +
        'Rate exceeded. Macie throttled the calls beyond the retries: deploy again later.');
    expect(calls(AcceptInvitationCommand)).toBe(0);
  });

  test('no administrator answered as ResourceNotFoundException: looks for the invitation', async () => {
    macie.on(GetAdministratorAccountCommand).rejectsOnce(awsError('ResourceNotFoundException', 'No administrator account found.', {}, 404));
    fake.invite();
    await expect(handler(createEvent(RAW))).resolves.toMatchObject({ Data: { InvitationId: INVITATION_ID } });
  });

  test('AcceptInvitation refused: names the AWS error and what to do', async () => {
    fake.invite();
    macie.on(AcceptInvitationCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform macie2:AcceptInvitation', {}, 403));
    await expect(handler(createEvent(RAW))).rejects.toThrow(
      `Accepting the Macie invitation ${INVITATION_ID} from administrator ${ADMIN} in account 111111111111 in us-east-1 failed with ` +
        'AccessDeniedException: not authorized to perform macie2:AcceptInvitation. The calling role (the accepter\'s handler role, or ' +
        'the role assumed in the member account) needs this action');
  });

  test('the invitation withdrawn between list and accept: ValidationException says to send a new one', async () => {
    fake.invite();
    macie.on(AcceptInvitationCommand).rejects(awsError('ValidationException', 'The invitation is not valid.'));
    await expect(handler(createEvent(RAW))).rejects.toThrow(
      /failed with ValidationException: The invitation is not valid\. The invitation may have been withdrawn or replaced meanwhile: ask the administrator 999999999999 to send a new one/);
  });

  test('an AcceptInvitation that took effect but whose answer was lost: associated on this invitation, it counts as accepted', async () => {
    fake.invite();
    macie.on(AcceptInvitationCommand).callsFakeOnce(async () => {
      fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Enabled' };
      throw awsError('TimeoutError', 'socket hang up', {}, 500);
    });
    await expect(handler(createEvent(RAW))).resolves.toMatchObject({
      PhysicalResourceId: PHYSICAL_ID,
      Data: { InvitationId: INVITATION_ID, RelationshipStatus: 'Enabled' },
    });
    expect(logs.text()).toMatch(/"level":"WARN".*its answer was lost after it took effect/);
  });

  test('AcceptInvitation fails and the account is associated on another invitation: the failure stands (nothing was accepted here)', async () => {
    fake.invite();
    macie.on(AcceptInvitationCommand).callsFakeOnce(async () => {
      fake.administrator = { accountId: ADMIN, invitationId: 'another', relationshipStatus: 'Enabled' };
      throw awsError('ValidationException', 'The invitation is not valid.');
    });
    await expect(handler(createEvent(RAW))).rejects.toThrow(/failed with ValidationException/);
  });

  test('a re-read failing after the accept does not fail the Create (the acceptance would be left without a resource)', async () => {
    fake.invite();
    let reads = 0;
    macie.on(GetAdministratorAccountCommand).callsFake(async () => {
      if (++reads > 1) throw awsError('ThrottlingException', 'Rate exceeded', {}, 429);
      return {};
    });
    await expect(handler(createEvent(RAW))).resolves.toMatchObject({ Data: { InvitationId: INVITATION_ID, RelationshipStatus: 'Enabled' } });
  });
});

describe('waiting for the invitation', () => {
  test('arrives during the wait: accepted at the look after it arrived', async () => {
    const clock = fakeClock();
    fake.onList = (n) => { if (n === 4) fake.invite(); };
    await expect(acceptMacieInvitation(clients, ADMIN, CTX, { wait: { timeoutMs: 300_000, ...clock } }))
      .resolves.toEqual({ outcome: 'accepted', attributes: { invitationId: INVITATION_ID, relationshipStatus: 'Enabled' } });
    expect(fake.listCalls).toBe(4);
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
    expect(calls(GetMacieSessionCommand)).toBe(1);
  });

  test('never arrives: fails within waitTimeout after at most 15 looks, naming the administrator and what to do', async () => {
    const clock = fakeClock();
    await expect(acceptMacieInvitation(clients, ADMIN, CTX, { wait: { timeoutMs: 300_000, ...clock } })).rejects.toThrow(
      'No Macie membership invitation from Macie administrator 999999999999 reached account 111111111111 within 5 minutes. ' +
        'Deploy the inviting stack first, or make this stack depend on it');
    expect(clock.elapsed()).toBe(300_000);
    expect(fake.listCalls).toBe(15);
    expect(calls(AcceptInvitationCommand)).toBe(0);
  });

  test('only an ended invitation (Removed): keeps waiting, then says it ended and that a new one is needed', async () => {
    const clock = fakeClock();
    fake.invite(ADMIN, INVITATION_ID, 'Removed');
    await expect(acceptMacieInvitation(clients, ADMIN, CTX, { wait: { timeoutMs: 60_000, ...clock } })).rejects.toThrow(
      `(${INVITATION_ID}) ended with state Removed, and no new one arrived within 1 minute. The inviter must send a new invitation`);
    expect(fake.listCalls).toBeGreaterThan(1);
    expect(calls(AcceptInvitationCommand)).toBe(0);
  });

  test('an ended invitation replaced by a new one during the wait: the new one is accepted', async () => {
    const clock = fakeClock();
    fake.invite(ADMIN, 'ended-one', 'Removed', new Date('2026-11-01T00:00:00Z'));
    fake.onList = (n) => { if (n === 3) fake.invite(ADMIN, 'new-one', 'Invited', new Date('2026-12-01T00:00:00Z')); };
    await expect(acceptMacieInvitation(clients, ADMIN, CTX, { wait: { timeoutMs: 60_000, ...clock } }))
      .resolves.toMatchObject({ outcome: 'accepted', attributes: { invitationId: 'new-one' } });
  });

  test('the account joins the administrator during the wait (accepted elsewhere): adopted', async () => {
    const clock = fakeClock();
    fake.onList = (n) => { if (n === 2) fake.administrator = { accountId: ADMIN, invitationId: 'elsewhere', relationshipStatus: 'Enabled' }; };
    await expect(acceptMacieInvitation(clients, ADMIN, CTX, { wait: { timeoutMs: 60_000, ...clock } }))
      .resolves.toEqual({ outcome: 'adopted', attributes: { invitationId: 'elsewhere', relationshipStatus: 'Enabled' } });
    expect(calls(AcceptInvitationCommand)).toBe(0);
  });

  test('the invitee view: Invited is pending; Created/EmailVerificationInProgress not yet; Removed/Resigned/... ended', () => {
    const inv = (relationshipStatus: string | undefined, invitationId = 'i-1', accountId = ADMIN): Invitation =>
      ({ accountId, invitationId, relationshipStatus: relationshipStatus as Invitation['relationshipStatus'] });
    expect(classifyInvitations([inv('Invited')], ADMIN).pending?.invitationId).toBe('i-1');
    expect(classifyInvitations([inv(undefined)], ADMIN).pending?.invitationId).toBe('i-1');
    expect(classifyInvitations([inv('Created'), inv('EmailVerificationInProgress'), inv('Enabled')], ADMIN)).toEqual({});
    for (const state of ['Removed', 'Resigned', 'EmailVerificationFailed', 'RegionDisabled', 'AccountSuspended']) {
      expect(classifyInvitations([inv(state)], ADMIN)).toEqual({ ended: { id: 'i-1', state } });
    }
    expect(classifyInvitations([inv('Invited', 'i-2', OTHER_ADMIN)], ADMIN)).toEqual({});
  });
});

describe('Update', () => {
  test.each([
    ['this version', PHYSICAL_ID],
    ['an earlier version', LEGACY_ID],
  ])('same administrator (a resource of %s): no accept call, the current association reported, same physical ID', async (_, physicalId) => {
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Paused' };
    fake.invite(ADMIN, 'another-pending');
    await expect(handler(updateEvent(physicalId, { ...RAW, WaitTimeoutSeconds: '600' }, RAW))).resolves.toEqual({
      PhysicalResourceId: physicalId,
      Data: { InvitationId: INVITATION_ID, RelationshipStatus: 'Paused', AdministratorAccountId: ADMIN },
    });
    expect(calls(AcceptInvitationCommand)).toBe(0);
    expect(calls(ListInvitationsCommand)).toBe(0);
  });

  test('same administrator, account no longer associated: still no accept call; NotAssociated reported', async () => {
    fake.invite();
    const result = await handler(updateEvent(PHYSICAL_ID, { ...RAW, RemovalPolicy: 'RETAIN' }, RAW));
    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: { InvitationId: 'NONE', RelationshipStatus: 'NotAssociated', AdministratorAccountId: ADMIN } });
    expect(calls(AcceptInvitationCommand)).toBe(0);
  });

  test('changed administrator: accepts the new one under a new physical ID, never disassociates in the update', async () => {
    fake.administrator = { accountId: OTHER_ADMIN, invitationId: 'old', relationshipStatus: 'Removed' };
    fake.invite();
    const oldPhysicalId = idOf('accepted', OTHER_ADMIN, 'old');
    await expect(handler(updateEvent(oldPhysicalId, RAW, { ...RAW, AdministratorAccountId: OTHER_ADMIN }))).resolves.toEqual({
      PhysicalResourceId: PHYSICAL_ID,
      Data: { InvitationId: INVITATION_ID, RelationshipStatus: 'Enabled', AdministratorAccountId: ADMIN },
    });
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
    // the Delete of the old physical ID that follows finds the new administrator: it leaves the account alone
    await handler(deleteEvent(oldPhysicalId, { ...RAW, AdministratorAccountId: OTHER_ADMIN }));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
    expect(fake.administrator).toMatchObject({ accountId: ADMIN, relationshipStatus: 'Enabled' });
  });

  test('changed administrator while still a member of the old one: fails naming it, nothing changed; the rollback adopts', async () => {
    fake.administrator = { accountId: OTHER_ADMIN, invitationId: 'old', relationshipStatus: 'Enabled' };
    fake.invite();
    const oldPhysicalId = idOf('accepted', OTHER_ADMIN, 'old');
    const oldRaw = { ...RAW, AdministratorAccountId: OTHER_ADMIN };
    await expect(handler(updateEvent(oldPhysicalId, RAW, oldRaw))).rejects.toThrow(
      `is associated with Macie administrator ${OTHER_ADMIN} (relationship Enabled), not with the expected Macie administrator ${ADMIN}. Nothing was changed.`);
    expect(calls(AcceptInvitationCommand)).toBe(0);
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
    // CloudFormation's rollback: an Update back to the old administrator, which adopts the unchanged membership
    await expect(handler(updateEvent(oldPhysicalId, oldRaw, RAW))).resolves.toMatchObject({ PhysicalResourceId: oldPhysicalId });
  });
  test('the rollback of an update that accepted another administrator accepts nothing and succeeds; its cleanup leaves that one', async () => {
    // forward: OTHER_ADMIN -> ADMIN succeeded (the account had left OTHER_ADMIN); another resource then failed
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Enabled' };
    fake.invite(OTHER_ADMIN, 'pending-from-the-old-administrator');
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date() }] });
    const oldRaw = { ...RAW, AdministratorAccountId: OTHER_ADMIN };
    // the rollback cannot tell what it would stand for: `unknown`, so a later Delete keeps
    await expect(handler(updateEvent(PHYSICAL_ID, oldRaw, RAW))).resolves.toEqual({
      PhysicalResourceId: idOf('unknown', OTHER_ADMIN, 'NONE'),
      Data: { InvitationId: 'NONE', RelationshipStatus: 'NotAssociated', AdministratorAccountId: OTHER_ADMIN },
    });
    expect(calls(AcceptInvitationCommand)).toBe(0);
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
    // UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: the Delete of the newer physical ID undoes that update's acceptance
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', CreationTime: new Date() }] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ Resources: {} }) });
    await handler(deleteEvent(PHYSICAL_ID, RAW));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(1);
  });
});

describe('Delete', () => {
  test('DESTROY while the administrator is the one accepted: disassociates once', async () => {
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Enabled' };
    await expect(handler(deleteEvent(PHYSICAL_ID, RAW))).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(1);
    expect(macie.commandCalls(DisassociateFromAdministratorAccountCommand)[0].args[0].input).toEqual({});
  });

  test('another administrator now: left alone (success, logged)', async () => {
    fake.administrator = { accountId: OTHER_ADMIN, invitationId: 'other', relationshipStatus: 'Enabled' };
    await handler(deleteEvent(PHYSICAL_ID, RAW));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
    expect(logs.text()).toMatch(/another inviter now: left alone/);
  });

  test.each([
    ['no administrator', undefined],
    ['Resigned', { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Resigned' }],
    ['Removed', { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Removed' }],
  ])('already left (%s): success without a call', async (_, administrator) => {
    fake.administrator = administrator as Invitation | undefined;
    await handler(deleteEvent(PHYSICAL_ID, RAW));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
  });

  test('a membership through AWS Organizations (no invitation) is left alone', async () => {
    fake.administrator = { accountId: ADMIN, relationshipStatus: 'Enabled' };
    await handler(deleteEvent(PHYSICAL_ID, RAW));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
  });

  test('Macie not enabled: success, only the administrator is read', async () => {
    fake.enabled = false;
    await handler(deleteEvent(PHYSICAL_ID, RAW));
    expect(macie.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetAdministratorAccountCommand']);
  });

  test('disassociated meanwhile (not found / not associated): success', async () => {
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Enabled' };
    macie.on(DisassociateFromAdministratorAccountCommand).rejectsOnce(awsError('ResourceNotFoundException', 'not found', {}, 404))
      .rejectsOnce(awsError('ValidationException', 'The account is not associated with an administrator account.'));
    await handler(deleteEvent(PHYSICAL_ID, RAW));
    await handler(deleteEvent(PHYSICAL_ID, RAW));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(2);
  });

  // one rule on both sides (lambda/macie/service.ts isNotAssociated): the administrator side's wordings count here too
  test.each([
    'The account was already disassociated.',
    "The account isn't associated with an administrator.",
    'The account has no administrator account.',
  ])('DisassociateFromAdministratorAccount answering %j: already clean, success', async (text) => {
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Enabled' };
    macie.on(DisassociateFromAdministratorAccountCommand).rejectsOnce(awsError('ConflictException', text));
    await expect(handler(deleteEvent(PHYSICAL_ID, RAW))).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(1);
  });

  test('disassociation fails: names the AWS error and what to do', async () => {
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Enabled' };
    macie.on(DisassociateFromAdministratorAccountCommand).rejects(awsError('InternalServerException', 'Internal failure', {}, 500));
    await expect(handler(deleteEvent(PHYSICAL_ID, RAW))).rejects.toThrow(
      `Disassociating account 111111111111 in us-east-1 from Macie administrator ${ADMIN} (macie2:DisassociateFromAdministratorAccount) ` +
        'failed with InternalServerException: Internal failure. Retry the delete; or disassociate in the Macie console (Settings, Accounts), or set removalPolicy RETAIN');
  });

  test('RETAIN: no call at all (CloudFormation does not even call; handled anyway)', async () => {
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Enabled' };
    await handler(deleteEvent(PHYSICAL_ID, { ...RAW, RemovalPolicy: 'RETAIN' }));
    expect(macie.calls()).toHaveLength(0);
  });

  test('a physical ID that is not an acceptance (failed Create): no call', async () => {
    await handler(deleteEvent('cdk-account-invitations:create-timed-out-or-other', RAW));
    expect(macie.calls()).toHaveLength(0);
  });

  test('another accepter of the stack expects the same administrator (renamed construct): the membership stays', async () => {
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Enabled' };
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', CreationTime: new Date() }] });
    cfn.on(GetTemplateCommand).resolves({
      TemplateBody: JSON.stringify({
        Resources: { Renamed: { Type: 'Custom::Test', Properties: { AdministratorAccountId: ADMIN } } },
      }),
    });
    await handler(deleteEvent(PHYSICAL_ID, RAW));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
  });

  test('a Create cut off by the deadline keeps whatever it may have accepted', async () => {
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Enabled' };
    await handler(deleteEvent('cdk-account-invitations:create-timed-out', RAW));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
  });
});

describe('issue 17: Delete leaves only what this resource accepted; rollbacks; the deadline; the own account', () => {
  const OTHER_STACK = { StackId: BASE.StackId.replace('LandingZone', 'SecondStack') };
  const stackStatus = (status: string) =>
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: status as never, CreationTime: new Date() }] });
  const template = (resources: Record<string, unknown>) =>
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ Resources: resources }) });

  test('item 1: a second stack\'s accepter adopts the membership the first stack accepted; deleting the second stack keeps it', async () => {
    fake.invite();
    const first = await handler(createEvent(RAW));
    expect(first.PhysicalResourceId).toBe(idOf('accepted'));
    const second = await handler(createEvent(RAW, OTHER_STACK));
    expect(second.PhysicalResourceId).toBe(idOf('adopted'));
    await handler(deleteEvent(second.PhysicalResourceId, RAW, OTHER_STACK));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
    expect(fake.administrator).toMatchObject({ accountId: ADMIN, relationshipStatus: 'Enabled' });
    expect(logs.text()).toMatch(/adopted the relationship \(it was in place before\): it stays/);
    // the first stack's Delete leaves what it accepted
    await handler(deleteEvent(first.PhysicalResourceId, RAW));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(1);
  });

  test('item 1: a new stack adopts a membership accepted by hand, another resource fails: the rollback\'s Delete keeps it', async () => {
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Enabled' };
    stackStatus('CREATE_IN_PROGRESS');
    const created = await handler(createEvent(RAW));
    expect(created.PhysicalResourceId).toBe(idOf('adopted'));
    stackStatus('ROLLBACK_IN_PROGRESS');
    await handler(deleteEvent(created.PhysicalResourceId, RAW));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
    expect(fake.administrator).toMatchObject({ accountId: ADMIN, relationshipStatus: 'Enabled' });
  });

  test('item 1: an update to administrator X adopts an existing association with X, the update fails elsewhere: the cleanup Delete of the X physical ID keeps it', async () => {
    // the resource accepted ADMIN; the account later left ADMIN and joined OTHER_ADMIN by hand
    fake.administrator = { accountId: OTHER_ADMIN, invitationId: 'by-hand', relationshipStatus: 'Enabled' };
    const otherRaw = { ...RAW, AdministratorAccountId: OTHER_ADMIN };
    stackStatus('UPDATE_IN_PROGRESS');
    const updated = await handler(updateEvent(PHYSICAL_ID, otherRaw, RAW));
    expect(updated.PhysicalResourceId).toBe(idOf('adopted', OTHER_ADMIN, 'by-hand'));
    // another resource failed: the rollback accepts nothing, the cleanup deletes the X physical ID
    stackStatus('UPDATE_ROLLBACK_IN_PROGRESS');
    await expect(handler(updateEvent(updated.PhysicalResourceId, RAW, otherRaw))).resolves.toMatchObject({ PhysicalResourceId: idOf('unknown', ADMIN, 'NONE') });
    stackStatus('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    template({ Accepter: { Type: 'Custom::Test', Properties: RAW } });
    await handler(deleteEvent(updated.PhysicalResourceId, otherRaw));
    expect(calls(AcceptInvitationCommand)).toBe(0);
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
    expect(fake.administrator).toMatchObject({ accountId: OTHER_ADMIN, relationshipStatus: 'Enabled' });
  });

  test('a resource of an earlier version (physical ID without accepted/adopted): whether it accepted cannot be told, Delete keeps and says why', async () => {
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Enabled' };
    await handler(deleteEvent(LEGACY_ID, RAW));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
    expect(logs.text()).toMatch(/cannot be told \(a physical ID of an earlier version\): it stays\. End it by hand/);
  });

  test('a rollback\'s own physical ID (`unknown`): its later Delete keeps', async () => {
    fake.administrator = { accountId: ADMIN, invitationId: INVITATION_ID, relationshipStatus: 'Enabled' };
    await handler(deleteEvent(idOf('unknown'), RAW));
    expect(calls(DisassociateFromAdministratorAccountCommand)).toBe(0);
  });

  test.each([
    ['denied', awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks', {}, 403)],
    ['throttled past the retries', awsError('Throttling', 'Rate exceeded', {}, 400)],
  ])('item 2: the rollback of an update that accepted another administrator succeeds when DescribeStacks is %s', async (_, error) => {
    // forward: ADMIN -> OTHER_ADMIN accepted (the account had left ADMIN); another resource failed
    fake.administrator = { accountId: OTHER_ADMIN, invitationId: 'inv-other', relationshipStatus: 'Enabled' };
    fake.invite();
    cfn.on(DescribeStacksCommand).rejects(error);
    const acceptedOther = idOf('accepted', OTHER_ADMIN, 'inv-other');
    await expect(handler(updateEvent(acceptedOther, RAW, { ...RAW, AdministratorAccountId: OTHER_ADMIN }))).resolves.toEqual({
      PhysicalResourceId: idOf('unknown', ADMIN, 'NONE'),
      Data: { InvitationId: 'NONE', RelationshipStatus: 'NotAssociated', AdministratorAccountId: ADMIN },
    });
    expect(calls(AcceptInvitationCommand)).toBe(0);
    expect(logs.text()).toMatch(/whether this update is a rollback cannot be told/);
  });

  test('item 6: the wait ends in time for the function\'s own answer, whatever waitTimeout says', async () => {
    const started = Date.now();
    await expect(handler(createEvent({ ...RAW, WaitTimeoutSeconds: '600' }), { deadline: started + ACT_RESERVE_MS + 1_500 })).rejects.toThrow(
      /^No Macie membership invitation from Macie administrator 999999999999 reached account 111111111111 within \d seconds? \(the time the function had left\)\./);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  test('item 14: the stack\'s own account as the administrator fails at once, naming the mix-up, before any Macie call', async () => {
    await expect(handler(createEvent({ ...RAW, AdministratorAccountId: '111111111111', WaitTimeoutSeconds: '300' }))).rejects.toThrow(
      /^The expected Macie administrator 111111111111 is this stack's own account: an accepter is deployed in the invited account and names the inviting one\. Give the inviting account's ID \(not Aws\.ACCOUNT_ID/);
    expect(macie.calls()).toHaveLength(0);
  });

  test('item 16: the accepter has no sensitive input (the administrator stays readable in every message)', () => {
    expect(macieInvitationAccepterLifecycle.sensitive?.(RAW)).toEqual([]);
  });
});
