import * as http from 'http';
import { AddressInfo } from 'net';
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, GetTemplateCommand, StackEvent } from '@aws-sdk/client-cloudformation';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, captureLogs, createEvent, deleteEvent, updateEvent } from './util/events';
import { clientConfig, withSignal } from '../lambda/shared/clients';
import { mapWithConcurrency, chunk } from '../lambda/shared/concurrency';
import { InvitationError, describeAwsError, toUserFacing } from '../lambda/shared/errors';
import { log, maskEmail, redact } from '../lambda/shared/log';
import {
  CREATE_FAILED_PHYSICAL_ID, CREATE_TIMED_OUT_PHYSICAL_ID, HandlerResponse, InvocationOptions, Lifecycle, RESPONSE_RESERVE_MS, RequestContext,
  cfnEntryPoint, createTimedOutPhysicalId, makeHandler, parseMarker,
} from '../lambda/shared/runtime';

describe('cfnEntryPoint answers CloudFormation', () => {
  let server: http.Server;
  let url: string;
  let bodies: Array<Record<string, unknown>>;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        bodies.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => (bodies = []));

  const event = (e: CloudFormationCustomResourceEvent) => ({ ...e, ResponseURL: url }) as CloudFormationCustomResourceEvent;
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(() => (logs = captureLogs()));
  afterEach(() => logs.restore());

  test('SUCCESS with the physical ID and Data', async () => {
    const onEvent = cfnEntryPoint(async () => ({ PhysicalResourceId: 'h-abcdef1234', Data: { HandshakeState: 'OPEN' } }));
    await onEvent(event(createEvent({})));
    expect(bodies).toEqual([expect.objectContaining({
      Status: 'SUCCESS', PhysicalResourceId: 'h-abcdef1234', Data: { HandshakeState: 'OPEN' }, LogicalResourceId: 'Invitation1A2B3C4D',
    })]);
  });

  test('a failed Create answers FAILED with the message (no stack trace) and the marker physical ID', async () => {
    const onEvent = cfnEntryPoint(async () => {
      throw new InvitationError('Inviting account 222222222222 failed: do this');
    });
    await onEvent(event(createEvent({})));
    expect(bodies[0]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID, Reason: 'Inviting account 222222222222 failed: do this' });
  });

  test('the Delete after a failed Create succeeds without calling the handler', async () => {
    const handler = jest.fn<Promise<HandlerResponse>, [CloudFormationCustomResourceEvent]>();
    await cfnEntryPoint(handler)(event(deleteEvent(CREATE_FAILED_PHYSICAL_ID, {})));
    expect(handler).not.toHaveBeenCalled();
    expect(bodies[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID });
  });

  test('a failed Delete keeps its physical ID', async () => {
    await cfnEntryPoint(async () => {
      throw new Error('no');
    })(event(deleteEvent('h-abcdef1234', {})));
    expect(bodies[0]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'h-abcdef1234', Reason: 'no' });
  });

  test('a handler still running shortly before the Lambda times out is answered FAILED with a message', async () => {
    const never = () => new Promise<HandlerResponse>(() => undefined);
    const started = Date.now();
    await cfnEntryPoint(never)(event(createEvent({})), { getRemainingTimeInMillis: () => 15_100 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(bodies[0]).toMatchObject({
      Status: 'FAILED',
      // not the failed-create marker: the Create may have made something, so its Delete must clean up
      PhysicalResourceId: expect.stringMatching(/^cdk-account-invitations:create-timed-out:\d+$/),
      Reason: expect.stringMatching(/did not finish within the handler's timeout/),
    });
    // the marker carries when the Create started
    const marker = parseMarker(bodies[0].PhysicalResourceId as string);
    expect(marker).toEqual({ kind: 'create-timed-out', since: expect.any(Date) });
    const since = (marker as { since: Date }).since.getTime();
    expect(since).toBeGreaterThanOrEqual(started);
    expect(since).toBeLessThan(started + 100);
  });

  test('item 3: at the deadline the handler\'s work is aborted (ctx.signal) before CloudFormation is answered', async () => {
    let seen: AbortSignal | undefined;
    const handler = (_e: CloudFormationCustomResourceEvent, invocation?: InvocationOptions) => {
      seen = invocation?.signal;
      return new Promise<HandlerResponse>(() => undefined);
    };
    await cfnEntryPoint(handler)(event(createEvent({})), { getRemainingTimeInMillis: () => RESPONSE_RESERVE_MS + 100 });
    expect(seen?.aborted).toBe(true);
    expect(String((seen?.reason as Error).message)).toMatch(/did not finish within the handler's timeout/);
    expect(bodies).toHaveLength(1);
  });

  test('a handler that finishes in time is not aborted', async () => {
    let seen: AbortSignal | undefined;
    await cfnEntryPoint(async (_e, invocation) => {
      seen = invocation?.signal;
      return { PhysicalResourceId: 'p' };
    })(event(createEvent({})), { getRemainingTimeInMillis: () => 60_000 });
    expect(seen?.aborted).toBe(false);
  });

  test('a long Reason is cut to fit the response', async () => {
    await cfnEntryPoint(async () => {
      throw new Error('x'.repeat(5000));
    })(event(createEvent({})));
    expect((bodies[0].Reason as string).length).toBeLessThanOrEqual(1000);
  });

  test.each([
    ['3-byte characters', '€'.repeat(2000)],
    ['4-byte characters (surrogate pairs)', '😀'.repeat(1500)],
    ['escaped characters', '"\\\u0001'.repeat(1500)],
  ])('a Reason of %s is cut in bytes, on a character boundary: the body stays within 4,096 bytes', async (_what, reason) => {
    const raw: Buffer[] = [];
    const s2 = http.createServer((req, res) => {
      req.on('data', (c: Buffer) => raw.push(c));
      req.on('end', () => res.end());
    });
    await new Promise<void>((r) => s2.listen(0, '127.0.0.1', r));
    try {
      const url2 = `http://127.0.0.1:${(s2.address() as AddressInfo).port}/r`;
      await cfnEntryPoint(async () => {
        throw new Error(reason);
      })({ ...createEvent({}), ResponseURL: url2 } as CloudFormationCustomResourceEvent);
    } finally {
      await new Promise((r) => s2.close(r));
    }
    const body = Buffer.concat(raw);
    expect(body.length).toBeLessThanOrEqual(4096);
    const text = body.toString('utf8');
    expect(text).not.toContain('\uFFFD');
    const sent = JSON.parse(text).Reason as string;
    expect(sent.endsWith('...')).toBe(true);
    expect(reason.startsWith(sent.slice(0, -3))).toBe(true);
    // a lone surrogate would be escaped as \ud83d in JSON: none
    expect(text).not.toMatch(/\\ud[89ab]/i);
    expect(sent.length).toBeGreaterThan(300);
  });

  test('a FAILED answer is logged with its (masked) Reason', async () => {
    await cfnEntryPoint(async () => {
      throw new InvitationError('Inviting owner@example.com failed: ACCOUNT_NUMBER_LIMIT_EXCEEDED. Do this.');
    })(event(createEvent({})));
    expect(logs.text()).toMatch(/"reason":"Inviting o\*\*\*@example\.com failed: ACCOUNT_NUMBER_LIMIT_EXCEEDED\. Do this\."/);
    expect(logs.text()).not.toContain('owner@');
  });
});

describe('errors and redaction', () => {
  test('describeAwsError names the error, its reason and message', () => {
    expect(describeAwsError(awsError('ConstraintViolationException', 'too many', { Reason: 'MAX_TAG_LIMIT_EXCEEDED' })))
      .toBe('ConstraintViolationException (MAX_TAG_LIMIT_EXCEEDED): too many');
  });

  test('toUserFacing masks emails and keeps InvitationErrors as they are', () => {
    const original = new InvitationError('already clear');
    expect(toUserFacing(original, 'x')).toBe(original);
    expect(toUserFacing(awsError('ValidationException', 'bad owner@example.com'), 'Create').message)
      .toMatch(/^Create failed with ValidationException: bad o\*\*\*@example\.com/);
  });

  test('redact masks emails anywhere and drops sensitive fields', () => {
    expect(maskEmail('owner@example.com')).toBe('o***@example.com');
    expect(redact({ a: ['x owner@example.com y'], Notes: 'hi', nested: { email: 'e@x.io', id: 'h-1' } }))
      .toEqual({ a: ['x o***@example.com y'], Notes: '[redacted]', nested: { email: '[redacted]', id: 'h-1' } });
  });
});

describe('retry strategy', () => {
  const token = async (extra: string[]) => {
    const strategy = clientConfig(extra).retryStrategy;
    return { strategy, token: await strategy.acquireInitialRetryToken('scope') };
  };

  test('retries an error named as transient for the service', async () => {
    const { strategy, token: t } = await token(['ConcurrentModificationException']);
    await expect(strategy.refreshRetryTokenForRetry(t, {
      errorType: 'CLIENT_ERROR', error: awsError('ConcurrentModificationException') as never,
    })).resolves.toBeDefined();
  });

  test('does not retry other client errors, and retries throttling', async () => {
    const { strategy, token: t } = await token(['ConcurrentModificationException']);
    await expect(strategy.refreshRetryTokenForRetry(t, {
      errorType: 'CLIENT_ERROR', error: awsError('AccessDeniedException') as never,
    })).rejects.toThrow();
    await expect(strategy.refreshRetryTokenForRetry(t, {
      errorType: 'THROTTLING', error: awsError('TooManyRequestsException') as never,
    })).resolves.toBeDefined();
  });
});

describe('concurrency', () => {
  test('mapWithConcurrency keeps order and never exceeds the limit', async () => {
    let inFlight = 0;
    let max = 0;
    const out = await mapWithConcurrency([...Array(25).keys()], 4, async (n) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return n * 2;
    });
    expect(out).toEqual([...Array(25).keys()].map((n) => n * 2));
    expect(max).toBe(4);
  });

  test('mapWithConcurrency stops starting work after a failure', async () => {
    const started: number[] = [];
    await expect(mapWithConcurrency([...Array(20).keys()], 2, async (n) => {
      started.push(n);
      if (n === 1) throw new Error('fail');
      await new Promise((r) => setTimeout(r, 5));
    })).rejects.toThrow('fail');
    expect(started.length).toBeLessThan(5);
  });

  test('chunk splits into batches', () => {
    expect(chunk([...Array(120).keys()], 50).map((c) => c.length)).toEqual([50, 50, 20]);
  });
});

describe('response upload failures (item 6)', () => {
  let server: http.Server;
  let url: string;
  /** What each PUT gets: 'ok', 'fail' (HTTP 500) or 'hang' (never answered). Then 'ok'. */
  let plan: Array<'ok' | 'fail' | 'hang'>;
  let delivered: Array<Record<string, unknown>>;
  let attempts: number;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        attempts++;
        const what = plan.shift() ?? 'ok';
        if (what === 'hang') return;
        if (what === 'fail') {
          res.writeHead(500).end();
          return;
        }
        delivered.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(() => {
    delivered = [];
    attempts = 0;
    logs = captureLogs();
  });
  afterEach(() => logs.restore());
  const event = (e: CloudFormationCustomResourceEvent) => ({ ...e, ResponseURL: url }) as CloudFormationCustomResourceEvent;
  const success = async () => ({ PhysicalResourceId: 'h-abcdef1234' });

  test('failed PUTs are retried and the SUCCESS answer goes through', async () => {
    plan = ['fail', 'fail'];
    await cfnEntryPoint(success)(event(createEvent({})), { getRemainingTimeInMillis: () => 60_000 });
    expect(attempts).toBe(3);
    expect(delivered).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'h-abcdef1234' })]);
  });

  test('when every PUT of a SUCCESS answer fails, the invocation fails (Lambda retries it): never a FAILED answer', async () => {
    plan = Array(10).fill('fail');
    await expect(cfnEntryPoint(success)(event(createEvent({})), { getRemainingTimeInMillis: () => 60_000 }))
      .rejects.toThrow(/Uploading the SUCCESS response to CloudFormation failed 5 times/);
    expect(attempts).toBe(5);
    // every attempt carried the SUCCESS answer: nothing turned it into FAILED (the server saw no FAILED body)
    expect(delivered).toEqual([]);
    plan = [];
    // Lambda's retry of the same event: the (idempotent) handler answers again
    await cfnEntryPoint(success)(event(createEvent({})), { getRemainingTimeInMillis: () => 60_000 });
    expect(delivered).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'h-abcdef1234' })]);
  }, 20_000);

  test('hung PUTs at the deadline: the attempts fit in the reserved time, and the invocation fails before the Lambda deadline', async () => {
    plan = Array(10).fill('hang');
    const remaining = RESPONSE_RESERVE_MS + 200;
    const started = Date.now();
    const never = () => new Promise<HandlerResponse>(() => undefined);
    await expect(cfnEntryPoint(never)(event(createEvent({})), { getRemainingTimeInMillis: () => remaining - (Date.now() - started) }))
      .rejects.toThrow(/Uploading the FAILED response/);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(remaining);
    expect(attempts).toBeGreaterThanOrEqual(2);
  }, 30_000);
});

