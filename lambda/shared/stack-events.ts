/**
 * What the runtime reads of its own stack before the cleanup of a Create that did not finish normally
 * (`Lifecycle.abandonedCreate`). Both reads use the function's own role, on its own stack only
 * (`cloudformation:DescribeStackEvents`, `DescribeStacks`, `GetTemplate`, granted in src/private/provider.ts).
 */
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { errorName } from './errors';
import { log } from './log';
import type { RequestContext } from './runtime';

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
