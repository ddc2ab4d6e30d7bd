/**
 * OrgInvitation, end to end: the shipped bundle's `onEvent`, the real SDK client, the emulator's Organizations, and
 * CloudFormation's responses. Every scenario ends with the leak check (`expectFinalState`).
 *
 * The scenarios every inviter shares (retried and concurrent Creates, adopting another stack's invitation, rename,
 * target changes and their rollbacks, cut-off and canceled Creates, Delete after a failed Create, token properties,
 * whole-stack delete, unknown stack, response size) and the fault matrix run for every kind in test/contract/; this
 * file keeps what is specific to this kind.
 */
import { accountId, Cfn, CREATE_FAILED, FAULT_BUDGET_MS, OTHER_STACK_ID, startCfn, StartOptions } from './cfn';
import { DAY_MS } from '../emulator/common';

jest.setTimeout(60_000);

const A = '222222222222';
const B = '333333333333';
const props = (targetId: string, extra: Record<string, unknown> = {}) => ({ TargetId: targetId, TargetType: 'ACCOUNT', ...extra });

let cfn: Cfn;
async function start(options?: StartOptions): Promise<Cfn> {
  cfn = await startCfn('org-invitation', options);
  return cfn;
}
afterEach(async () => {
  await cfn?.stop();
});

/** Handshake ID pattern of the service model. */
const HANDSHAKE_ID = /^h-[0-9a-z]{8,32}$/;

function state(handshakeId: string): string | undefined {
  return cfn.emulator.org.handshakes().find((h) => h.Id === handshakeId)?.State;
}

