/**
 * The integration tier's CloudFormation: runs the bundles the package ships (`assets/lambda/<name>/index/index.js`)
 * against the local emulator, through their Lambda entry point `onEvent`, and collects the responses they PUT to the
 * ResponseURL on a local 127.0.0.1 server, as CloudFormation would.
 *
 * ```ts
 * const cfn = await startCfn('org-invitation');          // emulator + response server + a Lambda host
 * const created = await cfn.create({ TargetId: '222222222222', TargetType: 'ACCOUNT' });
 * expect(created.Status).toBe('SUCCESS');
 * await cfn.delete(created.PhysicalResourceId, props);
 * cfn.expectFinalState({});                              // no leaks, no invalid request
 * await cfn.stop();
 * ```
 *
 * Each `startCfn` runs the bundle in a new child process (`lambda-host.js`: one Lambda container, one module
 * instance): its environment is set before the bundle is loaded (the handlers create their SDK clients on first use
 * and read the environment then: endpoints, region, dummy credentials, the CDK_ACCOUNT_INVITATIONS_* overrides of
 * the test). Not `jest.isolateModules`: the SDK's HTTP handler loads `node:http` with a dynamic `import()`, which
 * jest's module sandbox refuses without --experimental-vm-modules.
 *
 * Like CloudFormation's asynchronous invocation, an invocation that fails (onEvent throws, e.g. when its answer could
 * not be uploaded) is invoked again, at most LAMBDA_ASYNC_RETRIES times, at once; `failResponses` makes the
 * ResponseURL answer HTTP 500 or never answer, and `expectFinalState` counts the failed invocations.
 *
 * The player also keeps each stack in the emulator's CloudFormation the way CloudFormation does, for the handlers'
 * DescribeStacks / GetTemplate on Delete (see `PlayedStack`): the template lists the resources that exist, a
 * Delete's resource is already gone from it (the update removed it), and `{ stackStatus: 'DELETE_IN_PROGRESS' }`
 * plays a whole-stack delete. It writes the resource events CloudFormation writes (CREATE_IN_PROGRESS when it starts a
 * Create, CREATE_COMPLETE / CREATE_FAILED when the answer arrives, ...) for the handlers' DescribeStackEvents, and
 * `cancelCreate` plays CloudFormation canceling a Create that is still in progress (another resource failed).
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { bundleFile, HANDLER_NAMES, HandlerName, HANDLERS } from '../../src/private/handlers';
import type { StackStatus } from '../emulator/cloudformation';
import type { MemberStatus } from '../emulator/detective';
import { Emulator, EmulatorOptions, ENDPOINT_VARIABLES, startEmulator } from '../emulator/emulator';
import type { RelationshipStatus } from '../emulator/macie';
import type { MemberStatus as SecurityHubMemberStatus } from '../emulator/securityhub';
import { BASE, createEvent, deleteEvent, updateEvent } from '../util/events';

export type { HandlerName } from '../../src/private/handlers';

const fromRegistry = <T>(pick: (name: HandlerName) => T) =>
  Object.fromEntries(HANDLER_NAMES.map((name) => [name, pick(name)])) as Readonly<Record<HandlerName, T>>;

/** The Lambda timeout each construct configures (the handler registry): the fake context starts with that much time left. */
export const LAMBDA_TIMEOUT_MS = fromRegistry((name) => HANDLERS[name].timeoutSeconds * 1000);

/** The custom resource types the constructs declare (the handler registry): the events' ResourceType and the template's Type. */
export const RESOURCE_TYPES = fromRegistry((name) => HANDLERS[name].resourceType);

/** The stack of the events unless a request names another (test/util/events.ts). */
export const STACK_ID = BASE.StackId;
/** Another stack of the same account and region: e.g. where an invitation "opened outside the stack" comes from. */
export const OTHER_STACK_ID = 'arn:aws:cloudformation:us-east-1:111111111111:stack/OtherStack/6c2d5f21-0000-0000-0000-000000000000';

