/**
 * The one accept-through-a-role mechanism (lambda/shared/acceptance.ts) and the role assumption under it
 * (lambda/shared/assume-role.ts), with fake adapters and a mocked STS.
 */
import { AcceptInvitationCommand, Macie2Client } from '@aws-sdk/client-macie2';
// the STS client of fromTemporaryCredentials (a dependency of @aws-sdk/credential-providers): mocked where it is used
// eslint-disable-next-line import/no-extraneous-dependencies
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError } from './util/events';
import { AcceptOutcome, acceptOrAdopt } from '../lambda/shared/accept';
import {
  ACCEPT_CONCURRENCY,
  ACCEPT_WAIT_ENV,
  ACCEPT_WAIT_MS,
  AcceptBudget,
  MAX_FAILURE_BYTES,
  RoleAcceptanceAdapter,
  RoleAcceptanceRequest,
  acceptThroughRole,
  acceptWaitMs,
  acceptanceClientsOf,
  describeAccounts,
  fitParts,
} from '../lambda/shared/acceptance';
import { AssumeRoleError, SESSION_SECONDS, assumeRoleFactory, assumedClients, releaseClients } from '../lambda/shared/assume-role';
import { InvitationError } from '../lambda/shared/errors';
import { ACT_RESERVE_MS } from '../lambda/shared/wait';

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Admin/5b1c4e10-0000-0000-0000-000000000000';
const A = '222222222222';
const B = '333333333333';
const C = '444444444444';

/** A fake clock: `sleep` advances it instead of waiting. */
function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, sleep: async (ms: number) => { t += ms; }, advance: (ms: number) => { t += ms; } };
}

/** The clients of one invited account in these tests: which account, and whether they were released. */
interface FakeClients {
  readonly accountId: string;
  readonly client: { destroyed: boolean; destroy(): void };
}

function fakeClients(accountId: string): FakeClients {
  return { accountId, client: { destroyed: false, destroy() { this.destroyed = true; } } };
}

type Script = (accountId: string, budget: AcceptBudget) => Promise<AcceptOutcome<string>>;

function adapter(accept: Script, undo?: (accountId: string, accepted: string) => Promise<void>) {
  const calls = { accept: [] as string[], undo: [] as string[], budgets: new Map<string, AcceptBudget>() };
  const a: RoleAcceptanceAdapter<FakeClients, string> = {
    what: 'test invitation',
    clientsFrom: () => { throw new Error('not used: assumeRole is injected'); },
    accept: async (clients, accountId, budget) => {
      expect(clients.accountId).toBe(accountId);
      calls.accept.push(accountId);
      calls.budgets.set(accountId, budget);
      return accept(accountId, budget);
    },
    undoByHand: 'end it in the test console of that account',
    hints: { ValidationException: 'Send a new invitation, then deploy again.' },
    ...(undo ? {
      undo: async (clients: FakeClients, accountId: string, accepted: string) => {
        expect(clients.accountId).toBe(accountId);
        calls.undo.push(accountId);
        return undo(accountId, accepted);
      },
    } : {}),
  };
  return { adapter: a, calls };
}

/** The injected clients factory: `fail` maps an account to the error its role assumption throws. */
function assumer(fail: Record<string, unknown> = {}) {
  const made: FakeClients[] = [];
  const assumed: string[] = [];
  const assumeRole = (roleName: string) => async (accountId: string) => {
    expect(roleName).toBe('Accept');
    assumed.push(accountId);
    if (fail[accountId]) {
      throw new AssumeRoleError(accountId, roleName, `arn:aws:iam::${accountId}:role/${roleName}`, '111111111111', fail[accountId]);
    }
    const clients = fakeClients(accountId);
    made.push(clients);
    return clients;
  };
  return { assumeRole, made, assumed };
}

function request(
  accountIds: string[],
  clients: { assumeRole: ReturnType<typeof assumer>['assumeRole'] },
  extra: Partial<RoleAcceptanceRequest<FakeClients>> = {},
): RoleAcceptanceRequest<FakeClients> {
  return { clients, roleName: 'Accept', accountIds, ctx: { stackId: STACK_ID }, ...extra };
}

