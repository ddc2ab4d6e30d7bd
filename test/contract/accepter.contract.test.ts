/**
 * The accepter contract suite: every scenario runs for every accepter of the registry, from its row (./kinds.ts),
 * end to end on one emulator with two accounts. The inviting stack (account INVITER) runs the row's inviter bundle,
 * the member stack (account MEMBER) its accepter bundle; both resources' properties are synthesized from the
 * constructs (the accepter declared by the inviter's `acceptIn`). Every scenario ends with the leak check.
 *
 * A scenario that shows a defect listed in issue 17 runs as `test.failing` for that kind, naming the item: it starts
 * to fail (and must lose its mark) once the defect is fixed. One that shows a defect issue 17 does not list is skipped
 * for that kind, the defect in its title (`scenarios` in ./players.ts).
 */
import { INVITER, KindRow, KINDS, MEMBER, OTHER_INVITER, REGISTERED_SERVICES } from './kinds';
import { attributesOf, Defects, expectAttributes, scenarios, SECOND_MEMBER_STACK, Sides, sleep } from './players';
import { parseAccepterPhysicalId } from '../../lambda/shared/accepter';
import { RESPONSE_RESERVE_MS } from '../../lambda/shared/runtime';
import { ACT_RESERVE_MS } from '../../lambda/shared/wait';
import { CREATE_FAILED, CREATE_TIMED_OUT, FAULT_BUDGET_MS } from '../integ/cfn';

jest.setTimeout(60_000);

type Scenario = 'adopter-delete' | 'adopter-rollback' | 'rollback' | 'rollback-accepted' | 'rollback-unreadable-stack' | 'deadline';

/** The shared hints' ends of a failure Reason (lambda/shared/accept.ts), unless the row says its own. */
const ENDED_HINT = 'The inviter must send a new invitation \\(deploy the inviting stack again\\), then deploy this stack again\\.';
const NOT_ARRIVED_HINT = 'Deploy the inviting stack first, or make this stack depend on it \\(`cdk deploy --all` then deploys them in order\\), ' +
  'or raise waitTimeout; then deploy again\\.';

/** Scenarios that show a defect issue 17 lists, by service (`scenarios` in ./players.ts). */
const KNOWN_DEFECTS: Defects<Scenario> = {};

/** Scenarios that show a defect issue 17 does not list, by service: skipped, reported. */
const UNLISTED_DEFECTS: Defects<Scenario> = {};

test('every service of the registry has a row', () => {
  expect(KINDS.map((row) => row.service).sort()).toEqual(REGISTERED_SERVICES);
});

