/**
 * WorkSpacesAccountLinkAccepter, end to end, two accounts on one emulator: the shipped bundles' `onEvent`, the real
 * SDK clients, the emulator's WorkSpaces account links and STS, and CloudFormation's responses. The source account's
 * stack runs the inviter's bundle (WorkSpacesAccountLink), the target account's stack the accepter's; every scenario
 * ends with the leak and request-validation check (`expectFinalState`).
 *
 * Also the cross-account wiring of issue 13: two stacks played in stack order (as `cdk deploy --all` after
 * `acceptIn`; reverse order: test/contract/), destroyed in reverse order, and the one-stack path through a role in
 * the target account (`acceptance`). The two flows' time and API calls are written to
 * `.tmp/workspaces-accept-flows.json`.
 *
 * The scenarios every accepter shares (adopt, another inviter's invitation, ended, not arrived, arrives late or in
 * reverse stack order, the deadline, rollback, Delete after a failed Create, rename) and the fault matrix run for every
 * kind in test/contract/; this file keeps what is specific to this kind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cfn, CREATE_FAILED, FAULT_BUDGET_MS, RequestOptions, ROOT, stackIdOf, startCfn } from './cfn';

jest.setTimeout(60_000);

const SOURCE = '111111111111';
const TARGET = '222222222222';
const STRANGER = '444444444444';
const ROLE = 'LinkAccepter';
const ROLE_ARN = `arn:aws:iam::${TARGET}:role/${ROLE}`;
/** The inviter's physical ID of a link it made (lambda/workspaces/inviter/record.ts). */
const MADE_LINK = /^workspaces-account-link:\d{12}:made:link-.{8,24}$/;
/** The link of an inviter's answer (its physical ID records more than the link). */
const linkOf = (invited: { readonly Data?: Record<string, unknown> }): string => invited.Data?.AccountLinkId as string;
const PENDING = 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT';
/** The accepters poll every 50 to 200 ms here instead of 1 to 30 s. */
const FAST_POLL = { CDK_ACCOUNT_INVITATIONS_POLL_FIRST_MS: '50', CDK_ACCOUNT_INVITATIONS_POLL_MAX_MS: '200' };

const inviteProps = (extra: Record<string, unknown> = {}) => ({ TargetAccountId: TARGET, ...extra });
const acceptProps = (extra: Record<string, unknown> = {}) => ({ SourceAccountId: SOURCE, WaitTimeoutSeconds: '5', ...extra });

/** The target account's stack: another name than the source's (the emulated CloudFormation keeps one stack per name). */
const MEMBER_STACK = stackIdOf(TARGET, 'Member');

/** The accepter's physical ID: what this resource did with the link from SOURCE (lambda/shared/accepter.ts). */
function accepterId(how: 'accepted' | 'adopted' | 'unknown', linkId: string, source = SOURCE): string {
  return `workspaces-account-link-accepter:us-east-1:${source}:${how}:${linkId}`;
}

let inviter: Cfn;
let accepterHost: Cfn;
/** The accepter's host, its requests in the member stack. */
const accepter = {
  create: (props: Record<string, unknown>, options: RequestOptions = {}) => accepterHost.create(props, { stackId: MEMBER_STACK, ...options }),
  update: (id: string, props: Record<string, unknown>, old: Record<string, unknown>, options: RequestOptions = {}) =>
    accepterHost.update(id, props, old, { stackId: MEMBER_STACK, ...options }),
  delete: (id: string, props: Record<string, unknown>, options: RequestOptions = {}) =>
    accepterHost.delete(id, props, { stackId: MEMBER_STACK, ...options }),
  logs: () => accepterHost.logs(),
  expectFinalState: (...args: Parameters<Cfn['expectFinalState']>) => accepterHost.expectFinalState(...args),
};
const others: Cfn[] = [];

/** The source account's stack (inviter bundle) and the target account's stack (accepter bundle), one emulator. */
async function start(inviterEnv: Record<string, string> = {}): Promise<{ emulator: Cfn['emulator'] }> {
  inviter = await startCfn('workspaces-account-link', { accountId: SOURCE, env: { ...FAST_POLL, ...inviterEnv } });
  accepterHost = await startCfn('workspaces-account-link-accepter', { accountId: TARGET, sharedWith: inviter, env: FAST_POLL });
  return { emulator: inviter.emulator };
}

