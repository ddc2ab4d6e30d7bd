/**
 * MacieInvitationAccepter and MacieInvitations' two ways to accept in one `cdk deploy`, end to end: the shipped
 * bundles, the real SDK clients, one emulator holding two (or three) accounts. The inviting stack lives in the
 * administrator account A (its Lambda host acts as A), the accepting stack in a member account (its host acts as
 * that account); `acceptance` runs the inviter's bundle alone, which assumes a role in each member.
 *
 * Every scenario ends with the leak and request-validation check (`expectFinalState`). Numbers for the note (time
 * and API calls of the two-stack and one-stack flows) are printed with the prefix `[measure]`.
 *
 * The scenarios every accepter shares (adopt, another inviter's invitation, ended, not arrived, arrives late or in
 * reverse stack order, the deadline, rollback, Delete after a failed Create, rename) and the fault matrix run for every
 * kind in test/contract/; this file keeps what is specific to this kind.
 */
import { accountId, Cfn, CREATE_FAILED, CREATE_TIMED_OUT, startCfn, stackIdOf } from './cfn';
import { CLOCK_SKEW_MS } from '../../lambda/shared/stack';

jest.setTimeout(60_000);

const A = '111111111111';
const B = accountId(1);
const C = accountId(2);
const ROLE = 'MacieAccept';
/** The accepters poll fast in these tests (50 ms, then at most 200 ms between looks). */
const FAST_POLL = { CDK_ACCOUNT_INVITATIONS_POLL_FIRST_MS: '50', CDK_ACCOUNT_INVITATIONS_POLL_MAX_MS: '200' };

const member = (id: string) => ({ AccountId: id, Email: `owner-${id}@example.com` });
const inviterProps = (ids: string[], extra: Record<string, unknown> = {}) => ({
  Members: ids.map(member),
  DisableEmailNotification: 'false',
  RemovalPolicy: 'DESTROY',
  ...extra,
});
const accepterProps = (extra: Record<string, unknown> = {}) => ({
  AdministratorAccountId: A,
  WaitTimeoutSeconds: '10',
  RemovalPolicy: 'DESTROY',
  ...extra,
});

/** The member account's stack (the emulator's CloudFormation names stacks across accounts: not LandingZone again). */
const MEMBER_STACK = stackIdOf(B, 'MemberStack');

let inviter: Cfn;
let accepter: Cfn;
let third: Cfn | undefined;

/** The inviting stack (account A) and the accepting stack (account `memberAccount`), on one emulator. */
async function start(memberAccount = B): Promise<void> {
  inviter = await startCfn('macie-invitations', { accountId: A });
  accepter = await startCfn('macie-invitation-accepter', { accountId: memberAccount, sharedWith: inviter, env: FAST_POLL });
  inviter.emulator.macie.enable(memberAccount);
}
afterEach(async () => {
  await third?.stop();
  third = undefined;
  await accepter?.stop();
  await inviter?.stop();
});

const ops = (cfn: Cfn, account?: string) => cfn.emulator.requests.filter((r) => r.service === 'macie2' && (!account || r.accountId === account)).map((r) => r.op);

