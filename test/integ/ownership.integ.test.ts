/**
 * Issue 10, item 5: CloudFormation cancels a Create that is still in progress (another resource of the stack failed)
 * and then, in the rollback, sends a Delete with a physical ID it made up (`<LogicalId>-<random>`). The runtime routes
 * a physical ID the lifecycle did not produce to its careful cleanup (`Lifecycle.abandonedCreate`), with the time the
 * Create began read from the stack's events (lambda/shared/stack-events.ts): only what that Create can be shown to have
 * made goes; when the events cannot be read, nothing goes and the log says why.
 *
 * The player (`Cfn.cancelCreate`) writes the events CloudFormation writes: CREATE_IN_PROGRESS when it starts the
 * resource, CREATE_FAILED "Resource creation cancelled", then DELETE_IN_PROGRESS / DELETE_COMPLETE of the rollback.
 */
import { accountId, Cfn, HandlerName, OTHER_STACK_ID, STACK_ID, startCfn } from './cfn';
import { CLOCK_SKEW_MS } from '../../lambda/shared/stack';
import { DAY_MS } from '../emulator/common';

jest.setTimeout(60_000);

const A = '222222222222';
const B = '333333333333';
const LOGICAL_ID = 'Invitation';
/** What CloudFormation makes up for a canceled resource: never one of the lifecycles' physical IDs. */
const MADE_UP = new RegExp(`^${LOGICAL_ID}-[0-9A-Z]{12}$`);

const orgProps = (targetId: string) => ({ TargetId: targetId, TargetType: 'ACCOUNT' });
const member = (n: number) => ({ AccountId: accountId(n), Email: `owner${n}@example.com` });
const macieProps = (ns: number[]) => ({
  Members: ns.map(member),
  Message: 'Please join',
  DisableEmailNotification: 'false',
  RemovalPolicy: 'DESTROY',
});
const linkProps = (target: string) => ({ TargetAccountId: target });

let cfn: Cfn;
afterEach(async () => {
  await cfn?.stop();
});

/** The resource events of our stack the player wrote, oldest first, as `<LogicalId> <status>`. */
function resourceEvents(logicalId = LOGICAL_ID): string[] {
  return cfn.emulator.cloudformation.stackEvents(STACK_ID)
    .filter((e) => e.LogicalResourceId === logicalId)
    .reverse()
    .map((e) => e.ResourceStatus);
}

/** The handler read the stack's events, and every request it made was valid. */
function expectReadEvents(): void {
  const reads = cfn.emulator.requests.filter((r) => r.op === 'DescribeStackEvents');
  expect(reads.length).toBeGreaterThan(0);
  expect(reads.map((r) => r.input.StackName)).toEqual(reads.map(() => STACK_ID));
}

