import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AcceptAccountLinkInvitationCommand,
  AccountLink,
  GetAccountLinkCommand,
  ListAccountLinksCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE, awsError, captureLogs, createEvent, deleteEvent, updateEvent } from './util/events';
import { expectModelValidRequests as expectModelValid } from './util/model';
import { mockStackKeepingNothing } from './util/stack';
import type { AcceptOutcome } from '../lambda/shared/accept';
import { accepterLifecycle } from '../lambda/shared/accepter';
import type { RequestContext } from '../lambda/shared/runtime';
import { ACT_RESERVE_MS } from '../lambda/shared/wait';
import { AcceptLinkRequest, acceptAccountLink } from '../lambda/workspaces/accept';
import { handler } from '../lambda/workspaces/accepter';
import { WORKSPACES_ACCEPTER_SPEC, linkAccepterLifecycle } from '../lambda/workspaces/accepter/lifecycle';
import { clientToken } from '../lambda/workspaces/service';
import { AccountLinkData, WORKSPACES_ACCEPTER } from '../src/private/contract/workspaces';

const parseProps = WORKSPACES_ACCEPTER.parse;

const ws = mockClient(WorkSpacesClient);
const clients = { workspaces: new WorkSpacesClient({ region: 'eu-west-1', maxAttempts: 1 }) };

/** The events of test/util/events.ts come from a stack in account 111111111111: this account is the target. */
const OWN = '111111111111';
const SOURCE = '222222222222';
const STRANGER = '444444444444';
const LINK = 'link-abcd1234efgh';
const OLD_LINK = 'link-0000aaaa1111';
const PENDING = 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT';
const CTX: RequestContext = {
  requestType: 'Create',
  stackId: BASE.StackId,
  logicalResourceId: BASE.LogicalResourceId,
  requestId: 'r-1',
  resourceType: 'Custom::WorkSpacesAccountLinkAccepter',
};

function link(id: string, status: string, source = SOURCE, target = OWN): AccountLink {
  return { AccountLinkId: id, AccountLinkStatus: status as AccountLink['AccountLinkStatus'], SourceAccountId: source, TargetAccountId: target };
}

/** A fake clock: `sleep` advances it instead of waiting. */
function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms: number) => { sleeps.push(ms); t += ms; }, sleeps, elapsed: () => t };
}

function request(overrides: Partial<AcceptLinkRequest> = {}): AcceptLinkRequest {
  return { sourceAccountId: SOURCE, targetAccountId: OWN, ...overrides };
}

/** The accept flow over the look (`acceptAccountLink`), waiting up to `timeoutMs` on a fake clock. */
function accept(req: AcceptLinkRequest, timeoutMs = 0, clock = fakeClock()): Promise<AcceptOutcome<AccountLinkData>> {
  return acceptAccountLink(clients, req, { timeoutMs, now: clock.now, sleep: clock.sleep }, CTX);
}

/** The physical ID of an accepter of this stack (us-east-1) expecting SOURCE: what it did, and the link. */
function physicalId(how: 'accepted' | 'adopted' | 'unknown', linkId = LINK, source = SOURCE): string {
  return `workspaces-account-link-accepter:us-east-1:${source}:${how}:${linkId}`;
}

/** Every request sent so far satisfies the WorkSpaces service model (required members, patterns, ranges). */
function expectModelValidRequests(): void {
  expectModelValid(ws, 'workspaces');
}

const PROPS = { SourceAccountId: SOURCE, WaitTimeoutSeconds: '0' };

let logs: ReturnType<typeof captureLogs>;
// the handler's CloudFormation client (the rollback rule): an update's forward phase unless a test says otherwise
let stack: ReturnType<typeof mockStackKeepingNothing>;

beforeEach(() => {
  ws.reset();
  stack = mockStackKeepingNothing();
  logs = captureLogs();
});

afterEach(() => {
  logs.restore();
  stack.restore();
});

