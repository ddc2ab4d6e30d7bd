/**
 * SecurityHubInvitations and SecurityHubInvitationAccepter end to end: the shipped bundles, the real SDK clients, one
 * emulator holding the accounts. Two flows: two stacks (the inviting stack in the administrator account A, the
 * accepting stack in member B, as `acceptIn` declares it) and one stack (`Acceptance.assumeRole`: the inviter's bundle
 * assumes a role in each member and accepts there). Numbers for the note are printed with the prefix `[measure]`.
 *
 * The scenarios every kind shares run from the Security Hub row in test/contract/; this file keeps the flows and what
 * only Security Hub does (its hub switched off, an account of the administrator's organization, 1,000 members).
 */
import { accountId, Cfn, CREATE_FAILED, startCfn, stackIdOf } from './cfn';

jest.setTimeout(120_000);

const A = '111111111111';
const B = accountId(1);
const C = accountId(2);
const ROLE = 'SecurityHubAccept';
const FAST_POLL = { CDK_ACCOUNT_INVITATIONS_POLL_FIRST_MS: '50', CDK_ACCOUNT_INVITATIONS_POLL_MAX_MS: '200' };
const MEMBER_STACK = stackIdOf(B, 'MemberStack');

const inviterProps = (ids: string[], extra: Record<string, unknown> = {}) => ({
  Members: ids.map((id, i) => (i === 0 ? { AccountId: id, Email: `owner-${id}@example.com` } : { AccountId: id })),
  RemovalPolicy: 'DESTROY',
  ...extra,
});
const accepterProps = (extra: Record<string, unknown> = {}) => ({ AdministratorAccountId: A, WaitTimeoutSeconds: '10', RemovalPolicy: 'DESTROY', ...extra });

let inviter: Cfn;
let accepter: Cfn | undefined;

afterEach(async () => {
  await accepter?.stop();
  accepter = undefined;
  await inviter?.stop();
});

const ops = (cfn: Cfn, account?: string) => cfn.emulator.requests
  .filter((r) => r.service === 'securityhub' && (!account || r.accountId === account)).map((r) => r.op.replace('securityhub:', ''));

describe('two stacks, two accounts (acceptIn)', () => {
  test('invite (A), then accept (B): Enabled on both sides; destroy in reverse order: B leaves, A deletes the member', async () => {
    inviter = await startCfn('securityhub-invitations', { accountId: A });
    accepter = await startCfn('securityhub-invitation-accepter', { accountId: B, sharedWith: inviter, env: FAST_POLL });
    inviter.emulator.securityhub.enable(B);
    const t0 = Date.now();
    const invited = await inviter.create(inviterProps([B]));
    expect(invited).toMatchObject({ Status: 'SUCCESS', Data: { MemberCount: 1, CreatedCount: 1, InvitedCount: 1 } });
    const accepted = await accepter.create(accepterProps(), { stackId: MEMBER_STACK });
    const elapsed = Date.now() - t0;
    expect(accepted).toMatchObject({ Status: 'SUCCESS', Data: { MemberStatus: 'Enabled', AdministratorAccountId: A } });
    expect(accepted.PhysicalResourceId).toMatch(new RegExp(`^securityhub-invitation-accepter:us-east-1:${A}:accepted:\\w+$`));
    inviter.expectFinalState({ securityHubMembers: { Enabled: [B] } });
    expect(ops(accepter, B).filter((op, i, all) => op !== all[i - 1]))
      .toEqual(['DescribeHub', 'GetAdministratorAccount', 'ListInvitations', 'AcceptAdministratorInvitation', 'GetAdministratorAccount']);
    console.log(`[measure] Security Hub two-stack flow (invite 1 member, accept): ${elapsed} ms end to end, ` +
      `${inviter.emulator.requests.length} API calls (${ops(inviter).length} Security Hub)`);

    expect((await accepter.delete(accepted.PhysicalResourceId, accepterProps(), { stackId: MEMBER_STACK, stackStatus: 'DELETE_IN_PROGRESS' })).Status).toBe('SUCCESS');
    inviter.expectFinalState({ securityHubMembers: { Resigned: [B] } });
    expect((await inviter.delete(invited.PhysicalResourceId, inviterProps([B]), { stackStatus: 'DELETE_IN_PROGRESS' })).Status).toBe('SUCCESS');
    inviter.expectFinalState();
  });

  test('Security Hub not enabled in the member account: the accept fails before any change, saying how to enable it', async () => {
    inviter = await startCfn('securityhub-invitations', { accountId: A });
    accepter = await startCfn('securityhub-invitation-accepter', { accountId: B, sharedWith: inviter, env: FAST_POLL });
    await inviter.create(inviterProps([B]));
    const failed = await accepter.create(accepterProps(), { stackId: MEMBER_STACK });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(new RegExp(`^AWS Security Hub is not enabled in account ${B} in us-east-1 \\(InvalidAccessException\\)`));
    expect(failed.Reason).toContain('aws_securityhub.CfnHub');
    expect(ops(accepter, B)).toEqual(['DescribeHub']);
    inviter.expectFinalState({ securityHubMembers: { Invited: [B] } });
  });

  test('an account of the administrator\'s organization: FAILED naming it and delegated administration; nothing left', async () => {
    inviter = await startCfn('securityhub-invitations', { accountId: A });
    inviter.emulator.org.addMemberAccount(C, 'c@example.com');
    const failed = await inviter.create(inviterProps([B, C]));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toContain(`${C} (InviteMembers refused it (OrganizationAccount):`);
    expect(failed.Reason).toContain('delegated administrator (AWS::SecurityHub::DelegatedAdmin)');
    inviter.expectFinalState();
  });
});

