/**
 * The shared runtime (lambda/shared/runtime.ts, cfn-response.ts), end to end through the shipped bundles: what it does
 * at the Lambda deadline, when its answer cannot be uploaded, and with its marker physical IDs.
 */
import { accountId, Cfn, CREATE_TIMED_OUT, FAULT_BUDGET_MS, startCfn } from './cfn';
import { CLOCK_SKEW_MS } from '../../lambda/shared/stack';

jest.setTimeout(60_000);

/** The runtime keeps 15 s of Lambda time to answer: with 15.5 s left it gives up after 0.5 s. */
const LAMBDA_TIME = 15_500;
/** The physical ID of a WorkSpaces link the resource made (lambda/workspaces/inviter/record.ts). */
const MADE_LINK = /^workspaces-account-link:\d{12}:made:link-/;
const A = '222222222222';

let cfn: Cfn;
afterEach(async () => {
  await cfn?.stop();
});

describe('response upload failures (issue 10, item 6)', () => {
  test('every PUT of a SUCCESS answer fails: the invocation fails, Lambda retries it, the retry adopts and answers SUCCESS', async () => {
    cfn = await startCfn('org-invitation');
    cfn.failResponses('fail', 'untilRetry');
    const created = await cfn.create({ TargetId: A, TargetType: 'ACCOUNT' });
    // never turned into FAILED (whose create-failed marker would leak the invitation)
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(/^h-/) });
    expect(created.invocationMs).toHaveLength(2);
    expect(cfn.emulator.calls.InviteAccountToOrganization).toBe(1);
    expect(created.elapsedMs).toBeLessThan(FAULT_BUDGET_MS);
    cfn.expectFinalState({ openHandshakes: [created.PhysicalResourceId], failedInvocations: 1 });
    expect(cfn.logs()).toMatch(/uploading the response failed/);
  });

  test('a PUT that fails twice is retried within the invocation', async () => {
    cfn = await startCfn('workspaces-account-link');
    cfn.failResponses('fail', 2);
    const created = await cfn.create({ TargetAccountId: A });
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(MADE_LINK) });
    expect(created.invocationMs).toHaveLength(1);
    expect(cfn.responseAttempts).toBe(3);
    cfn.expectFinalState({ pendingLinks: [created.Data!.AccountLinkId as string] });
  });

  test('hung PUTs at the deadline: the upload gives up within the reserved time, before the Lambda deadline', async () => {
    cfn = await startCfn('org-invitation');
    cfn.emulator.faults.delay('ListHandshakesForOrganization', 30_000);
    cfn.failResponses('hang', 'untilRetry');
    const result = await cfn.create({ TargetId: A, TargetType: 'ACCOUNT' }, { lambdaTimeoutMs: LAMBDA_TIME });
    const [first] = result.invocationMs;
    // the first invocation ended by itself (it threw), before Lambda would have killed it
    expect(first).toBeLessThan(LAMBDA_TIME);
    expect(cfn.failedInvocations).toEqual([expect.stringMatching(/Uploading the FAILED response to CloudFormation failed \d times/)]);
    // Lambda's retry: the fault was used up, the Create goes through
    expect(result).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(/^h-/) });
    cfn.expectFinalState({ openHandshakes: [result.PhysicalResourceId], failedInvocations: 1 });
  });
});

describe('a Create cut off at the deadline stops (item 3)', () => {
  test('Macie: members were being created; after the FAILED answer no invitation is sent, and the Delete leaves nothing', async () => {
    cfn = await startCfn('macie-invitations');
    const { emulator } = cfn;
    // the members are made more than the clock skew after the Create began: surely its own, so its Delete removes them
    emulator.faults.delay('ListMembers', CLOCK_SKEW_MS + 1_000, 1);
    emulator.faults.delay('CreateMember', 3_000, 3);
    const props = {
      Members: [1, 2, 3].map((n) => ({ AccountId: accountId(n), Email: `owner${n}@example.com` })),
      Message: 'Please join',
      DisableEmailNotification: 'false',
      RemovalPolicy: 'DESTROY',
    };
    const failed = await cfn.create(props, { lambdaTimeoutMs: LAMBDA_TIME + CLOCK_SKEW_MS + 1_500 });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(CREATE_TIMED_OUT) });
    // the delayed CreateMember answers would have arrived by now: without the abort, the Create carried on to invite
    await new Promise((r) => setTimeout(r, 4_000));
    expect(emulator.calls.CreateInvitations ?? 0).toBe(0);
    expect(cfn.logs()).toMatch(/Create Macie member invitations stopped at the deadline/);
    expect((await cfn.delete(failed.PhysicalResourceId, props)).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });
});

describe('marker physical IDs on Update (item 7)', () => {
  test('an Update of a create-timed-out marker creates; the marker\'s cleanup Delete keeps what the Update made', async () => {
    cfn = await startCfn('workspaces-account-link');
    const { emulator } = cfn;
    emulator.faults.delay('CreateAccountLinkInvitation', 3_000);
    const failed = await cfn.create({ TargetAccountId: A }, { lambdaTimeoutMs: LAMBDA_TIME });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(CREATE_TIMED_OUT) });
    await new Promise((r) => setTimeout(r, 3_000));

    // the next deployment: CloudFormation updates the resource it still knows by the marker
    const updated = await cfn.update(failed.PhysicalResourceId, { TargetAccountId: A }, { TargetAccountId: A });
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(MADE_LINK) });
    // the new physical ID replaces the marker: CloudFormation deletes the marker in the cleanup phase, while the
    // template still declares the logical ID
    const cleanup = await cfn.delete(failed.PhysicalResourceId, { TargetAccountId: A });
    expect(cleanup.Status).toBe('SUCCESS');
    expect(cfn.logs()).toMatch(/keeping what may be there, because the stack \(UPDATE_COMPLETE_CLEANUP_IN_PROGRESS\) still declares/);
    cfn.expectFinalState({ pendingLinks: [updated.Data!.AccountLinkId as string] });

    expect((await cfn.delete(updated.PhysicalResourceId, { TargetAccountId: A })).Status).toBe('SUCCESS');
    cfn.expectFinalState();
  });
});
