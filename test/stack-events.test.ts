/**
 * operationHistory (lambda/shared/stack-events.ts): when a resource's own handler could act, read from its stack's
 * events, with a mocked CloudFormation client (aws-sdk-client-mock). The evidence Security Hub's Delete uses to tell
 * the members it invited from those someone else invited between two of its operations.
 */
import { CloudFormationClient, DescribeStackEventsCommand, StackEvent } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, captureLogs } from './util/events';
import { CLOCK_SKEW_MS } from '../lambda/shared/stack';
import { MAX_HISTORY_PAGES, duringOperation, operationHistory } from '../lambda/shared/stack-events';

const cfn = mockClient(CloudFormationClient);
const client = new CloudFormationClient({ region: 'us-east-1', maxAttempts: 1 });
const STACK_ID = 'arn:aws:cloudformation:us-east-1:111111111111:stack/S/1';
const ctx = { stackId: STACK_ID, logicalResourceId: 'Members' };
const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (seconds: number) => T0 + seconds * 1000;

/** Events oldest first, as they happened; answered newest first, `pageSize` per page. */
function events(list: Array<[seconds: number, status: string, logicalId?: string]>, pageSize = 100): void {
  const all: StackEvent[] = list.map(([seconds, status, logicalId], i) => ({
    StackId: STACK_ID,
    StackName: 'S',
    EventId: String(i),
    LogicalResourceId: logicalId ?? 'Members',
    ResourceStatus: status as StackEvent['ResourceStatus'],
    Timestamp: new Date(at(seconds)),
  })).reverse();
  cfn.on(DescribeStackEventsCommand).callsFake((input: { NextToken?: string }) => {
    const from = Number(input.NextToken ?? 0);
    const next = from + pageSize;
    return { StackEvents: all.slice(from, next), NextToken: next < all.length ? String(next) : undefined };
  });
}

beforeEach(() => cfn.reset());

describe('operationHistory', () => {
  const LIFE: Array<[number, string, string?]> = [
    [-100, 'CREATE_COMPLETE', 'Other'],
    [0, 'CREATE_IN_PROGRESS'], [1, 'CREATE_IN_PROGRESS'], [20, 'CREATE_COMPLETE'],
    [500, 'UPDATE_IN_PROGRESS', 'Other'], [510, 'UPDATE_COMPLETE', 'Other'],
    [1000, 'UPDATE_IN_PROGRESS'], [1030, 'UPDATE_FAILED'],
    [1040, 'UPDATE_IN_PROGRESS'], [1050, 'UPDATE_COMPLETE'],
    [2000, 'DELETE_IN_PROGRESS'],
  ];

  test('each Create and Update of the logical ID is one window, from its first IN_PROGRESS to its end; Deletes and other resources are not', async () => {
    events(LIFE);
    const history = await operationHistory(client, ctx, at(0));
    expect(history).toEqual({
      windows: [{ start: at(1040), end: at(1050) }, { start: at(1000), end: at(1030) }, { start: at(0), end: at(20) }],
      since: at(0),
      knownFrom: at(0),
    });
    expect(duringOperation(history!, at(10))).toBe(true);
    expect(duringOperation(history!, at(20) + CLOCK_SKEW_MS)).toBe(true); // the service's clock may run ahead
    expect(duringOperation(history!, at(505))).toBe(false); // between two operations: someone else's
    expect(duringOperation(history!, at(-50))).toBe(false); // before the Create
  });

  test('the running operation (no end event yet) lasts until now', async () => {
    events([[0, 'CREATE_IN_PROGRESS'], [20, 'CREATE_COMPLETE'], [1000, 'UPDATE_IN_PROGRESS']]);
    const history = (await operationHistory(client, ctx, at(0)))!;
    expect(history.windows[0]).toEqual({ start: at(1000), end: undefined });
    expect(duringOperation(history, at(1500), at(1600))).toBe(true);
    expect(duringOperation(history, at(500), at(1600))).toBe(false);
  });

  test('reads only back to the Create: older pages are not asked for', async () => {
    events([...Array(250).keys()].map((i): [number, string, string] => [-1000 + i, 'UPDATE_COMPLETE', 'Other']).concat(LIFE as any), 10);
    await operationHistory(client, ctx, at(0));
    // 11 events of the resource's life plus the first older one: two pages of 10
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(2);
  });

  test('when the page cap stops the read, what is older than the oldest event read is unknown (undefined), never "not ours"', async () => {
    const busy: Array<[number, string, string?]> = [[0, 'CREATE_IN_PROGRESS'], [20, 'CREATE_COMPLETE'], [30, 'UPDATE_IN_PROGRESS']];
    for (let i = 0; i < MAX_HISTORY_PAGES * 10; i++) busy.push([40 + i, 'UPDATE_COMPLETE', 'Other']);
    busy.push([5000, 'UPDATE_COMPLETE']);
    events(busy, 10);
    const { text, restore } = captureLogs();
    try {
      const history = (await operationHistory(client, ctx, at(0)))!;
      expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(MAX_HISTORY_PAGES);
      expect(history.knownFrom).toBeGreaterThan(at(30));
      expect(duringOperation(history, at(10))).toBeUndefined(); // the Create's window was not read
      // the Update whose start was not read ran at least from the oldest event read
      expect(duringOperation(history, history.knownFrom + 1000)).toBe(true);
      expect(text()).toMatch(/read only in part/);
    } finally {
      restore();
    }
  });

  test('events that cannot be read: undefined (the caller keeps), with the reason logged', async () => {
    cfn.on(DescribeStackEventsCommand).rejects(awsError('AccessDenied', 'not authorized', {}, 403));
    const { text, restore } = captureLogs();
    try {
      expect(await operationHistory(client, ctx, at(0))).toBeUndefined();
      expect(text()).toMatch(/could not read the stack's events.*AccessDenied/);
    } finally {
      restore();
    }
    expect(await operationHistory(undefined, ctx, at(0))).toBeUndefined();
  });
});
