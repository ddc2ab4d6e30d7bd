/**
 * Issue 17, AWS Organizations: what breaking OrgInvitation (with `acceptance`) and OrgInvitationAccepter on purpose
 * found, end to end over the emulator with the shipped bundles (the inviter as management account 111111111111, the
 * accepter as the invited account 222222222222, one emulator). Each test names its item; each failed before the fix.
 * Every scenario ends with the leak check (`expectFinalState`).
 */
import { Cfn, CREATE_TIMED_OUT, FAULT_BUDGET_MS, OTHER_STACK_ID, stackIdOf, startCfn } from './cfn';
import { DAY_MS } from '../emulator/common';

jest.setTimeout(60_000);

const MGMT = '111111111111';
const B = '222222222222';
const ORG = 'o-exampleorg11';
const OTHER_MGMT = '444444444444';
const ROLE_ARN = `arn:aws:iam::${B}:role/Accept`;
/** Short polling: the waits (1 s, 2 s, ... capped at 30 s in production) in tens of milliseconds. */
const FAST_POLL = { CDK_ACCOUNT_INVITATIONS_POLL_FIRST_MS: '20', CDK_ACCOUNT_INVITATIONS_POLL_MAX_MS: '100' };
/** Lambda time left for the deadline scenarios: the runtime answers FAILED 15 s before the end. */
const LAMBDA_TIME = 15_500;

const invite = (extra: Record<string, unknown> = {}) => ({ TargetId: B, TargetType: 'ACCOUNT', ...extra });
const accept = (extra: Record<string, unknown> = {}) => ({ ManagementAccountId: MGMT, WaitTimeoutSeconds: '5', ...extra });
const accepterId = (how: 'accepted' | 'adopted' | 'unknown', handshakeId = 'NONE', org = ORG, mgmt = MGMT) =>
  `org-invitation-accepter:us-east-1:${org}/${mgmt}:${how}:${handshakeId}`;

let inviter: Cfn;
let accepter: Cfn;
async function start(env: Record<string, string> = {}): Promise<void> {
  inviter = await startCfn('org-invitation', { accountId: MGMT, env: { ...FAST_POLL, ...env } });
  accepter = await startCfn('org-invitation-accepter', { accountId: B, sharedWith: inviter, env: { ...FAST_POLL, ...env } });
}
afterEach(async () => {
  await accepter?.stop();
  await inviter?.stop();
});

const MEMBER_STACK = stackIdOf(B, 'Member');
type Opts = Parameters<Cfn['create']>[1];
const acceptCreate = (props: Record<string, unknown>, o: Opts = {}) => accepter.create(props, { stackId: MEMBER_STACK, ...o });
const acceptUpdate = (id: string, props: Record<string, unknown>, old: Record<string, unknown>, o: Opts = {}) =>
  accepter.update(id, props, old, { stackId: MEMBER_STACK, ...o });
const emulator = () => inviter.emulator;
function expectFinalState(openHandshakes: string[] = []): void {
  inviter.expectFinalState({ openHandshakes });
  accepter.expectFinalState({ openHandshakes });
}