/** The physical ID the runtime answers a failed Create with (lambda/shared/runtime.ts). */
export const CREATE_FAILED = 'cdk-account-invitations:create-failed';
/**
 * The physical ID of a Create cut off by the Lambda deadline, `...:create-timed-out:<epoch ms when it started>`: its
 * Delete cleans up what that Create can be shown to have made.
 */
export const CREATE_TIMED_OUT = /^cdk-account-invitations:create-timed-out:\d+$/;

/** What a fault scenario may take at most: far below the Lambda timeouts, far above what it should take. */
export const FAULT_BUDGET_MS = 30_000;

export const ROOT = path.join(__dirname, '..', '..');

/** The shipped bundle of a handler, where the registry says projen's bundler writes it. */
export function bundlePath(name: HandlerName): string {
  return path.join(ROOT, bundleFile(name));
}

type Props = Record<string, unknown>;

/** The response CloudFormation received, and how long the invocation took. */
export interface CfnResult {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly PhysicalResourceId: string;
  readonly Data: Record<string, unknown>;
  readonly Reason: string;
  /** From the first invocation's start to the delivered answer (Lambda's retries included). */
  readonly elapsedMs: number;
  /** How long each invocation of the event took: more than one when an invocation failed and Lambda retried it. */
  readonly invocationMs: readonly number[];
}

/** What the ResponseURL does with a PUT: answer HTTP 500 (`fail`) or never answer (`hang`). */
export type ResponseFault = 'fail' | 'hang';

export interface StartOptions {
  /** Extra environment of the Lambda function, e.g. `CDK_ACCOUNT_INVITATIONS_REQUEST_TIMEOUT_MS`. */
  readonly env?: Readonly<Record<string, string>>;
  readonly emulator?: EmulatorOptions;
  /**
   * The account the Lambda function (and its stack) lives in: its credentials map to that account in the emulator.
   * Default: the legacy caller of account 111111111111 (access key `test`).
   */
  readonly accountId?: string;
  /**
   * Play a second stack against the emulator of another player (two accounts, one state): this player does not stop
   * it. `emulator` options are then ignored.
   */
  readonly sharedWith?: Cfn;
}

/** The stack ID of an account's stack in the player: `arn:aws:cloudformation:us-east-1:<account>:stack/<name>/<uuid>`. */
export function stackIdOf(account: string, name = 'LandingZone'): string {
  return `arn:aws:cloudformation:us-east-1:${account}:stack/${name}/5b1c4e10-0000-0000-0000-${account}`;
}

export interface RequestOptions {
  readonly logicalResourceId?: string;
  /** The same RequestId twice is what a Lambda retry of one CloudFormation request looks like. */
  readonly requestId?: string;
  /** The Lambda time left when the event arrives; default: the timeout the construct configures. */
  readonly lambdaTimeoutMs?: number;
  /** The event's StackId; default STACK_ID. Each stack is kept in the emulator's CloudFormation on its own. */
  readonly stackId?: string;
  /**
   * The stack's status while the handler runs. Default: CREATE_IN_PROGRESS for the stack's first event,
   * UPDATE_IN_PROGRESS for a Create or an Update, UPDATE_COMPLETE_CLEANUP_IN_PROGRESS for a Delete (the update
   * removed the resource from the template). `DELETE_IN_PROGRESS` on a Delete plays a whole-stack delete: the
   * template keeps every resource, and the stack's later Deletes are part of the same stack delete.
   */
  readonly stackStatus?: StackStatus;
  /** The resource's Properties in the template when they differ from the event's resolved ones, e.g. `{ TargetId: { Ref: 'Target' } }`. */
  readonly templateProperties?: Props;
}

/** A Create CloudFormation canceled while it was in progress: what the function answered (ignored) and the ID CloudFormation made up. */
export interface CanceledCreate {
  /** The answer the function PUT to the ResponseURL after CloudFormation had canceled the Create: ignored. */
  readonly ignoredAnswer: CfnResult;
  /** The physical ID CloudFormation made up for the resource (`<LogicalId>-<random>`): its rollback Delete carries it. */
  readonly physicalId: string;
}

