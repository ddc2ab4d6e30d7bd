/**
 * WorkSpacesAccountLink, end to end: the shipped bundle's `onEvent`, the real SDK client, the emulator's WorkSpaces
 * account links, and CloudFormation's responses. Every scenario ends with the leak check (`expectFinalState`).
 *
 * The scenarios every inviter shares (retried and concurrent Creates, adopting another stack's invitation, rename,
 * target changes and their rollbacks, cut-off and canceled Creates, Delete after a failed Create, token properties,
 * whole-stack delete, unknown stack, response size) and the fault matrix run for every kind in test/contract/; this
 * file keeps what is specific to this kind.
 */
import { accountId, Cfn, CREATE_FAILED, FAULT_BUDGET_MS, OTHER_STACK_ID, startCfn, StartOptions } from './cfn';
import { parseLinkPhysicalId } from '../../lambda/workspaces/inviter/record';

jest.setTimeout(60_000);

const A = '222222222222';
const B = '333333333333';
const props = (targetAccountId: string) => ({ TargetAccountId: targetAccountId });
/** The physical ID of a link the resource made: target, `made`, and the link ID of the service model's pattern. */
const LINK_ID = /^workspaces-account-link:\d{12}:made:link-.{8,24}(:replaced:link-.{8,24})?$/;
/** The link a physical ID records. */
const linkOf = (physicalId: string): string => parseLinkPhysicalId(physicalId)?.linkId ?? physicalId;
/** The final state with these physical IDs' links pending. */
const pending = (...physicalIds: string[]) => ({ pendingLinks: physicalIds.map(linkOf) });
const PENDING = 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT';

let cfn: Cfn;
async function start(options?: StartOptions): Promise<Cfn> {
  cfn = await startCfn('workspaces-account-link', options);
  return cfn;
}
afterEach(async () => {
  await cfn?.stop();
});

function status(physicalId: string): string | undefined {
  return cfn.emulator.workspaces.links().find((l) => l.AccountLinkId === linkOf(physicalId))?.AccountLinkStatus;
}

