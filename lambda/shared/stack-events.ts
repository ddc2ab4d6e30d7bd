/**
 * What the runtime reads of its own stack before the cleanup of a Create that did not finish normally
 * (`Lifecycle.abandonedCreate`). Both reads use the function's own role, on its own stack only
 * (`cloudformation:DescribeStackEvents`, `DescribeStacks`, `GetTemplate`, granted in src/private/provider.ts).
 */
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { errorName } from './errors';
import { log } from './log';
import type { RequestContext } from './runtime';
import { CLOCK_SKEW_MS } from './stack';

/** DescribeStackEvents pages read at most (100 events each, newest first): a Create is among the recent events. */
export const MAX_EVENT_PAGES = 10;

/**
 * When the latest Create of the request's logical ID began: the oldest of the CREATE_IN_PROGRESS events that make up
 * its latest create (CloudFormation writes two: one when it starts, one "Resource creation Initiated"). Undefined
 * when the events do not show it (too old, or CloudFormation cannot be asked): the caller then keeps.
 */
export async function createStartedAt(
  cloudformation: CloudFormationClient | undefined,
  ctx: Pick<RequestContext, 'stackId' | 'logicalResourceId'>,
): Promise<Date | undefined> {
  if (!cloudformation) return undefined;
  try {
    let started: Date | undefined;
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_EVENT_PAGES; page++) {
      const out = await cloudformation.send(new DescribeStackEventsCommand({ StackName: ctx.stackId, NextToken: nextToken }));
      for (const event of out.StackEvents ?? []) {
        if (event.LogicalResourceId !== ctx.logicalResourceId) continue;
        if (event.ResourceStatus === 'CREATE_IN_PROGRESS' && event.Timestamp) {
          started = event.Timestamp;
        } else if (started) {
          // an older event of another kind: the run of CREATE_IN_PROGRESS events of the latest create is complete
          return started;
        }
      }
      nextToken = out.NextToken;
      if (!nextToken) return started;
    }
    if (started) return started;
    log('WARN', 'the Create of this resource is not among the stack\'s recent events: its start is unknown', { pages: MAX_EVENT_PAGES });
    return undefined;
  } catch (error) {
    log('WARN', 'could not read the stack\'s events: when this resource\'s Create began is unknown', { error: errorName(error) });
    return undefined;
  }
}

/** DescribeStackEvents pages read at most for a resource's history (5,000 events): what is older is unknown, and kept. */
export const MAX_HISTORY_PAGES = 50;

/** One Create or Update of a resource, in epoch ms: its first IN_PROGRESS event to its COMPLETE or FAILED event. */
export interface OperationWindow {
  readonly start: number;
  /** Absent while the operation runs (the current request's). */
  readonly end?: number;
}

/**
 * When the request's logical ID was being created or updated since `since`: the times its own handler could act.
 * `knownFrom` is how far back the events were read: `since` when they all were, later when the page cap stopped the
 * read (what happened before `knownFrom` is unknown).
 */
export interface OperationHistory {
  /** Newest first. */
  readonly windows: readonly OperationWindow[];
  /** The moment the history starts from (the resource's Create): nothing before it was this resource's. */
  readonly since: number;
  readonly knownFrom: number;
}