afterEach(async () => {
  await Promise.all([accepterHost?.stop(), ...others.splice(0).map((c) => c.stop())]);
  await inviter?.stop();
});

function status(linkId: string): string | undefined {
  return inviter.emulator.workspaces.links().find((l) => l.AccountLinkId === linkId)?.AccountLinkStatus;
}

/** Both stacks' leak checks: nothing pending beyond `pendingLinks`, no invalid request, no crash, no unmasked email. */
function expectFinalState(pendingLinks: string[] = []): void {
  inviter.expectFinalState({ pendingLinks });
  accepter.expectFinalState({ pendingLinks });
}

/** The emulator's request log from `from` on: calls per operation and in all. */
function callsSince(from: number): { total: number; byOperation: Record<string, number> } {
  const byOperation: Record<string, number> = {};
  const requests = inviter.emulator.requests.slice(from);
  for (const r of requests) byOperation[r.op] = (byOperation[r.op] ?? 0) + 1;
  return { total: requests.length, byOperation };
}

const measured: Record<string, unknown> = {};
afterAll(() => {
  if (Object.keys(measured).length === 0) return;
  const file = path.join(ROOT, '.tmp', 'workspaces-accept-flows.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(measured, null, 2)}\n`);
  process.stdout.write(`WorkSpaces accept flows (emulated): ${JSON.stringify(measured)}\n`);
});

describe('accepter scenarios', () => {
  test('invite (source account), then accept (target account): LINKED on both sides; update sends nothing; deleting both leaves the link LINKED', async () => {
    const { emulator } = await start();
    const invited = await inviter.create(inviteProps());
    expect(invited).toMatchObject({ Status: 'SUCCESS', Data: { AccountLinkStatus: PENDING, SourceAccountId: SOURCE } });
    const linkId = linkOf(invited);

    const accepted = await accepter.create(acceptProps());
    expect(accepted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: accepterId('accepted', linkId) });
    expect(accepted.Data).toEqual({ AccountLinkId: linkId, AccountLinkStatus: 'LINKED', SourceAccountId: SOURCE, TargetAccountId: TARGET, Adopted: false });
    expect(status(linkId)).toBe('LINKED');
    const accepts = emulator.requests.filter((r) => r.op === 'AcceptAccountLinkInvitation');
    expect(accepts.map((r) => [r.accountId, r.input.LinkId])).toEqual([[TARGET, linkId]]);
    expect(accepts[0].input.ClientToken).toMatch(/^[0-9a-f]{64}$/);

    // the inviter's side sees the acceptance
    expect(await inviter.update(invited.PhysicalResourceId, inviteProps(), inviteProps())).toMatchObject({ Status: 'SUCCESS', Data: { AccountLinkStatus: 'LINKED' } });
    // an unchanged accepter sends no accept, keeps its physical ID, and still says it accepted the link
    expect(await accepter.update(accepted.PhysicalResourceId, acceptProps({ WaitTimeoutSeconds: '60' }), acceptProps())).toMatchObject({
      Status: 'SUCCESS', PhysicalResourceId: accepted.PhysicalResourceId, Data: { AccountLinkStatus: 'LINKED', Adopted: false },
    });
    expect(emulator.calls.AcceptAccountLinkInvitation).toBe(1);

    // destroy, accepter first (reverse stack order): a LINKED link stays, on both sides, and both deletes succeed
    expect((await accepter.delete(accepted.PhysicalResourceId, acceptProps())).Status).toBe('SUCCESS');
    expect((await inviter.delete(invited.PhysicalResourceId, inviteProps())).Status).toBe('SUCCESS');
    expect(status(linkId)).toBe('LINKED');
    expect(emulator.calls.DeleteAccountLinkInvitation).toBe(0);
    expect(accepter.logs()).toMatch(/"level":"INFO".*the relationship stays: a LINKED link cannot be undone/);
    expect(inviter.logs()).toMatch(/"level":"WARN".*LINKED and cannot be undone/);
    expectFinalState();
  });

  test('an invitation from another source: not accepted; a given link of another source fails at once naming it', async () => {
    const { emulator } = await start();
    const stranger = await startCfn('workspaces-account-link', { accountId: STRANGER, sharedWith: inviter });
    others.push(stranger);
    const foreign = linkOf(await stranger.create(inviteProps(), { stackId: `arn:aws:cloudformation:us-east-1:${STRANGER}:stack/Other/1` }));

    const waited = await accepter.create(acceptProps({ WaitTimeoutSeconds: '1' }));
    expect(waited).toMatchObject({ Status: 'FAILED' });
    expect(waited.Reason).toMatch(new RegExp(`^No WorkSpaces account link invitation from source account ${SOURCE} reached account ${TARGET}`));

    const given = await accepter.create(acceptProps({ AccountLinkId: foreign }));
    expect(given).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(given.Reason).toBe(`The account ${TARGET} is associated with source account ${STRANGER} through the given account link ${foreign} ` +
      `(${PENDING}), not with the expected source account ${SOURCE}. Nothing was changed. Check sourceAccountId and accountLinkId, then deploy again.`);
    expect(emulator.calls.AcceptAccountLinkInvitation).toBe(0);
    expect(status(foreign)).toBe(PENDING);
    expectFinalState([foreign]);
  });

  test('accept denied (the accepter role lacks workspaces:AcceptAccountLinkInvitation): FAILED naming the action; nothing accepted', async () => {
    const { emulator } = await start();
    const linkId = linkOf(await inviter.create(inviteProps()));
    emulator.denyAction(TARGET, 'workspaces:AcceptAccountLinkInvitation');
    const failed = await accepter.create(acceptProps());
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(/failed with AccessDeniedException: .*Check that the handler's role may call workspaces:ListAccountLinks, workspaces:GetAccountLink and workspaces:AcceptAccountLinkInvitation/);
    expect(status(linkId)).toBe(PENDING);
    expectFinalState([linkId]);
  });
});

describe('issue 17: the invitee side on the shared accepter lifecycle', () => {
  // item 14: `sourceAccountId: Aws.ACCOUNT_ID`, or the account of an environment-agnostic stack, passes synth
  test('the stack\'s own account as the source: FAILED at once, naming the mix-up; nothing called', async () => {
    const { emulator } = await start();
    const failed = await accepter.create(acceptProps({ SourceAccountId: TARGET }));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toBe(`The expected source account ${TARGET} is this stack's own account: an accepter is deployed in the ` +
      'invited account and names the inviting one. Give the inviting account\'s ID (not Aws.ACCOUNT_ID, nor the account of a ' +
      'stack that resolves to this one), then deploy again. Nothing was changed.');
    expect(emulator.requests.filter((r) => r.accountId === TARGET && r.service === 'workspaces')).toEqual([]);
    expectFinalState();
  });

  // item 6: a 10-minute wait in a function with 37 s left ends in time to answer with its own message
  test('the wait is bounded by the time the function has left: FAILED with the accepter\'s own message, early', async () => {
    const { emulator } = await start();
    const failed = await accepter.create(acceptProps({ WaitTimeoutSeconds: '600' }), { lambdaTimeoutMs: 37_000 });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(new RegExp(`^No WorkSpaces account link invitation from source account ${SOURCE} reached account ` +
      `${TARGET} within \\d seconds \\(the time the function had left\\)\\.`));
    expect(failed.elapsedMs).toBeLessThan(10_000);
    expect(emulator.calls.ListAccountLinks).toBeGreaterThanOrEqual(2);
    expectFinalState();
  });

  test('a rollback to the earlier source (stack in UPDATE_ROLLBACK_IN_PROGRESS) accepts nothing and succeeds', async () => {
    const { emulator } = await start();
    const linkId = linkOf(await inviter.create(inviteProps()));
    const accepted = await accepter.create(acceptProps());
    // the forward update expected another source, whose invitation never came
    const forward = await accepter.update(accepted.PhysicalResourceId, acceptProps({ SourceAccountId: STRANGER, WaitTimeoutSeconds: '1' }), acceptProps());
    expect(forward).toMatchObject({ Status: 'FAILED', PhysicalResourceId: accepted.PhysicalResourceId });
    const rollback = await accepter.update(accepted.PhysicalResourceId, acceptProps(), acceptProps({ SourceAccountId: STRANGER }), {
      stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS',
    });
    expect(rollback).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: accepted.PhysicalResourceId, Data: { AccountLinkId: linkId, AccountLinkStatus: 'LINKED' } });
    expect(emulator.calls.AcceptAccountLinkInvitation).toBe(1);
    expectFinalState();
  });

  test('an accepter of an earlier version (physical ID = the link ID): an update keeps that ID, its Delete calls nothing', async () => {
    const { emulator } = await start();
    const linkId = linkOf(await inviter.create(inviteProps()));
    emulator.workspaces.accept(linkId);
    const updated = await accepter.update(linkId, acceptProps({ WaitTimeoutSeconds: '60' }), acceptProps());
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: linkId, Data: { AccountLinkId: linkId, AccountLinkStatus: 'LINKED' } });
    const before = emulator.requests.length;
    expect((await accepter.delete(linkId, acceptProps())).Status).toBe('SUCCESS');
    expect(emulator.requests.slice(before).filter((r) => r.service === 'workspaces')).toEqual([]);
    expect(status(linkId)).toBe('LINKED');
    expectFinalState();
  });
});

