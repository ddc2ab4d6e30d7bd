/**
 * The one accepter lifecycle (lambda/shared/accepter.ts), run by the shared runtime over a fake service: one account,
 * at most one inviter at a time (as a Macie member has one administrator per Region), invitations that arrive, end or
 * are accepted. CloudFormation (the rollback rule, the stack's other accepters) through aws-sdk-client-mock.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE, awsError, createEvent, deleteEvent, updateEvent } from './util/events';
import { Adopted, Sighting } from '../lambda/shared/accept';
import {
  AccepterSpec,
  NO_INVITATION,
  Relationship,
  accepterLifecycle,
  accepterPhysicalId,
  parseAccepterPhysicalId,
} from '../lambda/shared/accepter';
import { InvitationError } from '../lambda/shared/errors';
import {
  CREATE_TIMED_OUT_PHYSICAL_ID,
  HandlerResponse,
  InvocationOptions,
  RESPONSE_RESERVE_MS,
  RequestContext,
  cfnEntryPoint,
  makeHandler,
} from '../lambda/shared/runtime';
import { ACT_RESERVE_MS, boundedBudget } from '../lambda/shared/wait';
import { RemovalMode, RawProperties, readAccountId } from '../src/private/contract/read';
import { ACCEPTER, AccepterCommon, REMOVAL } from '../src/private/contract/shared';

const X = '333333333333';
const Y = '444444444444';
const OWN = '111111111111'; // the stack's account in BASE.StackId
const STACK_ID = BASE.StackId.replace('us-east-1', 'eu-west-1');
const ON = { StackId: STACK_ID };

// ---------------------------------------------------------------------------------------------------------------
// A fake service: the account, its relationship and the invitations it sees

interface Props extends AccepterCommon {
  readonly inviter: string;
  readonly removalPolicy: RemovalMode;
}

interface Attributes {
  readonly invitationId: string;
  readonly status: string;
}

interface Invitation {
  readonly inviter: string;
  readonly id: string;
  state: 'pending' | 'ended';
  /** Accepted meanwhile by someone else: the accept finds it done. */
  acceptedMeanwhile?: boolean;
}

interface World {
  current?: Relationship;
  invitations: Invitation[];
  accepted: string[];
  left: number;
  looks: number;
  /** Reads of the relationship fail with this. */
  unreadable?: Error;
}

let world: World;

const parse = (raw: RawProperties): Props => ({
  inviter: readAccountId(raw, 'Inviter'), ...ACCEPTER.parse(raw), removalPolicy: REMOVAL.parse(raw),
});

const properties = (inviter: string, extra: { waitSeconds?: number; removal?: RemovalMode } = {}) => ({
  Inviter: inviter, ...ACCEPTER.properties({ waitSeconds: extra.waitSeconds ?? 0 }), ...REMOVAL.properties(extra.removal ?? 'DESTROY'),
});

async function current(): Promise<Relationship | undefined> {
  if (world.unreadable) throw world.unreadable;
  return world.current;
}

interface Clients {
  readonly cloudformation?: CloudFormationClient;
}