describe.each(KINDS.map((row) => [row.title, row] as const))('%s accepter', (_title, row: KindRow) => {
  let sides: Sides;
  afterEach(async () => {
    await sides?.stop();
  });

  const scenario = scenarios(row, KNOWN_DEFECTS, UNLISTED_DEFECTS);

  test('accepts the invitation: the membership exists, every attribute the construct reads is set; an unchanged update accepts nothing', async () => {
    sides = await Sides.start(row);
    const invited = await sides.invite();
    expect(invited.Status).toBe('SUCCESS');
    expect(sides.row.pendingTargets(sides.emulator)).toEqual([MEMBER]);

    const accepted = await sides.accept({ waitSeconds: 5 });
    expect(accepted.Status).toBe('SUCCESS');
    expectAttributes(accepted, sides.accepterOf({ waitSeconds: 5 }));
    expect(sides.isMember()).toBe(true);
    expect(sides.calls(row.acceptOperation, MEMBER)).toBe(1);

    // a changed wait is no new expectation: nothing accepted, the same physical ID
    const updated = await sides.updateAccepter(accepted.PhysicalResourceId, { waitSeconds: 60 }, { waitSeconds: 5 });
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: accepted.PhysicalResourceId });
    expectAttributes(updated, sides.accepterOf({ waitSeconds: 60 }));
    expect(sides.calls(row.acceptOperation)).toBe(1);
    sides.expectFinalState();
  });

  test('adopt: an accepter in a second stack finds the membership, accepts nothing, and reports it', async () => {
    sides = await Sides.start(row);
    await sides.invite();
    expect((await sides.accept({ waitSeconds: 5 })).Status).toBe('SUCCESS');
    const second = await sides.accept({ waitSeconds: 5 }, { stackId: SECOND_MEMBER_STACK });
    expect(second.Status).toBe('SUCCESS');
    expectAttributes(second, sides.accepterOf({ waitSeconds: 5 }));
    expect(sides.calls(row.acceptOperation)).toBe(1);
    expect(sides.isMember()).toBe(true);
    sides.expectFinalState();
  });

  scenario('adopter-delete', 'adopt: deleting the adopting stack keeps the membership another stack accepted', async () => {
    sides = await Sides.start(row);
    await sides.invite();
    expect((await sides.accept({ waitSeconds: 5 })).Status).toBe('SUCCESS');
    const second = await sides.accept({ waitSeconds: 5 }, { stackId: SECOND_MEMBER_STACK });
    expect(second.Status).toBe('SUCCESS');
    const deleted = await sides.deleteAccepter(second.PhysicalResourceId, { waitSeconds: 5 }, { stackId: SECOND_MEMBER_STACK, stackStatus: 'DELETE_IN_PROGRESS' });
    expect(deleted.Status).toBe('SUCCESS');
    expect(sides.isMember()).toBe(true);
    sides.expectFinalState();
  });

  scenario('adopter-rollback', 'adopt: a new stack that adopts a membership accepted long ago, then rolls back, keeps it', async () => {
    sides = await Sides.start(row);
    // accepted by hand, before this stack existed
    await sides.invite();
    expect((await sides.accept({ waitSeconds: 5 }, { stackId: SECOND_MEMBER_STACK })).Status).toBe('SUCCESS');
    // the new member stack adopts it; another of its resources fails: ROLLBACK_IN_PROGRESS deletes the adopter
    const adopted = await sides.accept({ waitSeconds: 5 });
    expect(adopted.Status).toBe('SUCCESS');
    const rolledBack = await sides.deleteAccepter(adopted.PhysicalResourceId, { waitSeconds: 5 }, { stackStatus: 'ROLLBACK_IN_PROGRESS' });
    expect(rolledBack.Status).toBe('SUCCESS');
    expect(sides.isMember()).toBe(true);
    sides.expectFinalState();
  });

  test('another inviter\'s invitation is not accepted: the wait ends naming the expected inviter', async () => {
    sides = await Sides.start(row);
    const foreign = await sides.inviteFrom(OTHER_INVITER);
    expect(foreign.Status).toBe('SUCCESS');
    expect(sides.row.pendingTargets(sides.emulator, OTHER_INVITER)).toEqual([MEMBER]);

    const failed = await sides.accept({ waitSeconds: 1 });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(new RegExp(`^No .+ from .*${INVITER} reached account ${MEMBER} within 1 second\\. `));
    expect(failed.Reason).not.toContain(OTHER_INVITER);
    expect(sides.calls(row.acceptOperation)).toBe(0);
    expect(sides.row.pendingTargets(sides.emulator, OTHER_INVITER)).toEqual([MEMBER]);
    expect(sides.isMember(OTHER_INVITER)).toBe(false);
    sides.expectFinalState();
  });

  test(row.endedVisible
    ? 'ended: keeps waiting, then says the invitation ended and that the inviter must send a new one'
    : 'ended (the invited account no longer sees it): keeps waiting, then says none arrived', async () => {
    sides = await Sides.start(row);
    const invited = await sides.invite();
    await row.endInvitation({ emulator: sides.emulator, invited, deleteInviter: async () => void await sides.uninvite(invited.PhysicalResourceId) });
    expect(sides.row.pendingTargets(sides.emulator)).toEqual([]);

    const failed = await sides.accept({ waitSeconds: 1 });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(row.endedVisible
      ? new RegExp(`^The last .+ from .*${INVITER} to account ${MEMBER} \\(.+\\) ended with state \\w+, ` +
        `and no new one arrived within 1 second\\. ${row.accepterHints?.ended ?? ENDED_HINT}$`)
      : new RegExp(`^No .+ from .*${INVITER} reached account ${MEMBER} within 1 second\\. Deploy the inviting stack first`));
    expect(sides.calls(row.lookOperation, MEMBER)).toBeGreaterThan(1);
    expect(sides.isMember()).toBe(false);
    sides.expectFinalState();
  });

  test('ended, then a new invitation during the wait: the new one is accepted', async () => {
    sides = await Sides.start(row);
    const invited = await sides.invite();
    await row.endInvitation({ emulator: sides.emulator, invited, deleteInviter: async () => void await sides.uninvite(invited.PhysicalResourceId) });
    const waiting = sides.accept({ waitSeconds: 20 });
    await sleep(300);
    const again = await sides.invite({}, { logicalResourceId: 'Again' });
    expect(again.Status).toBe('SUCCESS');
    const accepted = await waiting;
    expect(accepted.Status).toBe('SUCCESS');
    expectAttributes(accepted, sides.accepterOf({ waitSeconds: 20 }));
    expect(sides.isMember()).toBe(true);
    sides.expectFinalState();
  });

  test('not arrived: a clear failure within waitTimeout naming the inviter and what to do; its Delete makes no call', async () => {
    sides = await Sides.start(row);
    const failed = await sides.accept({ waitSeconds: 2 });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(new RegExp(`^No .+ from .*${INVITER} reached account ${MEMBER} within 2 seconds\\. ` +
      `${row.accepterHints?.notArrived ?? NOT_ARRIVED_HINT}$`));
    expect(failed.elapsedMs).toBeGreaterThanOrEqual(2_000);
    expect(failed.elapsedMs).toBeLessThan(2_000 + 5_000);
    // Delete after a failed Create: nothing to undo, no call at all
    const before = sides.emulator.requests.length;
    expect((await sides.deleteAccepter(failed.PhysicalResourceId, { waitSeconds: 2 })).Status).toBe('SUCCESS');
    expect(sides.emulator.requests.slice(before).filter((r) => r.service !== 'cloudformation')).toEqual([]);
    expect(sides.isMember()).toBe(false);
    sides.expectFinalState();
  });

  test('arrives late: sent while the accepter waits (the member stack deployed first), then accepted', async () => {
    sides = await Sides.start(row);
    const waiting = sides.accept({ waitSeconds: 20 });
    // the member stack has looked (and found nothing) before the inviting stack starts
    for (let i = 0; i < 100 && sides.calls(row.lookOperation, MEMBER) < 2; i++) await sleep(20);
    expect(sides.calls(row.lookOperation, MEMBER)).toBeGreaterThanOrEqual(2);
    expect((await sides.invite()).Status).toBe('SUCCESS');
    const accepted = await waiting;
    expect(accepted.Status).toBe('SUCCESS');
    expectAttributes(accepted, sides.accepterOf({ waitSeconds: 20 }));
    expect(sides.isMember()).toBe(true);
    sides.expectFinalState();
  });

  test('arrives late: visible to the invited account only after a few looks, then accepted', async () => {
    sides = await Sides.start(row);
    sides.emulator.setInvitationDelay({ listCalls: 3 }, [row.delayService]);
    await sides.invite();
    const accepted = await sides.accept({ waitSeconds: 20 });
    expect(accepted.Status).toBe('SUCCESS');
    expect(sides.calls(row.lookOperation, MEMBER)).toBeGreaterThan(3);
    expect(sides.isMember()).toBe(true);
    sides.expectFinalState();
  });

  scenario('deadline', 'the wait is bounded by the time the function has left: it fails in time, saying so, and accepts nothing after', async () => {
    sides = await Sides.start(row);
    // the runtime gives up RESPONSE_RESERVE_MS before the Lambda's end, and the wait ends ACT_RESERVE_MS before that:
    // 2 s of a 30 s wait
    const lambdaTimeoutMs = RESPONSE_RESERVE_MS + ACT_RESERVE_MS + 2_000;
    const failed = await sides.accept({ waitSeconds: 30 }, { lambdaTimeoutMs });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(new RegExp(`^No .+ from .*${INVITER} reached account ${MEMBER} within 2 seconds \\(the time the function had left\\)\\. `));
    expect(failed.elapsedMs).toBeGreaterThanOrEqual(2_000);
    // the handler answers, not the runtime
    expect(failed.elapsedMs).toBeLessThan(lambdaTimeoutMs - RESPONSE_RESERVE_MS);
    const looks = sides.calls(row.lookOperation, MEMBER);
    // the invitation arrives after the answer: a wait still running would accept it, with no resource to own it
    await sides.invite();
    await sleep(1_000);
    expect(sides.calls(row.lookOperation, MEMBER)).toBe(looks);
    expect(sides.calls(row.acceptOperation)).toBe(0);
    expect(sides.isMember()).toBe(false);
    // the Delete of the failed Create succeeds and changes nothing
    expect((await sides.deleteAccepter(failed.PhysicalResourceId, { waitSeconds: 30 })).Status).toBe('SUCCESS');
    sides.expectFinalState([MEMBER]);
  });

  test('Delete after a Create cut off at the deadline keeps the membership the cut-off accept made (nothing shows it was not adopted)', async () => {
    sides = await Sides.start(row);
    await sides.invite();
    // the accept takes effect at once, its answer comes after the runtime gave up (18 s left: it gives up after 3 s)
    sides.emulator.faults.delay(row.acceptOperation, 6_000, 1, { accountId: MEMBER });
    const failed = await sides.accept({ waitSeconds: 5 }, { lambdaTimeoutMs: 18_000 });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(CREATE_TIMED_OUT) });
    expect(sides.calls(row.acceptOperation, MEMBER)).toBe(1);
    expect(sides.isMember()).toBe(true);
    const deleted = await sides.deleteAccepter(failed.PhysicalResourceId, { waitSeconds: 5 });
    expect(deleted.Status).toBe('SUCCESS');
    expect(sides.isMember()).toBe(true);
    sides.expectFinalState();
  });

  scenario('rollback', 'rollback: an update to another inviter fails, changing nothing; its rollback succeeds with the old physical ID and attributes', async () => {
    sides = await Sides.start(row);
    await sides.invite();
    const accepted = await sides.accept({ waitSeconds: 1 });
    expect(accepted.Status).toBe('SUCCESS');
    sides.row.prepareInviter(sides.emulator, OTHER_INVITER);
    const forward = await sides.updateAccepter(accepted.PhysicalResourceId, { inviter: OTHER_INVITER, waitSeconds: 1 }, { waitSeconds: 1 });
    expect(forward).toMatchObject({ Status: 'FAILED', PhysicalResourceId: accepted.PhysicalResourceId });
    expect(forward.Reason).toContain(OTHER_INVITER);
    // UPDATE_ROLLBACK_IN_PROGRESS: the old properties back
    const rollback = await sides.updateAccepter(accepted.PhysicalResourceId, { waitSeconds: 1 }, { inviter: OTHER_INVITER, waitSeconds: 1 },
      { stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(rollback).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: accepted.PhysicalResourceId });
    const accepter = sides.accepterOf({ waitSeconds: 1 });
    expect(attributesOf(rollback, accepter)).toEqual(attributesOf(accepted, accepter));
    expect(sides.calls(row.acceptOperation)).toBe(1);
    expect(sides.isMember()).toBe(true);
    sides.expectFinalState();
  });

  /**
   * An update that accepted another inviter, then the rollback: the old expectation comes back while the account is
   * associated with the new inviter. The rollback accepts nothing and succeeds; the older physical ID cannot be
   * rebuilt from the event, so it answers an `unknown` one (`adopted` where the account is still in the old
   * relationship and the stack cannot be read), whose Delete keeps. The cleanup Delete of the update's physical ID
   * follows the kind's rule.
   */
  async function acceptAnotherThenRollBack(unreadableStack: boolean): Promise<void> {
    sides = await Sides.start(row);
    await sides.invite();
    const accepted = await sides.accept({ waitSeconds: 1 });
    expect(accepted.Status).toBe('SUCCESS');
    row.leave?.(sides.emulator, MEMBER, INVITER);
    expect((await sides.inviteFrom(OTHER_INVITER)).Status).toBe('SUCCESS');
    const other = { inviter: OTHER_INVITER, waitSeconds: 1 };
    const forward = await sides.updateAccepter(accepted.PhysicalResourceId, other, { waitSeconds: 1 });
    expect(forward.Status).toBe('SUCCESS');
    expect(forward.PhysicalResourceId).not.toBe(accepted.PhysicalResourceId);
    expect(sides.isMember(OTHER_INVITER)).toBe(true);
    const accepts = sides.calls(row.acceptOperation);

    // another resource fails: UPDATE_ROLLBACK_IN_PROGRESS sends the old properties back
    if (unreadableStack) sides.emulator.denyAction(MEMBER, 'cloudformation:DescribeStacks');
    const rollback = await sides.updateAccepter(forward.PhysicalResourceId, { waitSeconds: 1 }, other, { stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(rollback.Status).toBe('SUCCESS');
    const prefix = accepted.PhysicalResourceId.split(':')[0];
    expect(parseAccepterPhysicalId(prefix, accepted.PhysicalResourceId)).toMatchObject({ how: 'accepted' });
    expect(parseAccepterPhysicalId(prefix, forward.PhysicalResourceId)).toMatchObject({ how: 'accepted' });
    // where the account is still in the old relationship, an update that cannot tell it is a rollback finds it in place
    const stillOld = sides.isMember();
    expect(parseAccepterPhysicalId(prefix, rollback.PhysicalResourceId)).toMatchObject({ how: unreadableStack && stillOld ? 'adopted' : 'unknown' });
    expect(sides.calls(row.acceptOperation)).toBe(accepts);
    expect(sides.isMember(OTHER_INVITER)).toBe(true);
    if (unreadableStack) return;
    // UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: the update's physical ID goes, and with it what the update accepted
    const cleanup = await sides.deleteAccepter(forward.PhysicalResourceId, other);
    expect(cleanup.Status).toBe('SUCCESS');
    expect(sides.isMember(OTHER_INVITER)).toBe(!row.accepterCanLeave);
    // the stack goes later: the Delete of the rollback's physical ID keeps whatever stands
    const deleted = await sides.deleteAccepter(rollback.PhysicalResourceId, { waitSeconds: 1 }, { stackStatus: 'DELETE_IN_PROGRESS' });
    expect(deleted.Status).toBe('SUCCESS');
    expect(sides.isMember()).toBe(stillOld);
    expect(sides.isMember(OTHER_INVITER)).toBe(!row.accepterCanLeave);
    sides.expectFinalState();
  }

  scenario('rollback-accepted', 'rollback of an update that accepted another inviter: accepts nothing, answers an unknown physical ID whose Delete keeps',
    () => acceptAnotherThenRollBack(false));

  scenario('rollback-unreadable-stack', 'rollback of an update that accepted another inviter succeeds without reading the stack (DescribeStacks denied)',
    () => acceptAnotherThenRollBack(true));

  test('rename: the new logical ID adopts the membership, the Delete of the old one keeps it', async () => {
    sides = await Sides.start(row);
    await sides.invite();
    const old = await sides.accept({ waitSeconds: 5 }, { logicalResourceId: 'Old' });
    expect(old.Status).toBe('SUCCESS');
    const renamed = await sides.accept({ waitSeconds: 5 }, { logicalResourceId: 'New' });
    expect(renamed.Status).toBe('SUCCESS');
    expect(sides.calls(row.acceptOperation)).toBe(1);
    // UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: the old logical ID goes, the new one still stands for the membership
    const deleted = await sides.deleteAccepter(old.PhysicalResourceId, { waitSeconds: 5 }, { logicalResourceId: 'Old' });
    expect(deleted.Status).toBe('SUCCESS');
    expect(sides.isMember()).toBe(true);
    sides.expectFinalState();
  });

  test('Delete of the only accepter follows the kind\'s rule: a membership it accepted is left (or, where the kind can leave, removed with DESTROY)', async () => {
    sides = await Sides.start(row);
    await sides.invite();
    const accepted = await sides.accept({ waitSeconds: 5 });
    const deleted = await sides.deleteAccepter(accepted.PhysicalResourceId, { waitSeconds: 5 }, { stackStatus: 'DELETE_IN_PROGRESS' });
    expect(deleted.Status).toBe('SUCCESS');
    expect(sides.isMember()).toBe(!row.accepterCanLeave);
    expect(deleted.elapsedMs).toBeLessThan(FAULT_BUDGET_MS);
    sides.expectFinalState();
  });
});
