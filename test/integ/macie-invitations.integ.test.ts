/**
 * MacieInvitations, end to end: the shipped bundle's `onEvent`, the real SDK client, the emulator's Macie, and
 * CloudFormation's responses. Every scenario ends with the leak check (`expectFinalState`).
 *
 * Macie never replaces: the physical ID is derived from the stack and the logical ID, and an update applies the
 * difference between the old and the new member lists in place.
 *
 * The scenarios every inviter shares (retried and concurrent Creates, adopting another stack's invitation, rename,
 * target changes and their rollbacks, cut-off and canceled Creates, Delete after a failed Create, token properties,
 * whole-stack delete, unknown stack, response size) and the fault matrix run for every kind in test/contract/; this
 * file keeps what is specific to this kind.
 */
import { accountId, Cfn, CREATE_FAILED, CREATE_TIMED_OUT, FAULT_BUDGET_MS, OTHER_STACK_ID, startCfn, StartOptions } from './cfn';
import { CLOCK_SKEW_MS } from '../../lambda/shared/stack';

jest.setTimeout(60_000);

const MESSAGE = 'Please join our Macie administrator account';
const member = (n: number, email = `owner${n}@example.com`) => ({ AccountId: accountId(n), Email: email });
type Member = ReturnType<typeof member>;
const props = (members: Member[], extra: Record<string, unknown> = {}) => ({
  Members: members,
  Message: MESSAGE,
  DisableEmailNotification: 'false', // CloudFormation passes scalars as strings
  RemovalPolicy: 'DESTROY',
  ...extra,
});
const ids = (...ns: number[]) => ns.map(accountId);
/** The physical ID: `macie-invitations:<region>:<16 hex>`. */
const PHYSICAL_ID = /^macie-invitations:us-east-1:[0-9a-f]{16}$/;

let cfn: Cfn;
async function start(options?: StartOptions): Promise<Cfn> {
  cfn = await startCfn('macie-invitations', options);
  return cfn;
}
afterEach(async () => {
  await cfn?.stop();
});

/** Account IDs per CreateInvitations call. */
function invitationBatches(): string[][] {
  return cfn.emulator.requests.filter((r) => r.op === 'CreateInvitations').map((r) => r.input.accountIds as string[]);
}