const spec: AccepterSpec<Props, Clients, Attributes> = {
  what: 'test invitation acceptance',
  prefix: 'test-accepter',
  parse,
  words: (props) => ({
    what: 'test invitation', inviter: `inviter ${props.inviter}`, invitee: 'account 111111111111', otherInviterHint: 'Leave it first.',
  }),
  inviterAccount: (props) => props.inviter,
  look: async (_clients, props): Promise<Sighting<Attributes>> => {
    world.looks++;
    const now = await current();
    if (now) {
      return now.inviter === props.inviter
        ? { kind: 'accepted', attributes: { invitationId: now.invitationId ?? NO_INVITATION, status: 'Enabled' } }
        : { kind: 'other-inviter', inviter: `inviter ${now.inviter}` };
    }
    const ours = world.invitations.filter((i) => i.inviter === props.inviter);
    const pending = ours.find((i) => i.state === 'pending');
    if (pending) {
      return {
        kind: 'pending',
        id: pending.id,
        accept: async () => {
          world.current = { inviter: pending.inviter, invitationId: pending.id };
          if (pending.acceptedMeanwhile) return new Adopted({ invitationId: pending.id, status: 'Enabled' });
          world.accepted.push(pending.id);
          return { invitationId: pending.id, status: 'Enabled' };
        },
      };
    }
    const ended = ours.find((i) => i.state === 'ended');
    return ended ? { kind: 'ended', id: ended.id, state: 'Removed' } : { kind: 'none' };
  },
  identify: (props, attributes) => ({ inviter: props.inviter, invitationId: attributes.invitationId }),
  expects: (props, recorded) => props.inviter === recorded.inviter,
  sameExpectation: (props, oldProps) => props.inviter === oldProps.inviter,
  current: () => current(),
  report: async (_clients, props) => {
    const now = await current();
    return now?.inviter === props.inviter
      ? { invitationId: now.invitationId ?? NO_INVITATION, status: 'Enabled' }
      : { invitationId: NO_INVITATION, status: 'NotAssociated' };
  },
  unreadable: () => ({ invitationId: NO_INVITATION, status: 'Unknown' }),
  data: (props, attributes, how) => ({ InvitationId: attributes.invitationId, Status: attributes.status, Inviter: props.inviter, How: how }),
  legacy: (physicalId) => {
    const match = /^test-accepter:[a-z0-9-]+:(\d{12})$/.exec(physicalId);
    return match ? { inviter: match[1] } : undefined;
  },
  removal: (props) => props.removalPolicy,
  leave: async (_clients, recorded) => {
    expect(world.current).toEqual({ inviter: recorded.inviter, invitationId: recorded.invitationId });
    world.current = undefined;
    world.left++;
  },
  targets: {
    keys: (props) => [props.inviter],
    templateValues: (props) => [props.Inviter],
    key: (value) => value,
  },
};

const cfn = mockClient(CloudFormationClient);

/** A fake clock: `sleep` advances it instead of waiting. */
function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, sleep: async (ms: number) => { t += ms; } };
}

let clock: ReturnType<typeof fakeClock>;

function handlerOf(clients: Clients = { cloudformation: new CloudFormationClient({ region: 'eu-west-1' }) }) {
  return makeHandler(accepterLifecycle(spec, { timing: clock }), () => clients);
}

/** The stack as DescribeStacks reports it (and its template, for the stack's other accepters). */
function stack(status: string, resources: Record<string, { Type: string; Properties: Record<string, unknown> }> = {}) {
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: status, CreationTime: new Date() }] as never });
  cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ Resources: resources }) });
}

const logs: string[] = [];

beforeEach(() => {
  world = { invitations: [], accepted: [], left: 0, looks: 0 };
  clock = fakeClock();
  cfn.reset();
  logs.length = 0;
  for (const method of ['log', 'warn', 'error'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => { logs.push(args.map(String).join(' ')); });
  }
});

afterEach(() => jest.restoreAllMocks());

const id = (how: string, inviter: string, invitationId: string) => `test-accepter:eu-west-1:${inviter}:${how}:${invitationId}`;

// ---------------------------------------------------------------------------------------------------------------