describe('a Create CloudFormation canceled, then its Delete with a made-up physical ID (issue 10, item 5)', () => {
  test('the player writes the events CloudFormation writes, stamped by the emulator\'s clock, newest first on the wire', async () => {
    cfn = await startCfn('workspaces-account-link');
    cfn.emulator.advanceTime(-DAY_MS);
    const canceled = await cfn.cancelCreate(linkProps(A), { logicalResourceId: LOGICAL_ID });
    expect(canceled.physicalId).toMatch(MADE_UP);
    await cfn.delete(canceled.physicalId, linkProps(A), { logicalResourceId: LOGICAL_ID });
    expect(resourceEvents()).toEqual([
      'CREATE_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE',
    ]);
    const events = cfn.emulator.cloudformation.stackEvents(STACK_ID);
    const times = events.map((e) => e.Timestamp.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // the emulator's clock (a day behind the machine's), not Date.now()
    expect(Date.now() - times[0]).toBeGreaterThan(DAY_MS - 60_000);
    const failed = events.find((e) => e.LogicalResourceId === LOGICAL_ID && e.ResourceStatus === 'CREATE_FAILED');
    expect(failed).toMatchObject({ PhysicalResourceId: canceled.physicalId, ResourceStatusReason: 'Resource creation cancelled' });
    // the stack's own events: the creation rolled back
    expect(events.filter((e) => e.LogicalResourceId === 'LandingZone').map((e) => e.ResourceStatus).reverse())
      .toEqual(['CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS']);
  });

  describe('Organizations', () => {
    test('the handshake the canceled Create sent (requested more than the 5 s clock skew after its CREATE_IN_PROGRESS) is canceled', async () => {
      cfn = await startCfn('org-invitation');
      // the invitation goes out 6 s into the Create: within the skew it could be older than the Create, and is kept
      // (issue 17 item 7: test/integ/org-invitation-safety.integ.test.ts)
      cfn.emulator.faults.delay('ListHandshakesForOrganization', 6_000);
      const canceled = await cfn.cancelCreate(orgProps(A), { logicalResourceId: LOGICAL_ID });
      // the function finished its Create and answered, too late: CloudFormation had canceled it
      expect(canceled.ignoredAnswer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(/^h-/) });
      const sent = canceled.ignoredAnswer.PhysicalResourceId;
      cfn.expectFinalState({ openHandshakes: [sent] });

      const deleted = await cfn.delete(canceled.physicalId, orgProps(A), { logicalResourceId: LOGICAL_ID });
      expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: canceled.physicalId });
      expectReadEvents();
      expect(cfn.emulator.org.handshakes().find((h) => h.Id === sent)?.State).toBe('CANCELED');
      expect(cfn.logs()).toMatch(/Delete of a Create that did not finish: cleaning up/);
      cfn.expectFinalState();
    });

    test('an older handshake to the same target from another stack, adopted by the canceled Create, is never canceled', async () => {
      cfn = await startCfn('org-invitation');
      const other = await cfn.create(orgProps(A), { logicalResourceId: 'Elsewhere', stackId: OTHER_STACK_ID });
      expect(other.Status).toBe('SUCCESS');
      cfn.emulator.advanceTime(60_000);

      // an update of our (existing) stack adds the resource; another resource fails; the update rolls back
      const existing = await cfn.create(orgProps(B), { logicalResourceId: 'Existing' });
      const canceled = await cfn.cancelCreate(orgProps(A), { logicalResourceId: LOGICAL_ID });
      expect(canceled.ignoredAnswer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: other.PhysicalResourceId, Data: { Adopted: true } });
      const deleted = await cfn.delete(canceled.physicalId, orgProps(A), { logicalResourceId: LOGICAL_ID });
      expect(deleted.Status).toBe('SUCCESS');
      expect(cfn.emulator.cloudformation.stacks().find((s) => s.StackId === STACK_ID)?.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
      expectReadEvents();
      expect(cfn.emulator.calls.CancelHandshake).toBe(0);
      expect(cfn.logs()).toMatch(/requested before the unfinished Create started: it is kept/);
      cfn.expectFinalState({ openHandshakes: [other.PhysicalResourceId, existing.PhysicalResourceId] });
    });
  });

  test('Macie: only the members this resource created in this operation are removed', async () => {
    cfn = await startCfn('macie-invitations');
    const { emulator } = cfn;
    // account 1: made a member by another stack a month ago, and it accepted
    emulator.advanceTime(-30 * DAY_MS);
    await cfn.create(macieProps([1]), { logicalResourceId: 'Earlier', stackId: OTHER_STACK_ID });
    emulator.macie.accept(accountId(1));
    emulator.advanceTime(30 * DAY_MS);
    // account 2: made a member by another stack's resource just now (not accepted, changed since): not this resource's tag
    await cfn.create(macieProps([2]), { logicalResourceId: 'Neighbour', stackId: OTHER_STACK_ID });

    // this Create makes its members more than the clock skew after it began: surely its own (within the skew, kept)
    emulator.faults.delay('ListMembers', CLOCK_SKEW_MS + 1_000, 1);
    const canceled = await cfn.cancelCreate(macieProps([1, 2, 3, 4]), { logicalResourceId: LOGICAL_ID });
    expect(canceled.ignoredAnswer.Status).toBe('SUCCESS');
    cfn.expectFinalState({ macieMembers: { Enabled: [accountId(1)], Invited: [accountId(2), accountId(3), accountId(4)] } });

    const deleted = await cfn.delete(canceled.physicalId, macieProps([1, 2, 3, 4]), { logicalResourceId: LOGICAL_ID });
    expect(deleted.Status).toBe('SUCCESS');
    expectReadEvents();
    const removed = (op: string) => emulator.requests.filter((r) => r.op === op).map((r) => r.input.id).sort();
    expect(removed('DeleteMember')).toEqual([accountId(3), accountId(4)]);
    expect(removed('DisassociateMember')).not.toContain(accountId(1));
    expect(removed('DisassociateMember')).not.toContain(accountId(2));
    cfn.expectFinalState({ macieMembers: { Enabled: [accountId(1)], Invited: [accountId(2)] } });
  });

  test('WorkSpaces: the pending link is kept (nothing shows who made it), and the log says so and how to delete it', async () => {
    cfn = await startCfn('workspaces-account-link');
    const canceled = await cfn.cancelCreate(linkProps(A), { logicalResourceId: LOGICAL_ID });
    const link = canceled.ignoredAnswer.Data!.AccountLinkId as string;
    expect(link).toMatch(/^link-/);
    const deleted = await cfn.delete(canceled.physicalId, linkProps(A), { logicalResourceId: LOGICAL_ID });
    expect(deleted.Status).toBe('SUCCESS');
    expect(cfn.emulator.calls.DeleteAccountLinkInvitation).toBe(0);
    expect(cfn.logs()).toMatch(/"level":"WARN".*nothing shows which, so it is kept\. Delete it in the WorkSpaces console/);
    cfn.expectFinalState({ pendingLinks: [link] });
  });
});