describe('OrgInvitation with acceptance', () => {
  test('item 3: the rollback of an update that failed on a role that is gone sends no invitation, assumes no role, and succeeds', async () => {
    await start();
    const v1 = invite({ AcceptRoleName: 'Accept', Notes: 'first' });
    const created = await inviter.create(v1);
    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { HandshakeState: 'ACCEPTED' } });
    const h1 = created.PhysicalResourceId;
    // the account left, its role is gone, and 45 days later Organizations has forgotten the handshake
    emulator().org.removeFromOrganization(B);
    emulator().sts.denyRole(ROLE_ARN);
    emulator().advanceTime(45 * DAY_MS);

    const v2 = { ...v1, Notes: 'second' };
    const forward = await inviter.update(h1, v2, v1);
    expect(forward.Status).toBe('FAILED');
    expect(forward.Reason).toMatch(/the invitation h-[0-9a-z]+ this deployment sent was canceled\./i);
    const invites = emulator().calls.InviteAccountToOrganization;
    const assumes = emulator().calls.AssumeRole;

    const rollback = await inviter.update(h1, v1, v2, { stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(rollback).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: h1, Data: { HandshakeId: h1, HandshakeState: 'NOT_FOUND' } });
    expect(emulator().calls.InviteAccountToOrganization).toBe(invites);
    expect(emulator().calls.AssumeRole).toBe(assumes);
    expect(inviter.logs()).toMatch(/"level":"WARN".*rollback.*not restored\. The next deployment invites again/);
    expectFinalState();
  });

  test('item 3: a rollback to properties whose invitation is still open assumes no role: it stays open', async () => {
    await start();
    const v1 = invite();
    const h = (await inviter.create(v1)).PhysicalResourceId;
    const v2 = invite({ AcceptRoleName: 'Accept' });
    emulator().sts.denyRole(ROLE_ARN);
    expect((await inviter.update(h, v2, v1)).Status).toBe('FAILED');
    const rollback = await inviter.update(h, v2, v1, { stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(rollback).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: h, Data: { HandshakeState: 'OPEN' } });
    expect(emulator().calls.AssumeRole).toBe(1);
    expectFinalState([h]);
    expect((await inviter.delete(h, v1)).Status).toBe('SUCCESS');
    expectFinalState();
  });

  test('item 8: a long AWS message is cut after the outcome: the Reason still says the invitation was canceled', async () => {
    await start();
    emulator().faults.failWith('AcceptHandshake', 'ConstraintViolationException',
      { Message: `Denied: ${'the policy says no. '.repeat(150)}`, Reason: 'POLICY_TYPE_NOT_ENABLED' }, 1, { accountId: B });
    const failed = await inviter.create(invite({ AcceptRoleName: 'Accept' }));
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/^Nothing was accepted in account 222222222222; the invitation h-[0-9a-z]+ this deployment sent was canceled\. /);
    expect(failed.Reason.length).toBeLessThanOrEqual(1_000);
    expect(emulator().org.openHandshakes()).toEqual([]);
    expectFinalState();
  });

  test('item 13: an STS that never answers: the AssumeRole call times out, the failure names it, the invitation is canceled', async () => {
    await start({ CDK_ACCOUNT_INVITATIONS_REQUEST_TIMEOUT_MS: '300', CDK_ACCOUNT_INVITATIONS_MAX_ATTEMPTS: '2' });
    emulator().faults.delay('AssumeRole', 10_000, 2);
    const failed = await inviter.create(invite({ AcceptRoleName: 'Accept' }));
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/^Nothing was accepted in account 222222222222; the invitation h-[0-9a-z]+ this deployment sent was canceled\. Assuming role Accept in account 222222222222 failed with TimeoutError/);
    expect(failed.elapsedMs).toBeLessThan(FAULT_BUDGET_MS);
    expectFinalState();
  });

  test('item 13: an AssumeRole still running at the Lambda deadline is abandoned: FAILED in time, then the Delete cleans up', async () => {
    await start();
    emulator().faults.delay('AssumeRole', 30_000);
    const failed = await inviter.create(invite({ AcceptRoleName: 'Accept' }), { lambdaTimeoutMs: LAMBDA_TIME });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(CREATE_TIMED_OUT) });
    expect(failed.Reason).toMatch(/did not finish within the handler's timeout/);
    expect(failed.elapsedMs).toBeLessThan(LAMBDA_TIME - 10_000);
    expect(emulator().calls.AcceptHandshake ?? 0).toBe(0);
    // the invitation went out within the clock skew of the Create's start: its cleanup keeps it (item 7)
    expect((await inviter.delete(failed.PhysicalResourceId, invite({ AcceptRoleName: 'Accept' }))).Status).toBe('SUCCESS');
    expectFinalState(emulator().org.openHandshakes().map((h) => h.Id as string));
  });

  test('item 16: an AWS error that echoes the notes: the Reason and the log carry neither the notes nor the email target', async () => {
    await start();
    const notes = 'Welcome aboard, the door code is 4711';
    emulator().faults.failWith('InviteAccountToOrganization', 'ConstraintViolationException',
      { Message: `Notes "${notes}" for owner@example.com violate a policy`, Reason: 'TAG_POLICY_VIOLATION' });
    const failed = await inviter.create({ TargetId: 'owner@example.com', TargetType: 'EMAIL', Notes: notes });
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toContain('Notes "[redacted]" for o***@example.com violate a policy');
    expect(failed.Reason).not.toContain('door code');
    expect(inviter.logs()).not.toMatch(/door code|owner@example\.com/);
    expectFinalState();
  });
});

