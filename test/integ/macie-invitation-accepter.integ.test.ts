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
import { accountId, Cfn, CREATE_FAILED, startCfn, stackIdOf } from './cfn';

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
      PhysicalResourceId: `macie-invitation-accepter:us-east-1:${A}`,
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
    expect(failed.Reason).toMatch(new RegExp(`^Accepting the Macie invitations in the member accounts \\(role ${ROLE}\\): 1 of 2 accounts failed: ${C} \\(the role cannot be assumed \\(AccessDenied: `));
    expect(failed.Reason).toContain('2 of the 2 members created by this deployment were removed again.');
    expect(failed.Reason).toContain(`Create role ${ROLE} in each account named here`);
    // B had accepted: removing the member ended that acceptance too
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
    expect(failed.Reason).toContain(`${C} (Macie is not enabled in the member account)`);
    expect(failed.Reason).toMatch(new RegExp(`${B} \\(AccessDeniedException: User: arn:aws:sts::${B}:assumed-role/${ROLE}/[^ ]+ is not authorized to perform: macie2:AcceptInvitation`));
    expect(failed.Reason).toContain('Enable Macie in each member account named here');
    expect(failed.Reason).toContain(`Role ${ROLE} needs macie2:GetMacieSession, GetAdministratorAccount, ListInvitations, AcceptInvitation.`);
    inviter.expectFinalState();
  });
});