describe('the stack\'s events cannot be read: nothing is removed, and the log says why', () => {
  const cases: Array<[HandlerName, Record<string, unknown>, RegExp]> = [
    ['org-invitation', orgProps(A), /start of the unfinished Create is unknown: an open invitation to the target, if any, is kept/],
    ['macie-invitations', macieProps([3, 4]), /start of the unfinished Create is unknown: no member is removed/],
    ['workspaces-account-link', linkProps(A), /nothing shows which, so it is kept/],
  ];

  test.each(cases)('%s: cloudformation:DescribeStackEvents denied', async (name, props, why) => {
    cfn = await startCfn(name);
    const canceled = await cfn.cancelCreate(props, { logicalResourceId: LOGICAL_ID });
    expect(canceled.ignoredAnswer.Status).toBe('SUCCESS');
    const before = {
      openHandshakes: cfn.emulator.openHandshakes().map((h) => h.Id),
      macieMembers: cfn.emulator.macie.membersByStatus(),
      pendingLinks: cfn.emulator.workspaces.pendingLinks().map((l) => l.AccountLinkId),
    };
    expect([...before.openHandshakes, ...Object.values(before.macieMembers).flat(), ...before.pendingLinks].length).toBeGreaterThan(0);
    cfn.emulator.denyAction(cfn.emulator.accountId, 'cloudformation:DescribeStackEvents');

    const deleted = await cfn.delete(canceled.physicalId, props, { logicalResourceId: LOGICAL_ID });
    expect(deleted.Status).toBe('SUCCESS');
    expectReadEvents();
    expect(cfn.logs()).toMatch(/"level":"WARN".*could not read the stack's events.*"error":"AccessDenied"/);
    expect(cfn.logs()).toMatch(why);
    cfn.expectFinalState(before);
  });

  test('org-invitation: DescribeStackEvents keeps failing (HTTP 500 through the SDK\'s retries)', async () => {
    cfn = await startCfn('org-invitation');
    const canceled = await cfn.cancelCreate(orgProps(A), { logicalResourceId: LOGICAL_ID });
    const sent = canceled.ignoredAnswer.PhysicalResourceId;
    cfn.emulator.faults.serverError('DescribeStackEvents', 20);
    const deleted = await cfn.delete(canceled.physicalId, orgProps(A), { logicalResourceId: LOGICAL_ID });
    expect(deleted.Status).toBe('SUCCESS');
    expect(cfn.emulator.calls.DescribeStackEvents).toBeGreaterThan(1);
    expect(cfn.emulator.calls.CancelHandshake).toBe(0);
    expect(cfn.logs()).toMatch(/"level":"WARN".*could not read the stack's events.*"error":"InternalFailure"/);
    cfn.expectFinalState({ openHandshakes: [sent] });
  });
});