describe('properties', () => {
  test('source, optional link ID and wait are parsed; bad values name the property and the value', () => {
    expect(parseProps({ SourceAccountId: SOURCE, AccountLinkId: LINK, WaitTimeoutSeconds: '600' }))
      .toEqual({ sourceAccountId: SOURCE, accountLinkId: LINK, waitTimeoutMs: 600_000 });
    expect(parseProps({ SourceAccountId: SOURCE })).toEqual({ sourceAccountId: SOURCE, accountLinkId: undefined, waitTimeoutMs: 300_000 });
    expect(() => parseProps({ SourceAccountId: '12345' })).toThrow('The property SourceAccountId must be a 12-digit AWS account ID, got "12345".');
    expect(() => parseProps({ SourceAccountId: SOURCE, AccountLinkId: 'lnk-1' }))
      .toThrow('The property AccountLinkId must be an account link ID (\'link-\' and 8 to 24 characters), got "lnk-1".');
    expect(() => parseProps({ SourceAccountId: SOURCE, WaitTimeoutSeconds: 'soon' })).toThrow(/WaitTimeoutSeconds.*"soon"/);
  });

  test('the wait is whole seconds from 0 to 14 minutes, as for every accepter', () => {
    expect(parseProps({ SourceAccountId: SOURCE, WaitTimeoutSeconds: '840' })).toMatchObject({ waitTimeoutMs: 840_000 });
    expect(parseProps({ SourceAccountId: SOURCE, WaitTimeoutSeconds: 0 })).toMatchObject({ waitTimeoutMs: 0 });
    for (const refused of ['841', '900', '1.5', '-1']) {
      expect(() => parseProps({ SourceAccountId: SOURCE, WaitTimeoutSeconds: refused }))
        .toThrow(`The property WaitTimeoutSeconds must be a whole number from 0 to 840, got "${refused}".`);
    }
  });

  test('the physical IDs it owns: its own format, and the account link IDs of earlier versions', () => {
    expect(linkAccepterLifecycle.ownsPhysicalId(physicalId('accepted'))).toBe(true);
    expect(linkAccepterLifecycle.ownsPhysicalId(physicalId('adopted', 'NONE'))).toBe(true);
    expect(linkAccepterLifecycle.ownsPhysicalId(LINK)).toBe(true);
    expect(linkAccepterLifecycle.ownsPhysicalId('cdk-account-invitations:create-failed')).toBe(false);
    expect(linkAccepterLifecycle.ownsPhysicalId(`macie-invitation-accepter:us-east-1:${SOURCE}:accepted:NONE`)).toBe(false);
  });
});