describe('CloudFormation lifecycles', () => {
  test('create, no-op update, update in place (physical ID kept), delete', async () => {
    const { emulator } = await start();
    const v1 = props([member(1), member(2)]);
    const created = await cfn.create(v1);
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(PHYSICAL_ID) });
    const id = created.PhysicalResourceId;
    expect(created.Data).toEqual({
      MemberCount: 2,
      CreatedCount: 2,
      InvitedCount: 2,
      AdoptedCount: 0,
      RecreatedCount: 0,
      OrganizationManagedCount: 0,
      RemovedCount: 0,
      RetainedCount: 0,
    });
    expect(invitationBatches()).toEqual([ids(1, 2)]);
    expect(emulator.requests.find((r) => r.op === 'CreateInvitations')?.input).toMatchObject({ message: MESSAGE, disableEmailNotification: false });
    cfn.expectFinalState({ macieMembers: { Invited: ids(1, 2) } });

    const callsBefore = emulator.requests.length;
    const noop = await cfn.update(id, v1, v1);
    expect(noop).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id, Data: { MemberCount: 2, InvitedCount: 0 } });
    expect(emulator.requests.length).toBe(callsBefore);

    const v2 = props([member(1), member(3)]);
    const changed = await cfn.update(id, v2, v1);
    expect(changed).toMatchObject({
      Status: 'SUCCESS', PhysicalResourceId: id, Data: { MemberCount: 2, CreatedCount: 1, InvitedCount: 1, RemovedCount: 1 },
    });
    cfn.expectFinalState({ macieMembers: { Invited: ids(1, 3) } });

    expect(await cfn.delete(id, v2)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(emulator.calls.DisassociateMember).toBe(3);
    expect(emulator.calls.DeleteMember).toBe(3);
    cfn.expectFinalState();
  });

  test('a Create that fails (Macie not enabled: FAILED saying so), then the Delete of the failed resource succeeds', async () => {
    const { emulator } = await start();
    emulator.macie.disable();
    const failed = await cfn.create(props([member(1)]));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(/Macie is not enabled in account 111111111111 in us-east-1/);
    expect(failed.Reason).toMatch(/Nothing was changed/);
    expect(emulator.calls.CreateMember).toBe(0);
    expect(await cfn.delete(CREATE_FAILED, props([member(1)]))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: CREATE_FAILED });
    cfn.expectFinalState();
  });

  test('a Create that fails for one account (unprocessed invitation) removes the members it created; the Delete succeeds', async () => {
    const { emulator } = await start();
    emulator.macie.failInvitationFor(accountId(2), 'ClientError', 'The email address is not verified.');
    const v1 = props([member(1), member(2), member(3)]);
    const failed = await cfn.create(v1);
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toContain(`1 of 3 accounts failed: ${accountId(2)} (ClientError: The email address is not verified.)`);
    expect(failed.Reason).toMatch(/\b3 (of the 3 )?members created by this deployment were removed again/);
    cfn.expectFinalState();
    expect((await cfn.delete(CREATE_FAILED, v1)).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('an account moved to another MacieInvitations that is updated to list it: the old resource\'s Delete leaves it', async () => {
    const { emulator } = await start();
    const old = await cfn.create(props([member(1), member(2)]), { logicalResourceId: 'Old' });
    const v1 = props([member(3)]);
    const other = await cfn.create(v1, { logicalResourceId: 'Other' });
    // UPDATE_IN_PROGRESS: Other now lists account 2 as well, and adopts its member
    const v2 = props([member(2), member(3)]);
    const updated = await cfn.update(other.PhysicalResourceId, v2, v1, { logicalResourceId: 'Other' });
    expect(updated).toMatchObject({ Status: 'SUCCESS', Data: { MemberCount: 2, AdoptedCount: 1, CreatedCount: 0, InvitedCount: 0 } });
    // UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: Old is gone from the template
    expect((await cfn.delete(old.PhysicalResourceId, props([member(1), member(2)]), { logicalResourceId: 'Old' })).Status).toBe('SUCCESS');
    expect(emulator.calls.CreateInvitations).toBe(2);
    cfn.expectFinalState({ macieMembers: { Invited: ids(2, 3) } });

    expect((await cfn.delete(other.PhysicalResourceId, v2, { logicalResourceId: 'Other' })).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('an account moved to a new MacieInvitations: its Create adopts the member, the old resource\'s Delete leaves it', async () => {
    const { emulator } = await start();
    const v1 = props([member(1), member(2)]);
    const old = await cfn.create(v1, { logicalResourceId: 'Old' });
    emulator.macie.accept(accountId(2));
    const v2 = props([member(2), member(3)]);
    const created = await cfn.create(v2, { logicalResourceId: 'New' });
    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { MemberCount: 2, AdoptedCount: 1, CreatedCount: 1, InvitedCount: 1 } });
    expect((await cfn.delete(old.PhysicalResourceId, v1, { logicalResourceId: 'Old' })).Status).toBe('SUCCESS');
    // account 1 went with Old; account 2 kept its association (no new invitation to accept)
    cfn.expectFinalState({ macieMembers: { Enabled: ids(2), Invited: ids(3) } });
    expect(invitationBatches()).toEqual([ids(1, 2), ids(3)]);

    expect((await cfn.delete(created.PhysicalResourceId, v2, { logicalResourceId: 'New' })).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('a whole-stack delete with two resources listing the same members (DELETE_IN_PROGRESS, deleted at once): every member is removed', async () => {
    const { emulator } = await start();
    const first = await cfn.create(props([member(1), member(2)]), { logicalResourceId: 'First' });
    const second = await cfn.create(props([member(2), member(3)]), { logicalResourceId: 'Second' });
    expect(second).toMatchObject({ Status: 'SUCCESS', Data: { AdoptedCount: 1 } });
    const deleted = await Promise.all([
      cfn.delete(first.PhysicalResourceId, props([member(1), member(2)]), { logicalResourceId: 'First', stackStatus: 'DELETE_IN_PROGRESS' }),
      cfn.delete(second.PhysicalResourceId, props([member(2), member(3)]), { logicalResourceId: 'Second', stackStatus: 'DELETE_IN_PROGRESS' }),
    ]);
    expect(deleted.map((r) => r.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(emulator.macie.members()).toEqual([]);
    cfn.expectFinalState();
  });

  test('a member that accepted is disassociated and deleted with the resource', async () => {
    const { emulator } = await start();
    const v1 = props([member(1)]);
    const id = (await cfn.create(v1)).PhysicalResourceId;
    emulator.macie.accept(accountId(1));
    expect(await cfn.update(id, v1, v1)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    cfn.expectFinalState({ macieMembers: { Enabled: ids(1) } });
    expect((await cfn.delete(id, v1)).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('a member managed through AWS Organizations is left alone, on create and on delete', async () => {
    const { emulator } = await start();
    emulator.macie.addOrganizationMember(accountId(1));
    const v1 = props([member(1), member(2)]);
    const created = await cfn.create(v1);
    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { OrganizationManagedCount: 1, CreatedCount: 1, InvitedCount: 1 } });
    expect(invitationBatches()).toEqual([ids(2)]);
    expect((await cfn.delete(created.PhysicalResourceId, v1)).Status).toBe('SUCCESS');
    cfn.expectFinalState({ macieMembers: { Enabled: ids(1) } });
  });

  test('an email change while the invitation is pending recreates the member with the new email', async () => {
    const { emulator } = await start();
    const v1 = props([member(1)]);
    const v2 = props([member(1, 'new-owner@example.com')]);
    const id = (await cfn.create(v1)).PhysicalResourceId;
    expect(await cfn.update(id, v2, v1)).toMatchObject({ Status: 'SUCCESS', Data: { RecreatedCount: 1, InvitedCount: 1 } });
    expect(emulator.macie.members().map((m) => m.email)).toEqual(['new-owner@example.com']);
    cfn.expectFinalState({ macieMembers: { Invited: ids(1) } });
    expect((await cfn.delete(id, v2)).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('removal policy RETAIN: an account removed from the list stays a member', async () => {
    await start();
    const v1 = props([member(1), member(2)], { RemovalPolicy: 'RETAIN' });
    const v2 = props([member(1)], { RemovalPolicy: 'RETAIN' });
    const id = (await cfn.create(v1)).PhysicalResourceId;
    expect(await cfn.update(id, v2, v1)).toMatchObject({ Status: 'SUCCESS', Data: { RetainedCount: 1, RemovedCount: 0 } });
    cfn.expectFinalState({ macieMembers: { Invited: ids(1, 2) } });
  });
});

describe('scale', () => {
  test('1,000 members: one CreateMember each, 20 CreateInvitations, bounded concurrency; then removed', async () => {
    // AWS pages ListMembers by 25 at most: so does the emulator here
    const { emulator } = await start({ emulator: { pageSize: 25 } });
    const members = Array.from({ length: 1000 }, (_, i) => member(i + 1));
    const all = members.map((m) => m.AccountId);
    const v1 = props(members);
    const created = await cfn.create(v1);
    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { MemberCount: 1000, CreatedCount: 1000, InvitedCount: 1000 } });
    expect(emulator.calls.CreateMember).toBe(1000);
    expect(emulator.calls.CreateInvitations).toBe(Math.ceil(1000 / 50));
    const batches = invitationBatches();
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(50);
    expect(batches.flat().sort()).toEqual([...all].sort());
    expect(emulator.calls.GetMember).toBe(0);
    expect(emulator.maxInFlight).toBeLessThanOrEqual(10);
    cfn.expectFinalState({ macieMembers: { Invited: all } });

    const before = { ...emulator.calls };
    const noop = await cfn.update(created.PhysicalResourceId, v1, v1);
    expect(noop).toMatchObject({ Status: 'SUCCESS', Data: { MemberCount: 1000, CreatedCount: 0, InvitedCount: 0 } });
    expect(emulator.calls).toEqual(before);

    const deleted = await cfn.delete(created.PhysicalResourceId, v1);
    expect(deleted.Status).toBe('SUCCESS');
    expect(emulator.calls.DisassociateMember).toBe(1000);
    expect(emulator.calls.DeleteMember).toBe(1000);
    expect(emulator.maxInFlight).toBeLessThanOrEqual(10);
    expect(created.elapsedMs + deleted.elapsedMs).toBeLessThan(FAULT_BUDGET_MS);
    cfn.expectFinalState();
  });
});

describe('faults', () => {
  const LAMBDA_TIME = 15_500;
  const budget = (result: { elapsedMs: number }) => expect(result.elapsedMs).toBeLessThan(FAULT_BUDGET_MS);
  const v1 = props([member(1), member(2), member(3)]);

  test('HTTP 500s that persist on CreateInvitations: a clear FAILED, the created members removed again', async () => {
    const { emulator } = await start();
    emulator.faults.serverError('CreateInvitations', 20);
    const failed = await cfn.create(v1);
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toContain('InternalServerException');
    expect(failed.Reason).toMatch(/were removed again/);
    budget(failed);
    expect(emulator.calls.CreateInvitations).toBe(6);
    cfn.expectFinalState();
    expect((await cfn.delete(CREATE_FAILED, v1)).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  // With the start of the cut-off Create known (the runtime's `since`), the members it made (this resource's owner tag,
  // not accepted, changed more than the clock skew after that start) are removed: see the handler tests. Without it,
  // nothing is removed.
  test('a Create cut off by the Lambda deadline while members are being created: the Delete removes nothing it cannot show the Create made', async () => {
    const { emulator } = await start();
    // its members are made more than the clock skew after the Create began: surely its own (within the skew: kept)
    emulator.faults.delay('ListMembers', CLOCK_SKEW_MS + 1_000, 1);
    emulator.faults.delay('CreateMember', 3_000, 3);
    const failed = await cfn.create(v1, { lambdaTimeoutMs: LAMBDA_TIME + CLOCK_SKEW_MS + 1_500 });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(CREATE_TIMED_OUT) });
    expect(emulator.calls.CreateMember).toBe(3);
    expect((await cfn.delete(failed.PhysicalResourceId, v1)).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('a Create cut off by the Lambda deadline: the Delete never removes a member that accepted long before', async () => {
    const { emulator } = await start();
    // another stack made account 1 a member long ago, and it accepted
    emulator.advanceTime(-30 * 24 * 3600_000);
    await cfn.create(props([member(1)]), { logicalResourceId: 'Earlier', stackId: OTHER_STACK_ID });
    emulator.macie.accept(accountId(1));
    emulator.advanceTime(30 * 24 * 3600_000);
    emulator.faults.delay('CreateInvitations', 30_000);
    const failed = await cfn.create(v1, { lambdaTimeoutMs: LAMBDA_TIME });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(CREATE_TIMED_OUT) });
    expect((await cfn.delete(failed.PhysicalResourceId, v1)).Status).toBe('SUCCESS');
    expect(emulator.macie.membersByStatus().Enabled).toEqual([accountId(1)]);
  });
});

describe('issue 10', () => {
  test('Macie disabled after deployment: a removal-only update succeeds; an update that adds fails clearly; its rollback succeeds; so does the delete', async () => {
    const { emulator } = await start();
    const v1 = props([member(1), member(2)]);
    const id = (await cfn.create(v1)).PhysicalResourceId;
    emulator.macie.disable();

    const v2 = props([member(1)]);
    expect(await cfn.update(id, v2, v1)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id, Data: { RemovedCount: 0 } });

    const v3 = props([member(1), member(3)]);
    const forward = await cfn.update(id, v3, v2);
    expect(forward).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
    expect(forward.Reason).toMatch(/Amazon Macie is not enabled in account 111111111111 in us-east-1.*Nothing was changed/);
    // CloudFormation's rollback: the old properties back
    expect(await cfn.update(id, v2, v3, { stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' })).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(emulator.calls.CreateMember).toBe(2);
    expect((await cfn.delete(id, v2)).Status).toBe('SUCCESS');
  });

  test('Macie disabled after a removal: the rollback that would add the member back succeeds instead of getting stuck', async () => {
    const { emulator } = await start();
    const v1 = props([member(1), member(2)]);
    const id = (await cfn.create(v1)).PhysicalResourceId;
    emulator.macie.disable();
    const v2 = props([member(1)]);
    expect((await cfn.update(id, v2, v1)).Status).toBe('SUCCESS');
    // another resource failed: CloudFormation rolls this one back to v1
    const rollback = await cfn.update(id, v1, v2, { stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(rollback).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(cfn.logs()).toMatch(/"level":"WARN".*rollback cannot restore members/);
  });

  test('old properties that no longer parse as a whole: the removed account is still removed', async () => {
    await start();
    const v1 = props([member(1), member(2)]);
    const id = (await cfn.create(v1)).PhysicalResourceId;
    // as an older version with looser validation wrote them
    const oldRaw = { ...v1, Message: 'x'.repeat(120) };
    const updated = await cfn.update(id, props([member(1)]), oldRaw);
    expect(updated).toMatchObject({ Status: 'SUCCESS', Data: { RemovedCount: 1 } });
    cfn.expectFinalState({ macieMembers: { Invited: ids(1) } });
  });

  test('a message of 80 characters that are not all in the Basic Multilingual Plane is accepted (80 code points)', async () => {
    const { emulator } = await start();
    const message = `Bienvenue \u{1F44B}${'x'.repeat(69)}`;
    expect([...message]).toHaveLength(80);
    expect(message.length).toBe(81);
    const created = await cfn.create(props([member(1)], { Message: message }));
    expect(created.Status).toBe('SUCCESS');
    expect(emulator.requests.find((r) => r.op === 'CreateInvitations')?.input.message).toBe(message);
  });
});

describe('issue 17', () => {
  test('item 16: an AWS error text that echoes the invitation message: the Reason and the logs never carry it', async () => {
    const { emulator } = await start();
    emulator.faults.failWith('CreateInvitations', 'ValidationException', { message: `The message '${MESSAGE}' contains a word that is not allowed.` });
    const failed = await cfn.create(props([member(1)]));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toContain('CreateInvitations failed with ValidationException: The message \'[redacted]\' contains a word that is not allowed');
    expect(failed.Reason).not.toContain(MESSAGE);
    expect(cfn.logs()).not.toContain(MESSAGE);
    cfn.expectFinalState();
  });
});