describe('CloudFormation lifecycles', () => {
  test('create, no-op update, update that replaces, delete of the old physical ID, delete of the new', async () => {
    const { emulator } = await start();
    const created = await cfn.create(props(A));
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(LINK_ID) });
    const lA = created.PhysicalResourceId;
    expect(created.Data).toEqual({
      AccountLinkId: linkOf(lA),
      AccountLinkStatus: 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT',
      SourceAccountId: '111111111111',
      TargetAccountId: A,
      Adopted: false,
    });
    expect(emulator.requests.find((r) => r.op === 'CreateAccountLinkInvitation')?.input.ClientToken).toMatch(/^[0-9a-f]{64}$/);

    const noop = await cfn.update(lA, props(A), props(A));
    expect(noop).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: lA, Data: { AccountLinkStatus: 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT' } });
    expect(emulator.calls.CreateAccountLinkInvitation).toBe(1);

    const replaced = await cfn.update(lA, props(B), props(A));
    expect(replaced).toMatchObject({ Status: 'SUCCESS', Data: { TargetAccountId: B, Adopted: false } });
    const lB = replaced.PhysicalResourceId;
    expect(lB).toMatch(LINK_ID);
    expect(lB).not.toBe(lA);

    expect(await cfn.delete(lA, props(A))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: lA });
    expect(status(lA)).toBeUndefined();
    cfn.expectFinalState(pending(lB));

    expect(await cfn.delete(lB, props(B))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: lB });
    expect(emulator.calls.DeleteAccountLinkInvitation).toBe(2);
    cfn.expectFinalState();
  });

  test('a Create that fails (target outside the organization: FAILED with what to do), then the Delete of the failed resource succeeds', async () => {
    const { emulator } = await start();
    emulator.workspaces.markOutsideOrganization(A);
    const failed = await cfn.create(props(A));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toContain(`account ${A}`);
    expect(failed.Reason).toContain('ValidationException');
    expect(failed.Reason).toMatch(/same AWS Organization under the same payer account/);
    expect(failed.Reason).toMatch(/Fix the cause, then deploy again/);

    expect(await cfn.delete(CREATE_FAILED, props(A))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: CREATE_FAILED });
    expect(emulator.calls.DeleteAccountLinkInvitation).toBe(0);
    cfn.expectFinalState();
  });

  // issue 17 item 17: old properties of another shape stood in for the new ones, so the changed target went unseen
  test('an update whose old properties cannot be read and whose target changed: the link of the physical ID is read, the new target invited', async () => {
    const { emulator } = await start();
    const lA = (await cfn.create(props(A))).PhysicalResourceId;
    const unreadable = { TargetAccount: A }; // another version's shape: no TargetAccountId
    const updated = await cfn.update(lA, props(B), unreadable);
    expect(updated).toMatchObject({ Status: 'SUCCESS', Data: { TargetAccountId: B, AccountLinkStatus: PENDING, Adopted: false } });
    expect(updated.PhysicalResourceId).toMatch(LINK_ID);
    expect(updated.PhysicalResourceId).not.toBe(lA);
    expect(emulator.workspaces.links().map((l) => [l.AccountLinkId, l.TargetAccountId]))
      .toEqual([[linkOf(lA), A], [linkOf(updated.PhysicalResourceId), B]]);
    expect(cfn.logs()).toMatch(/"level":"WARN".*goes to another target than the new properties name/);
    // the cleanup of the replaced physical ID carries the unreadable old properties: the physical ID records the link
    // and its target, and that this resource made it, so the first invitation goes (it stayed pending before)
    expect((await cfn.delete(lA, unreadable)).Status).toBe('SUCCESS');
    expect(status(lA)).toBeUndefined();
    cfn.expectFinalState(pending(updated.PhysicalResourceId));
    expect((await cfn.delete(updated.PhysicalResourceId, props(B))).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('the same Create delivered twice (a Lambda retry) gets the same link through its ClientToken', async () => {
    const { emulator } = await start();
    const first = await cfn.create(props(A), { requestId: 'retried-request' });
    const second = await cfn.create(props(A), { requestId: 'retried-request' });
    expect(second).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: first.PhysicalResourceId });
    const tokens = emulator.requests.filter((r) => r.op === 'CreateAccountLinkInvitation').map((r) => r.input.ClientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBe(tokens[0]);
    expect(emulator.workspaces.links()).toHaveLength(1);
    cfn.expectFinalState(pending(first.PhysicalResourceId));
    expect((await cfn.delete(first.PhysicalResourceId, props(A))).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('a LINKED link: update reports LINKED, delete leaves it (it cannot be undone) and succeeds', async () => {
    const { emulator } = await start();
    const lA = (await cfn.create(props(A))).PhysicalResourceId;
    emulator.workspaces.accept(linkOf(lA));
    expect(await cfn.update(lA, props(A), props(A))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: lA, Data: { AccountLinkStatus: 'LINKED' } });
    expect((await cfn.delete(lA, props(A))).Status).toBe('SUCCESS');
    expect(status(lA)).toBe('LINKED');
    expect(emulator.calls.DeleteAccountLinkInvitation).toBe(0);
    expect(cfn.logs()).toMatch(/LINKED and cannot be undone/);
    cfn.expectFinalState();
  });

  test('a REJECTED link: delete succeeds without deleting', async () => {
    const { emulator } = await start();
    const lA = (await cfn.create(props(A))).PhysicalResourceId;
    emulator.workspaces.reject(linkOf(lA));
    expect((await cfn.delete(lA, props(A))).Status).toBe('SUCCESS');
    expect(status(lA)).toBe('REJECTED');
    cfn.expectFinalState();
  });

  test('a link deleted outside the stack: the next update invites again (new link), the cleanup of the old ID succeeds', async () => {
    const { emulator } = await start();
    const lA = (await cfn.create(props(A), { logicalResourceId: 'Link' })).PhysicalResourceId;
    // someone deletes the pending invitation in the console (here: a resource of another stack for the same link)
    expect((await cfn.delete(lA, props(A), { logicalResourceId: 'Console', stackId: OTHER_STACK_ID })).Status).toBe('SUCCESS');
    const again = await cfn.update(lA, props(A), props(A), { logicalResourceId: 'Link' });
    expect(again).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(LINK_ID), Data: { AccountLinkStatus: PENDING } });
    expect(again.PhysicalResourceId).not.toBe(lA);
    // CloudFormation's cleanup of the replaced physical ID
    expect((await cfn.delete(lA, props(A), { logicalResourceId: 'Link' })).Status).toBe('SUCCESS');
    cfn.expectFinalState(pending(again.PhysicalResourceId));
    expect((await cfn.delete(again.PhysicalResourceId, props(A), { logicalResourceId: 'Link' })).Status).toBe('SUCCESS');
    expect(emulator.calls.DeleteAccountLinkInvitation).toBe(2);
    cfn.expectFinalState();
  });

  test('a REJECTED link: the next update invites again, as OrgInvitation does after DECLINED', async () => {
    const { emulator } = await start();
    const lA = (await cfn.create(props(A), { logicalResourceId: 'Link' })).PhysicalResourceId;
    emulator.workspaces.reject(linkOf(lA));
    const again = await cfn.update(lA, props(A), props(A), { logicalResourceId: 'Link' });
    expect(again).toMatchObject({ Status: 'SUCCESS', Data: { AccountLinkStatus: PENDING, Adopted: false } });
    expect(again.PhysicalResourceId).not.toBe(lA);
    expect(emulator.calls.CreateAccountLinkInvitation).toBe(2);
    expect((await cfn.delete(lA, props(A), { logicalResourceId: 'Link' })).Status).toBe('SUCCESS');
    cfn.expectFinalState(pending(again.PhysicalResourceId));
    expect((await cfn.delete(again.PhysicalResourceId, props(A), { logicalResourceId: 'Link' })).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });
});

describe('scale', () => {
  test('20 WorkSpacesAccountLinks created and deleted concurrently through one handler module', async () => {
    const { emulator } = await start();
    const targets = Array.from({ length: 20 }, (_, i) => accountId(i + 1));
    const created = await Promise.all(targets.map((t, i) => cfn.create(props(t), { logicalResourceId: `Link${i}` })));
    expect(created.map((r) => r.Status)).toEqual(targets.map(() => 'SUCCESS'));
    created.forEach((r, i) => expect(r.Data).toMatchObject({ TargetAccountId: targets[i], Adopted: false }));
    const ids = created.map((r) => r.PhysicalResourceId);
    expect(new Set(ids).size).toBe(20);
    expect(emulator.calls.CreateAccountLinkInvitation).toBe(20);
    cfn.expectFinalState(pending(...ids));

    const deleted = await Promise.all(targets.map((t, i) => cfn.delete(ids[i], props(t), { logicalResourceId: `Link${i}` })));
    expect(deleted.map((r) => r.Status)).toEqual(targets.map(() => 'SUCCESS'));
    expect(emulator.calls.DeleteAccountLinkInvitation).toBe(20);
    cfn.expectFinalState();
  });
});

describe('faults', () => {
  const LAMBDA_TIME = 15_500;
  const budget = (result: { elapsedMs: number }) => expect(result.elapsedMs).toBeLessThan(FAULT_BUDGET_MS);

  test('InternalServerException as WorkSpaces sends it (HTTP 400) is retried too', async () => {
    const { emulator } = await start();
    emulator.faults.failWith('CreateAccountLinkInvitation', 'InternalServerException', {}, 2);
    const created = await cfn.create(props(A));
    expect(created.Status).toBe('SUCCESS');
    budget(created);
    expect(emulator.calls.CreateAccountLinkInvitation).toBe(3);
    expect(emulator.workspaces.links()).toHaveLength(1);
    expect((await cfn.delete(created.PhysicalResourceId, props(A))).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('HTTP 500s that persist: a clear FAILED well within the Lambda timeout', async () => {
    const { emulator } = await start();
    emulator.faults.serverError('CreateAccountLinkInvitation', 20);
    const failed = await cfn.create(props(A));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
    expect(failed.Reason).toContain('InternalServerException');
    expect(failed.Reason).toMatch(/deploy again later/);
    budget(failed);
    expect(emulator.calls.CreateAccountLinkInvitation).toBe(6);
    expect((await cfn.delete(CREATE_FAILED, props(A))).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });

  test('a WorkSpaces that never answers (reading the link on delete): a clear FAILED well within the Lambda timeout', async () => {
    const { emulator } = await start({
      env: { CDK_ACCOUNT_INVITATIONS_REQUEST_TIMEOUT_MS: '300', CDK_ACCOUNT_INVITATIONS_MAX_ATTEMPTS: '3' },
    });
    const created = await cfn.create(props(A));
    emulator.faults.delay('GetAccountLink', 10_000, 20);
    const failed = await cfn.delete(created.PhysicalResourceId, props(A));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: created.PhysicalResourceId });
    expect(failed.Reason).toMatch(/TimeoutError/);
    expect(failed.Reason).toMatch(/delete it in the WorkSpaces console/);
    budget(failed);
    expect(emulator.calls.GetAccountLink).toBe(3);
    // the delete failed: the link legitimately stays
    cfn.expectFinalState(pending(created.PhysicalResourceId));
  });

  test('a call that outlasts the Lambda: FAILED before the Lambda times out, saying so', async () => {
    const { emulator } = await start();
    const created = await cfn.create(props(A));
    emulator.faults.delay('GetAccountLink', 30_000);
    const failed = await cfn.delete(created.PhysicalResourceId, props(A), { lambdaTimeoutMs: LAMBDA_TIME });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: created.PhysicalResourceId });
    expect(failed.Reason).toMatch(/did not finish within the handler's timeout/);
    expect(failed.elapsedMs).toBeLessThan(LAMBDA_TIME - 10_000);
    cfn.expectFinalState(pending(created.PhysicalResourceId));
  });
});
