import * as http from 'http';
import { AddressInfo } from 'net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { awsError, captureLogs, createEvent, deleteEvent, updateEvent } from './util/events';
import { clientConfig } from '../lambda/shared/clients';
import { mapWithConcurrency, chunk } from '../lambda/shared/concurrency';
import { InvitationError, describeAwsError, toUserFacing } from '../lambda/shared/errors';
import { maskEmail, redact } from '../lambda/shared/log';
import { CREATE_FAILED_PHYSICAL_ID, CREATE_TIMED_OUT_PHYSICAL_ID, HandlerResponse, cfnEntryPoint, makeHandler } from '../lambda/shared/runtime';

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
      PhysicalResourceId: CREATE_TIMED_OUT_PHYSICAL_ID,
      Reason: expect.stringMatching(/did not finish within the handler's timeout/),
    });
  });

  test('a long Reason is cut to fit the response', async () => {
    await cfnEntryPoint(async () => {
      throw new Error('x'.repeat(5000));
    })(event(createEvent({})));
    expect((bodies[0].Reason as string).length).toBeLessThanOrEqual(1000);
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

describe('makeHandler', () => {
  const lifecycle = {
    what: 'test resource',
    parse: (raw: Record<string, unknown>) => {
      if (typeof raw.Name !== 'string') throw new InvitationError('Name is required');
      return { name: raw.Name };
    },
    create: jest.fn(),
    update: jest.fn(async (_c: unknown, physicalId: string) => ({ PhysicalResourceId: physicalId })),
    delete: jest.fn(),
    ownsPhysicalId: () => true,
  };

  test('an Update whose old properties no longer parse compares against the new ones instead of failing', async () => {
    const handler = makeHandler(lifecycle, () => ({}));
    const logs = captureLogs();
    try {
      await expect(handler(updateEvent('p-1', { Name: 'new' }, { Legacy: 1 }))).resolves.toEqual({ PhysicalResourceId: 'p-1' });
    } finally {
      logs.restore();
    }
    expect(lifecycle.update).toHaveBeenCalledWith({}, 'p-1', { name: 'new' }, { name: 'new' }, expect.anything());
  });

  test('the Delete of a Create cut off by the deadline goes to abandonedCreate, with the properties', async () => {
    const abandonedCreate = jest.fn(async () => undefined);
    const logs = captureLogs();
    try {
      await makeHandler({ ...lifecycle, abandonedCreate }, () => ({}))(deleteEvent(CREATE_TIMED_OUT_PHYSICAL_ID, { Name: 'a' }));
    } finally {
      logs.restore();
    }
    expect(abandonedCreate).toHaveBeenCalledWith({}, { name: 'a' }, expect.anything(), undefined);
    expect(lifecycle.delete).not.toHaveBeenCalled();
  });

  test('Data over 4096 bytes is refused with a message', async () => {
    lifecycle.create.mockResolvedValue({ PhysicalResourceId: 'p', Data: { Big: 'x'.repeat(5000) } });
    const logs = captureLogs();
    try {
      await expect(makeHandler(lifecycle, () => ({}))(createEvent({ Name: 'a' }))).rejects.toThrow(/over CloudFormation's 4096/);
    } finally {
      logs.restore();
    }
  });
});