describe('OrgInvitation: cleanup after a Create cut off at the deadline (item 7)', () => {
  test('another stack\'s invitation requested 3 s before the Create began is kept', async () => {
    await start();
    emulator().advanceTime(-3_000);
    const outside = await inviter.create(invite(), { logicalResourceId: 'Outside', stackId: OTHER_STACK_ID });
    emulator().advanceTime(3_000);
    emulator().faults.delay('ListHandshakesForOrganization', 3_000);
    const failed = await inviter.create(invite(), { lambdaTimeoutMs: LAMBDA_TIME });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(CREATE_TIMED_OUT) });
    expect((await inviter.delete(failed.PhysicalResourceId, invite())).Status).toBe('SUCCESS');
    expect(emulator().calls.CancelHandshake).toBe(0);
    expect(inviter.logs()).toMatch(/"level":"WARN".*within seconds of the unfinished Create's start, so it may be older.*: it is kept/);
    expectFinalState([outside.PhysicalResourceId]);
  });

  test('its own invitation, sent within the clock skew of its start, is kept too (a leaked invitation is cheap)', async () => {
    await start();
    emulator().faults.delay('InviteAccountToOrganization', 3_000);
    const failed = await inviter.create(invite(), { lambdaTimeoutMs: LAMBDA_TIME });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(CREATE_TIMED_OUT) });
    expect((await inviter.delete(failed.PhysicalResourceId, invite())).Status).toBe('SUCCESS');
    expect(emulator().calls.CancelHandshake).toBe(0);
    const open = emulator().org.openHandshakes();
    expect(open).toHaveLength(1);
    expect(inviter.logs()).toMatch(/"level":"WARN".*within seconds of the unfinished Create's start.*Cancel it in the Organizations console/);
    expectFinalState([open[0].Id as string]);
  });
});

describe('OrgInvitationAccepter', () => {
  test('item 6: the wait ends in time when the function has less time left than waitTimeout, and says so', async () => {
    await start();
    // 40 s of Lambda time: the runtime answers 15 s before the end, the wait ends 20 s before that (5 s of waiting)
    const failed = await acceptCreate(accept({ WaitTimeoutSeconds: '60' }), { lambdaTimeoutMs: 40_000 });
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/^No AWS Organizations invitation from management account 111111111111 reached account 222222222222 within 5 seconds \(the time the function had left\)\./);
    expect(failed.elapsedMs).toBeLessThan(15_000);
    expectFinalState();
  });

  test('item 9: adding the same organization\'s ID keeps the physical ID and HandshakeId; so does the rollback of a failed change', async () => {
    await start();
    const h = (await inviter.create(invite())).PhysicalResourceId;
    const created = await acceptCreate(accept());
    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { HandshakeId: h } });

    const withOrg = accept({ OrganizationId: ORG });
    const added = await acceptUpdate(created.PhysicalResourceId, withOrg, accept());
    expect(added).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId, Data: { HandshakeId: h, HandshakeState: 'ACCEPTED' } });

    // expecting another management account fails (the account is in this organization), and its rollback keeps
    const other = accept({ ManagementAccountId: OTHER_MGMT });
    const failed = await acceptUpdate(created.PhysicalResourceId, other, withOrg);
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/is a member of organization o-exampleorg11 \(management account 111111111111\), not .*management account 444444444444/);
    const rollback = await acceptUpdate(created.PhysicalResourceId, withOrg, other, { stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(rollback).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId, Data: { HandshakeId: h, HandshakeState: 'ACCEPTED' } });
    expect(emulator().calls.AcceptHandshake).toBe(1);
    expectFinalState();
  });

  // the forward case (the stack can be read: the changed expectation fails) is item 9's first update
  test('a changed expectation while the stack cannot be read (DescribeStacks denied): kept with a warning, nothing accepted', async () => {
    await start();
    await inviter.create(invite());
    const created = await acceptCreate(accept());
    const other = accept({ ManagementAccountId: OTHER_MGMT });
    emulator().denyAction(B, 'cloudformation:DescribeStacks');
    const kept = await acceptUpdate(created.PhysicalResourceId, other, accept());
    expect(kept).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: accepterId('unknown', 'NONE'), Data: { HandshakeState: 'OTHER_ORGANIZATION' } });
    expect(accepter.logs()).toMatch(/"level":"WARN".*whether this update is a rollback cannot be told/);
    expect(emulator().org.organizationOf(B)).toBe(ORG);
    expectFinalState();
  });

  test('item 11: an OrganizationId that resolved to \'\' fails clearly; nothing is accepted', async () => {
    await start();
    await inviter.create(invite());
    const failed = await acceptCreate(accept({ OrganizationId: '' }));
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/The property OrganizationId is empty \(a parameter or reference that resolved to ''\)\. An empty value does not mean "any"/);
    expect(emulator().calls.AcceptHandshake ?? 0).toBe(0);
    expect(emulator().org.organizationOf(B)).toBeUndefined();
    expectFinalState(emulator().org.openHandshakes().map((h) => h.Id as string));
  });

  test('item 14: the stack\'s own account as the management account fails at once, naming the mix-up', async () => {
    await start();
    const failed = await acceptCreate(accept({ ManagementAccountId: B, WaitTimeoutSeconds: '300' }));
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/^The expected management account 222222222222 is this stack's own account: an accepter is deployed in the invited account and names the inviting one\./);
    expect(failed.elapsedMs).toBeLessThan(FAULT_BUDGET_MS);
    expect(emulator().requests.filter((r) => r.accountId === B && r.service === 'organizations')).toEqual([]);
    expectFinalState();
  });
});
