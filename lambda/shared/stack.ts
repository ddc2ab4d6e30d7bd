/**
 * What the rest of the stack keeps, and what the stack's own operation made.
 *
 * Renaming a construct gives its custom resource a new logical ID: CloudFormation creates the new resource (which
 * adopts the existing invitation, link or members) and then deletes the old one. Without a look at the stack, that
 * Delete would cancel the invitation the new resource now stands for. So before it removes anything, a lifecycle asks
 * `targetsKeptByStack` which of its targets a resource of its type in the stack's current template still declares,
 * and leaves those alone. A lifecycle opts in by describing its targets once (`StackTargets`): the keys its own
 * properties name, and where a template resource's properties name them.
 * - Values the template holds as intrinsics are resolved where the stack tells them: `Ref` to a parameter (the value
 *   DescribeStacks reports, `ResolvedValue` for SSM parameters; NoEcho parameters stay unknown), the pseudo parameters
 *   of the stack ARN, and `Fn::Join` / `Fn::Sub` / `Fn::Select` over those. What cannot be resolved (`Fn::ImportValue`,
 *   `Fn::GetAtt`, a NoEcho parameter, ...) may name the same target: every target of the request is kept, and the log
 *   says which resource made it so. A leaked invitation is cheap, a removed membership is not.
 * - On Delete, the resource's own logical ID counts too when the template still holds it: the Delete is then the
 *   cleanup of a replaced physical ID (or of a marker), and the new properties may name the same target. On Update the
 *   own properties are the request's (already resolved), so the own logical ID is not looked at.
 * - While the whole stack is being deleted, or a new stack's creation is rolled back, nothing is kept.
 * - In an update's cleanup phase the current template is the new one; after a rollback it is the old one: either way
 *   it lists exactly the resources that stay.
 * - If CloudFormation cannot be asked (permissions, throttling after the SDK's retries, a stack it no longer knows),
 *   whether the stack still declares a target cannot be told: every target of this resource is kept, and a WARN names
 *   the error and what to do (remove it by hand if it should go). A leaked invitation is cheap.
 */
import { createHash } from 'crypto';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand, Stack } from '@aws-sdk/client-cloudformation';
import { errorName } from './errors';
import { log } from './log';
import { ACCOUNT_ID } from './props';
import type { RequestContext } from './runtime';

export interface StackClients {
  /** Without it, nothing is looked up and nothing is kept (unit tests of the other paths). */
  readonly cloudformation?: CloudFormationClient;
}

type Properties = Record<string, unknown>;

/** A template value that the stack cannot resolve: it may name any target. */
export const UNRESOLVED: unique symbol = Symbol('unresolved');
export type Unresolved = typeof UNRESOLVED;

/**
 * How a lifecycle names its targets, for `targetsKeptByStack`. Keys are compared as strings: `key` makes equal targets
 * equal keys (for example lower-cased emails).
 */
export interface StackTargets<Props> {
  /** The keys of the targets this resource's (resolved) properties name. */
  keys(props: Props): readonly string[];
  /**
   * The values that name targets in a template resource's Properties, as the template holds them: strings or
   * intrinsics (`{ Ref: ... }`, `{ 'Fn::ImportValue': ... }`). `UNRESOLVED` when not even the list can be read
   * (the list itself is an intrinsic).
   */
  templateValues(properties: Properties): readonly unknown[] | Unresolved;
  /** The key of a resolved value; undefined when it names no target of this kind. */
  key(value: string): string | undefined;
}

/** Stack statuses in which every resource of the stack goes: nothing is kept. */
function everythingGoes(status: string): boolean {
  return status.startsWith('DELETE_') || status === 'ROLLBACK_IN_PROGRESS' || status === 'ROLLBACK_COMPLETE';
}

interface Template {
  readonly Parameters?: Record<string, { NoEcho?: unknown }>;
  readonly Resources?: Record<string, { Type?: string; Properties?: Properties }>;
}

/** The stack as DescribeStacks describes it, or undefined (logged) when CloudFormation cannot be asked. */
export async function describeStack(clients: StackClients, ctx: RequestContext): Promise<Stack | undefined> {
  const read = await readStack(clients, ctx);
  return 'stack' in read ? read.stack : undefined;
}

/** DescribeStacks of the request's stack: the stack, or the error code when CloudFormation cannot be asked (logged). */
async function readStack(clients: StackClients, ctx: RequestContext): Promise<{ stack: Stack | undefined } | { error: string }> {
  if (!clients.cloudformation) return { stack: undefined };
  try {
    const { Stacks: stacks } = await clients.cloudformation.send(
      new DescribeStacksCommand({ StackName: ctx.stackId }),
      { abortSignal: ctx.signal },
    );
    return { stack: stacks?.[0] };
  } catch (error) {
    log('WARN', 'could not read the stack', { error: errorName(error) });
    return { error: errorName(error) ?? 'error' };
  }
}