describe('two stacks, two accounts', () => {
  test('stack order: invite (A), then accept (B): Enabled on both sides; destroy in reverse order', async () => {
    await start();
    const t0 = Date.now();
    const invited = await inviter.create(inviterProps([B]));
    expect(invited).toMatchObject({ Status: 'SUCCESS', Data: { InvitedCount: 1 } });
    const accepted = await accepter.create(accepterProps(), { stackId: MEMBER_STACK });
    const elapsed = Date.now() - t0;
    expect(accepted).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: `macie-invitation-accepter:us-east-1:${A}:accepted:${inviter.emulator.macie.invitationId(B, A)}`,
      Data: { InvitationId: inviter.emulator.macie.invitationId(B, A), RelationshipStatus: 'Enabled', AdministratorAccountId: A },
    });
    inviter.expectFinalState({ macieMembers: { Enabled: [B] } });
    // the member side's calls: session, administrator, invitations, accept, re-read
    // (the emulator pages ListInvitations with empty pages around the items, as Organizations does: paged to the end)
    expect(ops(accepter, B).filter((op, i, all) => op !== all[i - 1]))
      .toEqual(['GetMacieSession', 'GetAdministratorAccount', 'ListInvitations', 'AcceptInvitation', 'GetAdministratorAccount']);
    const calls = inviter.emulator.requests.length;
    console.log(`[measure] two-stack flow (invite 1 member, accept): ${elapsed} ms end to end, ${calls} API calls (${ops(inviter).length} Macie)`);

    // destroy in reverse order: the accepting stack first (DESTROY: B leaves A), then the inviting stack
    expect(await accepter.delete(accepted.PhysicalResourceId, accepterProps(), { stackId: MEMBER_STACK, stackStatus: 'DELETE_IN_PROGRESS' })).toMatchObject({ Status: 'SUCCESS' });
    inviter.expectFinalState({ macieMembers: { Resigned: [B] } });
    expect(await inviter.delete(invited.PhysicalResourceId, inviterProps([B]), { stackStatus: 'DELETE_IN_PROGRESS' })).toMatchObject({ Status: 'SUCCESS' });
    inviter.expectFinalState();
  });

  test('a member of a different administrator: fails naming both, nothing changed', async () => {
    await start();
    await inviter.create(inviterProps([B]));
    await accepter.create(accepterProps(), { stackId: MEMBER_STACK });
    const other = '333333333333';
    const failed = await accepter.create(accepterProps({ AdministratorAccountId: other }), { logicalResourceId: 'OtherAdmin', stackId: stackIdOf(B, 'Other') });
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toContain(`The account ${B} is associated with Macie administrator ${A} (relationship Enabled), not with the expected ` +
      `Macie administrator ${other}. Nothing was changed.`);
    inviter.expectFinalState({ macieMembers: { Enabled: [B] } });
  });

  test('Macie not enabled in the member account: fails before changing anything, saying how', async () => {
    inviter = await startCfn('macie-invitations', { accountId: A });
    accepter = await startCfn('macie-invitation-accepter', { accountId: B, sharedWith: inviter, env: FAST_POLL });
    await inviter.create(inviterProps([B]));
    const failed = await accepter.create(accepterProps(), { stackId: MEMBER_STACK });
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(new RegExp(`^Amazon Macie is not enabled in account ${B} in us-east-1, so this account cannot accept a Macie invitation\\. Nothing was changed\\.`));
    expect(ops(accepter, B)).toEqual(['GetMacieSession']);
    inviter.expectFinalState({ macieMembers: { Invited: [B] } });
  });

  test('RETAIN on both sides: deleting the stacks leaves the accepted membership alone', async () => {
    await start();
    const invited = await inviter.create(inviterProps([B], { RemovalPolicy: 'RETAIN' }));
    const accepted = await accepter.create(accepterProps({ RemovalPolicy: 'RETAIN' }), { stackId: MEMBER_STACK });
    expect(accepted.Status).toBe('SUCCESS');
    // CloudFormation does not call RETAIN resources on delete; a stray call changes nothing either
    expect((await accepter.delete(accepted.PhysicalResourceId, accepterProps({ RemovalPolicy: 'RETAIN' }), { stackId: MEMBER_STACK, stackStatus: 'DELETE_IN_PROGRESS' })).Status).toBe('SUCCESS');
    expect((await inviter.delete(invited.PhysicalResourceId, inviterProps([B], { RemovalPolicy: 'RETAIN' }), { stackStatus: 'DELETE_IN_PROGRESS' })).Status).toBe('SUCCESS');
    inviter.expectFinalState({ macieMembers: { Enabled: [B] } });
  });

  test('the inviter after acceptance: a removal-only update of another member and a no-op update leave the accepted member alone', async () => {
    await start();
    inviter.emulator.macie.enable(C);
    const invited = await inviter.create(inviterProps([B, C]));
    await accepter.create(accepterProps(), { stackId: MEMBER_STACK });
    expect((await inviter.update(invited.PhysicalResourceId, inviterProps([B]), inviterProps([B, C]))).Status).toBe('SUCCESS');
    expect((await inviter.update(invited.PhysicalResourceId, inviterProps([B]), inviterProps([B]))).Status).toBe('SUCCESS');
    inviter.expectFinalState({ macieMembers: { Enabled: [B] } });
  });
});