describe('one stack: acceptance through a role in each member', () => {
  test('invites and accepts in every member: Enabled, AcceptedCount in Data, no credentials in the logs; Delete removes them', async () => {
    inviter = await startCfn('securityhub-invitations', { accountId: A });
    const { emulator } = inviter;
    emulator.securityhub.enable(B);
    emulator.securityhub.enable(C);
    const t0 = Date.now();
    const created = await inviter.create(inviterProps([B, C], { AcceptRoleName: ROLE }));
    const elapsed = Date.now() - t0;
    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { MemberCount: 2, InvitedCount: 2, AcceptedCount: 2 } });
    inviter.expectFinalState({ securityHubMembers: { Enabled: [B, C] } });
    expect(emulator.requests.filter((r) => r.op === 'AssumeRole').map((r) => r.input.RoleArn).sort())
      .toEqual([B, C].map((id) => `arn:aws:iam::${id}:role/${ROLE}`));
    expect(emulator.requests.filter((r) => r.op === 'securityhub:AcceptAdministratorInvitation').map((r) => r.accountId).sort()).toEqual([B, C]);
    const secrets = emulator.sts.sessions().flatMap((s) => Object.values(s).filter((v): v is string => typeof v === 'string' && /^ASIA/.test(v)));
    for (const secret of secrets) expect(inviter.logs()).not.toContain(secret);
    console.log(`[measure] Security Hub one-stack flow (invite and accept 2 members through a role): ${elapsed} ms, ` +
      `${emulator.requests.length} API calls (${emulator.requests.filter((r) => r.service === 'sts').length} STS, ${ops(inviter).length} Security Hub)`);

    expect((await inviter.delete(created.PhysicalResourceId, inviterProps([B, C], { AcceptRoleName: ROLE }), { stackStatus: 'DELETE_IN_PROGRESS' })).Status).toBe('SUCCESS');
    inviter.expectFinalState();
  });

  test('the hub off in one member: FAILED naming that account and how to enable it; nothing accepted, created members removed', async () => {
    inviter = await startCfn('securityhub-invitations', { accountId: A });
    inviter.emulator.securityhub.enable(B);
    const failed = await inviter.create(inviterProps([B, C], { AcceptRoleName: ROLE }));
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toContain(`AWS Security Hub is not enabled in account ${C} in us-east-1`);
    expect(failed.Reason).toMatch(/2 of the 2 members created by this deployment were removed again/);
    inviter.expectFinalState();
  });
});

describe('scale', () => {
  test('1,000 members: 20 CreateMembers and 20 InviteMembers calls; an update removing 100 of them; then all removed', async () => {
    inviter = await startCfn('securityhub-invitations', { accountId: A });
    const { emulator } = inviter;
    const many = [...Array(1000).keys()].map((i) => String(300000000000 + i));
    const t0 = Date.now();
    const created = await inviter.create(inviterProps(many));
    const elapsed = Date.now() - t0;
    expect(created).toMatchObject({ Status: 'SUCCESS', Data: { MemberCount: 1000, CreatedCount: 1000, InvitedCount: 1000 } });
    expect(emulator.calls['securityhub:CreateMembers']).toBe(20);
    expect(emulator.calls['securityhub:InviteMembers']).toBe(20);
    console.log(`[measure] Security Hub 1,000 members invited: ${elapsed} ms, ${ops(inviter).length} Security Hub calls, at most ${emulator.maxInFlight} in flight`);
    const kept = many.slice(100);
    const updated = await inviter.update(created.PhysicalResourceId, inviterProps(kept), inviterProps(many));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId, Data: { RemovedCount: 100 } });
    inviter.expectFinalState({ securityHubMembers: { Invited: kept } });
    expect((await inviter.delete(created.PhysicalResourceId, inviterProps(kept), { stackStatus: 'DELETE_IN_PROGRESS' })).Status).toBe('SUCCESS');
    inviter.expectFinalState();
  });
});
