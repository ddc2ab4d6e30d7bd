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
import type { RequestContext } from '../lambda/shared/runtime';
import { AcceptLinkRequest, acceptAccountLink } from '../lambda/workspaces/accept';
import { handler } from '../lambda/workspaces/accepter';
import { createAccepter, linkAccepterLifecycle, updateAccepter } from '../lambda/workspaces/accepter/lifecycle';
import { clientToken } from '../lambda/workspaces/service';
import { WORKSPACES_ACCEPTER } from '../src/private/contract/workspaces';

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

function request(overrides: Partial<AcceptLinkRequest> = {}, timeoutMs = 0, clock = fakeClock()): AcceptLinkRequest {
  return { sourceAccountId: SOURCE, targetAccountId: OWN, wait: { timeoutMs, now: clock.now, sleep: clock.sleep }, ...overrides };
}

/** Every request sent so far satisfies the WorkSpaces service model (required members, patterns, ranges). */
function expectModelValidRequests(): void {
  expectModelValid(ws, 'workspaces');
}

const PROPS = { SourceAccountId: SOURCE, WaitTimeoutSeconds: '0' };

let logs: ReturnType<typeof captureLogs>;

beforeEach(() => {
  ws.reset();
  logs = captureLogs();
});

afterEach(() => logs.restore());

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

  test('the physical IDs it owns are account link IDs', () => {
    expect(linkAccepterLifecycle.ownsPhysicalId(LINK)).toBe(true);
    expect(linkAccepterLifecycle.ownsPhysicalId('cdk-account-invitations:create-failed')).toBe(false);
  });
});

describe('create', () => {
  test('finds the pending link from the source and accepts it with a deterministic client token', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(LINK, PENDING)] });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    const result = await handler(createEvent(PROPS));

    expect(result).toEqual({
      PhysicalResourceId: LINK,
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

    const result = await acceptAccountLink(clients, request(), CTX);

    expect(result.accountLinkId).toBe(LINK);
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

    const result = await acceptAccountLink(clients, request({}, 300_000, clock), CTX);

    expect(result).toMatchObject({ accountLinkId: LINK, accountLinkStatus: 'LINKED', adopted: false });
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(3);
    expect(clock.sleeps).toEqual([1000, 2000]);
  });

  test('an invitation that never arrives fails within waitTimeout, naming the source and what to do', async () => {
    const clock = fakeClock();
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link('link-other0001aa', 'LINKED', STRANGER)] });

    await expect(acceptAccountLink(clients, request({}, 300_000, clock), CTX)).rejects.toThrow(
      /^No WorkSpaces account link invitation from source account 222222222222 reached account 111111111111 within 5 minutes\. Deploy the inviting stack first/);

    expect(clock.elapsed()).toBe(300_000);
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(15);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('a LINKED link from the source is adopted: no accept call, the same attributes', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link('link-old00000rej', 'REJECTED'), link(LINK, 'LINKED')] });

    const result = await handler(createEvent(PROPS));

    expect(result).toEqual({
      PhysicalResourceId: LINK,
      Data: { AccountLinkId: LINK, AccountLinkStatus: 'LINKED', SourceAccountId: SOURCE, TargetAccountId: OWN, Adopted: true },
    });
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('a LINKED link from another source is not a conflict by itself: the invitation from the source is accepted', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link('link-other0001aa', 'LINKED', STRANGER), link(LINK, PENDING)] });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    await expect(acceptAccountLink(clients, request(), CTX)).resolves.toMatchObject({ accountLinkId: LINK, adopted: false });
  });

  test.each(['REJECTED', 'LINKING_FAILED'])('only a %s link: keeps waiting, then fails saying it ended', async (status) => {
    const clock = fakeClock();
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(LINK, status)] });

    await expect(acceptAccountLink(clients, request({}, 60_000, clock), CTX)).rejects.toThrow(
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

    await expect(acceptAccountLink(clients, request({}, 60_000), CTX)).resolves.toMatchObject({ accountLinkId: LINK });
  });

  test('the wait stops when the request is aborted (Lambda deadline)', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('deadline')), 20);

    await expect(createAccepter(clients, parseProps({ SourceAccountId: SOURCE, WaitTimeoutSeconds: '600' }), { ...CTX, signal: controller.signal }))
      .rejects.toThrow('deadline');
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(1);
  });

  test('the source is this account: fails before any call', async () => {
    await expect(acceptAccountLink(clients, request({ sourceAccountId: OWN }), CTX)).rejects.toThrow(/SourceAccountId 111111111111 is this account/);
    expect(ws.calls()).toHaveLength(0);
  });
});