describe('create', () => {
  test('finds the pending link from the source and accepts it with a deterministic client token', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(LINK, PENDING)] });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    const result = await handler(createEvent(PROPS));

    // the physical ID records that this resource accepted the link (lambda/shared/accepter.ts)
    expect(result).toEqual({
      PhysicalResourceId: physicalId('accepted'),
      Data: { AccountLinkId: LINK, AccountLinkStatus: 'LINKED', SourceAccountId: SOURCE, TargetAccountId: OWN, Adopted: false },
    });
    const accepts = ws.commandCalls(AcceptAccountLinkInvitationCommand);
    expect(accepts).toHaveLength(1);
    expect(accepts[0].args[0].input).toEqual({ LinkId: LINK, ClientToken: clientToken('accept', CTX, LINK) });
    expect(ws.commandCalls(ListAccountLinksCommand)[0].args[0].input.MaxResults).toBe(25);
    expectModelValidRequests();
  });

  test('a retried deployment sends the same token; another stack or link another one', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(LINK, PENDING)] });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    await handler(createEvent(PROPS));
    await handler({ ...createEvent(PROPS), RequestId: 'another-request-id' });
    await handler(createEvent(PROPS, { StackId: BASE.StackId.replace('5b1c4e10', '6c2d5f21') }));
    const tokens = ws.commandCalls(AcceptAccountLinkInvitationCommand).map((c) => c.args[0].input.ClientToken);

    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(clientToken('accept', CTX, LINK)).not.toBe(clientToken('accept', CTX, OLD_LINK));
    expect(tokens[0]).toMatch(/^[\x21-\x7e]{64}$/);
  });

  test('pages until NextToken is empty, across empty pages, and ignores links of other accounts', async () => {
    const pages = [
      { AccountLinks: [link('link-other0001aa', PENDING, STRANGER)], NextToken: 't1' },
      { AccountLinks: [], NextToken: 't2' },
      { AccountLinks: [link('link-mine00001bb', PENDING, OWN, STRANGER)], NextToken: 't3' },
      { AccountLinks: [link(LINK, PENDING)] },
    ];
    // the paginator reuses one input object: record the token of each call as it is sent
    const tokens: Array<string | undefined> = [];
    ws.on(ListAccountLinksCommand).callsFake((input) => {
      tokens.push(input.NextToken);
      return pages[tokens.length - 1];
    });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    const result = await accept(request());

    expect(result.attributes.accountLinkId).toBe(LINK);
    expect(tokens).toEqual([undefined, 't1', 't2', 't3']);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand).map((c) => c.args[0].input.LinkId)).toEqual([LINK]);
    expectModelValidRequests();
  });

  test('an invitation that arrives during the wait is accepted', async () => {
    const clock = fakeClock();
    ws.on(ListAccountLinksCommand)
      .resolvesOnce({ AccountLinks: [] })
      .resolvesOnce({ AccountLinks: [] })
      .resolves({ AccountLinks: [link(LINK, PENDING)] });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    const result = await accept(request(), 300_000, clock);

    expect(result).toMatchObject({ outcome: 'accepted', attributes: { accountLinkId: LINK, accountLinkStatus: 'LINKED', adopted: false } });
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(3);
    expect(clock.sleeps).toEqual([1000, 2000]);
  });

  test('an invitation that never arrives fails within waitTimeout, naming the source and what to do', async () => {
    const clock = fakeClock();
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link('link-other0001aa', 'LINKED', STRANGER)] });

    await expect(accept(request(), 300_000, clock)).rejects.toThrow(
      /^No WorkSpaces account link invitation from source account 222222222222 reached account 111111111111 within 5 minutes\. Deploy the inviting stack first/);

    expect(clock.elapsed()).toBe(300_000);
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(15);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('a LINKED link from the source is adopted: no accept call, the same attributes', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link('link-old00000rej', 'REJECTED'), link(LINK, 'LINKED')] });

    const result = await handler(createEvent(PROPS));

    expect(result).toEqual({
      PhysicalResourceId: physicalId('adopted'),
      Data: { AccountLinkId: LINK, AccountLinkStatus: 'LINKED', SourceAccountId: SOURCE, TargetAccountId: OWN, Adopted: true },
    });
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('a LINKED link from another source is not a conflict by itself: the invitation from the source is accepted', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link('link-other0001aa', 'LINKED', STRANGER), link(LINK, PENDING)] });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    await expect(accept(request())).resolves.toMatchObject({ outcome: 'accepted', attributes: { accountLinkId: LINK, adopted: false } });
  });

  test.each(['REJECTED', 'LINKING_FAILED'])('only a %s link: keeps waiting, then fails saying it ended', async (status) => {
    const clock = fakeClock();
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(LINK, status)] });

    await expect(accept(request(), 60_000, clock)).rejects.toThrow(
      `The last WorkSpaces account link invitation from source account 222222222222 to account 111111111111 (${LINK}) ended with state ${status}`);

    expect(ws.commandCalls(ListAccountLinksCommand).length).toBeGreaterThan(1);
    expect(clock.elapsed()).toBe(60_000);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('a new invitation after a rejected one is accepted', async () => {
    ws.on(ListAccountLinksCommand)
      .resolvesOnce({ AccountLinks: [link('link-old00000rej', 'REJECTED')] })
      .resolves({ AccountLinks: [link('link-old00000rej', 'REJECTED'), link(LINK, PENDING)] });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    await expect(accept(request(), 60_000)).resolves.toMatchObject({ attributes: { accountLinkId: LINK } });
  });

  test('the wait stops when the request is aborted (Lambda deadline)', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('deadline')), 20);

    await expect(linkAccepterLifecycle.create(clients, parseProps({ SourceAccountId: SOURCE, WaitTimeoutSeconds: '600' }), { ...CTX, signal: controller.signal }))
      .rejects.toThrow('deadline');
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(1);
  });

  // issue 17 item 14: `sourceAccountId: Aws.ACCOUNT_ID`, or the account of an environment-agnostic stack, passes synth
  test('the source is this account: fails before any call, naming the mix-up', async () => {
    await expect(handler(createEvent({ ...PROPS, SourceAccountId: OWN }))).rejects.toThrow(
      'The expected source account 111111111111 is this stack\'s own account: an accepter is deployed in the invited ' +
        'account and names the inviting one. Give the inviting account\'s ID (not Aws.ACCOUNT_ID, nor the account of a ' +
        'stack that resolves to this one), then deploy again. Nothing was changed.');
    expect(ws.calls()).toHaveLength(0);
  });
});