/** What the emulator may still hold once the scenario is over; anything else is a leak. */
export interface FinalState {
  /** IDs of the Organizations handshakes that stay open. */
  readonly openHandshakes?: readonly string[];
  /** Macie members by relationship status. */
  readonly macieMembers?: Partial<Record<RelationshipStatus, readonly string[]>>;
  /** IDs of the WorkSpaces account links that stay pending. */
  readonly pendingLinks?: readonly string[];
  /** Detective members by status, per behavior graph ARN. */
  readonly detectiveMembers?: Readonly<Record<string, Partial<Record<MemberStatus, readonly string[]>>>>;
  /** Security Hub members by status. */
  readonly securityHubMembers?: Partial<Record<SecurityHubMemberStatus, readonly string[]>>;
  /** Invocations that failed (onEvent threw) and that Lambda retried. Default 0. */
  readonly failedInvocations?: number;
}

/**
 * CloudFormation invokes custom-resource functions asynchronously: an invocation that fails is retried twice (one
 * and then two minutes later; the player retries at once).
 */
export const LAMBDA_ASYNC_RETRIES = 2;

/** An email with more than one character before the @: not masked (the handlers log `o***@example.com`). */
const UNMASKED_EMAIL = /[A-Za-z0-9._%+-]{2,}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

/** Variables of the jest process that must not reach the Lambda host: it gets its own. */
const MANAGED_ENV = /^(AWS_|CDK_ACCOUNT_INVITATIONS_)/;

type HostMessage =
  | { readonly type: 'ready'; readonly exports: string[] }
  | { readonly type: 'done'; readonly id: number; readonly error?: string }
  | { readonly type: 'crash'; readonly error: string };

/** Plays CloudFormation for one handler module (one Lambda container) against one emulator. */
export class Cfn {
  /** Unhandled rejections and exceptions of the Lambda host: each would fail a real invocation. */
  readonly crashes: string[] = [];
  /** Invocations that threw, each with its error: Lambda retried them. */
  readonly failedInvocations: string[] = [];
  /** Every PUT to a ResponseURL, answered or not. */
  responseAttempts = 0;
  private readonly responses = new Map<string, string[]>();
  private readonly responseFaults: ResponseFault[] = [];
  private stickyResponseFault?: ResponseFault;
  private readonly stacks = new Map<string, PlayedStack>();
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private output = '';
  private nextId = 0;
  private nextDelivery = 0;
  private server?: http.Server;
  private host?: ChildProcess;
  private baseUrl = '';
  private stopped = false;
  /** The StackId of requests that name none. */
  private defaultStackId = STACK_ID;

  constructor(readonly handlerName: HandlerName, readonly emulator: Emulator, private readonly ownsEmulator = true) {}