describe('the physical ID records accepted versus adopted', () => {
  test('Create accepts the pending invitation: accepted:<invitation ID>', async () => {
    world.invitations.push({ inviter: X, id: 'inv-1', state: 'pending' });
    const result = await handlerOf()(createEvent(properties(X), ON));
    expect(result).toEqual({
      PhysicalResourceId: id('accepted', X, 'inv-1'),
      Data: { InvitationId: 'inv-1', Status: 'Enabled', Inviter: X, How: 'accepted' },
    });
    expect(world.accepted).toEqual(['inv-1']);
  });

  test('Create finds the relationship in place: adopted, nothing accepted', async () => {
    world.current = { inviter: X, invitationId: 'inv-0' };
    const result = await handlerOf()(createEvent(properties(X), ON));
    expect(result.PhysicalResourceId).toBe(id('adopted', X, 'inv-0'));
    expect(result.Data?.How).toBe('adopted');
    expect(world.accepted).toEqual([]);
  });

  test('an accept that finds the invitation accepted meanwhile adopts it', async () => {
    world.invitations.push({ inviter: X, id: 'inv-2', state: 'pending', acceptedMeanwhile: true });
    expect((await handlerOf()(createEvent(properties(X), ON))).PhysicalResourceId).toBe(id('adopted', X, 'inv-2'));
  });

  test('format and parse agree; an invitation ID is NONE when there is none; a segment with ":" is refused', () => {
    const ctx = { stackId: STACK_ID };
    expect(accepterPhysicalId('test-accepter', ctx, 'adopted', { inviter: X })).toBe(id('adopted', X, NO_INVITATION));
    expect(parseAccepterPhysicalId('test-accepter', id('adopted', X, NO_INVITATION))).toEqual({ how: 'adopted', inviter: X });
    expect(parseAccepterPhysicalId('test-accepter', id('accepted', X, 'inv-1'))).toEqual({ how: 'accepted', inviter: X, invitationId: 'inv-1' });
    expect(parseAccepterPhysicalId('test-accepter', id('made-up', X, 'inv-1'))).toBeUndefined();
    expect(parseAccepterPhysicalId('other-accepter', id('accepted', X, 'inv-1'))).toBeUndefined();
    expect(() => accepterPhysicalId('test-accepter', ctx, 'accepted', { inviter: 'o:1' })).toThrow(/Internal error/);
  });

  test('an accepter given its own account as the inviter fails before looking, naming the mix-up', async () => {
    await expect(handlerOf()(createEvent(properties(OWN), ON))).rejects.toThrow(
      'The expected inviter 111111111111 is this stack\'s own account: an accepter is deployed in the invited account and names the inviting one.');
    expect(world.looks).toBe(0);
  });
});

