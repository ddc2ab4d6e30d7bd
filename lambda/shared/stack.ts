/**
 * What the rest of the stack keeps.
 *
 * Renaming a construct gives its custom resource a new logical ID: CloudFormation creates the new resource (which
 * adopts the existing invitation, link or members) and then deletes the old one. Without a look at the stack, that
 * Delete would cancel the invitation the new resource now stands for. So before a destructive Delete a handler asks
 * which other resources of its type the stack's current template still declares, and leaves their invitations alone.
 * - While the whole stack is being deleted, nothing is kept.
 * - In an update's cleanup phase the current template is the new one; after a rollback it is the old one: either way
 *   it lists exactly the resources that stay.
 * - If CloudFormation cannot be asked (permissions, throttling), the Delete goes ahead as it would without the look.
 */
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { errorName } from './errors';
import { log } from './log';
import { ACCOUNT_ID } from './props';
import type { RequestContext } from './runtime';

export interface StackClients {
  /** Without it, nothing is looked up and every Delete goes ahead (unit tests of the other paths). */
  readonly cloudformation?: CloudFormationClient;
}

type Properties = Record<string, unknown>;

/**
 * The properties of the other resources of the request's type that the stack keeps, or an empty list when the stack
 * is being deleted or CloudFormation cannot tell.
 */
export async function propertiesKeptByStack(clients: StackClients, ctx: RequestContext): Promise<Properties[]> {
  if (!clients.cloudformation) return [];
  try {
    const { Stacks: stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: ctx.stackId }));
    const status = stacks?.[0]?.StackStatus;
    if (status === undefined || status.startsWith('DELETE_')) return [];
    const { TemplateBody: body } = await clients.cloudformation.send(new GetTemplateCommand({
      StackName: ctx.stackId,
      TemplateStage: 'Processed',
    }));
    const resources = (JSON.parse(body ?? '{}') as { Resources?: Record<string, { Type?: string; Properties?: Properties }> }).Resources ?? {};
    return Object.entries(resources)
      .filter(([logicalId, r]) => logicalId !== ctx.logicalResourceId && r.Type === ctx.resourceType)
      .map(([, r]) => r.Properties ?? {});
  } catch (error) {
    log('WARN', 'could not read the stack to see what it keeps: deleting as usual', { error: errorName(error) });
    return [];
  }
}

/** Region and account of a stack, from its ARN (`arn:<partition>:cloudformation:<region>:<account>:stack/...`). */
export function stackLocation(stackId: string): { readonly region?: string; readonly account?: string } {
  const [, , , region, account] = stackId.split(':');
  return { region: region || undefined, account: account && ACCOUNT_ID.test(account) ? account : undefined };
}

/** The string values of `key` in `properties` (tokens such as `{ Ref: ... }` are skipped: they cannot be compared). */
export function stringValues(properties: Properties[], key: string): string[] {
  return properties.map((p) => p[key]).filter((v): v is string => typeof v === 'string');
}