describe('a given accountLinkId', () => {
  test('is read with GetAccountLink and accepted', async () => {
    ws.on(GetAccountLinkCommand, { LinkId: LINK }).resolves({ AccountLink: link(LINK, PENDING) });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    const result = await handler(createEvent({ ...PROPS, AccountLinkId: LINK }));

    expect(result.PhysicalResourceId).toBe(physicalId('accepted'));
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(0);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(1);
    expectModelValidRequests();
  });

  test('that does not exist yet is waited for', async () => {
    ws.on(GetAccountLinkCommand)
      .rejectsOnce(awsError('ResourceNotFoundException'))
      .resolves({ AccountLink: link(LINK, PENDING) });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    await expect(accept(request({ accountLinkId: LINK }), 60_000)).resolves.toMatchObject({ attributes: { accountLinkId: LINK } });
    expect(ws.commandCalls(GetAccountLinkCommand)).toHaveLength(2);
  });

  test('of another source fails at once naming that account; nothing accepted', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK, PENDING, STRANGER) });

    await expect(accept(request({ accountLinkId: LINK }), 300_000)).rejects.toThrow(
      `The account 111111111111 is associated with source account ${STRANGER} through the given account link ${LINK} ` +
        `(${PENDING}), not with the expected source account 222222222222. Nothing was changed.`);
    expect(ws.commandCalls(GetAccountLinkCommand)).toHaveLength(1);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('without a source account in the answer is not accepted', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: { AccountLinkId: LINK, AccountLinkStatus: PENDING, TargetAccountId: OWN } });

    await expect(accept(request({ accountLinkId: LINK }), 300_000)).rejects.toThrow(
      `WorkSpaces did not say which account sent the given account link ${LINK}`);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('addressed to another account fails at once; nothing accepted', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK, PENDING, SOURCE, STRANGER) });

    await expect(accept(request({ accountLinkId: LINK }), 300_000)).rejects.toThrow(
      `The given account link ${LINK} goes from account ${SOURCE} to account ${STRANGER}, not to this account (${OWN}). Nothing was accepted.`);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });
});