/** What a person should do about targets kept because the stack could not be read. */
const KEPT_UNREADABLE_HINT = 'Let the function\'s role call cloudformation:DescribeStacks and GetTemplate on its stack; ' +
  'if the invitation (or member) should go, remove it by hand in the service\'s console.';

function keepAllUnreadable(ours: ReadonlySet<string>, read: string, error: string): ReadonlySet<string> {
  log('WARN', `could not read the stack's ${read}, so whether it still declares this resource's targets cannot be told: ` +
    `they are kept. ${KEPT_UNREADABLE_HINT}`, { error, kept: ours.size });
  return ours;
}

/** Whether a request is part of CloudFormation's rollback of a failed update, or `unknown` (the stack cannot be read). */
export type RollbackState = 'rollback' | 'forward' | 'unknown';

/**
 * The one rollback rule: the stack's status is `UPDATE_ROLLBACK_*`. `unknown` when CloudFormation cannot be asked
 * (no client, denied, throttled past the retries): a caller whose rollback must not fail decides without it.
 */
export async function rollbackState(clients: StackClients, ctx: RequestContext): Promise<RollbackState> {
  const read = await readStack(clients, ctx);
  const status = 'stack' in read ? read.stack?.StackStatus : undefined;
  if (status === undefined || !clients.cloudformation) return 'unknown';
  return status.startsWith('UPDATE_ROLLBACK_') ? 'rollback' : 'forward';
}

/** True when the request is part of CloudFormation's rollback of a failed update (false when it cannot be told). */
export async function isRollback(clients: StackClients, ctx: RequestContext): Promise<boolean> {
  return (await rollbackState(clients, ctx)) === 'rollback';
}

/** True when the request is part of a rollback: asked of CloudFormation at most once, and only when the answer matters. */
export type RollbackCheck = () => Promise<boolean>;

/**
 * The inviter-side rollback rule, for every inviter. A rollback (`UPDATE_ROLLBACK_*`) sends the old properties back;
 * it must not fail for the reason its update failed (a role that cannot be assumed, a target that refuses), and must
 * not make what the update could not. So a rollback sends no invitation where an invitation ended (declined, expired,
 * left, resigned) and assumes no role: it restores what it finds without them, and says in a WARN what it did not
 * restore. Asked lazily (`rollbackCheck`), once per request. A stack that cannot be read counts as a forward update:
 * `rollbackState` logged why; a forward update must not silently skip what its template asks for.
 */
export function rollbackCheck(clients: StackClients, ctx: RequestContext): RollbackCheck {
  let answer: Promise<boolean> | undefined;
  return () => (answer ??= isRollback(clients, ctx));
}

/**
 * The WARN of a rollback that leaves an ended invitation as it is (the rule above): `fields` name the targets (never a
 * sensitive value), `next` says how the kind invites again.
 */
export function notRestoredInRollback(fields: Record<string, unknown>, next: string): void {
  log('WARN', 'rollback: the invitation of the earlier properties ended, and a rollback sends no invitation (nor assumes ' +
    `a role): it is not restored. ${next}`, fields);
}

/**
 * True when the acceptance step must be left out because the request is a rollback (`rollbackCheck`); then a WARN says
 * so (`fields`: which invitation, never a sensitive value). An open invitation stays for the invited account to accept.
 */
export async function acceptanceSkippedInRollback(rollback: RollbackCheck, fields: Record<string, unknown>): Promise<boolean> {
  if (!(await rollback())) return false;
  log('WARN', 'rollback: no role is assumed, so nothing is accepted; an open invitation stays for the invited account ' +
    'to accept (or the next deployment with acceptance accepts it).', fields);
  return true;
}

/** What the template and the stack's parameters tell about intrinsics. */
interface Resolver {
  readonly parameters: ReadonlyMap<string, string>;
}

function pseudoParameters(stackId: string, stack: Stack | undefined): Map<string, string> {
  const [, partition, , region, account, rest] = stackId.split(':');
  const out = new Map<string, string>();
  if (partition) out.set('AWS::Partition', partition);
  if (region) out.set('AWS::Region', region);
  if (account && ACCOUNT_ID.test(account)) out.set('AWS::AccountId', account);
  out.set('AWS::StackId', stackId);
  const name = stack?.StackName ?? rest?.split('/')[1];
  if (name) out.set('AWS::StackName', name);
  return out;
}