describe('one stack: acceptance through a role in each member', () => {
  test('invites and accepts in every member: members Enabled, counts in Data, no credentials in the logs', async () => {
    inviter = await startCfn('macie-invitations', { accountId: A });
    const { emulator } = inviter;
    emulator.macie.enable(B);
    emulator.macie.enable(C);
    const t0 = Date.now();
    const created = await inviter.create(inviterProps([B, C], { AcceptRoleName: ROLE }));
    const elapsed = Date.now() - t0;
    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { MemberCount: 2, InvitedCount: 2, AcceptedCount: 2, EnabledCount: 2 } });
    inviter.expectFinalState({ macieMembers: { Enabled: [B, C] } });
    expect(emulator.requests.filter((r) => r.op === 'AssumeRole').map((r) => r.input.RoleArn).sort())
      .toEqual([B, C].map((id) => `arn:aws:iam::${id}:role/${ROLE}`));
    expect(emulator.requests.filter((r) => r.op === 'AcceptInvitation').map((r) => r.accountId).sort()).toEqual([B, C]);
    // credentials never logged: no secret, no session token, no temporary key
    const secrets = emulator.sts.sessions().flatMap((s) => Object.values(s).filter((v): v is string => typeof v === 'string' && /^ASIA/.test(v)));
    for (const secret of secrets) expect(inviter.logs()).not.toContain(secret);
    expect(inviter.logs()).not.toMatch(/SecretAccessKey|SessionToken/i);
    console.log(`[measure] one-stack flow (invite and accept 2 members through a role): ${elapsed} ms, ${emulator.requests.length} API calls ` +
      `(${emulator.requests.filter((r) => r.service === 'sts').length} STS, ${ops(inviter).length} Macie)`);

    expect((await inviter.delete(created.PhysicalResourceId, inviterProps([B, C], { AcceptRoleName: ROLE }), { stackStatus: 'DELETE_IN_PROGRESS' })).Status).toBe('SUCCESS');
    inviter.expectFinalState();
  });

  test('25 members through a role: every member Enabled (numbers for the note)', async () => {
    inviter = await startCfn('macie-invitations', { accountId: A });
    const { emulator } = inviter;
    const many = [...Array(25).keys()].map((i) => accountId(100 + i));
    for (const id of many) emulator.macie.enable(id);
    const t0 = Date.now();
    const created = await inviter.create(inviterProps(many, { AcceptRoleName: ROLE }));
    const elapsed = Date.now() - t0;
    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { MemberCount: 25, AcceptedCount: 25, EnabledCount: 25 } });
    inviter.expectFinalState({ macieMembers: { Enabled: many } });
    console.log(`[measure] one-stack flow, 25 members: ${elapsed} ms, ${emulator.requests.length} API calls ` +
      `(${emulator.requests.filter((r) => r.service === 'sts').length} STS, ${ops(inviter).length} Macie)`);
  });

  test('a role that cannot be assumed in one member: FAILED naming the account and the role; the created members are removed again', async () => {
    inviter = await startCfn('macie-invitations', { accountId: A });
    const { emulator } = inviter;
    emulator.macie.enable(B);
    emulator.macie.enable(C);
    emulator.sts.denyRole(`arn:aws:iam::${C}:role/${ROLE}`);
    const props = inviterProps([B, C], { AcceptRoleName: ROLE });
    const failed = await inviter.create(props);
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    // every role is assumed before anything is accepted: nothing was accepted in B either
    expect(failed.Reason).toMatch(new RegExp('^Nothing was accepted in any of the 2 accounts; 2 of the 2 members created by this deployment were ' +
      `removed again\\. Assuming role ${ROLE} in account ${C} failed with AccessDenied: `));
    expect(failed.Reason).toContain(`Create the role ${ROLE} in account ${C} with the accept permissions listed in the README`);
    expect(emulator.requests.filter((r) => r.op === 'AcceptInvitation')).toEqual([]);
    inviter.expectFinalState();
    expect((await inviter.delete(CREATE_FAILED, props)).Status).toBe('SUCCESS');
    inviter.expectFinalState();
  });

  test('Macie not enabled in a member, AcceptInvitation denied in another: each account named with what to do', async () => {
    inviter = await startCfn('macie-invitations', { accountId: A });
    const { emulator } = inviter;
    emulator.macie.enable(B);
    emulator.denyAction(B, 'macie2:AcceptInvitation', { roleName: ROLE });
    const failed = await inviter.create(inviterProps([B, C], { AcceptRoleName: ROLE }));
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/^Nothing was accepted in any of the 2 accounts; 2 of the 2 members created by this deployment were removed again\. /);
    expect(failed.Reason).toMatch(new RegExp(`Accepting through role ${ROLE} in account ${B} failed: Accepting the Macie invitation \\w+ from administrator ${A} in ` +
      `account ${B} in us-east-1 failed with AccessDeniedException: User: arn:aws:sts::${B}:assumed-role/${ROLE}/[^ ]+ is not authorized to perform: macie2:AcceptInvitation`));
    expect(failed.Reason).toContain('the role assumed in the member account) needs this action');
    expect(failed.Reason).toContain(`Accepting through role ${ROLE} in account ${C} failed: Amazon Macie is not enabled in account ${C} in us-east-1`);
    expect(Buffer.byteLength(failed.Reason)).toBeLessThanOrEqual(1000);
    inviter.expectFinalState();
  });
});