describe('accept errors', () => {
  beforeEach(() => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(LINK, PENDING)] });
  });

  test('ConflictException, and the link is LINKED now: adopted', async () => {
    ws.on(AcceptAccountLinkInvitationCommand).rejects(awsError('ConflictException', 'The TargetAccountId is already linked or invited.'));
    ws.on(GetAccountLinkCommand, { LinkId: LINK }).resolves({ AccountLink: link(LINK, 'LINKED') });

    // accepted meanwhile by someone else: this request did not make it (Delete keeps what was adopted)
    await expect(accept(request())).resolves.toEqual({ outcome: 'adopted', attributes: expect.objectContaining({ accountLinkId: LINK, accountLinkStatus: 'LINKED' }) });
  });

  test('ConflictException while this account is LINKED to another source: fails naming it', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link('link-other0001aa', 'LINKED', STRANGER), link(LINK, PENDING)] });
    ws.on(AcceptAccountLinkInvitationCommand).rejects(awsError('ConflictException', 'The TargetAccountId is already linked or invited.'));
    ws.on(GetAccountLinkCommand, { LinkId: LINK }).resolves({ AccountLink: link(LINK, PENDING) });

    await expect(accept(request())).rejects.toThrow(
      new RegExp(`failed with ConflictException: The TargetAccountId is already linked or invited\\. Account ${OWN} is already ` +
        `linked to source account ${STRANGER} \\(link-other0001aa\\).*Nothing was accepted`));
  });

  test('ConflictException because the source deleted the invitation meanwhile: waits for a new one', async () => {
    ws.on(AcceptAccountLinkInvitationCommand).rejects(awsError('ConflictException'));
    ws.on(GetAccountLinkCommand).rejects(awsError('ResourceNotFoundException'));

    await expect(accept(request(), 5_000)).rejects.toThrow(
      `(${LINK}) ended with state LINK_NOT_FOUND, and no new one arrived within 5 seconds`);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand).length).toBeGreaterThan(1);
  });

  test.each([
    ['ValidationException', /failed with ValidationException: bad\. Account links need both accounts in the same AWS Organization under the same payer account.*GovCloud/],
    ['AccessDeniedException', /failed with AccessDeniedException: bad\. Check that the handler's role may call .*workspaces:AcceptAccountLinkInvitation.*same payer/],
    ['InternalServerException', /failed with InternalServerException: bad\. This is a WorkSpaces service error that persisted through the retries: deploy again later\./],
  ])('%s names the error code and what to do', async (name, message) => {
    ws.on(AcceptAccountLinkInvitationCommand).rejects(awsError(name, 'bad'));

    await expect(accept(request())).rejects.toThrow(message);
  });

  test('AccessDeniedException on ListAccountLinks names the action and the preconditions', async () => {
    ws.on(ListAccountLinksCommand).rejects(awsError('AccessDeniedException', 'not authorized'));

    await expect(handler(createEvent(PROPS))).rejects.toThrow(
      /Listing the WorkSpaces account links \(ListAccountLinks\) in .* failed with AccessDeniedException: not authorized\. Check that the handler's role/);
  });
});

describe('update', () => {
  test('the same expectation sends no accept and reports the current status', async () => {
    ws.on(GetAccountLinkCommand, { LinkId: LINK }).resolves({ AccountLink: link(LINK, 'LINKED') });

    const result = await handler(updateEvent(LINK, { ...PROPS, WaitTimeoutSeconds: '600' }, PROPS));

    expect(result).toEqual({
      PhysicalResourceId: LINK,
      Data: { AccountLinkId: LINK, AccountLinkStatus: 'LINKED', SourceAccountId: SOURCE, TargetAccountId: OWN, Adopted: true },
    });
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(0);
  });

  test('the same expectation, link gone: reports LINK_NOT_FOUND, never an empty attribute', async () => {
    ws.on(GetAccountLinkCommand).rejects(awsError('ResourceNotFoundException'));

    const result = await linkAccepterLifecycle.update(clients, LINK, parseProps(PROPS), parseProps(PROPS), CTX);

    expect(result.Data).toMatchObject({ AccountLinkId: LINK, AccountLinkStatus: 'LINK_NOT_FOUND', SourceAccountId: SOURCE, TargetAccountId: OWN });
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('the same expectation, link unreadable (AccessDenied): succeeds with status UNKNOWN, so neither it nor its rollback fails', async () => {
    ws.on(GetAccountLinkCommand).rejects(awsError('AccessDeniedException'));

    const result = await handler(updateEvent(LINK, { ...PROPS, WaitTimeoutSeconds: '60' }, PROPS));

    expect(result.Data).toEqual({ AccountLinkId: LINK, AccountLinkStatus: 'UNKNOWN', SourceAccountId: SOURCE, TargetAccountId: OWN, Adopted: true });
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
    expect(logs.text()).toMatch(/WARN.*could not read the relationship: reported as unknown, nothing changed/);
  });

  test('a changed source behaves like Create for the new one', async () => {
    const NEW_SOURCE = '555555555555';
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(OLD_LINK, 'LINKED'), link(LINK, PENDING, NEW_SOURCE)] });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED', NEW_SOURCE) });

    const result = await handler(updateEvent(OLD_LINK, { ...PROPS, SourceAccountId: NEW_SOURCE }, PROPS));

    expect(result.PhysicalResourceId).toBe(physicalId('accepted', LINK, NEW_SOURCE));
    expect(result.Data).toMatchObject({ SourceAccountId: NEW_SOURCE, Adopted: false });
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand).map((c) => c.args[0].input.LinkId)).toEqual([LINK]);
  });

  test('a changed accountLinkId behaves like Create for the given link', async () => {
    ws.on(GetAccountLinkCommand, { LinkId: LINK }).resolves({ AccountLink: link(LINK, PENDING) });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    const result = await handler(updateEvent(OLD_LINK, { ...PROPS, AccountLinkId: LINK }, { ...PROPS, AccountLinkId: OLD_LINK }));

    expect(result.PhysicalResourceId).toBe(physicalId('accepted'));
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(1);
  });
});