function resolverFor(ctx: RequestContext, stack: Stack | undefined, template: Template): Resolver {
  const parameters = pseudoParameters(ctx.stackId, stack);
  for (const p of stack?.Parameters ?? []) {
    if (!p.ParameterKey) continue;
    // NoEcho values come back as asterisks: unknown
    if (template.Parameters?.[p.ParameterKey]?.NoEcho === true || template.Parameters?.[p.ParameterKey]?.NoEcho === 'true') continue;
    const value = p.ResolvedValue ?? p.ParameterValue;
    if (value !== undefined) parameters.set(p.ParameterKey, value);
  }
  return { parameters };
}

/** Resolves a template value to a string where the stack tells it, else `UNRESOLVED`. */
export function resolveValue(value: unknown, resolver: Resolver): string | Unresolved {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return UNRESOLVED;
  const entries = Object.entries(value);
  if (entries.length !== 1) return UNRESOLVED;
  const [fn, arg] = entries[0];
  switch (fn) {
    case 'Ref':
      return typeof arg === 'string' ? resolver.parameters.get(arg) ?? UNRESOLVED : UNRESOLVED;
    case 'Fn::Join': {
      if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return UNRESOLVED;
      const parts = (arg[1] as unknown[]).map((p) => resolveValue(p, resolver));
      return parts.some((p) => p === UNRESOLVED) ? UNRESOLVED : (parts as string[]).join(arg[0]);
    }
    case 'Fn::Select': {
      if (!Array.isArray(arg) || !Array.isArray(arg[1])) return UNRESOLVED;
      const index = resolveValue(arg[0], resolver);
      if (index === UNRESOLVED || !/^\d+$/.test(index)) return UNRESOLVED;
      const list = arg[1] as unknown[];
      return Number(index) < list.length ? resolveValue(list[Number(index)], resolver) : UNRESOLVED;
    }
    case 'Fn::Sub': {
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [undefined, {}];
      if (typeof text !== 'string' || typeof vars !== 'object' || vars === null) return UNRESOLVED;
      let unresolved = false;
      const out = text.replace(/\$\{(!?)([^}]*)\}/g, (_, literal: string, name: string) => {
        if (literal) return `\${${name}}`;
        const local = (vars as Record<string, unknown>)[name];
        const resolved = local !== undefined ? resolveValue(local, resolver) : resolver.parameters.get(name) ?? UNRESOLVED;
        if (resolved === UNRESOLVED) {
          unresolved = true;
          return '';
        }
        return resolved;
      });
      return unresolved ? UNRESOLVED : out;
    }
    default:
      return UNRESOLVED;
  }
}

/** The intrinsic function of a value, for the log (`Fn::ImportValue`, `Ref`), never the value itself. */
function intrinsicName(value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) return Object.keys(value)[0] ?? 'object';
  return typeof value;
}

/**
 * The keys of this resource's targets (`targets.keys(props)`) that a resource of its type in the stack's current
 * template declares, or may declare (a value the stack cannot resolve keeps every target). Empty when the whole stack
 * goes. Every target when CloudFormation cannot be asked (it cannot tell: keep). Logs what it keeps and why.
 */
export async function targetsKeptByStack<Props>(
  clients: StackClients,
  ctx: RequestContext,
  targets: StackTargets<Props>,
  props: Props,
): Promise<ReadonlySet<string>> {
  const ours = new Set(targets.keys(props));
  const kept = new Set<string>();
  if (!clients.cloudformation || ours.size === 0) return kept;
  const read = await readStack(clients, ctx);
  if ('error' in read) return keepAllUnreadable(ours, 'status', read.error);
  const stack = read.stack;
  const status = stack?.StackStatus;
  if (status === undefined) return keepAllUnreadable(ours, 'status', 'no stack in the answer');
  if (everythingGoes(status)) return kept;
  let template: Template;
  try {
    const { TemplateBody: body } = await clients.cloudformation.send(
      new GetTemplateCommand({ StackName: ctx.stackId, TemplateStage: 'Processed' }),
      { abortSignal: ctx.signal },
    );
    template = JSON.parse(body ?? '{}') as Template;
  } catch (error) {
    return keepAllUnreadable(ours, 'template', errorName(error) ?? 'error');
  }
  const resolver = resolverFor(ctx, stack, template);
  const keptBy: string[] = [];
  const unresolvedIn: Array<{ logicalId: string; intrinsic: string }> = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== ctx.resourceType) continue;
    if (logicalId === ctx.logicalResourceId && ctx.requestType !== 'Delete') continue;
    const values = targets.templateValues(resource.Properties ?? {});
    const resolved: Array<string | Unresolved> = values === UNRESOLVED ? [UNRESOLVED] : values.map((v) => resolveValue(v, resolver));
    let found = false;
    resolved.forEach((value, i) => {
      if (value === UNRESOLVED) {
        unresolvedIn.push({ logicalId, intrinsic: values === UNRESOLVED ? 'list' : intrinsicName(values[i]) });
        ours.forEach((k) => kept.add(k));
        found = true;
        return;
      }
      const key = targets.key(value as string);
      if (key !== undefined && ours.has(key)) {
        kept.add(key);
        found = true;
      }
    });
    if (found) keptBy.push(logicalId);
  }
  if (unresolvedIn.length > 0) {
    log('WARN', 'a resource of the stack names its target with a value the stack cannot resolve: it may be the same target, so it stays', {
      unresolved: unresolvedIn,
    });
  }
  if (kept.size > 0) log('INFO', 'the stack still declares these targets: they stay', { keptBy, kept: kept.size, of: ours.size });
  return kept;
}