const accepted = (attributes: string): AcceptOutcome<string> => ({ outcome: 'accepted', attributes });
const adopted = (attributes: string): AcceptOutcome<string> => ({ outcome: 'adopted', attributes });

afterEach(() => {
  delete process.env[ACCEPT_WAIT_ENV];
});

describe('the wait budget', () => {
  test.each([
    [undefined, ACCEPT_WAIT_MS],
    ['', ACCEPT_WAIT_MS],
    ['50', 50],
    ['0', 0],
    [String(ACCEPT_WAIT_MS + 1), ACCEPT_WAIT_MS],
    ['-1', ACCEPT_WAIT_MS],
    ['soon', ACCEPT_WAIT_MS],
  ])('%s in CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS gives %d ms: the override can only shorten the wait', (raw, expected) => {
    if (raw !== undefined) process.env[ACCEPT_WAIT_ENV] = raw;
    expect(acceptWaitMs()).toBe(expected);
  });

  test('one budget for all accounts, counted from the start of the step: accounts that start later get what is left', async () => {
    const clock = fakeClock();
    const ids = Array.from({ length: ACCEPT_CONCURRENCY + 1 }, (_, i) => String(500000000000 + i));
    const { adapter: a, calls } = adapter(async (accountId) => {
      await Promise.resolve();
      if (accountId === ids[0]) clock.advance(90_000);
      return accepted(accountId);
    });
    await acceptThroughRole(a, request(ids, assumer(), { timing: clock }));
    // the first ten start together; the eleventh when the first is done, 90 s into the step
    expect(ids.slice(0, ACCEPT_CONCURRENCY).map((id) => calls.budgets.get(id)?.timeoutMs)).toEqual(Array(ACCEPT_CONCURRENCY).fill(ACCEPT_WAIT_MS));
    expect(calls.budgets.get(ids[ACCEPT_CONCURRENCY])?.timeoutMs).toBe(ACCEPT_WAIT_MS - 90_000);
  });

  test('the budget is bounded by the deadline: an invitation that does not show fails with the time the function had left', async () => {
    const clock = fakeClock();
    const deadline = clock.now() + 60_000;
    const { adapter: a } = adapter((_accountId, budget) => acceptOrAdopt<string>({
      what: 'test invitation',
      inviter: 'account 111111111111',
      invitee: 'account 222222222222',
      otherInviterHint: 'Leave it first.',
      notArrivedHint: budget.notArrivedHint,
      look: async () => ({ kind: 'none' }),
      wait: budget,
    }));
    const error = await acceptThroughRole(a, request([A], assumer(), { ctx: { stackId: STACK_ID, deadline }, timing: clock }))
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(InvitationError);
    // 60 s to the deadline, less the time kept to act and answer
    expect(clock.now() - 1_000_000).toBe(60_000 - ACT_RESERVE_MS);
    expect((error as Error).message).toMatch(/^Nothing was accepted in account 222222222222\. Accepting through role Accept in account 222222222222 failed: No test invitation from account 111111111111 reached account 222222222222 within 40 seconds \(the time the function had left\)\. The invitation sent by this deployment had not reached the invited account yet/);
  });

  test('without a deadline, the budget alone bounds the wait', async () => {
    process.env[ACCEPT_WAIT_ENV] = '30000';
    const clock = fakeClock();
    const { adapter: a } = adapter((_accountId, budget) => acceptOrAdopt<string>({
      what: 'test invitation',
      inviter: 'x',
      invitee: 'y',
      otherInviterHint: '',
      notArrivedHint: budget.notArrivedHint,
      look: async () => ({ kind: 'none' }),
      wait: budget,
    }));
    await expect(acceptThroughRole(a, request([A], assumer(), { timing: clock }))).rejects.toThrow(/within 30 seconds\. /);
    expect(clock.now() - 1_000_000).toBe(30_000);
  });
});