describe('delete', () => {
  test.each([
    ['an accepted link', physicalId('accepted')],
    ['an adopted link', physicalId('adopted')],
    ['an account link ID of an earlier version', LINK],
  ])('of %s makes no call and says that a LINKED link cannot be undone', async (_, id) => {
    const result = await handler(deleteEvent(id, PROPS));

    expect(result).toEqual({ PhysicalResourceId: id });
    expect(ws.calls()).toHaveLength(0);
    expect(stack.calls()).toHaveLength(0);
    expect(logs.text()).toMatch(/"INFO".*the relationship stays: a LINKED link cannot be undone through the WorkSpaces API/);
  });

  test('of something that is not a link (a failed create) makes no call either', async () => {
    await expect(handler(deleteEvent('cdk-account-invitations:create-timed-out', PROPS))).resolves.toBeDefined();
    expect(ws.calls()).toHaveLength(0);
  });
});

test('logs carry no client token', async () => {
  ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(LINK, PENDING)] });
  ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

  await handler(createEvent(PROPS));

  expect(logs.text()).toContain(LINK);
  expect(logs.text()).not.toContain(clientToken('accept', CTX, LINK));
});

describe('on the one accepter lifecycle (lambda/shared/accepter.ts)', () => {
  // issue 17 item 6: the wait ends in time for the function to answer, whatever waitTimeout says
  test('the wait is bounded by the time the invocation has left, not only by waitTimeout', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [] });
    const controller = new AbortController();
    // the runtime's own stop, far later: only reached if the wait ignored the deadline
    const stop = setTimeout(() => controller.abort(new Error('the runtime gave up at the deadline')), 4_000);
    const started = Date.now();
    try {
      const failure = handler(createEvent({ ...PROPS, WaitTimeoutSeconds: '600' }), {
        signal: controller.signal,
        deadline: started + ACT_RESERVE_MS + 1_000,
      });
      await expect(failure).rejects.toThrow(
        /^No WorkSpaces account link invitation from source account 222222222222 reached account 111111111111 within \d seconds? \(the time the function had left\)\./);
    } finally {
      clearTimeout(stop);
    }
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  }, 10_000);

  test('the same bound on a fake clock: a 14-minute wait with 2 minutes left ends 20 s before the deadline', async () => {
    const clock = fakeClock();
    const lifecycle = accepterLifecycle(WORKSPACES_ACCEPTER_SPEC, { timing: { now: clock.now, sleep: clock.sleep } });
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [] });

    await expect(lifecycle.create(clients, parseProps({ ...PROPS, WaitTimeoutSeconds: '840' }), { ...CTX, deadline: 120_000 }))
      .rejects.toThrow(/within 100 seconds \(the time the function had left\)/);
    expect(clock.elapsed()).toBe(120_000 - ACT_RESERVE_MS);
  });

  test.each([
    ['accepted', false],
    ['adopted', true],
  ] as const)('an update that keeps the expectation keeps a physical ID that says %s, and Adopted says so', async (how, adopted) => {
    ws.on(GetAccountLinkCommand, { LinkId: LINK }).resolves({ AccountLink: link(LINK, 'LINKED') });

    const result = await handler(updateEvent(physicalId(how), { ...PROPS, WaitTimeoutSeconds: '60' }, PROPS));

    expect(result).toEqual({
      PhysicalResourceId: physicalId(how),
      Data: { AccountLinkId: LINK, AccountLinkStatus: 'LINKED', SourceAccountId: SOURCE, TargetAccountId: OWN, Adopted: adopted },
    });
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(0);
  });

  test('naming the accepted link as accountLinkId later changes nothing; naming another link accepts that one', async () => {
    ws.on(GetAccountLinkCommand, { LinkId: LINK }).resolves({ AccountLink: link(LINK, 'LINKED') });
    const same = await handler(updateEvent(physicalId('accepted'), { ...PROPS, AccountLinkId: LINK }, PROPS));
    expect(same.PhysicalResourceId).toBe(physicalId('accepted'));
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);

    ws.on(GetAccountLinkCommand, { LinkId: OLD_LINK }).resolves({ AccountLink: link(OLD_LINK, PENDING) });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(OLD_LINK, 'LINKED') });
    const other = await handler(updateEvent(physicalId('accepted'), { ...PROPS, AccountLinkId: OLD_LINK }, PROPS));
    expect(other.PhysicalResourceId).toBe(physicalId('accepted', OLD_LINK));
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand).map((c) => c.args[0].input.LinkId)).toEqual([OLD_LINK]);
  });

  test('the rollback of an update that changed the source accepts nothing and never fails for the link', async () => {
    const NEW_SOURCE = '555555555555';
    stack.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date() }] });
    // the failed update to NEW_SOURCE found nothing; the old source's link is still LINKED
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(LINK, 'LINKED'), link(OLD_LINK, PENDING, NEW_SOURCE)] });

    const result = await handler(updateEvent(physicalId('accepted', 'NONE', NEW_SOURCE), PROPS, { ...PROPS, SourceAccountId: NEW_SOURCE }));

    expect(result).toEqual({
      PhysicalResourceId: physicalId('unknown'),
      Data: { AccountLinkId: LINK, AccountLinkStatus: 'LINKED', SourceAccountId: SOURCE, TargetAccountId: OWN, Adopted: true },
    });
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('a rollback that finds no link from the old source still succeeds, never with an empty attribute', async () => {
    stack.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date() }] });
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [] });

    const result = await handler(updateEvent(physicalId('accepted', LINK, '555555555555'), PROPS, { ...PROPS, SourceAccountId: '555555555555' }));

    expect(result).toEqual({
      PhysicalResourceId: physicalId('unknown', 'NONE'),
      Data: { AccountLinkId: 'NONE', AccountLinkStatus: 'LINK_NOT_FOUND', SourceAccountId: SOURCE, TargetAccountId: OWN, Adopted: true },
    });
  });

  test('the stack cannot be read, and the account is still LINKED to the recorded source: nothing accepted, no failure', async () => {
    stack.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'denied', {}, 403));
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(LINK, 'LINKED'), link(OLD_LINK, PENDING, '555555555555')] });

    const result = await handler(updateEvent(physicalId('accepted'), { ...PROPS, SourceAccountId: '555555555555' }, PROPS));

    expect(result.PhysicalResourceId).toBe(physicalId('unknown', OLD_LINK, '555555555555'));
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
    expect(logs.text()).toMatch(/"WARN".*whether this update is a rollback cannot be told/);
  });

  test('the stack cannot be read, and the account is in no LINKED link: accepts the new source as on create', async () => {
    stack.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'denied', {}, 403));
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(OLD_LINK, PENDING, '555555555555')] });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(OLD_LINK, 'LINKED', '555555555555') });

    const result = await handler(updateEvent(physicalId('accepted'), { ...PROPS, SourceAccountId: '555555555555' }, PROPS));

    expect(result.PhysicalResourceId).toBe(physicalId('accepted', OLD_LINK, '555555555555'));
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(1);
  });

  // issue 17 item 16: WorkSpaces has no sensitive input (account IDs, link IDs, the role name and the wait are what a
  // message must name; client tokens are derived and never logged): nothing is scrubbed, so messages keep their IDs
  test('sensitive inputs: none, so a Reason keeps the accounts and the link it names', async () => {
    const raw = WORKSPACES_ACCEPTER.properties({ sourceAccountId: SOURCE, accountLinkId: LINK, waitSeconds: 60 });
    expect(linkAccepterLifecycle.sensitive(raw)).toEqual([]);
    expect(WORKSPACES_ACCEPTER.sensitiveKeys).toEqual([]);

    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK, PENDING, STRANGER) });
    await expect(handler(createEvent({ ...PROPS, AccountLinkId: LINK }))).rejects.toThrow(
      `The account ${OWN} is associated with source account ${STRANGER} through the given account link ${LINK}`);
  });
});