describe('the wait is bounded by waitTimeout and by the time the function has left', () => {
  test('without a deadline, the whole waitTimeout', async () => {
    await expect(handlerOf()(createEvent(properties(X, { waitSeconds: 300 }), ON))).rejects.toThrow(
      /^No test invitation from inviter 333333333333 reached account 111111111111 within 5 minutes\. /);
    expect(clock.now() - 1_000_000).toBe(300_000);
  });

  test('with less time left than waitTimeout, it ends ACT_RESERVE_MS before the deadline, and says so', async () => {
    const deadline = clock.now() + 100_000;
    await expect(handlerOf()(createEvent(properties(X, { waitSeconds: 300 }), ON), { deadline })).rejects.toThrow(
      /within 80 seconds \(the time the function had left\)\. /);
    expect(clock.now()).toBe(deadline - ACT_RESERVE_MS);
  });

  test('an invitation that arrives within the bounded wait is accepted', async () => {
    let looks = 0;
    const arriving: AccepterSpec<Props, Clients, Attributes> = {
      ...spec,
      look: async (clients, props, ctx) => {
        if (++looks === 4) world.invitations.push({ inviter: X, id: 'inv-late', state: 'pending' });
        return spec.look(clients, props, ctx);
      },
    };
    const result = await makeHandler(accepterLifecycle(arriving, { timing: clock }), () => ({}))(
      createEvent(properties(X, { waitSeconds: 60 }), ON), { deadline: clock.now() + 60_000 });
    expect(result.PhysicalResourceId).toBe(id('accepted', X, 'inv-late'));
  });

  test('a default accepter function (its wait plus the accept margin) never cuts the default wait', () => {
    const waitMs = ACCEPTER.defaultWaitSeconds * 1000;
    const start = 0;
    // the runtime aborts RESPONSE_RESERVE_MS before the function's timeout; the wait starts after the first reads
    const deadline = start + waitMs + ACCEPTER.acceptMarginSeconds * 1000 - RESPONSE_RESERVE_MS;
    expect(boundedBudget(waitMs, start + 5_000, deadline)).toEqual({ budgetMs: waitMs, cutByDeadline: false });
  });

  test('the runtime hands the deadline to the lifecycle: when it will give up, less its answer reserve', async () => {
    const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end()); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      let seen: InvocationOptions | undefined;
      const handler = async (_e: CloudFormationCustomResourceEvent, invocation?: InvocationOptions): Promise<HandlerResponse> => {
        seen = invocation;
        return { PhysicalResourceId: 'p' };
      };
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/r`;
      const before = Date.now();
      await cfnEntryPoint(handler)({ ...createEvent({}), ResponseURL: url }, { getRemainingTimeInMillis: () => 120_000 });
      expect(seen?.deadline).toBeGreaterThanOrEqual(before + 120_000 - RESPONSE_RESERVE_MS);
      expect(seen?.deadline).toBeLessThanOrEqual(Date.now() + 120_000 - RESPONSE_RESERVE_MS);

      let ctx: RequestContext | undefined;
      await makeHandler({ ...accepterLifecycle(spec), create: async (_c, _p, c) => { ctx = c; return { PhysicalResourceId: 'p' }; } },
        () => ({}))(createEvent(properties(X), ON), { deadline: 42 });
      expect(ctx?.deadline).toBe(42);
    } finally {
      server.close();
    }
  });
});

describe('Delete leaves only what this resource accepted', () => {
  test('DESTROY of an accepted relationship that still stands on its invitation: left', async () => {
    world.current = { inviter: X, invitationId: 'inv-1' };
    stack('DELETE_IN_PROGRESS');
    await handlerOf()(deleteEvent(id('accepted', X, 'inv-1'), properties(X), ON));
    expect(world.left).toBe(1);
  });

  test('an adopted relationship stays, and the log says why', async () => {
    world.current = { inviter: X, invitationId: 'inv-1' };
    stack('DELETE_IN_PROGRESS');
    await handlerOf()(deleteEvent(id('adopted', X, 'inv-1'), properties(X), ON));
    expect(world.left).toBe(0);
    expect(logs.join('\n')).toContain('this resource adopted the relationship (it was in place before): it stays');
  });

  test('RETAIN keeps even what it accepted', async () => {
    world.current = { inviter: X, invitationId: 'inv-1' };
    stack('DELETE_IN_PROGRESS');
    await handlerOf()(deleteEvent(id('accepted', X, 'inv-1'), properties(X, { removal: 'RETAIN' }), ON));
    expect(world.left).toBe(0);
  });

  test.each([
    ['stands on another invitation now (accepted again by someone else)', { inviter: X, invitationId: 'inv-9' }],
    ['has another inviter now', { inviter: Y, invitationId: 'inv-1' }],
    ['is in no relationship', undefined],
  ])('an accepted relationship stays when the account %s', async (_what, now) => {
    world.current = now;
    stack('DELETE_IN_PROGRESS');
    await handlerOf()(deleteEvent(id('accepted', X, 'inv-1'), properties(X), ON));
    expect(world.left).toBe(0);
    expect(world.current).toEqual(now);
  });

  test('another accepter of the stack expects the same inviter (a renamed construct): it stays', async () => {
    world.current = { inviter: X, invitationId: 'inv-1' };
    stack('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', { Renamed: { Type: BASE.ResourceType, Properties: { Inviter: X } } });
    await handlerOf()(deleteEvent(id('accepted', X, 'inv-1'), properties(X), ON));
    expect(world.left).toBe(0);
  });

  test('a physical ID of the earlier format: cannot tell, so it stays, and the log says so', async () => {
    world.current = { inviter: X, invitationId: 'inv-1' };
    stack('DELETE_IN_PROGRESS');
    const legacy = `test-accepter:eu-west-1:${X}`;
    expect(accepterLifecycle(spec).ownsPhysicalId(legacy)).toBe(true);
    await handlerOf()(deleteEvent(legacy, properties(X), ON));
    expect(world.left).toBe(0);
    expect(logs.join('\n')).toContain('whether this resource accepted the relationship cannot be told (a physical ID of an earlier version): it stays');
  });

  test('a Create that did not finish keeps whatever it may have accepted', async () => {
    world.current = { inviter: X, invitationId: 'inv-1' };
    stack('ROLLBACK_IN_PROGRESS');
    const cloudformation = new CloudFormationClient({ region: 'eu-west-1' });
    // the runtime reads the stack (not a replacement), then hands the Delete to the lifecycle's abandonedCreate
    await makeHandler(accepterLifecycle(spec), () => ({ cloudformation }), { stackClient: () => cloudformation })(
      deleteEvent(`${CREATE_TIMED_OUT_PHYSICAL_ID}:${Date.now()}`, properties(X), ON));
    expect(world.left).toBe(0);
    expect(logs.join('\n')).toContain('a Create that did not finish may have accepted or adopted the relationship: it stays');
  });

  test('without a CloudFormation client a rename cannot be ruled out: even what it accepted stays', async () => {
    world.current = { inviter: X, invitationId: 'inv-1' };
    await handlerOf({})(deleteEvent(id('accepted', X, 'inv-1'), properties(X), ON));
    expect(world.left).toBe(0);
    expect(logs.join('\n')).toContain('cannot be told without reading the stack: the relationship stays');
  });

  test('a service that cannot leave keeps, saying why', async () => {
    const { leave: _leave, ...cannot } = spec;
    world.current = { inviter: X, invitationId: 'inv-1' };
    await makeHandler(accepterLifecycle({ ...cannot, cannotLeave: 'leaving is never automatic' }), () => ({}))(
      deleteEvent(id('accepted', X, 'inv-1'), properties(X), ON));
    expect(world.current).toEqual({ inviter: X, invitationId: 'inv-1' });
    expect(logs.join('\n')).toContain('the relationship stays: leaving is never automatic');
  });
});

describe('Update', () => {
  test('an identity-preserving update keeps the physical ID and accepts nothing', async () => {
    world.current = { inviter: X, invitationId: 'inv-1' };
    world.invitations.push({ inviter: X, id: 'inv-2', state: 'pending' });
    const physicalId = id('accepted', X, 'inv-1');
    const result = await handlerOf()(updateEvent(physicalId, properties(X, { waitSeconds: 60, removal: 'RETAIN' }), properties(X), ON));
    expect(result).toEqual({ PhysicalResourceId: physicalId, Data: { InvitationId: 'inv-1', Status: 'Enabled', Inviter: X, How: 'accepted' } });
    expect(world.accepted).toEqual([]);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  test('an identity-preserving update whose read fails still succeeds (its rollback would read the same way)', async () => {
    world.unreadable = awsError('AccessDeniedException', 'denied', {}, 403);
    const physicalId = id('adopted', X, 'inv-1');
    await expect(handlerOf()(updateEvent(physicalId, properties(X, { waitSeconds: 60 }), properties(X), ON))).resolves.toEqual({
      PhysicalResourceId: physicalId, Data: { InvitationId: NO_INVITATION, Status: 'Unknown', Inviter: X, How: 'adopted' },
    });
  });

  test('an old-format physical ID with the same expectation is kept as it is', async () => {
    world.current = { inviter: X, invitationId: 'inv-1' };
    const legacy = `test-accepter:eu-west-1:${X}`;
    expect((await handlerOf()(updateEvent(legacy, properties(X, { waitSeconds: 60 }), properties(X), ON))).PhysicalResourceId).toBe(legacy);
  });

  test('a forward update to another inviter accepts as on Create, with a new physical ID', async () => {
    world.invitations.push({ inviter: Y, id: 'inv-y', state: 'pending' });
    stack('UPDATE_IN_PROGRESS');
    const result = await handlerOf()(updateEvent(id('accepted', X, 'inv-x'), properties(Y), properties(X), ON));
    expect(result.PhysicalResourceId).toBe(id('accepted', Y, 'inv-y'));
    expect(world.accepted).toEqual(['inv-y']);
  });

  test('a forward update to another inviter while the account is still with the first fails, naming both', async () => {
    world.current = { inviter: X, invitationId: 'inv-x' };
    stack('UPDATE_IN_PROGRESS');
    await expect(handlerOf()(updateEvent(id('accepted', X, 'inv-x'), properties(Y), properties(X), ON)))
      .rejects.toThrow(/is associated with inviter 333333333333, not with the expected inviter 444444444444/);
  });

  test('a rollback accepts nothing and never fails; the cleanup then leaves only what the failed update accepted', async () => {
    // the failed update accepted Y (physical ID accepted:Y); the rollback brings back the properties of X
    world.current = { inviter: Y, invitationId: 'inv-y' };
    world.invitations.push({ inviter: X, id: 'inv-x2', state: 'pending' });
    stack('UPDATE_ROLLBACK_IN_PROGRESS');
    const updated = id('accepted', Y, 'inv-y');
    const result = await handlerOf()(updateEvent(updated, properties(X), properties(Y), ON));
    expect(result).toEqual({
      PhysicalResourceId: id('unknown', X, NO_INVITATION),
      Data: { InvitationId: NO_INVITATION, Status: 'NotAssociated', Inviter: X, How: 'unknown' },
    });
    expect(world.accepted).toEqual([]);
    expect(world.looks).toBe(0);
    // UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: the physical ID of the failed update goes, and with it what it accepted
    stack('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', { [BASE.LogicalResourceId]: { Type: BASE.ResourceType, Properties: { Inviter: X } } });
    await handlerOf()(deleteEvent(updated, properties(Y), ON));
    expect(world.left).toBe(1);
    // and the rollback's own answer, whatever it stands for, is never left
    world.current = { inviter: X, invitationId: 'inv-x2' };
    stack('DELETE_IN_PROGRESS');
    await handlerOf()(deleteEvent(result.PhysicalResourceId, properties(X), ON));
    expect(world.left).toBe(1);
    expect(logs.join('\n')).toContain('cannot be told (the answer of a rollback): it stays');
  });

  test.each([
    ['DescribeStacks is denied', () => cfn.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'denied', {}, 403)), true],
    ['DescribeStacks is throttled past the retries', () => cfn.on(DescribeStacksCommand).rejects(awsError('Throttling', 'Rate exceeded')), true],
    ['there is no CloudFormation client', () => undefined, false],
  ])('a rollback succeeds without the stack read (%s): the account is in the relationship the physical ID names', async (_what, setUp, withClient) => {
    setUp();
    world.current = { inviter: Y, invitationId: 'inv-y' };
    const handler = handlerOf(withClient ? undefined : {});
    const result = await handler(updateEvent(id('accepted', Y, 'inv-y'), properties(X), properties(Y), ON));
    expect(result.PhysicalResourceId).toBe(id('unknown', X, NO_INVITATION));
    expect(world.looks).toBe(0);
    expect(logs.join('\n')).toContain('whether this update is a rollback cannot be told');
  });

  test('stack unreadable, and the relationship cannot be read either: still answered without failing', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'denied', {}, 403));
    world.unreadable = awsError('InternalServerException', 'boom', {}, 500);
    const result = await handlerOf()(updateEvent(id('accepted', Y, 'inv-y'), properties(X), properties(Y), ON));
    expect(result.PhysicalResourceId).toBe(id('unknown', X, NO_INVITATION));
    expect(result.Data).toEqual({ InvitationId: NO_INVITATION, Status: 'Unknown', Inviter: X, How: 'unknown' });
  });

  test('stack unreadable, but the account is not in the relationship the physical ID names: accepts as on Create', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'denied', {}, 403));
    world.invitations.push({ inviter: X, id: 'inv-x', state: 'pending' });
    const result = await handlerOf()(updateEvent(id('accepted', Y, 'inv-y'), properties(X), properties(Y), ON));
    expect(result.PhysicalResourceId).toBe(id('accepted', X, 'inv-x'));
  });

  test('an old-format physical ID naming no inviter is compared by the old properties', async () => {
    const noInviter: AccepterSpec<Props, Clients, Attributes> = { ...spec, legacy: (p) => (/^link-/.test(p) ? { invitationId: p } : undefined) };
    const handler = makeHandler(accepterLifecycle(noInviter, { timing: clock }), () => ({}));
    world.current = { inviter: X, invitationId: 'link-1' };
    expect((await handler(updateEvent('link-1', properties(X, { waitSeconds: 9 }), properties(X), ON))).PhysicalResourceId).toBe('link-1');
    // another expectation, stack unreadable, still in a relationship: kept without accepting
    expect((await handler(updateEvent('link-1', properties(Y), properties(X), ON))).PhysicalResourceId).toBe(id('unknown', Y, NO_INVITATION));
  });

  test('a physical ID that is not this accepter\'s: accepts as on Create', async () => {
    world.invitations.push({ inviter: X, id: 'inv-1', state: 'pending' });
    expect((await handlerOf()(updateEvent('something-else', properties(X), properties(X), ON))).PhysicalResourceId)
      .toBe(id('accepted', X, 'inv-1'));
  });
});

test('errors of the accept flow reach CloudFormation as they are (user-facing)', async () => {
  world.current = { inviter: Y, invitationId: 'inv-y' };
  const error = await handlerOf()(createEvent(properties(X), ON)).catch((e: Error) => e);
  expect(error).toBeInstanceOf(InvitationError);
  expect((error as Error).message).toBe('The account 111111111111 is associated with inviter 444444444444, not with the expected ' +
    'inviter 333333333333. Nothing was changed. Leave it first.');
});