describe('every role is assumed before anything is accepted', () => {
  test('a role that cannot be assumed in one account: nothing is accepted anywhere, the inviter undoes, every client is released', async () => {
    const { adapter: a, calls } = adapter(async (id) => accepted(id));
    const roles = assumer({ [C]: awsError('AccessDenied', 'User: arn:aws:sts::111111111111:assumed-role/fn is not authorized to perform: sts:AssumeRole', {}, 403) });
    const compensate = jest.fn(async () => 'the invitations this deployment sent were canceled');
    const error = await acceptThroughRole(a, request([A, B, C], roles, { compensate })).catch((e: Error) => e);
    expect(calls.accept).toEqual([]);
    expect(roles.assumed.sort()).toEqual([A, B, C]);
    expect(roles.made.map((m) => m.client.destroyed)).toEqual([true, true]);
    expect(compensate).toHaveBeenCalledTimes(1);
    expect((error as Error).message).toBe(
      'Nothing was accepted in any of the 3 accounts; the invitations this deployment sent were canceled. ' +
      'Assuming role Accept in account 444444444444 failed with AccessDenied: User: arn:aws:sts::111111111111:assumed-role/fn ' +
      'is not authorized to perform: sts:AssumeRole. Create the role Accept in account 444444444444 with the accept ' +
      'permissions listed in the README ("Invite and accept in one deploy") and a trust policy that lets account ' +
      '111111111111 assume it, or check the service control policies of both accounts; then deploy again.');
  });

  test('accounts failing alike are named in one sentence', async () => {
    const { adapter: a } = adapter(async (id) => accepted(id));
    const denied = awsError('AccessDenied', 'not authorized', {}, 403);
    const error = await acceptThroughRole(a, request([A, B, C], assumer({ [A]: denied, [C]: denied }))).catch((e: Error) => e);
    expect((error as Error).message).toContain('Assuming role Accept in accounts 222222222222 and 444444444444 failed with AccessDenied: not authorized.');
    expect((error as Error).message).toContain('Create the role Accept in accounts 222222222222 and 444444444444 with');
  });
});