const OPERATION_STARTS = new Set(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS']);
const OPERATION_ENDS = new Set(['CREATE_COMPLETE', 'CREATE_FAILED', 'UPDATE_COMPLETE', 'UPDATE_FAILED']);

/**
 * The Creates and Updates of the request's logical ID since `since` (epoch ms), from the stack's events (newest first;
 * Delete events are not operations that invite). Undefined when the events cannot be read: the caller then keeps.
 */
export async function operationHistory(
  cloudformation: CloudFormationClient | undefined,
  ctx: Pick<RequestContext, 'stackId' | 'logicalResourceId'>,
  since: number,
): Promise<OperationHistory | undefined> {
  if (!cloudformation) return undefined;
  const windows: OperationWindow[] = [];
  // the operation being read (newest first: its end is seen before its start; a Create has two IN_PROGRESS events)
  let current: { start?: number; end?: number } = {};
  const close = () => {
    if (current.start === undefined) return;
    // an operation without an end event that is not the newest ended when the next one began
    windows.push({ start: current.start, end: current.end ?? windows[windows.length - 1]?.start });
  };
  let oldest = Number.POSITIVE_INFINITY;
  try {
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const out = await cloudformation.send(new DescribeStackEventsCommand({ StackName: ctx.stackId, NextToken: nextToken }));
      for (const event of out.StackEvents ?? []) {
        const at = event.Timestamp?.getTime();
        if (at === undefined) continue;
        oldest = Math.min(oldest, at);
        if (at < since) {
          close();
          return { windows, since, knownFrom: since };
        }
        if (event.LogicalResourceId !== ctx.logicalResourceId) continue;
        if (OPERATION_ENDS.has(event.ResourceStatus ?? '')) {
          close();
          current = { end: at };
        } else if (OPERATION_STARTS.has(event.ResourceStatus ?? '')) {
          current = { ...current, start: at };
        }
      }
      nextToken = out.NextToken;
      if (!nextToken) {
        close();
        return { windows, since, knownFrom: since };
      }
    }
    // an operation whose end was read but not its start ran at least from the oldest event read
    if (current.start === undefined && current.end !== undefined) current = { ...current, start: oldest };
    close();
    log('WARN', 'the stack\'s events were read only in part: what this resource did before then is unknown', {
      pages: MAX_HISTORY_PAGES, readBackTo: new Date(oldest).toISOString(),
    });
    return { windows, since, knownFrom: Math.max(since, oldest) };
  } catch (error) {
    log('WARN', 'could not read the stack\'s events: when this resource acted is unknown', { error: errorName(error) });
    return undefined;
  }
}

/**
 * Whether `timestamp` falls within one of the history's operations (its end extended by `CLOCK_SKEW_MS`, the service's
 * clock against CloudFormation's): true, false (also before `since`), or undefined when it falls between `since` and
 * what the history could read.
 */
export function duringOperation(history: OperationHistory, timestamp: number, now: number = Date.now()): boolean | undefined {
  if (timestamp < history.since) return false;
  if (timestamp < history.knownFrom) return undefined;
  return history.windows.some((w) => timestamp >= w.start && timestamp <= (w.end ?? now) + CLOCK_SKEW_MS);
}

/** Stack statuses in which CloudFormation deletes the physical IDs that resources left behind when replaced. */
const CLEANUP_STATUSES = new Set(['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS']);

/**
 * Why a Delete is the cleanup of a replaced physical ID rather than the removal of the resource, or undefined when it
 * is not: the stack is in a cleanup phase and its current template still declares the logical ID (so the resource
 * lives on, under the physical ID an Update just returned, and may stand for the same invitation). When
 * CloudFormation cannot be asked, that is a reason too: it cannot be ruled out.
 */
export async function stillDeclared(
  cloudformation: CloudFormationClient | undefined,
  ctx: Pick<RequestContext, 'stackId' | 'logicalResourceId'>,
): Promise<string | undefined> {
  if (!cloudformation) return 'the stack cannot be read (no CloudFormation client)';
  try {
    const { Stacks: stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: ctx.stackId }));
    const status = stacks?.[0]?.StackStatus;
    if (status === undefined || !CLEANUP_STATUSES.has(status)) return undefined;
    const { TemplateBody: body } = await cloudformation.send(new GetTemplateCommand({ StackName: ctx.stackId, TemplateStage: 'Processed' }));
    const resources = (JSON.parse(body ?? '{}') as { Resources?: Record<string, unknown> }).Resources ?? {};
    return Object.prototype.hasOwnProperty.call(resources, ctx.logicalResourceId)
      ? `the stack (${status}) still declares ${ctx.logicalResourceId}: this is the cleanup of a replaced physical ID`
      : undefined;
  } catch (error) {
    log('WARN', 'could not read the stack', { error: errorName(error) });
    return `the stack cannot be read (${errorName(error) ?? 'error'}), so a replacement cannot be ruled out`;
  }
}