/**
 * Clock skew allowed when comparing a service's timestamp with `since` (the start of a Create, measured by another
 * clock): an item stamped up to this much before `since` still counts as made since then. AWS service clocks and
 * Lambda's are NTP-synchronized to well under a second; 5 s covers that with margin while staying far below the
 * minutes between two deployments that could address the same target.
 */
export const CLOCK_SKEW_MS = 5_000;

/** True when `timestamp` is at or after `since`, within `CLOCK_SKEW_MS`; false when either is unknown. */
export function madeSince(timestamp: Date | string | undefined, since: Date | undefined): boolean {
  return skewedFrom(timestamp, since, -CLOCK_SKEW_MS);
}

/**
 * True only when `timestamp` is later than `since` by more than `CLOCK_SKEW_MS`: made after it whichever clock runs
 * ahead. What may predate `since` does not count (false when either is unknown): the rule of a cleanup that must
 * lean to keeping, such as the cancel after a Create that did not finish (another stack's invitation may be seconds
 * older than that Create).
 */
export function surelyMadeSince(timestamp: Date | string | undefined, since: Date | undefined): boolean {
  return skewedFrom(timestamp, since, CLOCK_SKEW_MS);
}

function skewedFrom(timestamp: Date | string | undefined, since: Date | undefined, slackMs: number): boolean {
  if (timestamp === undefined || since === undefined) return false;
  const t = timestamp instanceof Date ? timestamp.getTime() : Date.parse(timestamp);
  return Number.isFinite(t) && t >= since.getTime() + slackMs;
}

/** Region and account of a stack, from its ARN (`arn:<partition>:cloudformation:<region>:<account>:stack/...`). */
export function stackLocation(stackId: string): { readonly region?: string; readonly account?: string } {
  const [, , , region, account] = stackId.split(':');
  return { region: region || undefined, account: account && ACCOUNT_ID.test(account) ? account : undefined };
}

/** `account 222222222222 in eu-west-1`: the stack's account (or `accountId`, acted in through a role) and Region. */
export function whereActing(stackId: string, accountId?: string): string {
  const { region, account } = stackLocation(stackId);
  const acting = accountId ?? account;
  return region && acting ? `account ${acting} in ${region}` : 'this account and region';
}

/**
 * 16 hex characters of sha256(stackId/logicalId): stable for the life of a resource, unique per stack and resource,
 * and free of account lists and emails. The inviters with members make their physical IDs from it.
 */
export function resourceHash(ctx: Pick<RequestContext, 'stackId' | 'logicalResourceId'>): string {
  return createHash('sha256').update(`${ctx.stackId}/${ctx.logicalResourceId}`).digest('hex').slice(0, 16);
}

/**
 * The targets of an inviter with a list of members (`[{ <accountKey>: <account ID>, ... }]` under `listKey` in its
 * properties): their account IDs. An entry that is itself an intrinsic (`Fn::If`, ...) stays as it is: unresolvable.
 */
export function memberListTargets<Props extends { readonly members: readonly { readonly accountId: string }[] }>(
  listKey: string,
  accountKey: string,
): StackTargets<Props> {
  return {
    keys: (props) => props.members.map((m) => m.accountId),
    templateValues: (properties) => {
      const list = properties[listKey];
      if (!Array.isArray(list)) return UNRESOLVED;
      return list.map((entry) => (entry && typeof entry === 'object' && accountKey in entry ? (entry as Properties)[accountKey] : entry));
    },
    key: (value) => (ACCOUNT_ID.test(value) ? value : undefined),
  };
}