describe('undo of what this request accepted', () => {
  test('a later failure undoes the acceptances this request made, never an adopted relationship', async () => {
    const { adapter: a, calls } = adapter(async (id) => {
      if (id === A) return adopted('a-before');
      if (id === B) return accepted('b-now');
      throw awsError('ValidationException', 'The invitation was withdrawn');
    }, async () => undefined);
    const roles = assumer();
    const compensate = jest.fn(async () => 'the 3 members this deployment created were removed again');
    const error = await acceptThroughRole(a, request([A, B, C], roles, { compensate })).catch((e: Error) => e);
    expect(calls.undo).toEqual([B]);
    expect(roles.made.every((m) => m.client.destroyed)).toBe(true);
    expect((error as Error).message).toBe(
      'Nothing stays accepted by this deployment: the acceptance it made in account 333333333333 was undone; the 3 members ' +
      'this deployment created were removed again. Accepting the test invitation through role Accept in account ' +
      '444444444444 failed with ValidationException: The invitation was withdrawn. Send a new invitation, then deploy again.');
  });

  test('an acceptance that cannot be undone is named first, with what to do by hand', async () => {
    const { adapter: a } = adapter(async (id) => {
      if (id === A) return accepted('a-now');
      throw new InvitationError(`Amazon Macie is not enabled in account ${id} in eu-west-1. Enable it, then deploy again.`);
    }, async () => { throw awsError('AccessDeniedException', 'denied', {}, 403); });
    const error = await acceptThroughRole(a, request([A, B], assumer())).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      'The test invitation stays accepted in account 222222222222 (undoing it failed with AccessDeniedException): end it in ' +
      'the test console of that account. Accepting through role Accept in account 333333333333 failed: Amazon Macie is not ' +
      'enabled in account 333333333333 in eu-west-1. Enable it, then deploy again.');
  });

  test('accounts whose acceptance failed alike are named together, the message said of each', async () => {
    const { adapter: a } = adapter(async (id) => {
      throw new InvitationError(`Amazon Macie is not enabled in account ${id} in eu-west-1. Nothing was changed. Enable it, then deploy again.`);
    });
    const error = await acceptThroughRole(a, request([A, B], assumer())).catch((e: Error) => e);
    expect((error as Error).message).toBe('Nothing was accepted in any of the 2 accounts. Accepting through role Accept in ' +
      'accounts 222222222222 and 333333333333 failed: Amazon Macie is not enabled in the account in eu-west-1. Nothing was ' +
      'changed. Enable it, then deploy again.');
  });

  test('a service without undo says the acceptance stays', async () => {
    const { adapter: a } = adapter(async (id) => {
      if (id === A) return accepted('a-now');
      throw awsError('ThrottlingException', 'Rate exceeded', {}, 400);
    });
    const error = await acceptThroughRole(a, request([A, B], assumer())).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^The test invitation stays accepted in account 222222222222 \(it cannot be undone\): end it in the test console of that account\. Accepting the test invitation through role Accept in account 333333333333 failed with ThrottlingException: Rate exceeded\. If this is transient, deploy again/);
  });

  test('one account (Organizations, WorkSpaces): the outcome, then the inviter\'s undo, then the cause', async () => {
    const { adapter: a, calls } = adapter(async () => {
      throw new InvitationError('Accepting the invitation h-1 failed with AccessDeniedException: no. Allow it, then deploy again.');
    });
    const error = await acceptThroughRole(a, request([A], assumer(), {
      compensate: async () => 'the invitation h-1 this deployment sent was canceled',
    })).catch((e: Error) => e);
    expect(calls.undo).toEqual([]);
    expect((error as Error).message).toBe('Nothing was accepted in account 222222222222; the invitation h-1 this deployment ' +
      'sent was canceled. Accepting through role Accept in account 222222222222 failed: Accepting the invitation h-1 failed ' +
      'with AccessDeniedException: no. Allow it, then deploy again.');
  });

  test('a failing undo of the inviter is an outcome too', async () => {
    const { adapter: a } = adapter(async () => { throw awsError('ValidationException', 'gone'); });
    const error = await acceptThroughRole(a, request([A], assumer(), {
      compensate: async () => { throw awsError('ConcurrentModificationException', 'busy'); },
    })).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^Nothing was accepted in account 222222222222; undoing what this deployment made failed too \(ConcurrentModificationException\)\. /);
  });

  test('success: each account\'s outcome, in order; the clients are released; nothing is undone', async () => {
    const { adapter: a, calls } = adapter(async (id) => (id === B ? adopted(`attrs-${id}`) : accepted(`attrs-${id}`)), async () => undefined);
    const roles = assumer();
    const compensate = jest.fn(async () => 'x');
    await expect(acceptThroughRole(a, request([A, B, C], roles, { compensate }))).resolves.toEqual([
      { accountId: A, outcome: 'accepted', attributes: `attrs-${A}` },
      { accountId: B, outcome: 'adopted', attributes: `attrs-${B}` },
      { accountId: C, outcome: 'accepted', attributes: `attrs-${C}` },
    ]);
    expect(calls.undo).toEqual([]);
    expect(compensate).not.toHaveBeenCalled();
    expect(roles.made.every((m) => m.client.destroyed)).toBe(true);
  });
});