describe('issue 17, the member side over the wire: Delete leaves only what the resource accepted; rollbacks; the deadline; the own account', () => {
  /** A second Macie administrator (its own MacieInvitations stack), inviting B too. */
  const X = '333333333333';
  async function administratorX(): Promise<Cfn> {
    inviter.emulator.macie.enable(X);
    third = await startCfn('macie-invitations', { accountId: X, sharedWith: inviter });
    return third;
  }
  const disassociations = () => ops(accepter, B).filter((op) => op === 'DisassociateFromAdministratorAccount').length;
  const toX = accepterProps({ AdministratorAccountId: X });

  /**
   * B's accepter accepted A; B then left A, and X invited B (`byHand`: B also joined X by hand). Returns the accepter's
   * physical ID and the Update to X.
   */
  async function updateToX(byHand: boolean): Promise<{ accepted: string; updated: Awaited<ReturnType<Cfn['update']>> }> {
    await start();
    const x = await administratorX();
    await inviter.create(inviterProps([B]));
    const accepted = await accepter.create(accepterProps(), { stackId: MEMBER_STACK });
    inviter.emulator.macie.setRelationshipStatus(B, 'Resigned', A);
    await x.create(inviterProps([B]), { stackId: stackIdOf(X, 'AdminX') });
    if (byHand) inviter.emulator.macie.accept(B, X);
    const updated = await accepter.update(accepted.PhysicalResourceId, toX, accepterProps(), { stackId: MEMBER_STACK });
    expect(updated.Status).toBe('SUCCESS');
    return { accepted: accepted.PhysicalResourceId, updated };
  }

  test('item 1: a second stack\'s accepter adopts what the first stack accepted; deleting the second stack keeps the membership', async () => {
    await start();
    await inviter.create(inviterProps([B]));
    const first = await accepter.create(accepterProps(), { stackId: MEMBER_STACK });
    const secondStack = stackIdOf(B, 'SecondStack');
    const second = await accepter.create(accepterProps(), { logicalResourceId: 'SecondAccepter', stackId: secondStack });
    expect(second.Status).toBe('SUCCESS');
    expect((await accepter.delete(second.PhysicalResourceId, accepterProps(), {
      logicalResourceId: 'SecondAccepter', stackId: secondStack, stackStatus: 'DELETE_IN_PROGRESS',
    })).Status).toBe('SUCCESS');
    expect(disassociations()).toBe(0);
    inviter.expectFinalState({ macieMembers: { Enabled: [B] } });
    expect(accepter.logs()).toMatch(/adopted the relationship \(it was in place before\): it stays/);
    // the first stack accepted: its Delete leaves
    expect((await accepter.delete(first.PhysicalResourceId, accepterProps(), { stackId: MEMBER_STACK, stackStatus: 'DELETE_IN_PROGRESS' })).Status).toBe('SUCCESS');
    inviter.expectFinalState({ macieMembers: { Resigned: [B] } });
    expect([first.PhysicalResourceId, second.PhysicalResourceId]).toEqual([
      expect.stringMatching(new RegExp(`^macie-invitation-accepter:us-east-1:${A}:accepted:\\w+$`)),
      expect.stringMatching(new RegExp(`^macie-invitation-accepter:us-east-1:${A}:adopted:\\w+$`)),
    ]);
  });

  test('item 1: a new stack adopts a membership accepted by hand long ago, another resource fails: the rollback keeps the membership', async () => {
    await start();
    await inviter.create(inviterProps([B]));
    inviter.emulator.macie.accept(B);
    const created = await accepter.create(accepterProps(), { stackId: MEMBER_STACK });
    expect(created.Status).toBe('SUCCESS');
    // the new stack's creation is rolled back: every resource it created is deleted
    expect((await accepter.delete(created.PhysicalResourceId, accepterProps(), { stackId: MEMBER_STACK, stackStatus: 'ROLLBACK_IN_PROGRESS' })).Status).toBe('SUCCESS');
    expect(disassociations()).toBe(0);
    inviter.expectFinalState({ macieMembers: { Enabled: [B] } });
  });

  test('item 1: an update to administrator X adopts an association with X, the update fails elsewhere: the cleanup Delete of the X physical ID keeps it', async () => {
    // B left A and joined X by hand
    const { updated } = await updateToX(true);
    // another resource failed: the rollback (old properties back), then the cleanup of the X physical ID
    const rollback = await accepter.update(updated.PhysicalResourceId, accepterProps(), toX, { stackId: MEMBER_STACK, stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(rollback.Status).toBe('SUCCESS');
    expect((await accepter.delete(updated.PhysicalResourceId, toX, {
      stackId: MEMBER_STACK, stackStatus: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
    })).Status).toBe('SUCCESS');
    expect(disassociations()).toBe(0);
    expect(inviter.emulator.macie.membersByStatus(X)).toEqual({ Enabled: [B] });
    inviter.expectFinalState({ macieMembers: { Resigned: [B] } });
    expect(updated.PhysicalResourceId).toMatch(new RegExp(`^macie-invitation-accepter:us-east-1:${X}:adopted:\\w+$`));
    expect(rollback.PhysicalResourceId).toBe(`macie-invitation-accepter:us-east-1:${A}:unknown:NONE`);
  });

  test('item 2: the rollback of an update that accepted another administrator succeeds while DescribeStacks is denied', async () => {
    const { updated } = await updateToX(false);
    // a permissions boundary without cloudformation:DescribeStacks (the README supports it); then another resource fails
    inviter.emulator.denyAction(B, 'cloudformation:DescribeStacks');
    const rollback = await accepter.update(updated.PhysicalResourceId, accepterProps(), toX, { stackId: MEMBER_STACK, stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    expect(rollback).toMatchObject({ Status: 'SUCCESS', Data: { RelationshipStatus: 'NotAssociated', AdministratorAccountId: A } });
    expect(accepter.logs()).toMatch(/"level":"WARN".*whether this update is a rollback cannot be told/);
    // the cleanup Delete of the X physical ID cannot read the stack either: it keeps
    expect((await accepter.delete(updated.PhysicalResourceId, toX, {
      stackId: MEMBER_STACK, stackStatus: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
    })).Status).toBe('SUCCESS');
    expect(inviter.emulator.macie.membersByStatus(X)).toEqual({ Enabled: [B] });
  });

  test('item 6: a wait longer than the function has left ends in time for the function\'s own answer', async () => {
    await start();
    // 37 s of Lambda time: the runtime gives up 15 s before the end, the wait ends 20 s before that: 2 s of waiting
    const failed = await accepter.create(accepterProps({ WaitTimeoutSeconds: '600' }), { stackId: MEMBER_STACK, lambdaTimeoutMs: 37_000 });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(new RegExp(`^No Macie membership invitation from Macie administrator ${A} reached account ${B} within \\d seconds? ` +
      '\\(the time the function had left\\)\\. Deploy the inviting stack first'));
    expect(failed.elapsedMs).toBeLessThan(10_000);
    inviter.expectFinalState();
  });

  test('item 14: the stack\'s own account as the administrator (Aws.ACCOUNT_ID resolved) fails at once, naming the mix-up', async () => {
    await start();
    const failed = await accepter.create(accepterProps({ AdministratorAccountId: B, WaitTimeoutSeconds: '10' }), { stackId: MEMBER_STACK });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toBe(`The expected Macie administrator ${B} is this stack's own account: an accepter is deployed in the invited account ` +
      'and names the inviting one. Give the inviting account\'s ID (not Aws.ACCOUNT_ID, nor the account of a stack that resolves to this one), ' +
      'then deploy again. Nothing was changed.');
    expect(ops(accepter, B)).toEqual([]);
    expect(failed.elapsedMs).toBeLessThan(5_000);
  });
});

describe('issue 17, acceptance through a role over the wire', () => {
  const start1 = async () => {
    inviter = await startCfn('macie-invitations', { accountId: A, env: { CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS: '2000' } });
    inviter.emulator.macie.enable(B);
    inviter.emulator.macie.enable(C);
    return inviter.emulator;
  };
  const withRole = (ids: string[]) => inviterProps(ids, { AcceptRoleName: ROLE });

  test('item 4: B had a pending invitation, C\'s role cannot be assumed: the failed Create accepted nothing in B', async () => {
    const emulator = await start1();
    await inviter.create(inviterProps([B]), { logicalResourceId: 'Earlier', stackId: stackIdOf(A, 'Earlier') });
    emulator.sts.denyRole(`arn:aws:iam::${C}:role/${ROLE}`);
    const failed = await inviter.create(withRole([B, C]));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    inviter.expectFinalState({ macieMembers: { Invited: [B] } });
    expect(failed.Reason).toMatch(/^Nothing was accepted in any of the 2 accounts; 1 of the 1 members created by this deployment was removed again\./);
    expect((await inviter.delete(CREATE_FAILED, withRole([B, C]))).Status).toBe('SUCCESS');
    inviter.expectFinalState({ macieMembers: { Invited: [B] } });
  });

  test('item 4: a failed update that adds acceptance accepts nothing anywhere', async () => {
    const emulator = await start1();
    const created = await inviter.create(inviterProps([B, C]));
    emulator.sts.denyRole(`arn:aws:iam::${C}:role/${ROLE}`);
    const failed = await inviter.update(created.PhysicalResourceId, withRole([B, C]), inviterProps([B, C]));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: created.PhysicalResourceId });
    inviter.expectFinalState({ macieMembers: { Invited: [B, C] } });
    expect(emulator.requests.filter((r) => r.op === 'AcceptInvitation')).toEqual([]);
  });

  test('item 4: a Create cut off at the deadline while accepting: its Delete removes the members it made, accepted or not', async () => {
    const emulator = await start1();
    // the members are made and invited more than the clock skew after the Create began: surely its own
    emulator.faults.delay('ListMembers', CLOCK_SKEW_MS + 1_000, 1);
    emulator.faults.delay('AcceptInvitation', 10_000, 1, { accountId: C });
    // 18 s of Lambda time after that: the runtime gives up 3 s later, while C's AcceptInvitation is still answering
    const failed = await inviter.create(withRole([B, C]), { lambdaTimeoutMs: 18_000 + CLOCK_SKEW_MS + 1_000 });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(CREATE_TIMED_OUT) });
    inviter.expectFinalState({ macieMembers: { Enabled: [B, C] } });
    expect((await inviter.delete(failed.PhysicalResourceId, withRole([B, C]))).Status).toBe('SUCCESS');
    inviter.expectFinalState();
  });

  test('item 5: adding acceptance while a member has resigned: it is invited again first, then every member accepts', async () => {
    const emulator = await start1();
    const created = await inviter.create(inviterProps([B, C]));
    emulator.macie.accept(B);
    emulator.macie.setRelationshipStatus(B, 'Resigned');
    const updated = await inviter.update(created.PhysicalResourceId, withRole([B, C]), inviterProps([B, C]));
    expect(updated).toMatchObject({ Status: 'SUCCESS', Data: { InvitedCount: 1, AdoptedCount: 1, AcceptedCount: 2, EnabledCount: 2 } });
    inviter.expectFinalState({ macieMembers: { Enabled: [B, C] } });
  });

  test('item 15: with acceptance, every Create and Update reports how many members are accepted, a no-op update too', async () => {
    const emulator = await start1();
    const created = await inviter.create(withRole([B, C]));
    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { AcceptedCount: 2, EnabledCount: 2 } });
    emulator.macie.setRelationshipStatus(C, 'Paused');
    const noop = await inviter.update(created.PhysicalResourceId, withRole([B, C]), withRole([B, C]));
    expect(noop).toMatchObject({ Status: 'SUCCESS', Data: { AcceptedCount: 2, EnabledCount: 1 } });
    expect(emulator.requests.filter((r) => r.op === 'AssumeRole')).toHaveLength(2);
  });
});