describe('two stacks (acceptIn)', () => {
  test('played in stack order (inviter stack, then accepter stack): LINKED', async () => {
    const { emulator } = await start();
    const from = emulator.requests.length;
    const started = Date.now();
    const invited = await inviter.create(inviteProps());
    const accepted = await accepter.create(acceptProps({ WaitTimeoutSeconds: '300' }));
    const elapsedMs = Date.now() - started;
    expect(accepted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: accepterId('accepted', linkOf(invited)), Data: { AccountLinkStatus: 'LINKED' } });
    measured.twoStacks = { elapsedMs, handlerMs: invited.elapsedMs + accepted.elapsedMs, calls: callsSince(from) };
    expectFinalState();
  });
});

describe('one stack (acceptance through a role in the target account)', () => {
  test('invite and accept in one deploy: LINKED, through AssumeRole of the role in the target account; delete leaves the link', async () => {
    const { emulator } = await start();
    const from = emulator.requests.length;
    const created = await inviter.create(inviteProps({ AcceptRoleName: ROLE }));
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(MADE_LINK) });
    expect(created.Data).toEqual({
      AccountLinkId: linkOf(created), AccountLinkStatus: 'LINKED', SourceAccountId: SOURCE, TargetAccountId: TARGET, Adopted: false,
    });
    measured.oneStack = { elapsedMs: created.elapsedMs, calls: callsSince(from) };
    const assumes = emulator.requests.filter((r) => r.op === 'AssumeRole');
    expect(assumes.map((r) => [r.accountId, r.input.RoleArn])).toEqual([[SOURCE, ROLE_ARN]]);
    // the accept is the target account's call, made with the role's session
    expect(emulator.requests.filter((r) => r.op === 'AcceptAccountLinkInvitation').map((r) => r.accountId)).toEqual([TARGET]);
    expect(status(linkOf(created))).toBe('LINKED');
    // credentials never reach the log
    const session = emulator.sts.sessions()[0] as { accessKeyId?: string; AccessKeyId?: string } | undefined;
    const key = session?.accessKeyId ?? session?.AccessKeyId;
    if (key) expect(inviter.logs()).not.toContain(key);
    expect(inviter.logs()).not.toMatch(/SecretAccessKey|SessionToken|ASIA[A-Z0-9]{12}/);

    expect((await inviter.delete(created.PhysicalResourceId, inviteProps({ AcceptRoleName: ROLE }))).Status).toBe('SUCCESS');
    expect(status(linkOf(created))).toBe('LINKED');
    expectFinalState();
  });

  test('a role that cannot be assumed: FAILED naming the account and the role; the pending link it created is deleted again', async () => {
    const { emulator } = await start();
    emulator.sts.denyRole(ROLE_ARN);
    const failed = await inviter.create(inviteProps({ AcceptRoleName: ROLE }));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(new RegExp(`^Nothing was accepted in account ${TARGET}; the pending invitation link-\\S+ this deployment created ` +
      `was deleted\\. Assuming role ${ROLE} in account ${TARGET} failed with AccessDenied`));
    expect(emulator.calls.CreateAccountLinkInvitation).toBe(1);
    expect(emulator.calls.DeleteAccountLinkInvitation).toBe(1);
    expect(emulator.workspaces.links()).toEqual([]);
    expect((await inviter.delete(CREATE_FAILED, inviteProps({ AcceptRoleName: ROLE }))).Status).toBe('SUCCESS');
    expectFinalState();
  });

  test('the role may not accept (AccessDenied on AcceptAccountLinkInvitation): FAILED naming the role and the account; the pending link is deleted', async () => {
    const { emulator } = await start();
    emulator.denyAction(TARGET, 'workspaces:AcceptAccountLinkInvitation', { roleName: ROLE });
    const failed = await inviter.create(inviteProps({ AcceptRoleName: ROLE }));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(new RegExp(`failed with AccessDeniedException: .*Check that role ${ROLE} in account ${TARGET} may call ` +
      'workspaces:ListAccountLinks, workspaces:GetAccountLink and workspaces:AcceptAccountLinkInvitation'));
    expect(failed.Reason).toMatch(new RegExp(`^Nothing was accepted in account ${TARGET}; the pending invitation link-\\S+ this deployment created was deleted\\. `));
    expect(emulator.workspaces.links()).toEqual([]);
    expectFinalState();
  });

  // issue 17 item 13: the undo said "deleted again" even when it had deleted nothing
  test('a link rejected while the role could not be assumed: the failure says there was nothing to delete, never "deleted"', async () => {
    const { emulator } = await start();
    emulator.sts.denyRole(ROLE_ARN);
    emulator.faults.delay('AssumeRole', 1_000);
    const creating = inviter.create(inviteProps({ AcceptRoleName: ROLE }));
    // the target rejects the invitation while the inviter waits for STS
    for (let i = 0; i < 100 && emulator.workspaces.links().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const [{ AccountLinkId: linkId }] = emulator.workspaces.links();
    emulator.workspaces.reject(linkId);
    const failed = await creating;
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(new RegExp(`^Nothing was accepted in account ${TARGET}; the invitation ${linkId} this deployment created ` +
      `is REJECTED now: there was nothing to delete\\. Assuming role ${ROLE} in account ${TARGET} failed with AccessDenied`));
    expect(failed.Reason).not.toMatch(/deleted/);
    expect(emulator.calls.DeleteAccountLinkInvitation ?? 0).toBe(0);
    expect(status(linkId)).toBe('REJECTED');
    expectFinalState();
  });

  // issue 17 item 13: the STS call has a timeout (the shared client configuration): it cannot eat the function's time
  test('an STS that does not answer: FAILED within seconds naming the role, and the pending link it created is deleted', async () => {
    const { emulator } = await start({ CDK_ACCOUNT_INVITATIONS_REQUEST_TIMEOUT_MS: '300', CDK_ACCOUNT_INVITATIONS_MAX_ATTEMPTS: '2' });
    emulator.faults.delay('AssumeRole', 10_000, 5);
    const failed = await inviter.create(inviteProps({ AcceptRoleName: ROLE }));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toMatch(new RegExp(`^Nothing was accepted in account ${TARGET}; the pending invitation link-\\S+ this deployment ` +
      `created was deleted\\. Assuming role ${ROLE} in account ${TARGET} failed with TimeoutError`));
    expect(failed.elapsedMs).toBeLessThan(FAULT_BUDGET_MS);
    expect(emulator.workspaces.links()).toEqual([]);
    expectFinalState();
  });

  test('a retried Create (same request) after the acceptance: the same link, still LINKED, never deleted', async () => {
    const { emulator } = await start();
    const first = await inviter.create(inviteProps({ AcceptRoleName: ROLE }), { requestId: 'retried' });
    const second = await inviter.create(inviteProps({ AcceptRoleName: ROLE }), { requestId: 'retried' });
    expect(second).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: first.PhysicalResourceId, Data: { AccountLinkStatus: 'LINKED' } });
    expect(emulator.calls.DeleteAccountLinkInvitation).toBe(0);
    expectFinalState();
  });
});