describe('limits', () => {
  test(`at most ${ACCEPT_CONCURRENCY} accounts at a time, each assumed before any accept`, async () => {
    let inFlight = 0;
    let most = 0;
    const ids = Array.from({ length: 25 }, (_, i) => String(600000000000 + i));
    const roles = assumer();
    const { adapter: a } = adapter(async (id) => {
      expect(roles.assumed).toHaveLength(ids.length);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return accepted(id);
    });
    await acceptThroughRole(a, request(ids, roles));
    expect(most).toBe(ACCEPT_CONCURRENCY);
  });

  test('a long service message is cut by bytes after the outcome, keeping the code and what to do', async () => {
    const { adapter: a } = adapter(async (id) => {
      if (id === A) return accepted('a');
      throw awsError('ValidationException', '€'.repeat(3000));
    }, async () => undefined);
    const message = ((await acceptThroughRole(a, request([A, B], assumer(), {
      compensate: async () => 'the invitation this deployment sent was canceled',
    })).catch((e: Error) => e)) as Error).message;
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_FAILURE_BYTES);
    expect(message.startsWith('Nothing stays accepted by this deployment: the acceptance it made in account 222222222222 ' +
      'was undone; the invitation this deployment sent was canceled. Accepting the test invitation through role Accept in ' +
      'account 333333333333 failed with ValidationException: €€')).toBe(true);
    expect(message).toMatch(/€\.\.\.\. Send a new invitation, then deploy again\.$/);
  });

  test('fitParts never cuts the outcome, and cuts a multi-byte tail on a character boundary', () => {
    const outcome = 'Nothing was accepted in account 222222222222.';
    const text = fitParts([{ text: outcome }, { text: ' ' + '😀'.repeat(600) }], 200);
    expect(text.startsWith(outcome)).toBe(true);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(200);
    expect(text).toMatch(/😀\.\.\.$/);
  });

  test('describeAccounts names five accounts and counts the rest', () => {
    expect(describeAccounts([A])).toBe('account 222222222222');
    expect(describeAccounts([A, B])).toBe('accounts 222222222222 and 333333333333');
    expect(describeAccounts(Array.from({ length: 8 }, (_, i) => String(i)))).toBe('accounts 0, 1, 2, 3, 4 and 3 more');
  });

  test('no accounts: nothing is assumed', async () => {
    const roles = assumer();
    await expect(acceptThroughRole(adapter(async (id) => accepted(id)).adapter, request([], roles))).resolves.toEqual([]);
    expect(roles.assumed).toEqual([]);
  });

  test('no clients factory: an internal error, before anything happens', async () => {
    await expect(acceptThroughRole(adapter(async (id) => accepted(id)).adapter, { ...request([A], assumer()), clients: {} }))
      .rejects.toThrow(/Internal error: no clients factory/);
  });

  test('cut off at the deadline: the abort is rethrown as it is (the runtime has answered), nothing is undone, clients are released', async () => {
    const controller = new AbortController();
    const { adapter: a, calls } = adapter(async (id) => {
      if (id === A) return accepted('a');
      controller.abort(new Error('deadline'));
      throw new Error('aborted call');
    }, async () => undefined);
    const roles = assumer();
    const compensate = jest.fn(async () => 'x');
    await expect(acceptThroughRole(a, request([A, B], roles, { ctx: { stackId: STACK_ID, signal: controller.signal }, compensate })))
      .rejects.toThrow('deadline');
    expect(calls.undo).toEqual([]);
    expect(compensate).not.toHaveBeenCalled();
    expect(roles.made.every((m) => m.client.destroyed)).toBe(true);
  });
});