  async start(options: StartOptions): Promise<void> {
    if (options.accountId) this.defaultStackId = stackIdOf(options.accountId);
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const key = req.url ?? '/';
        if (req.method === 'PUT') {
          this.responseAttempts++;
          const fault = this.responseFaults.shift() ?? this.stickyResponseFault;
          if (fault === 'hang') return;
          if (fault === 'fail') return void res.writeHead(500).end();
          this.responses.set(key, [...(this.responses.get(key) ?? []), Buffer.concat(chunks).toString('utf8')]);
        }
        res.writeHead(req.method === 'PUT' ? 200 : 405).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;

    const file = bundlePath(this.handlerName);
    if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run \`npx projen bundle\` first.`);
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !MANAGED_ENV.test(key)));
    Object.assign(env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      ...(options.accountId ? this.emulator.envFor(options.accountId) : {}),
      // no shared config or credentials files, no instance metadata: nothing of the machine leaks in
      AWS_CONFIG_FILE: path.join(ROOT, '.tmp', 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, '.tmp', 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      // every emulated service's endpoint (the emulator's list: a new service needs no line here)
      ...Object.fromEntries(ENDPOINT_VARIABLES.map((name) => [name, this.emulator.url])),
      AWS_LAMBDA_FUNCTION_NAME: `integ-${this.handlerName}`,
      ...options.env,
    });
    const host = fork(path.join(__dirname, 'lambda-host.js'), [file], {
      env,
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.host = host;
    host.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    host.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the Lambda host exited (${code}) before loading the bundle:\n${this.output}`));
      host.once('exit', onExit);
      host.on('message', (message: HostMessage) => {
        if (message.type === 'ready') {
          host.off('exit', onExit);
          if (!message.exports.includes('onEvent') || !message.exports.includes('handler')) {
            reject(new Error(`${path.relative(ROOT, file)} exports ${message.exports.join(', ')}, not onEvent and handler`));
          } else {
            resolve();
          }
        } else if (message.type === 'crash') {
          this.crashes.push(message.error);
        } else {
          const call = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.error === undefined) call?.resolve();
          else call?.reject(new Error(`onEvent threw (Lambda would retry the event): ${message.error}`));
        }
      });
    });
    host.on('exit', (code, signal) => {
      for (const call of this.pending.values()) call.reject(new Error(`the Lambda host exited (${code ?? signal}):\n${this.output}`));
      this.pending.clear();
    });
  }

  /**
   * Sends any event to `onEvent` and returns what CloudFormation received; the event's stack is kept in the
   * emulator's CloudFormation before and after (`stack` options: see RequestOptions).
   */
  async send(
    event: CloudFormationCustomResourceEvent,
    lambdaTimeoutMs = LAMBDA_TIMEOUT_MS[this.handlerName],
    stack: Pick<RequestOptions, 'stackStatus' | 'templateProperties'> = {},
  ): Promise<CfnResult> {
    const played = this.stack(event.StackId);
    played.before(event, stack);
    const result = await this.invoke(event, lambdaTimeoutMs);
    played.after(event, result, stack);
    return result;
  }

  /** The stack as the player keeps it (created on first use). */
  stack(stackId = this.defaultStackId): PlayedStack {
    let played = this.stacks.get(stackId);
    if (!played) {
      played = new PlayedStack(this.emulator, stackId, this.handlerName);
      this.stacks.set(stackId, played);
    }
    return played;
  }

  /**
   * The next PUTs to a ResponseURL fail, one fault each, in order. `failResponses('hang', 'untilRetry')` makes every PUT
   * hang until the invocation fails and Lambda retries it.
   */
  failResponses(fault: ResponseFault, count: number | 'untilRetry'): void {
    if (count === 'untilRetry') this.stickyResponseFault = fault;
    else this.responseFaults.push(...Array<ResponseFault>(count).fill(fault));
  }

  /** Invokes onEvent as Lambda's asynchronous invocation does: a failed invocation is retried (LAMBDA_ASYNC_RETRIES). */
  private async invoke(event: CloudFormationCustomResourceEvent, lambdaTimeoutMs: number): Promise<CfnResult> {
    const host = this.host;
    if (!host) throw new Error('not started');
    const started = Date.now();
    const invocationMs: number[] = [];
    for (let attempt = 0; ; attempt++) {
      const id = this.nextId++;
      const invoked = Date.now();
      try {
        await new Promise<void>((resolve, reject) => {
          this.pending.set(id, { resolve, reject });
          host.send({ type: 'invoke', id, event, timeoutMs: lambdaTimeoutMs });
        });
        invocationMs.push(Date.now() - invoked);
        break;
      } catch (error) {
        invocationMs.push(Date.now() - invoked);
        const message = error instanceof Error ? error.message : String(error);
        if (!message.startsWith('onEvent threw') || attempt >= LAMBDA_ASYNC_RETRIES) throw error;
        this.failedInvocations.push(message);
        this.stickyResponseFault = undefined;
      }
    }
    const elapsedMs = Date.now() - started;
    const bodies = this.responses.get(responseKey(event)) ?? [];
    if (bodies.length !== 1) {
      throw new Error(`${event.RequestType} ${event.RequestId}: expected one response at the ResponseURL, got ${bodies.length}`);
    }
    return { ...checkResponse(event, bodies[0], elapsedMs), invocationMs };
  }

  create(props: Props, options: RequestOptions = {}): Promise<CfnResult> {
    return this.send(createEvent(props, this.overrides(options)), options.lambdaTimeoutMs, options);
  }

  /**
   * CloudFormation starts the resource's Create (its CREATE_IN_PROGRESS events are written, the function is invoked),
   * then another resource of the stack fails and CloudFormation cancels this Create while it is still in progress:
   * CREATE_FAILED "Resource creation cancelled", the resource is not in the template, the stack rolls back
   * (ROLLBACK_IN_PROGRESS for a new stack, UPDATE_ROLLBACK_IN_PROGRESS otherwise). The function still finishes its
   * work and answers, too late: CloudFormation ignores it. Its rollback Delete then carries a physical ID CloudFormation
   * made up: send it with `delete(canceled.physicalId, props)` (the stack status defaults to the rollback's).
   */
  async cancelCreate(props: Props, options: RequestOptions = {}): Promise<CanceledCreate> {
    const event = createEvent(props, this.overrides(options));
    const played = this.stack(event.StackId);
    played.before(event, options);
    const ignoredAnswer = await this.invoke(event, options.lambdaTimeoutMs ?? LAMBDA_TIMEOUT_MS[this.handlerName]);
    return { ignoredAnswer, physicalId: played.cancel(event) };
  }

  update(physicalId: string, props: Props, oldProps: Props, options: RequestOptions = {}): Promise<CfnResult> {
    return this.send(updateEvent(physicalId, props, oldProps, this.overrides(options)), options.lambdaTimeoutMs, options);
  }

  delete(physicalId: string, props: Props, options: RequestOptions = {}): Promise<CfnResult> {
    return this.send(deleteEvent(physicalId, props, this.overrides(options)), options.lambdaTimeoutMs, options);
  }

  /** Everything the Lambda host wrote: the handler's log lines and Node's warnings. */
  logs(): string {
    return this.output;
  }

  /**
   * The leak check: the emulator holds exactly what the scenario's final state calls for, no request was invalid,
   * no email was logged unmasked and the host never crashed.
   */
  expectFinalState(state: FinalState = {}): void {
    expect({
      openHandshakes: this.emulator.openHandshakes().map((h) => h.Id).sort(),
      macieMembers: sortedValues(this.emulator.macie.membersByStatus()),
      pendingLinks: this.emulator.workspaces.pendingLinks().map((l) => l.AccountLinkId).sort(),
      detectiveMembers: byGraph(this.emulator.detective.state()),
      securityHubMembers: sortedValues(this.emulator.securityhub.membersByStatus()),
      validationErrors: this.emulator.validationErrors,
      crashes: this.crashes,
      failedInvocations: this.failedInvocations.length,
    }).toEqual({
      openHandshakes: [...(state.openHandshakes ?? [])].sort(),
      macieMembers: sortedValues(state.macieMembers ?? {}),
      pendingLinks: [...(state.pendingLinks ?? [])].sort(),
      detectiveMembers: byGraph(state.detectiveMembers ?? {}),
      securityHubMembers: sortedValues(state.securityHubMembers ?? {}),
      validationErrors: [],
      crashes: [],
      failedInvocations: state.failedInvocations ?? 0,
    });
    expect(this.logs()).not.toMatch(UNMASKED_EMAIL);
  }

  /**
   * The handler asked CloudFormation about its stack (by stack ID), which did not know it (ValidationError), and
   * logged a warning naming the error.
   */
  expectAskedUnknownStack(stackId = STACK_ID): void {
    const asked = this.emulator.requests.filter((r) => r.service === 'cloudformation');
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.map((r) => r.input.StackName)).toEqual(asked.map(() => stackId));
    expect(this.emulator.cloudformation.stacks().map((s) => s.StackId)).not.toContain(stackId);
    expect(this.logs()).toMatch(/"level":"WARN".*"ValidationError"/);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const host = this.host;
    if (host && host.exitCode === null && host.signalCode === null) {
      await new Promise<void>((resolve) => {
        host.once('exit', () => resolve());
        host.kill('SIGKILL');
      });
    }
    if (this.ownsEmulator) await this.emulator.stop();
    if (this.server) {
      const server = this.server;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }

  private overrides(options: RequestOptions): Partial<typeof BASE> {
    const requestId = options.requestId ?? randomUUID();
    return {
      RequestId: requestId,
      // one URL per request, as CloudFormation's pre-signed URLs (plus a nonce, so that the two deliveries of a
      // retried request can be told apart)
      ResponseURL: `${this.baseUrl}/${requestId}?delivery=${this.nextDelivery++}`,
      LogicalResourceId: options.logicalResourceId ?? BASE.LogicalResourceId,
      ResourceType: RESOURCE_TYPES[this.handlerName],
      StackId: options.stackId ?? this.defaultStackId,
    };
  }
}

interface StackResource {
  readonly type: string;
  readonly properties: Props;
  readonly physicalId: string;
}

/**
 * One stack as CloudFormation keeps it, published to the emulator's CloudFormation (`setStack`) before each event
 * reaches the handler:
 * - its template lists the resources that exist: a successful Create adds (or replaces) its logical ID, a
 *   successful Update replaces its properties; plus the provider's function and role, as `cdk synth` writes them;
 * - a Delete's resource is no longer in it (the update removed it from the template), unless the Delete is the
 *   cleanup of a physical ID its logical ID replaced (then the logical ID stays, with its new physical ID);
 * - during a whole-stack delete (`stackStatus: 'DELETE_IN_PROGRESS'`) it is the template the delete started with.
 * CloudFormation passes resolved properties, every scalar a string, to the handler; the template holds them as
 * written, with the ServiceToken an `Fn::GetAtt` (and `templateProperties` for other intrinsics).
 */
export class PlayedStack {
  private readonly resources = new Map<string, StackResource>();
  private status?: StackStatus;
  /** Set by `cancel`: the stack rolls back, and its Deletes default to the rollback's status. */
  private rollback?: StackStatus;
  private deleting?: object;
  private known = true;
  /** The request IDs of the Creates started: a Lambda retry of one (the same RequestId) writes no new events. */
  private readonly createRequests = new Set<string>();
  private readonly providerId: string;

  constructor(private readonly emulator: Emulator, readonly stackId: string, handlerName: HandlerName) {
    this.providerId = `CdkAccountInvitations${handlerName.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('')}CustomResourceProvider`;
  }

  /** CloudFormation no longer knows the stack (DescribeStacks / GetTemplate answer ValidationError), from now on. */
  forget(): void {
    this.known = false;
    this.emulator.cloudformation.removeStack(this.stackId);
  }

  /** The template as it stands, e.g. to check the bookkeeping. */
  template(): { Resources: Record<string, unknown> } {
    const resources: Record<string, unknown> = {
      [`${this.providerId}Role12345678`]: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      [`${this.providerId}Handler12345678`]: {
        Type: 'AWS::Lambda::Function',
        Properties: { Handler: 'index.onEvent', Role: { 'Fn::GetAtt': [`${this.providerId}Role12345678`, 'Arn'] } },
        DependsOn: [`${this.providerId}Role12345678`],
      },
    };
    for (const [logicalId, r] of this.resources) {
      resources[logicalId] = {
        Type: r.type,
        Properties: { ServiceToken: { 'Fn::GetAtt': [`${this.providerId}Handler12345678`, 'Arn'] }, ...r.properties },
        UpdateReplacePolicy: 'Delete',
        DeletionPolicy: 'Delete',
      };
    }
    return { Resources: resources };
  }

  before(event: CloudFormationCustomResourceEvent, options: Pick<RequestOptions, 'stackStatus'>): void {
    if (event.RequestType === 'Delete') {
      if (options.stackStatus === 'DELETE_IN_PROGRESS' || (this.deleting && options.stackStatus === undefined)) {
        this.deleting ??= this.template();
        this.publish('DELETE_IN_PROGRESS', this.deleting);
        this.resources.delete(event.LogicalResourceId);
      } else {
        const current = this.resources.get(event.LogicalResourceId);
        if (current?.physicalId === event.PhysicalResourceId || current === undefined) this.resources.delete(event.LogicalResourceId);
        this.publish(options.stackStatus ?? this.rollback ?? 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      }
      this.event(event, 'DELETE_IN_PROGRESS', event.PhysicalResourceId);
      return;
    }
    if (this.deleting) throw new Error(`${event.RequestType} of ${event.LogicalResourceId}: the stack is being deleted`);
    this.publish(options.stackStatus ?? (this.status === undefined && event.RequestType === 'Create' ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS'));
    if (event.RequestType === 'Create') {
      // a Lambda retry delivers the same request again: CloudFormation started that Create once
      if (this.createRequests.has(event.RequestId)) return;
      this.createRequests.add(event.RequestId);
      // CloudFormation writes two: when it starts the resource, and once it has sent the request to the function
      this.event(event, 'CREATE_IN_PROGRESS');
      this.event(event, 'CREATE_IN_PROGRESS', undefined, 'Resource creation Initiated');
    } else {
      this.event(event, 'UPDATE_IN_PROGRESS', event.PhysicalResourceId);
    }
  }

  after(event: CloudFormationCustomResourceEvent, result: CfnResult, options: Pick<RequestOptions, 'templateProperties'>): void {
    const operation = event.RequestType.toUpperCase();
    if (result.Status === 'SUCCESS') this.event(event, `${operation}_COMPLETE`, result.PhysicalResourceId);
    else this.event(event, `${operation}_FAILED`, result.PhysicalResourceId, result.Reason);
    if (event.RequestType === 'Delete' || result.Status !== 'SUCCESS') return;
    this.resources.set(event.LogicalResourceId, {
      type: event.ResourceType,
      properties: options.templateProperties ?? withoutServiceToken(event.ResourceProperties),
      physicalId: result.PhysicalResourceId,
    });
    this.publish(this.status ?? 'UPDATE_IN_PROGRESS');
  }

  /**
   * CloudFormation cancels the resource's Create (see `Cfn.cancelCreate`): CREATE_FAILED, the resource stays out of
   * the template, the stack rolls back. Returns the physical ID CloudFormation made up for it.
   */
  cancel(event: CloudFormationCustomResourceEvent): string {
    const madeUp = `${event.LogicalResourceId}-${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
    this.event(event, 'CREATE_FAILED', madeUp, 'Resource creation cancelled');
    const newStack = this.status === 'CREATE_IN_PROGRESS';
    this.publish(newStack ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS');
    // a new stack's rollback deletes everything it created; an update's rollback deletes what the update created in
    // its cleanup phase (the template is the old one again)
    this.rollback = newStack ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS';
    return madeUp;
  }

  /** The resource event CloudFormation writes, stamped by the emulator's clock (none once the stack is forgotten). */
  private event(event: CloudFormationCustomResourceEvent, status: string, physicalResourceId?: string, reason?: string): void {
    if (!this.known) return;
    this.emulator.cloudformation.addStackEvent(this.stackId, {
      logicalResourceId: event.LogicalResourceId,
      resourceType: event.ResourceType,
      status,
      physicalResourceId,
      reason,
    });
  }

  private publish(status: StackStatus, template: object = this.template()): void {
    this.status = status;
    if (this.known) this.emulator.cloudformation.setStack(this.stackId, { status, template });
  }
}

function withoutServiceToken(properties: Record<string, unknown>): Props {
  const { ServiceToken: _serviceToken, ...rest } = properties;
  return rest;
}

/**
 * Starts an emulator, a response server and a Lambda host running the bundle. Starting a host costs a Node start and
 * the bundle's load (about 0.2 s here), so for the default options the next one is started in the background while
 * the test runs: every test still gets its own emulator and its own, fresh Lambda host.
 */
export async function startCfn(handlerName: HandlerName, options: StartOptions = {}): Promise<Cfn> {
  const defaults = options.env === undefined && options.emulator === undefined && options.accountId === undefined && options.sharedWith === undefined;
  if (!defaults) return coldStart(handlerName, options);
  const ready = spare.get(handlerName) ?? coldStart(handlerName, {});
  const next = coldStart(handlerName, {});
  next.catch(() => undefined); // reported when it is used
  spare.set(handlerName, next);
  return ready;
}

const spare = new Map<HandlerName, Promise<Cfn>>();

async function coldStart(handlerName: HandlerName, options: StartOptions): Promise<Cfn> {
  const emulator = options.sharedWith?.emulator ?? await startEmulator(options.emulator);
  const cfn = new Cfn(handlerName, emulator, options.sharedWith === undefined);
  try {
    await cfn.start(options);
  } catch (error) {
    await cfn.stop();
    throw error;
  }
  return cfn;
}

// the spare hosts of a test file end with it
afterAll(async () => {
  const unused = [...spare.values()];
  spare.clear();
  await Promise.all(unused.map(async (p) => (await p.catch(() => undefined))?.stop()));
});

function responseKey(event: CloudFormationCustomResourceEvent): string {
  const url = new URL(event.ResponseURL);
  return url.pathname + url.search;
}

/** Parses the body the handler PUT and checks it the way CloudFormation would. */
function checkResponse(event: CloudFormationCustomResourceEvent, body: string, elapsedMs: number): Omit<CfnResult, 'invocationMs'> {
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(4096);
  const parsed = JSON.parse(body) as Record<string, unknown>;
  expect(parsed).toMatchObject({
    Status: expect.stringMatching(/^(SUCCESS|FAILED)$/),
    PhysicalResourceId: expect.stringMatching(/^.{1,1024}$/),
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  const reason = typeof parsed.Reason === 'string' ? parsed.Reason : '';
  if (parsed.Status === 'FAILED') {
    expect(reason.length).toBeGreaterThan(0);
    // what users read: never a stack trace, never an email
    expect(reason).not.toMatch(/\n\s+at /);
    expect(reason).not.toMatch(UNMASKED_EMAIL);
  }
  // a Delete answers with the physical ID it was given: anything else would orphan or confuse CloudFormation
  if (event.RequestType === 'Delete') expect(parsed.PhysicalResourceId).toBe(event.PhysicalResourceId);
  return {
    Status: parsed.Status as CfnResult['Status'],
    PhysicalResourceId: parsed.PhysicalResourceId as string,
    Data: (parsed.Data ?? {}) as Record<string, unknown>,
    Reason: reason,
    elapsedMs,
  };
}

/** Detective members per graph, each graph's statuses sorted; graphs without members left out. */
function byGraph(state: Readonly<Record<string, Partial<Record<MemberStatus, readonly string[]>>>>): Record<string, Record<string, string[]>> {
  return Object.fromEntries(Object.entries(state).map(([graph, members]) => [graph, sortedValues(members)])
    .filter(([, members]) => Object.keys(members).length > 0));
}

function sortedValues<T extends string>(record: Partial<Record<T, readonly string[]>>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(record)
      .filter(([, ids]) => (ids as readonly string[]).length > 0)
      .map(([status, ids]) => [status, [...(ids as readonly string[])].sort()]),
  );
}

/** A 12-digit account ID for test number `n` (222000000001, ...). */
export function accountId(n: number): string {
  return `222${String(n).padStart(9, '0')}`;
}