describe('a given accountLinkId', () => {
  test('is read with GetAccountLink and accepted', async () => {
    ws.on(GetAccountLinkCommand, { LinkId: LINK }).resolves({ AccountLink: link(LINK, PENDING) });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    const result = await handler(createEvent({ ...PROPS, AccountLinkId: LINK }));

    expect(result.PhysicalResourceId).toBe(LINK);
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(0);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(1);
    expectModelValidRequests();
  });

  test('that does not exist yet is waited for', async () => {
    ws.on(GetAccountLinkCommand)
      .rejectsOnce(awsError('ResourceNotFoundException'))
      .resolves({ AccountLink: link(LINK, PENDING) });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    await expect(acceptAccountLink(clients, request({ accountLinkId: LINK }, 60_000), CTX)).resolves.toMatchObject({ accountLinkId: LINK });
    expect(ws.commandCalls(GetAccountLinkCommand)).toHaveLength(2);
  });

  test('of another source fails at once naming that account; nothing accepted', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK, PENDING, STRANGER) });

    await expect(acceptAccountLink(clients, request({ accountLinkId: LINK }, 300_000), CTX)).rejects.toThrow(
      `The account 111111111111 is associated with source account ${STRANGER} through the given account link ${LINK} ` +
        `(${PENDING}), not with the expected source account 222222222222. Nothing was changed.`);
    expect(ws.commandCalls(GetAccountLinkCommand)).toHaveLength(1);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('without a source account in the answer is not accepted', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: { AccountLinkId: LINK, AccountLinkStatus: PENDING, TargetAccountId: OWN } });

    await expect(acceptAccountLink(clients, request({ accountLinkId: LINK }, 300_000), CTX)).rejects.toThrow(
      `WorkSpaces did not say which account sent the given account link ${LINK}`);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('addressed to another account fails at once; nothing accepted', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK, PENDING, SOURCE, STRANGER) });

    await expect(acceptAccountLink(clients, request({ accountLinkId: LINK }, 300_000), CTX)).rejects.toThrow(
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

    await expect(acceptAccountLink(clients, request(), CTX)).resolves.toMatchObject({ accountLinkId: LINK, accountLinkStatus: 'LINKED', adopted: true });
  });

  test('ConflictException while this account is LINKED to another source: fails naming it', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link('link-other0001aa', 'LINKED', STRANGER), link(LINK, PENDING)] });
    ws.on(AcceptAccountLinkInvitationCommand).rejects(awsError('ConflictException', 'The TargetAccountId is already linked or invited.'));
    ws.on(GetAccountLinkCommand, { LinkId: LINK }).resolves({ AccountLink: link(LINK, PENDING) });

    await expect(acceptAccountLink(clients, request(), CTX)).rejects.toThrow(
      new RegExp(`failed with ConflictException: The TargetAccountId is already linked or invited\\. Account ${OWN} is already ` +
        `linked to source account ${STRANGER} \\(link-other0001aa\\).*Nothing was accepted`));
  });

  test('ConflictException because the source deleted the invitation meanwhile: waits for a new one', async () => {
    ws.on(AcceptAccountLinkInvitationCommand).rejects(awsError('ConflictException'));
    ws.on(GetAccountLinkCommand).rejects(awsError('ResourceNotFoundException'));

    await expect(acceptAccountLink(clients, request({}, 5_000), CTX)).rejects.toThrow(
      `(${LINK}) ended with state LINK_NOT_FOUND, and no new one arrived within 5 seconds`);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand).length).toBeGreaterThan(1);
  });

  test.each([
    ['ValidationException', /failed with ValidationException: bad\. Account links need both accounts in the same AWS Organization under the same payer account.*GovCloud/],
    ['AccessDeniedException', /failed with AccessDeniedException: bad\. Check that the handler's role may call .*workspaces:AcceptAccountLinkInvitation.*same payer/],
    ['InternalServerException', /failed with InternalServerException: bad\. This is a WorkSpaces service error that persisted through the retries: deploy again later\./],
  ])('%s names the error code and what to do', async (name, message) => {
    ws.on(AcceptAccountLinkInvitationCommand).rejects(awsError(name, 'bad'));

    await expect(acceptAccountLink(clients, request(), CTX)).rejects.toThrow(message);
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

    const result = await updateAccepter(clients, LINK, parseProps(PROPS), parseProps(PROPS), CTX);

    expect(result.Data).toMatchObject({ AccountLinkId: LINK, AccountLinkStatus: 'LINK_NOT_FOUND', SourceAccountId: SOURCE, TargetAccountId: OWN });
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('the same expectation, link unreadable (AccessDenied): succeeds with status UNKNOWN, so neither it nor its rollback fails', async () => {
    ws.on(GetAccountLinkCommand).rejects(awsError('AccessDeniedException'));

    const result = await handler(updateEvent(LINK, { ...PROPS, WaitTimeoutSeconds: '60' }, PROPS));

    expect(result.Data).toMatchObject({ AccountLinkId: LINK, AccountLinkStatus: 'UNKNOWN' });
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
    expect(logs.text()).toMatch(/WARN.*could not read the link/);
  });

  test('a changed source behaves like Create for the new one', async () => {
    const NEW_SOURCE = '555555555555';
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(OLD_LINK, 'LINKED'), link(LINK, PENDING, NEW_SOURCE)] });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED', NEW_SOURCE) });

    const result = await handler(updateEvent(OLD_LINK, { ...PROPS, SourceAccountId: NEW_SOURCE }, PROPS));

    expect(result.PhysicalResourceId).toBe(LINK);
    expect(result.Data).toMatchObject({ SourceAccountId: NEW_SOURCE, Adopted: false });
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand).map((c) => c.args[0].input.LinkId)).toEqual([LINK]);
  });

  test('a changed accountLinkId behaves like Create for the given link', async () => {
    ws.on(GetAccountLinkCommand, { LinkId: LINK }).resolves({ AccountLink: link(LINK, PENDING) });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK, 'LINKED') });

    const result = await handler(updateEvent(OLD_LINK, { ...PROPS, AccountLinkId: LINK }, { ...PROPS, AccountLinkId: OLD_LINK }));

    expect(result.PhysicalResourceId).toBe(LINK);
    expect(ws.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(1);
  });
});

describe('delete', () => {
  test('makes no call and warns that a LINKED link cannot be undone', async () => {
    const result = await handler(deleteEvent(LINK, PROPS));

    expect(result).toEqual({ PhysicalResourceId: LINK });
    expect(ws.calls()).toHaveLength(0);
    expect(logs.text()).toMatch(/WARN.*LINKED link cannot be undone through the WorkSpaces API/);
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