describe('withSignal: the clients honour the request\'s signal (item 3)', () => {
  let server: http.Server;
  let requests: number;
  beforeAll(async () => {
    // an endpoint that never answers: only an abort ends a call to it
    server = http.createServer(() => requests++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  beforeEach(() => (requests = 0));

  const client = () => new CloudFormationClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 3,
  });

  test('an in-flight call is aborted, and later calls fail without a request', async () => {
    const controller = new AbortController();
    const c = withSignal(client(), controller.signal);
    const call = c.send(new DescribeStacksCommand({}));
    await new Promise((r) => setTimeout(r, 200));
    expect(requests).toBe(1);
    const started = Date.now();
    controller.abort(new Error('deadline'));
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(1_000);
    // a resumed container: the old request's next step
    await expect(c.send(new DescribeStacksCommand({}))).rejects.toThrow('deadline');
    expect(requests).toBe(1);
  });

  test('without an abort, calls go through the same SDK client (cached per container)', () => {
    const base = client();
    const c = withSignal(base, new AbortController().signal);
    expect(c).toBeInstanceOf(CloudFormationClient);
    expect(c.config).toBe(base.config);
    expect(withSignal(base, undefined)).toBe(base);
  });
});

describe('makeHandler', () => {
  type Props = { name: string };
  const makeLifecycle = () => ({
    what: 'test resource',
    parse: (raw: Record<string, unknown>): Props => {
      if (typeof raw.Name !== 'string') throw new InvitationError('Name is required');
      if (Object.keys(raw).some((k) => k !== 'Name')) throw new InvitationError(`Unknown property ${Object.keys(raw).join(',')}`);
      return { name: raw.Name };
    },
    ownsPhysicalId: (id: string) => id.startsWith('p-'),
    create: jest.fn(async (_c: unknown, props: Props, _ctx: RequestContext): Promise<HandlerResponse> => ({ PhysicalResourceId: `p-${props.name}` })),
    update: jest.fn(async (_c: unknown, physicalId: string, _p: Props, _o: Props, _ctx: RequestContext): Promise<HandlerResponse> =>
      ({ PhysicalResourceId: physicalId })),
    delete: jest.fn(async (_c: unknown, _physicalId: string, _p: Props, _ctx: RequestContext) => undefined),
    abandonedCreate: jest.fn(async (_c: unknown, _p: Props, _ctx: RequestContext, _since: Date | undefined) => undefined),
  });
  let lifecycle: ReturnType<typeof makeLifecycle>;
  let logs: ReturnType<typeof captureLogs>;
  let cfn: ReturnType<typeof mockClient>;
  beforeAll(() => {
    cfn = mockClient(CloudFormationClient);
  });
  const stackClient = () => new CloudFormationClient({ region: 'us-east-1' });
  beforeEach(() => {
    lifecycle = makeLifecycle();
    logs = captureLogs();
    cfn.reset();
  });
  afterEach(() => logs.restore());
  afterAll(() => cfn.restore());

  /** The stack as DescribeStacks / GetTemplate show it. */
  function stackIs(status: string, logicalIds: string[]) {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: status as never, CreationTime: new Date() }] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ Resources: Object.fromEntries(logicalIds.map((id) => [id, { Type: 'Custom::Test' }])) }) });
  }
  const LOGICAL_ID = 'Invitation1A2B3C4D';

  test('the client factory sees the event and the request context, whose signal the lifecycle gets too (issue 12 prep)', async () => {
    const factory = jest.fn((_e: CloudFormationCustomResourceEvent, _ctx: RequestContext) => ({ tag: 'clients' }));
    const controller = new AbortController();
    const e = createEvent({ Name: 'a' });
    await makeHandler(lifecycle, factory)(e, { signal: controller.signal });
    expect(factory).toHaveBeenCalledWith(e, expect.objectContaining({ requestType: 'Create', signal: controller.signal }));
    expect(lifecycle.create).toHaveBeenCalledWith({ tag: 'clients' }, { name: 'a' }, expect.objectContaining({ signal: controller.signal }));
  });

  test('ServiceToken and ServiceTimeout are the resource\'s own properties, not the handler\'s', async () => {
    await makeHandler(lifecycle, () => ({}))(createEvent({ Name: 'a', ServiceTimeout: '1200' }));
    expect(lifecycle.create).toHaveBeenCalledWith({}, { name: 'a' }, expect.anything());
  });

  test('a failure is logged with the user-facing reason, masked', async () => {
    lifecycle.create.mockRejectedValue(awsError('ValidationException', 'bad owner@example.com'));
    await expect(makeHandler(lifecycle, () => ({}))(createEvent({ Name: 'a' }))).rejects.toThrow(/ValidationException/);
    expect(logs.text()).toMatch(/"level":"ERROR".*"reason":"Create of the test resource failed with ValidationException: bad o\*\*\*@example\.com/);
    expect(logs.text()).not.toContain('owner@');
  });

  describe('Update (items 7 and 8)', () => {
    test('old properties that do not parse go to parseOld (identifying fields only)', async () => {
      const parseOld = jest.fn((raw: Record<string, unknown>) => ({ name: String(raw.Name) }));
      await makeHandler({ ...lifecycle, parseOld }, () => ({}))(updateEvent('p-1', { Name: 'new' }, { Name: 'old', Legacy: 1 }));
      expect(parseOld).toHaveBeenCalledWith({ Name: 'old', Legacy: 1 });
      expect(lifecycle.update).toHaveBeenCalledWith({}, 'p-1', { name: 'new' }, { name: 'old' }, expect.anything());
    });

    test('when parseOld fails too (or is absent), the old properties are taken as the new ones, logged', async () => {
      const parseOld = jest.fn(() => {
        throw new InvitationError('no target');
      });
      await makeHandler({ ...lifecycle, parseOld }, () => ({}))(updateEvent('p-1', { Name: 'new' }, { Legacy: 1 }));
      expect(lifecycle.update).toHaveBeenCalledWith({}, 'p-1', { name: 'new' }, { name: 'new' }, expect.anything());
      expect(logs.text()).toMatch(/identifying fields do not parse: treating them as unchanged/);
      const { parseOld: _none, ...withoutParseOld } = { ...lifecycle, parseOld };
      await expect(makeHandler(withoutParseOld, () => ({}))(updateEvent('p-1', { Name: 'new' }, { Legacy: 1 }))).resolves.toEqual({ PhysicalResourceId: 'p-1' });
    });

    test.each([
      ['create-failed', CREATE_FAILED_PHYSICAL_ID],
      ['create-timed-out', createTimedOutPhysicalId(Date.now())],
      ['bare create-timed-out', CREATE_TIMED_OUT_PHYSICAL_ID],
    ])('an Update of a %s marker creates with the new properties (a new physical ID)', async (_what, marker) => {
      const result = await makeHandler(lifecycle, () => ({}))(updateEvent(marker, { Name: 'b' }, { Name: 'a' }));
      expect(result).toEqual({ PhysicalResourceId: 'p-b' });
      expect(lifecycle.create).toHaveBeenCalledWith({}, { name: 'b' }, expect.objectContaining({ requestType: 'Update' }));
      expect(lifecycle.update).not.toHaveBeenCalled();
    });
  });

  describe('Delete of a Create that did not finish (items 4, 5 and 7)', () => {
    test('a physical ID the lifecycle produces goes to delete', async () => {
      await makeHandler(lifecycle, () => ({}), { stackClient })(deleteEvent('p-a', { Name: 'a' }));
      expect(lifecycle.delete).toHaveBeenCalledWith({}, 'p-a', { name: 'a' }, expect.anything());
      expect(lifecycle.abandonedCreate).not.toHaveBeenCalled();
      expect(cfn.calls()).toHaveLength(0);
    });

    test('the create-timed-out marker goes to abandonedCreate with the time its Create started', async () => {
      stackIs('UPDATE_ROLLBACK_IN_PROGRESS', []);
      const since = new Date('2026-12-01T05:00:00.123Z');
      await makeHandler(lifecycle, () => ({}), { stackClient })(deleteEvent(createTimedOutPhysicalId(since.getTime()), { Name: 'a' }));
      expect(lifecycle.abandonedCreate).toHaveBeenCalledWith({}, { name: 'a' }, expect.anything(), since);
      expect(lifecycle.delete).not.toHaveBeenCalled();
      expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(0);
    });

    test('the bare marker of earlier versions: since unknown', async () => {
      stackIs('ROLLBACK_IN_PROGRESS', [LOGICAL_ID]);
      await makeHandler(lifecycle, () => ({}), { stackClient })(deleteEvent(CREATE_TIMED_OUT_PHYSICAL_ID, { Name: 'a' }));
      expect(lifecycle.abandonedCreate).toHaveBeenCalledWith({}, { name: 'a' }, expect.anything(), undefined);
    });

    test('the create-failed marker: nothing to do', async () => {
      await makeHandler(lifecycle, () => ({}), { stackClient })(deleteEvent(CREATE_FAILED_PHYSICAL_ID, { Name: 'a' }));
      expect(lifecycle.abandonedCreate).not.toHaveBeenCalled();
      expect(lifecycle.delete).not.toHaveBeenCalled();
    });

    const ev = (status: string, logicalId: string, minutesAgo: number, reason?: string): StackEvent => ({
      StackId: 's',
      EventId: `${logicalId}-${status}-${minutesAgo}`,
      StackName: 'LandingZone',
      LogicalResourceId: logicalId,
      ResourceStatus: status as never,
      Timestamp: new Date(Date.UTC(2026, 11, 1, 6, 0) - minutesAgo * 60_000),
      ResourceStatusReason: reason,
    });

    test('a physical ID CloudFormation made up (Create canceled): abandonedCreate, since = the start of the latest Create, from the stack events', async () => {
      stackIs('ROLLBACK_IN_PROGRESS', [LOGICAL_ID, 'Other']);
      // newest first, two pages; an older create/delete of the same logical ID further back
      cfn.on(DescribeStackEventsCommand, { StackName: BASE_STACK }).resolves({
        StackEvents: [
          ev('DELETE_IN_PROGRESS', LOGICAL_ID, 1),
          ev('CREATE_FAILED', LOGICAL_ID, 2, 'Resource creation cancelled'),
          ev('CREATE_FAILED', 'Other', 2),
          ev('CREATE_IN_PROGRESS', LOGICAL_ID, 3, 'Resource creation Initiated'),
        ],
        NextToken: 'page2',
      });
      cfn.on(DescribeStackEventsCommand, { StackName: BASE_STACK, NextToken: 'page2' }).resolves({
        StackEvents: [
          ev('CREATE_IN_PROGRESS', 'Other', 4),
          ev('CREATE_IN_PROGRESS', LOGICAL_ID, 4),
          ev('DELETE_COMPLETE', LOGICAL_ID, 60),
          ev('CREATE_IN_PROGRESS', LOGICAL_ID, 120),
        ],
      });
      await makeHandler(lifecycle, () => ({}), { stackClient })(deleteEvent('LandingZone-Invitation1A2B3C4D-1AB2CD3EF4GH', { Name: 'a' }));
      expect(lifecycle.abandonedCreate).toHaveBeenCalledWith({}, { name: 'a' }, expect.anything(), ev('', '', 4).Timestamp);
      expect(lifecycle.delete).not.toHaveBeenCalled();
    });

    test('when the events cannot be read, since is unknown (the lifecycle then keeps)', async () => {
      stackIs('ROLLBACK_IN_PROGRESS', []);
      cfn.on(DescribeStackEventsCommand).rejects(awsError('AccessDenied', 'no'));
      await makeHandler(lifecycle, () => ({}), { stackClient })(deleteEvent('made-up-id', { Name: 'a' }));
      expect(lifecycle.abandonedCreate).toHaveBeenCalledWith({}, { name: 'a' }, expect.anything(), undefined);
      expect(logs.text()).toMatch(/could not read the stack's events.*AccessDenied/);
    });

    test.each(['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'])(
      'in %s, while the stack still declares the logical ID (an Update replaced the marker), the Delete keeps and says why',
      async (status) => {
        stackIs(status, [LOGICAL_ID]);
        await makeHandler(lifecycle, () => ({}), { stackClient })(deleteEvent(createTimedOutPhysicalId(Date.now()), { Name: 'a' }));
        expect(lifecycle.abandonedCreate).not.toHaveBeenCalled();
        expect(lifecycle.delete).not.toHaveBeenCalled();
        expect(logs.text()).toMatch(/keeping what may be there, because the stack \(UPDATE_.*CLEANUP_IN_PROGRESS\) still declares Invitation1A2B3C4D/);
      });

    test('in a cleanup phase, a logical ID the stack no longer declares is cleaned up', async () => {
      stackIs('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', ['Other']);
      await makeHandler(lifecycle, () => ({}), { stackClient })(deleteEvent(createTimedOutPhysicalId(1_000), { Name: 'a' }));
      expect(lifecycle.abandonedCreate).toHaveBeenCalledWith({}, { name: 'a' }, expect.anything(), new Date(1_000));
    });

    test('when the stack cannot be read, a replacement cannot be ruled out: keep', async () => {
      cfn.on(DescribeStacksCommand).rejects(awsError('Throttling', 'slow down'));
      await makeHandler(lifecycle, () => ({}), { stackClient })(deleteEvent(createTimedOutPhysicalId(1_000), { Name: 'a' }));
      expect(lifecycle.abandonedCreate).not.toHaveBeenCalled();
      expect(lifecycle.delete).not.toHaveBeenCalled();
    });

    test('a lifecycle without abandonedCreate gets such a Delete in delete, as before', async () => {
      stackIs('ROLLBACK_IN_PROGRESS', []);
      const { abandonedCreate: _a, ...plain } = lifecycle;
      await makeHandler(plain, () => ({}), { stackClient })(deleteEvent(createTimedOutPhysicalId(1_000), { Name: 'a' }));
      expect(lifecycle.delete).toHaveBeenCalled();
    });
  });

  test('Data over 4096 bytes is refused with a message', async () => {
    lifecycle.create.mockResolvedValue({ PhysicalResourceId: 'p', Data: { Big: 'x'.repeat(5000) } });
    await expect(makeHandler(lifecycle, () => ({}))(createEvent({ Name: 'a' }))).rejects.toThrow(/over CloudFormation's 4096/);
  });

  test('the Lifecycle contract compiles with every optional member', () => {
    const full: Lifecycle<Props, object> = { ...lifecycle, parseOld: (raw) => ({ name: String(raw.Name) }) };
    expect(full.ownsPhysicalId('p-1')).toBe(true);
    expect(full.ownsPhysicalId('made-up')).toBe(false);
  });
});

const BASE_STACK = 'arn:aws:cloudformation:us-east-1:111111111111:stack/LandingZone/5b1c4e10-0000-0000-0000-000000000000';

describe('issue 17 item 16: the resource\'s own sensitive inputs never reach a log line or the Reason', () => {
  const NOTES = 'Welcome to the Acme landing zone, ticket 4711';
  const secretLifecycle = (fail: (props: Record<string, unknown>) => never): Lifecycle<Record<string, unknown>, object> => ({
    what: 'test invitation',
    parse: (raw) => raw,
    sensitive: (raw) => [raw.Notes as string | undefined],
    ownsPhysicalId: () => true,
    create: async (_c, props) => {
      // a careless log line of a lifecycle, in a field whose name does not say it is sensitive
      log('INFO', 'calling AWS', { detail: `with ${String(props.Notes)}` });
      return fail(props);
    },
    update: async (_c, _id, props) => fail(props),
    delete: async () => undefined,
  });
  // AWS error texts can echo the request: here the service repeats the notes in its message
  const echo = (props: Record<string, unknown>): never => {
    throw awsError('ValidationException', `1 validation error detected: Value '${String(props.Notes)}' at 'notes' failed`);
  };

  test('a Create failure that echoes the notes: Reason and logs are scrubbed, the error code stays', async () => {
    const logs = captureLogs();
    try {
      const error = await makeHandler(secretLifecycle(echo), () => ({}))(createEvent({ Notes: NOTES })).catch((e: Error) => e);
      expect(error).toBeInstanceOf(InvitationError);
      expect((error as Error).message).toMatch(/ValidationException/);
      expect((error as Error).message).not.toContain(NOTES);
      expect((error as Error).message).toContain('[redacted]');
      expect(logs.text()).not.toContain(NOTES);
      expect(logs.text()).toContain('[redacted]');
    } finally {
      logs.restore();
    }
  });

  test('an Update scrubs the old properties\' notes too', async () => {
    const logs = captureLogs();
    try {
      const old = 'The previous welcome text, ticket 42';
      const lifecycle = secretLifecycle(() => {
        throw awsError('ValidationException', `conflicts with '${old}'`);
      });
      const error = await makeHandler(lifecycle, () => ({}))(updateEvent('id-1', { Notes: NOTES }, { Notes: old })).catch((e: Error) => e);
      expect((error as Error).message).not.toContain(old);
      expect(logs.text()).not.toContain(old);
    } finally {
      logs.restore();
    }
  });

  test('without sensitive inputs nothing is scrubbed', async () => {
    const lifecycle = { ...secretLifecycle(echo), sensitive: undefined };
    const error = await makeHandler(lifecycle, () => ({}))(createEvent({ Notes: NOTES })).catch((e: Error) => e);
    expect((error as Error).message).toContain(NOTES);
  });
});
