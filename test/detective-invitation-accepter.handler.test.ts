/**
 * What only the Detective accepter does, end to end (shipped bundle, real SDK client, emulator; the contract suites
 * cover what every accepter does): it waits through VERIFICATION_IN_PROGRESS, fails at once on VERIFICATION_FAILED,
 * reports ACCEPTED_BUT_DISABLED and why, never touches the account's other graphs, and refuses a graph of another
 * Region. The administrator's CfnMemberInvitation is played as CloudFormation's handler calls Detective.
 */
import { graphArnOf, INVITER, KINDS, MEMBER, OTHER_INVITER } from './contract/kinds';
import { MEMBER_STACK, Sides } from './contract/players';
import { CREATE_FAILED } from './integ/cfn';

jest.setTimeout(60_000);

const ROW = KINDS.find((row) => row.service === 'detective')!;

let sides: Sides;
afterEach(async () => {
  await sides?.stop();
});

test('waits while Detective verifies the invitation (VERIFICATION_IN_PROGRESS), and accepts it once INVITED', async () => {
  sides = await Sides.start(ROW);
  sides.emulator.setInvitationDelay({ listCalls: 4 }, ['detective']);
  expect((await sides.invite()).Status).toBe('SUCCESS');
  expect(sides.emulator.detective.statusOf(INVITER, MEMBER)).toBe('VERIFICATION_IN_PROGRESS');
  const accepted = await sides.accept({ waitSeconds: 20 });
  expect(accepted).toMatchObject({ Status: 'SUCCESS', Data: { MemberStatus: 'ENABLED', DisabledReason: 'NONE', GraphArn: graphArnOf(INVITER) } });
  expect(sides.calls('detective:ListInvitations', MEMBER)).toBeGreaterThan(4);
  expect(sides.calls('detective:AcceptInvitation', MEMBER)).toBe(1);
  expect(sides.accepter.logs()).toContain('VERIFICATION_IN_PROGRESS');
  sides.expectFinalState();
});

test('VERIFICATION_FAILED: fails at once, saying why and what to do, and accepts nothing; its Delete succeeds', async () => {
  sides = await Sides.start(ROW);
  sides.emulator.detective.failVerificationFor(MEMBER);
  // CloudFormation's handler still sees VERIFICATION_IN_PROGRESS when it finishes
  sides.emulator.setInvitationDelay({ listCalls: 1 }, ['detective']);
  expect((await sides.invite()).Status).toBe('SUCCESS');
  const failed = await sides.accept({ waitSeconds: 30 });
  expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
  expect(failed.elapsedMs).toBeLessThan(10_000);
  expect(failed.Reason).toMatch(new RegExp(`^Detective could not send administrator ${INVITER}'s invitation to account ${MEMBER} in us-east-1: ` +
    'its member status in behavior graph .* is VERIFICATION_FAILED .* Nothing was changed\\. Fix MemberEmailAddress .* then deploy this stack again\\.$'));
  expect(sides.calls('detective:AcceptInvitation')).toBe(0);
  expect((await sides.deleteAccepter(failed.PhysicalResourceId, { waitSeconds: 30 })).Status).toBe('SUCCESS');
  sides.expectFinalState();
});

test('ACCEPTED_BUT_DISABLED: accepted, reported with its DisabledReason, and the log says what to do', async () => {
  sides = await Sides.start(ROW);
  sides.emulator.detective.disableOnAccept(MEMBER, 'VOLUME_UNKNOWN');
  await sides.invite();
  const accepted = await sides.accept({ waitSeconds: 5 });
  expect(accepted).toMatchObject({ Status: 'SUCCESS', Data: { MemberStatus: 'ACCEPTED_BUT_DISABLED', DisabledReason: 'VOLUME_UNKNOWN' } });
  expect(accepted.PhysicalResourceId).toMatch(/^detective-invitation-accepter:us-east-1:111111111111:accepted:1{12}0{20}$/);
  expect(sides.accepter.logs()).toMatch(/ACCEPTED_BUT_DISABLED \(VOLUME_UNKNOWN\).*Amazon GuardDuty is not enabled/);
  // a second stack adopts it as it is
  const adopted = await sides.accept({ waitSeconds: 5 }, { stackId: MEMBER_STACK.replace('/Member/', '/Again/') });
  expect(adopted.PhysicalResourceId).toMatch(/:adopted:/);
  expect(adopted.Data).toMatchObject({ MemberStatus: 'ACCEPTED_BUT_DISABLED', DisabledReason: 'VOLUME_UNKNOWN' });
  sides.expectFinalState();
});

test('another graph of the account is no conflict and is never touched: Delete leaves only the graph it accepted', async () => {
  sides = await Sides.start(ROW);
  // the account already belongs to another administrator's graph
  expect((await sides.inviteFrom(OTHER_INVITER)).Status).toBe('SUCCESS');
  sides.emulator.detective.setStatus(OTHER_INVITER, MEMBER, 'ENABLED');
  await sides.invite();
  const accepted = await sides.accept({ waitSeconds: 5 });
  expect(accepted.Status).toBe('SUCCESS');
  const deleted = await sides.deleteAccepter(accepted.PhysicalResourceId, { waitSeconds: 5 }, { stackStatus: 'DELETE_IN_PROGRESS' });
  expect(deleted.Status).toBe('SUCCESS');
  const left = sides.emulator.requests.filter((r) => r.service === 'detective' && r.op === 'detective:DisassociateMembership');
  expect(left.map((r) => r.input.GraphArn)).toEqual([graphArnOf(INVITER)]);
  expect(sides.isMember()).toBe(false);
  expect(sides.isMember(OTHER_INVITER)).toBe(true);
  sides.expectFinalState();
});

test('a Delete that Detective refuses fails naming the error and what to do; the next Delete, once allowed, leaves', async () => {
  sides = await Sides.start(ROW);
  await sides.invite();
  const accepted = await sides.accept({ waitSeconds: 5 });
  sides.emulator.faults.failWith('detective:DisassociateMembership', 'ValidationException', {}, 1, { accountId: MEMBER });
  const refused = await sides.deleteAccepter(accepted.PhysicalResourceId, { waitSeconds: 5 }, { stackStatus: 'DELETE_IN_PROGRESS' });
  expect(refused.Status).toBe('FAILED');
  expect(refused.Reason).toMatch(/^Leaving Detective behavior graph .* \(detective:DisassociateMembership\) failed with ValidationException.* ask the administrator to remove this account .* or set removalPolicy RETAIN; then retry the delete\.$/);
  expect(sides.isMember()).toBe(true);
  expect((await sides.deleteAccepter(accepted.PhysicalResourceId, { waitSeconds: 5 }, { stackStatus: 'DELETE_IN_PROGRESS' })).Status).toBe('SUCCESS');
  expect(sides.isMember()).toBe(false);
  sides.expectFinalState();
});

test('a graph of another Region than the stack\'s: fails before any Detective call, naming both Regions', async () => {
  sides = await Sides.start(ROW);
  await sides.invite();
  const failed = await sides.accept({ waitSeconds: 5 }, { stackId: MEMBER_STACK.replace(':us-east-1:', ':eu-west-1:') });
  expect(failed.Status).toBe('FAILED');
  expect(failed.Reason).toBe(`The behavior graph ${graphArnOf(INVITER)} is in us-east-1, this stack in eu-west-1: a Detective membership ` +
    'exists only in the graph\'s Region. Deploy the accepter in a stack of us-east-1. Nothing was changed.');
  expect(sides.calls('detective:ListInvitations', MEMBER)).toBe(0);
  sides.expectFinalState([MEMBER]);
});