describe('assuming the role (fromTemporaryCredentials over STS)', () => {
  const sts = mockClient(STSClient);
  const ctx = { stackId: STACK_ID, requestId: 'b4e7a7f6-0000-0000-0000-000000000001' };
  const credentials = { AccessKeyId: 'AKIAEXAMPLE', SecretAccessKey: 'secret-key-value', SessionToken: 'token-value', Expiration: new Date(Date.now() + 900_000) };

  beforeEach(() => sts.reset());

  test('assumes the role in the partition of the stack, with a session named after the request', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: credentials });
    const make = jest.fn((c: unknown) => ({ c }));
    await assumedClients(ctx, 'Accept', make)(A);
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input).toEqual({
      RoleArn: `arn:aws:iam::${A}:role/Accept`,
      RoleSessionName: 'cdk-account-invitations-b4e7a7f6-0000-0000-0000-000000000001',
      DurationSeconds: SESSION_SECONDS,
    });
    expect(make).toHaveBeenCalledWith(expect.objectContaining({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret-key-value' }));
  });

  test('a refused role is an AssumeRoleError naming account, role and code, never the credentials', async () => {
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 'not authorized to perform sts:AssumeRole', {}, 403));
    const error = await assumedClients(ctx, 'Accept', () => ({}))(A).catch((e: Error) => e);
    expect(error).toBeInstanceOf(AssumeRoleError);
    expect(error).toMatchObject({ accountId: A, roleName: 'Accept', arn: `arn:aws:iam::${A}:role/Accept` });
    expect((error as Error).message).toMatch(/^Assuming role Accept in account 222222222222 \(arn:aws:iam::222222222222:role\/Accept\) to accept the invitation failed with AccessDenied: not authorized to perform sts:AssumeRole\. Create the role Accept in account 222222222222/);
  });

  test('an aborted request does not call STS; an abort during the call ends the wait for it', async () => {
    const aborted = new AbortController();
    aborted.abort(new Error('deadline'));
    await expect(assumedClients({ ...ctx, signal: aborted.signal }, 'Accept', () => ({}))(A)).rejects.toThrow('deadline');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);

    const later = new AbortController();
    sts.on(AssumeRoleCommand).callsFake(() => new Promise(() => undefined));
    const pending = assumedClients({ ...ctx, signal: later.signal }, 'Accept', () => ({}))(A);
    setTimeout(() => later.abort(new Error('deadline later')), 5);
    await expect(pending).rejects.toThrow('deadline later');
  });

  test('through assumeRoleFactory the whole step runs on real SDK clients: they honour the signal and are destroyed after use', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: credentials });
    const macie = mockClient(Macie2Client);
    macie.on(AcceptInvitationCommand).resolves({});
    const destroy = jest.spyOn(Macie2Client.prototype, 'destroy');
    try {
      const controller = new AbortController();
      const adapterOnSdk: RoleAcceptanceAdapter<{ macie: Macie2Client }, string> = {
        what: 'Macie invitation',
        clientsFrom: (c) => ({ macie: new Macie2Client({ credentials: c, region: 'eu-west-1' }) }),
        accept: async (clients, accountId) => {
          await clients.macie.send(new AcceptInvitationCommand({ administratorAccountId: '111111111111', invitationId: `inv-${accountId}` }));
          return { outcome: 'accepted', attributes: accountId };
        },
        undoByHand: 'disassociate by hand',
      };
      const c = { ...ctx, signal: controller.signal };
      // what entryPoints' perRequest makes of the adapter: the clients factory of this request
      const clients = acceptanceClientsOf(adapterOnSdk)(c);
      await acceptThroughRole(adapterOnSdk, { clients, roleName: 'Accept', accountIds: [A, B], ctx: c });
      expect(macie.commandCalls(AcceptInvitationCommand).map((call) => (call.args as unknown[])[1])).toEqual([
        expect.objectContaining({ abortSignal: controller.signal }), expect.objectContaining({ abortSignal: controller.signal }),
      ]);
      expect(destroy).toHaveBeenCalledTimes(2);
    } finally {
      destroy.mockRestore();
      macie.restore();
    }
  });

  test('assumeRoleFactory\'s clients refuse every call once the request is aborted', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: credentials });
    const macie = mockClient(Macie2Client);
    try {
      const controller = new AbortController();
      const factory = assumeRoleFactory({ ...ctx, signal: controller.signal }, (c) => ({ macie: new Macie2Client({ credentials: c, region: 'eu-west-1' }) }));
      const clients = await factory('Accept')(A);
      controller.abort(new Error('deadline'));
      await expect(clients.macie.send(new AcceptInvitationCommand({ administratorAccountId: '111111111111', invitationId: 'i' }))).rejects.toThrow('deadline');
      expect(macie.commandCalls(AcceptInvitationCommand)).toHaveLength(0);
    } finally {
      macie.restore();
    }
  });

  test('releaseClients destroys each client of a set, skips the rest and survives a failing destroy', () => {
    const a = { destroy: jest.fn() };
    const b = { destroy: jest.fn(() => { throw new Error('boom'); }) };
    expect(() => releaseClients({ a, b, name: 'x', nothing: undefined })).not.toThrow();
    expect(a.destroy).toHaveBeenCalledTimes(1);
    expect(b.destroy).toHaveBeenCalledTimes(1);
    expect(() => releaseClients(undefined)).not.toThrow();
  });
});