describe('CloudFormation lifecycles', () => {
  test('create, no-op update, update that replaces, delete of the old physical ID, delete of the new', async () => {
    const { emulator } = await start();
    const v1 = props(A, { Notes: 'Welcome', Tags: { team: 'sandbox' } });
    const created = await cfn.create(v1);
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(HANDSHAKE_ID) });
    const hA = created.PhysicalResourceId;
    expect(created.Data).toEqual({
      HandshakeId: hA,
      HandshakeArn: `arn:aws:organizations::111111111111:handshake/o-exampleorg11/invite/${hA}`,
      HandshakeState: 'OPEN',
      Adopted: false,
    });
    const invite = emulator.requests.find((r) => r.op === 'InviteAccountToOrganization');
    expect(invite?.input).toEqual({ Target: { Id: A, Type: 'ACCOUNT' }, Notes: 'Welcome', Tags: [{ Key: 'team', Value: 'sandbox' }] });

    const noop = await cfn.update(hA, v1, v1);
    expect(noop).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: hA, Data: { HandshakeState: 'OPEN' } });

    const v2 = props(B, { Notes: 'Welcome' });
    const replaced = await cfn.update(hA, v2, v1);
    expect(replaced.Status).toBe('SUCCESS');
    const hB = replaced.PhysicalResourceId;
    expect(hB).toMatch(HANDSHAKE_ID);
    expect(hB).not.toBe(hA);

    // UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: the old physical ID, with the old properties
    expect(await cfn.delete(hA, v1)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: hA });
    expect(state(hA)).toBe('CANCELED');
    cfn.expectFinalState({ openHandshakes: [hB] });

    expect(await cfn.delete(hB, v2)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: hB });
    expect(state(hB)).toBe('CANCELED');
    expect(emulator.calls.InviteAccountToOrganization).toBe(2);
    cfn.expectFinalState();
  });

  test('a Create that fails, then the Delete of the failed resource succeeds', async () => {
    const { emulator } = await start();
    emulator.org.failNextInvite('PAYMENT_INSTRUMENT_REQUIRED');
    const failed = await cfn.create(props(A));
    expect(failed.Status).toBe('FAILED');
    expect(failed.PhysicalResourceId).toBe(CREATE_FAILED);
    expect(failed.Reason).toContain('PAYMENT_INSTRUMENT_REQUIRED');
    expect(failed.Reason).toContain('payment instrument');

    const deleted = await cfn.delete(failed.PhysicalResourceId, props(A));
    expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: CREATE_FAILED });
    expect(emulator.calls.CancelHandshake).toBe(0);
    cfn.expectFinalState();
  });

  test('the same Create delivered twice at once: one handshake, both answers name it', async () => {
    const { emulator } = await start();
    const v1 = props('owner@example.com', { TargetType: 'EMAIL' });
    const [first, second] = await Promise.all([cfn.create(v1), cfn.create(v1)]);
    expect(first.Status).toBe('SUCCESS');
    expect(second).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: first.PhysicalResourceId });
    expect(emulator.org.handshakes()).toHaveLength(1);
    cfn.expectFinalState({ openHandshakes: [first.PhysicalResourceId] });

    expect((await cfn.delete(first.PhysicalResourceId, v1)).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('expiry: 15 days later the handshake is EXPIRED; a notes change invites again and the expired one deletes cleanly', async () => {
    const { emulator } = await start();
    const v1 = props(A, { Notes: 'first' });
    const hA = (await cfn.create(v1)).PhysicalResourceId;
    emulator.advanceTime(15 * DAY_MS + 60_000);
    expect(state(hA)).toBe('EXPIRED');
    cfn.expectFinalState();

    const v2 = props(A, { Notes: 'second' });
    const again = await cfn.update(hA, v2, v1);
    expect(again).toMatchObject({ Status: 'SUCCESS', Data: { HandshakeState: 'OPEN', Adopted: false } });
    const hA2 = again.PhysicalResourceId;
    expect(hA2).not.toBe(hA);
    expect(emulator.requests.filter((r) => r.op === 'InviteAccountToOrganization').map((r) => r.input.Notes)).toEqual(['first', 'second']);

    const cleanup = await cfn.delete(hA, v1);
    expect(cleanup.Status).toBe('SUCCESS');
    expect(state(hA)).toBe('EXPIRED');
    cfn.expectFinalState({ openHandshakes: [hA2] });

    expect((await cfn.delete(hA2, v2)).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('45 days later the handshake is forgotten (HandshakeNotFoundException): an update invites again, the delete of the old ID succeeds', async () => {
    const { emulator } = await start();
    const v1 = props(A);
    const hA = (await cfn.create(v1)).PhysicalResourceId;
    emulator.advanceTime(46 * DAY_MS);
    expect(state(hA)).toBeUndefined();
    const again = await cfn.update(hA, v1, v1);
    expect(again).toMatchObject({ Status: 'SUCCESS', Data: { HandshakeState: 'OPEN' } });
    expect(again.PhysicalResourceId).not.toBe(hA);
    expect((await cfn.delete(hA, v1)).Status).toBe('SUCCESS');
    expect(emulator.calls.CancelHandshake).toBe(0);
    cfn.expectFinalState({ openHandshakes: [again.PhysicalResourceId] });
    expect((await cfn.delete(again.PhysicalResourceId, v1)).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('an accepted handshake: update reports ACCEPTED, delete leaves it and the account stays', async () => {
    const { emulator } = await start();
    const v1 = props(A);
    const hA = (await cfn.create(v1)).PhysicalResourceId;
    emulator.org.accept(hA);

    const noop = await cfn.update(hA, v1, v1);
    expect(noop).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: hA, Data: { HandshakeState: 'ACCEPTED' } });
    expect((await cfn.delete(hA, v1)).Status).toBe('SUCCESS');
    expect(state(hA)).toBe('ACCEPTED');
    expect(emulator.org.accounts().map((a) => a.Id)).toContain(A);
    expect(emulator.calls.CancelHandshake).toBe(0);
    cfn.expectFinalState();
  });

  test('a declined handshake: delete succeeds without canceling', async () => {
    const { emulator } = await start();
    const v1 = props(A);
    const hA = (await cfn.create(v1)).PhysicalResourceId;
    emulator.org.decline(hA);
    expect((await cfn.delete(hA, v1)).Status).toBe('SUCCESS');
    expect(state(hA)).toBe('DECLINED');
    cfn.expectFinalState();
  });
});

describe('answers of Organizations', () => {
  test('ConcurrentModificationException on invite is retried by the SDK strategy', async () => {
    const { emulator } = await start();
    emulator.faults.failWith('InviteAccountToOrganization', 'ConcurrentModificationException', {}, 2);
    const created = await cfn.create(props(A));
    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { Adopted: false } });
    expect(emulator.calls.InviteAccountToOrganization).toBe(3);
    expect(created.elapsedMs).toBeLessThan(FAULT_BUDGET_MS);
    cfn.expectFinalState({ openHandshakes: [created.PhysicalResourceId] });
    expect((await cfn.delete(created.PhysicalResourceId, props(A))).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('ALREADY_IN_AN_ORGANIZATION for a member of this organization: ALREADY_MEMBER, and delete leaves the account', async () => {
    const { emulator } = await start();
    emulator.org.addMemberAccount(A, 'member@example.com');
    const created = await cfn.create(props(A));
    expect(created).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: `already-member:${A}`,
      Data: { HandshakeState: 'ALREADY_MEMBER', HandshakeArn: '' },
    });
    expect((await cfn.update(created.PhysicalResourceId, props(A, { Notes: 'x' }), props(A))).PhysicalResourceId)
      .toBe(created.PhysicalResourceId);
    expect((await cfn.delete(created.PhysicalResourceId, props(A))).Status).toBe('SUCCESS');
    expect(emulator.org.accounts().map((a) => a.Id)).toContain(A);
    cfn.expectFinalState();
  });

  test('ALREADY_IN_AN_ORGANIZATION for a member invited by email (ListAccounts): ALREADY_MEMBER', async () => {
    const { emulator } = await start();
    emulator.org.addMemberAccount(A, 'Member@Example.com');
    const target = props('member@example.com', { TargetType: 'EMAIL' });
    const created = await cfn.create(target);
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `already-member:${A}` });
    expect((await cfn.delete(created.PhysicalResourceId, target)).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test.each([
    ['account', props(A), `account ${A}`],
    ['email', props('Owner@Example.com', { TargetType: 'EMAIL' }), 'email O***@Example.com'],
  ])('ALREADY_IN_AN_ORGANIZATION for a foreign %s: FAILED with a clear reason', async (_kind, target, named) => {
    const { emulator } = await start();
    emulator.org.markInOtherOrganization(target.TargetId);
    const failed = await cfn.create(target);
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toContain(named);
    // users search for the reason code
    expect(failed.Reason).toContain('(ALREADY_IN_AN_ORGANIZATION)');
    expect(failed.Reason).toMatch(/another AWS Organization/);
    expect(failed.Reason).toMatch(/leave that organization/);
    expect((await cfn.delete(CREATE_FAILED, target)).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('HANDSHAKE_RATE_LIMIT_EXCEEDED: FAILED naming the reason, the first invitation unharmed', async () => {
    const { emulator } = await start({ emulator: { invitesPer24h: 1 } });
    const first = await cfn.create(props(A), { logicalResourceId: 'First' });
    expect(first.Status).toBe('SUCCESS');
    const failed = await cfn.create(props(B), { logicalResourceId: 'Second' });
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toContain('HANDSHAKE_RATE_LIMIT_EXCEEDED');
    expect(failed.Reason).toMatch(/20 invitations per 24 hours/);
    expect(emulator.calls.InviteAccountToOrganization).toBe(2);
    expect((await cfn.delete(CREATE_FAILED, props(B), { logicalResourceId: 'Second' })).Status).toBe('SUCCESS');
    cfn.expectFinalState({ openHandshakes: [first.PhysicalResourceId] });
    expect((await cfn.delete(first.PhysicalResourceId, props(A), { logicalResourceId: 'First' })).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('a Reason reads as sentences: no doubled period after the service\'s message', async () => {
    const { emulator } = await start();
    emulator.org.failNextInvite('HANDSHAKE_RATE_LIMIT_EXCEEDED');
    const failed = await cfn.create(props(A));
    expect(failed.Status).toBe('FAILED');
    // "...in the last 24 hours.. Organizations allows..."
    expect(failed.Reason).not.toMatch(/[^.]\.\.(?!\.)/);
    cfn.expectFinalState();
  });

  test('ACCOUNT_NUMBER_LIMIT_EXCEEDED (pending invitations count): FAILED naming the quota', async () => {
    await start({ emulator: { maxAccounts: 2 } });
    const first = await cfn.create(props(A), { logicalResourceId: 'First' });
    expect(first.Status).toBe('SUCCESS');
    const failed = await cfn.create(props(B), { logicalResourceId: 'Second' });
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toContain('ACCOUNT_NUMBER_LIMIT_EXCEEDED');
    expect(failed.Reason).toMatch(/quota/);
    expect((await cfn.delete(first.PhysicalResourceId, props(A), { logicalResourceId: 'First' })).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test.each(['member', 'standalone'] as const)('not the management account (%s account): FAILED saying "management account"', async (kind) => {
    const { emulator } = await start();
    emulator.org.setNotManagementAccount(kind);
    const failed = await cfn.create(props(A));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(/management account/);
    expect(emulator.calls.InviteAccountToOrganization + emulator.calls.ListHandshakesForOrganization).toBeGreaterThan(0);
    expect((await cfn.delete(CREATE_FAILED, props(A))).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('not the management account on delete: FAILED saying "management account" and how to delete anyway', async () => {
    const { emulator } = await start();
    const created = await cfn.create(props(A));
    emulator.org.setNotManagementAccount('member');
    const failed = await cfn.delete(created.PhysicalResourceId, props(A));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: created.PhysicalResourceId });
    expect(failed.Reason).toMatch(/management account/);
    expect(failed.Reason).toMatch(/cancel the invitation in the Organizations console/);
    // the delete failed: the invitation legitimately stays
    cfn.expectFinalState({ openHandshakes: [created.PhysicalResourceId] });
  });

  test('an invitation opened outside the stack is adopted by Create, and canceled by Delete', async () => {
    const { emulator } = await start();
    emulator.org.registerAccount(A, 'owner@example.com');
    // opened by another stack: this stack's template does not list it
    const outside = await cfn.create(props(A), { logicalResourceId: 'Outside', stackId: OTHER_STACK_ID });
    expect(outside.Data.Adopted).toBe(false);
    // Parties name the email for this invitation by account ID: the target is matched in the nested Resources
    expect(emulator.org.handshakes()[0].Parties).toContainEqual({ Id: 'owner@example.com', Type: 'EMAIL' });
    const adopted = await cfn.create(props(A), { logicalResourceId: 'Adopter' });
    expect(adopted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: outside.PhysicalResourceId, Data: { Adopted: true } });
    expect(emulator.calls.InviteAccountToOrganization).toBe(1);
    expect((await cfn.delete(adopted.PhysicalResourceId, props(A), { logicalResourceId: 'Adopter' })).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });
});

describe('scale', () => {
  test('20 OrgInvitations created and deleted concurrently through one handler module', async () => {
    const { emulator } = await start({ emulator: { maxAccounts: 100 } });
    const targets = Array.from({ length: 20 }, (_, i) => accountId(i + 1));
    const created = await Promise.all(targets.map((t, i) => cfn.create(props(t), { logicalResourceId: `Invitation${i}` })));
    expect(created.map((r) => r.Status)).toEqual(targets.map(() => 'SUCCESS'));
    const ids = created.map((r) => r.PhysicalResourceId);
    expect(new Set(ids).size).toBe(20);
    expect(emulator.calls.InviteAccountToOrganization).toBe(20);
    // every handshake is the one of its target
    const byId = new Map(emulator.org.handshakes().map((h) => [h.Id, h]));
    targets.forEach((t, i) => expect(byId.get(ids[i])?.Resources).toContainEqual({ Type: 'ACCOUNT', Value: t }));
    cfn.expectFinalState({ openHandshakes: ids });

    const deleted = await Promise.all(targets.map((t, i) => cfn.delete(ids[i], props(t), { logicalResourceId: `Invitation${i}` })));
    expect(deleted.map((r) => r.Status)).toEqual(targets.map(() => 'SUCCESS'));
    expect(emulator.calls.CancelHandshake).toBe(20);
    cfn.expectFinalState();
  });
});

describe('faults', () => {
  const budget = (result: { elapsedMs: number }) => expect(result.elapsedMs).toBeLessThan(FAULT_BUDGET_MS);

  test('HTTP 500s that persist: a clear FAILED well within the Lambda timeout', async () => {
    const { emulator } = await start();
    emulator.faults.serverError('InviteAccountToOrganization', 20);
    const failed = await cfn.create(props(A));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toContain('ServiceException');
    budget(failed);
    expect(emulator.calls.InviteAccountToOrganization).toBe(6);
    expect((await cfn.delete(CREATE_FAILED, props(A))).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });
});

describe('issue 10: tokens, deploy-time target types, old properties', () => {
  test('an email target from a parameter without TargetType is invited as EMAIL (decided at deploy time)', async () => {
    const { emulator } = await start();
    emulator.org.registerAccount(A, 'owner@example.com');
    const created = await cfn.create({ TargetId: 'owner@example.com' });
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(HANDSHAKE_ID) });
    expect(emulator.requests.find((r) => r.op === 'InviteAccountToOrganization')?.input.Target).toEqual({ Id: 'owner@example.com', Type: 'EMAIL' });
    const bad = await cfn.create({ TargetId: 'team-a' }, { logicalResourceId: 'Bad' });
    expect(bad).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(bad.Reason).toMatch(/TargetId team-a is neither a 12-digit account ID nor an email address/);
    expect((await cfn.delete(created.PhysicalResourceId, { TargetId: 'owner@example.com' })).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('old properties that no longer parse (Tags of an older version) do not hide a changed target', async () => {
    await start();
    const created = await cfn.create(props(A));
    const oldRaw = props(A, { Tags: ['a list, as an older version wrote them'] });
    const changed = await cfn.update(created.PhysicalResourceId, props(B), oldRaw);
    expect(changed).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(HANDSHAKE_ID) });
    expect(changed.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
    expect((await cfn.delete(created.PhysicalResourceId, oldRaw)).Status).toBe('SUCCESS');
    cfn.expectFinalState({ openHandshakes: [changed.PhysicalResourceId] });
    expect((await cfn.delete(changed.PhysicalResourceId, props(B))).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });
});
