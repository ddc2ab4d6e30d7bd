/**
 * A stateful local emulator of AWS Organizations (awsJson1_1), Amazon WorkSpaces (awsJson1_1), Amazon Macie,
 * Amazon Detective, AWS RAM and AWS Security Hub (restJson1), AWS CloudFormation and AWS STS (awsQuery) for
 * wire-level tests with the real SDK v3 clients. Point the clients at it with AWS_ENDPOINT_URL_ORGANIZATIONS /
 * _MACIE2 / _WORKSPACES / _DETECTIVE / _RAM / _SECURITYHUB / _CLOUDFORMATION / _STS = emulator.url
 * (`emulator.envFor(accountId)` gives them all, with that account's credentials).
 *
 * Operation names: `calls`, `faults`, `requests[].op` and `validationErrors[].op` name an operation by its bare name
 * (`ListMembers`) for the services emulated first (Organizations, Macie, WorkSpaces, CloudFormation, STS), and by its
 * IAM action (`securityhub:ListMembers`) and RAM (whose names are its own), and by its IAM action (`securityhub:ListMembers`, `detective:ListInvitations`)
 * for Security Hub and Detective, whose operation names repeat Macie's
 * (`operationKey`). restJson1 services that share a path (Macie's and Security Hub's `POST /members`) are told
 * apart by the SigV4 signing name.
 *
 * Several accounts share one state: the caller's account comes from the access key ID of the request's
 * credentials (see identity.ts). Every request is routed with the service-model fixture, validated against the
 * operation's input shape, checked against the denied actions, then answered by the service's state machine;
 * errors go out the way each protocol sends them.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { CloudFormationEmulator } from './cloudformation';
import { checkDelay, Clock, Input, InvitationDelay, RequestContext, ServiceError, ServiceHandler } from './common';
import { DetectiveEmulator, DetectiveState } from './detective';
import { AccountCredentials, credentialsFor, DEFAULT_ACCOUNT_ID, Identities, Principal } from './identity';
import { MacieEmulator, MacieState } from './macie';
import { errorMessageKey, errorStatus, loadServiceModels, ServiceModel, ServiceModels, ServiceName } from './models';
import { OrganizationsEmulator, OrganizationsState, WireHandshake } from './organizations';
import { RamEmulator } from './ram';
import { SecurityHubEmulator, SecurityHubState } from './securityhub';
import { StsEmulator } from './sts';
import { queryInput, restJsonInput, validate, Violation } from './validate';
import { WireAccountLink, WorkSpacesEmulator } from './workspaces';

export { credentialsFor, DEFAULT_ACCOUNT_ID } from './identity';
export type { AccountCredentials, Principal } from './identity';
export type { InvitationDelay } from './common';

/** The services whose endpoint a client reads from AWS_ENDPOINT_URL_<SERVICE>. */
export const ENDPOINT_VARIABLES = [
  'AWS_ENDPOINT_URL_ORGANIZATIONS', 'AWS_ENDPOINT_URL_MACIE2', 'AWS_ENDPOINT_URL_WORKSPACES', 'AWS_ENDPOINT_URL_CLOUDFORMATION', 'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_DETECTIVE',
  'AWS_ENDPOINT_URL_RAM',
  'AWS_ENDPOINT_URL_SECURITYHUB',
] as const;

/** IAM action prefixes of the emulated services (`denyAction`). */
const ACTION_PREFIX: Record<ServiceName, string> = {
  organizations: 'organizations',
  macie2: 'macie2',
  workspaces: 'workspaces',
  cloudformation: 'cloudformation',
  sts: 'sts',
  detective: 'detective',
  ram: 'ram',
  securityhub: 'securityhub',
};

/** The services whose operations keep their bare names in `calls`, `faults` and the records. */
const BARE_OPERATION_NAMES: ReadonlySet<ServiceName> = new Set(['organizations', 'macie2', 'workspaces', 'cloudformation', 'sts', 'ram']);

/** How `calls`, `faults` and the records name an operation: `ListMembers` (Macie), `securityhub:ListMembers`. */
export function operationKey(service: ServiceName, op: string): string {
  return BARE_OPERATION_NAMES.has(service) ? op : `${ACTION_PREFIX[service]}:${op}`;
}

export interface EmulatorOptions {
  /**
   * The default account: the management account of the default organization, where Macie is enabled from the
   * start, and the account of callers whose access key names no account (e.g. `test`). Default '111111111111'.
   */
  readonly accountId?: string;
  /** Region of Macie and WorkSpaces (in ARNs). Default 'us-east-1'. */
  readonly region?: string;
  /** Largest page of any list operation, whatever MaxResults asks. Default 2. */
  readonly pageSize?: number;
  /** Whether list operations return empty pages with a NextToken (first and after-last pages). Default true. */
  readonly emptyPages?: boolean;
  /** Organizations account quota; members plus open invitations count. Default 10. */
  readonly maxAccounts?: number;
  /** Organizations invitations per 24 hours. Default 20. */
  readonly invitesPer24h?: number;
}

export interface RecordedRequest {
  readonly service: ServiceName;
  readonly op: string;
  /** The input as received, keyed by wire name (restJson1: URI labels and query members included). */
  readonly input: Input;
  /** Region of the request's SigV4 credential scope. */
  readonly region?: string;
  /**
   * The caller's account, when its access key names one (`credentialsFor`, AssumeRole); absent for other keys
   * (e.g. `test`), whose caller is the default account.
   */
  readonly accountId?: string;
}

/** A snapshot of every service's state across accounts (never credentials): state dumps and leak checks. */
export interface EmulatorState {
  readonly organizations: OrganizationsState;
  readonly macie: MacieState;
  readonly securityhub: SecurityHubState;
  readonly workspaces: readonly WireAccountLink[];
  readonly detective: DetectiveState;
  readonly ram: ReturnType<RamEmulator['state']>;
  readonly stsSessions: ReturnType<StsEmulator['sessions']>;
  readonly deniedActions: ReadonlyArray<{ readonly accountId: string; readonly action: string; readonly roleName?: string }>;
}

/** Which calls a fault applies to. */
export interface FaultScope {
  /** Only calls from this account (default: any). */
  readonly accountId?: string;
}

export interface ValidationRecord {
  readonly service: ServiceName | 'unknown';
  readonly op: string;
  readonly messages: readonly string[];
}

type Fault =
  | { readonly kind: 'throttle' }
  | { readonly kind: 'serverError' }
  | { readonly kind: 'dropConnection' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'error'; readonly code: string; readonly fields: Readonly<Record<string, unknown>> };

/**
 * Faults injected per operation name; each applies to the next n calls (of the account in `scope`, if given), in
 * the order they were added.
 */
export class Faults {
  private readonly queues = new Map<string, Array<{ fault: Fault; remaining: number; accountId?: string }>>();

  constructor(private readonly operations: ReadonlySet<string>) {}

  /**
   * Answers the service's throttling error: Organizations TooManyRequestsException (400), Macie ThrottlingException
   * (429), WorkSpaces ThrottlingException (400), CloudFormation Throttling (400).
   */
  throttle(op: string, n = 1, scope: FaultScope = {}): void {
    this.add(op, { kind: 'throttle' }, n, scope);
  }

  /**
   * Answers HTTP 500: Organizations ServiceException, Macie and WorkSpaces InternalServerException, CloudFormation
   * and STS InternalFailure.
   */
  serverError(op: string, n = 1, scope: FaultScope = {}): void {
    this.add(op, { kind: 'serverError' }, n, scope);
  }

  /** Destroys the connection without answering; the request has no effect. */
  dropConnection(op: string, n = 1, scope: FaultScope = {}): void {
    this.add(op, { kind: 'dropConnection' }, n, scope);
  }

  /** The request takes effect at once, the answer leaves `ms` later (a client that times out loses it). */
  delay(op: string, ms: number, n = 1, scope: FaultScope = {}): void {
    this.add(op, { kind: 'delay', ms }, n, scope);
  }

  /** Answers any error, e.g. `failWith('InviteAccountToOrganization', 'ConcurrentModificationException')`; `extra` adds body members. */
  failWith(op: string, errorName: string, extra: Readonly<Record<string, unknown>> = {}, n = 1, scope: FaultScope = {}): void {
    this.add(op, { kind: 'error', code: errorName, fields: extra }, n, scope);
  }

  clear(): void {
    this.queues.clear();
  }

  /** The fault for the current call of `op` by `accountId`, if any. */
  take(op: string, accountId?: string): Fault | undefined {
    const queue = this.queues.get(op);
    const index = queue?.findIndex(f => f.accountId === undefined || f.accountId === accountId) ?? -1;
    if (!queue || index < 0) return undefined;
    const next = queue[index];
    if (--next.remaining === 0) queue.splice(index, 1);
    return next.fault;
  }

  private add(op: string, fault: Fault, n: number, scope: FaultScope): void {
    if (!this.operations.has(op)) throw new Error(`unknown operation ${op}`);
    if (!Number.isInteger(n) || n < 1) throw new Error(`fault count must be a positive integer, got ${n}`);
    const queue = this.queues.get(op) ?? [];
    queue.push({ fault, remaining: n, accountId: scope.accountId });
    this.queues.set(op, queue);
  }
}

interface Route {
  readonly service: ServiceName;
  readonly signingName: string;
  readonly op: string;
  readonly method: string;
  readonly path: RegExp;
  readonly labels: readonly string[];
  /** Literal path segments: more specific routes are tried first. */
  readonly literals: number;
}

interface Call {
  readonly service: ServiceName;
  /** The operation's key (`operationKey`). */
  readonly op: string;
  /** The operation's name in its model. */
  readonly name: string;
  readonly input: Input;
  readonly violations: readonly Violation[];
}

type JsonProtocol = 'awsJson1_1' | 'restJson1';

const CONTENT_TYPES: Record<JsonProtocol, string> = { awsJson1_1: 'application/x-amz-json-1.1', restJson1: 'application/json' };
const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded\b/i;

export class Emulator {
  /** `http://127.0.0.1:<port>`, once started. */
  url = '';
  readonly org: OrganizationsEmulator;
  readonly macie: MacieEmulator;
  readonly securityhub: SecurityHubEmulator;
  readonly workspaces: WorkSpacesEmulator;
  readonly detective: DetectiveEmulator;
  readonly cloudformation: CloudFormationEmulator;
  readonly sts: StsEmulator;
  readonly ram: RamEmulator;
  readonly faults: Faults;
  /** The default account (EmulatorOptions.accountId). */
  readonly accountId: string;
  /** HTTP requests per operation name (retries and faulted calls included); 0 for operations never called. */
  readonly calls: Record<string, number> = {};
  readonly requests: RecordedRequest[] = [];
  /** Requests the services would reject as invalid (schema violations, malformed values, unknown operations). */
  readonly validationErrors: ValidationRecord[] = [];

  private readonly models: ServiceModels;
  private readonly clock = new Clock();
  private readonly identities: Identities;
  private readonly denied: Array<{ accountId: string; action: string; roleName?: string }> = [];
  private readonly handlers: Record<ServiceName, ServiceHandler>;
  private readonly targets = new Map<string, ServiceName>();
  private readonly routes: Route[] = [];
  private readonly server = http.createServer((req, res) => {
    this.onRequest(req, res).catch((e: unknown) => {
      // A bug of the emulator or of a test helper: make it visible, answer like an AWS internal failure.
      console.error('emulator failure', e);
      send(res, 500, 'restJson1', { message: String(e) }, 'InternalFailure');
    });
  });
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private maxInFlightSeen = 0;
  private latencyMs = 0;
  private stopped = false;

  constructor(options: EmulatorOptions = {}) {
    this.models = loadServiceModels();
    const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
    this.accountId = accountId;
    this.identities = new Identities(accountId);
    const region = options.region ?? 'us-east-1';
    const paging = { pageSize: options.pageSize ?? 2, emptyPages: options.emptyPages ?? true };
    this.org = new OrganizationsEmulator(this.models.services.organizations, this.clock, {
      managementAccountId: accountId,
      maxAccounts: options.maxAccounts ?? 10,
      invitesPer24h: options.invitesPer24h ?? 20,
      paging,
    });
    this.macie = new MacieEmulator(this.clock, { administratorAccountId: accountId, region, paging });
    this.securityhub = new SecurityHubEmulator(this.clock, {
      administratorAccountId: accountId, region, paging, organizationOf: id => this.org.organizationOf(id),
    });
    this.workspaces = new WorkSpacesEmulator(this.clock, { sourceAccountId: accountId, paging });
    this.detective = new DetectiveEmulator(this.clock, { region, paging });
    this.cloudformation = new CloudFormationEmulator(this.clock);
    this.sts = new StsEmulator(this.clock, this.identities);
    this.ram = new RamEmulator(this.clock, { region, ownerAccountId: accountId, paging });
    this.handlers = {
      organizations: this.org,
      macie2: this.macie,
      workspaces: this.workspaces,
      cloudformation: this.cloudformation,
      sts: this.sts,
      detective: this.detective,
      ram: this.ram,
      securityhub: this.securityhub,
    };

    for (const [service, model] of Object.entries(this.models.services) as Array<[ServiceName, ServiceModel]>) {
      if (model.targetPrefix) this.targets.set(model.targetPrefix, service);
      for (const [op, operation] of Object.entries(model.operations)) {
        const key = operationKey(service, op);
        if (key in this.calls) throw new Error(`operation ${key} exists in two services`);
        this.calls[key] = 0;
        if (model.protocol === 'restJson1') this.routes.push(restRoute(service, model.signingName, op, operation.http.method, operation.http.requestUri));
      }
    }
    this.routes.sort((a, b) => b.literals - a.literals);
    this.faults = new Faults(new Set(Object.keys(this.calls)));
  }

  /** Largest number of requests in flight at the same time. */
  get maxInFlight(): number {
    return this.maxInFlightSeen;
  }

  /** Latency added to every answer. */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Moves the emulator's clock forward, e.g. 15 days to expire handshakes. */
  advanceTime(ms: number): void {
    this.clock.advance(ms);
  }

  now(): Date {
    return new Date(this.clock.now());
  }

  /** Organizations handshakes still waiting for the invited account, of every organization: leak check. */
  openHandshakes(): WireHandshake[] {
    return this.org.openHandshakes();
  }

  /** Static credentials that the emulator maps to `accountId` (pure: the same before and after start). */
  credentialsFor(accountId: string): AccountCredentials {
    return credentialsFor(accountId);
  }

  /**
   * The environment of a process (or of `new XClient({})` in this one) that acts as `accountId` against this
   * emulator: its credentials, the region and every AWS_ENDPOINT_URL_<SERVICE>. Only after `start()`.
   */
  envFor(accountId: string, region = 'us-east-1'): Record<string, string> {
    if (!this.url) throw new Error('the emulator is not started');
    const credentials = credentialsFor(accountId);
    return {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: region,
      ...Object.fromEntries(ENDPOINT_VARIABLES.map(name => [name, this.url])),
    };
  }

  /**
   * Denies an IAM action to an account's principals (only to sessions of `roleName`, when given): the service
   * answers its access-denied error naming the principal and the action (Organizations, WorkSpaces
   * AccessDeniedException 400; Macie AccessDeniedException 403; CloudFormation, STS AccessDenied 403). Actions are
   * `<prefix>:<Operation>` (prefixes organizations, macie2, workspaces, detective, cloudformation, sts; `<prefix>:*` for
   * all); `iam:CreateServiceLinkedRole` makes AcceptHandshake fail with AccessDeniedForDependencyException;
   * `sts:AssumeRole` makes AssumeRole fail as for a role that can't be assumed.
   */
  denyAction(accountId: string, action: string, options: { roleName?: string } = {}): void {
    if (!/^\d{12}$/.test(accountId)) throw new Error(`not an account ID: ${accountId}`);
    if (!/^[a-z0-9-]+:(\*|[A-Za-z]+)$/.test(action)) throw new Error(`not an IAM action: ${action}`);
    this.denied.push({ accountId, action, roleName: options.roleName });
  }

  /** Removes every denial added with `denyAction`. */
  allowAllActions(): void {
    this.denied.length = 0;
  }

  /**
   * Invitations sent from now on (Organizations handshakes, Macie invitations, WorkSpaces account links, Detective members; or only
   * those of `services`) become visible to the invited account only after `delay.ms` of the emulator's clock and/or
   * after the invitee looked `delay.listCalls` times. `{}` turns the delay off.
   */
  setInvitationDelay(
    delay: InvitationDelay,
    services: ReadonlyArray<'organizations' | 'macie2' | 'workspaces' | 'detective' | 'ram' | 'securityhub'> = ['organizations', 'macie2', 'workspaces', 'detective', 'ram', 'securityhub'],
  ): void {
    checkDelay(delay);
    if (services.includes('securityhub')) this.securityhub.setInvitationDelay(delay);
    if (services.includes('organizations')) this.org.setInvitationDelay(delay);
    if (services.includes('macie2')) this.macie.setInvitationDelay(delay);
    if (services.includes('workspaces')) this.workspaces.setInvitationDelay(delay);
    // Detective: the member stays VERIFICATION_IN_PROGRESS for the delay
    if (services.includes('detective')) this.detective.setInvitationDelay(delay);
    if (services.includes('ram')) this.ram.setInvitationDelay(delay);
  }

  /** Every service's state across accounts, for state dumps and leak checks (no credentials). */
  state(): EmulatorState {
    return {
      organizations: this.org.state(),
      macie: this.macie.state(),
      securityhub: this.securityhub.state(),
      workspaces: this.workspaces.links(),
      detective: this.detective.state(),
      ram: this.ram.state(),
      stsSessions: this.sts.sessions(),
      deniedActions: this.denied.map(d => ({ ...d })),
    };
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Closes the server and every connection; pending delayed answers are dropped. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await new Promise<void>(resolve => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlightSeen = Math.max(this.maxInFlightSeen, this.inFlight);
    res.on('close', () => this.inFlight--);
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      return; // the client went away
    }
    const call = this.parse(req, raw, res);
    if (!call) return;
    const model = this.models.services[call.service];
    const principal = this.identities.resolve(accessKeyId(req));
    const context: RequestContext = { principal, isDenied: action => this.isDenied(principal, action) };
    this.calls[call.op]++;
    this.requests.push({
      service: call.service,
      op: call.op,
      input: call.input,
      region: signingRegion(req),
      ...(principal.legacy ? {} : { accountId: principal.accountId }),
    });

    const fault = this.faults.take(call.op, principal.accountId);
    if (fault?.kind === 'dropConnection') {
      req.socket.destroy();
      return;
    }
    let status = model.operations[call.name].http.responseCode ?? 200;
    let output: unknown;
    let error: ServiceError | undefined;
    try {
      if (fault && fault.kind !== 'delay') throw injectedError(call.service, fault);
      if (call.violations.length > 0) throw validationError(call.service, call.violations);
      const action = `${ACTION_PREFIX[call.service]}:${call.name}`;
      // AssumeRole's denial names the role: the STS handler answers it.
      if (action !== 'sts:AssumeRole' && context.isDenied(action)) throw accessDenied(call.service, principal, action);
      output = this.handlers[call.service].handle(call.name, call.input, context);
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      if (e.invalidRequest) {
        const messages = call.violations.length > 0 ? call.violations.map(v => v.message) : [e.message];
        this.validationErrors.push({ service: call.service, op: call.op, messages });
      }
      status = e.status ?? errorStatus(model, e.code);
      error = e;
    }
    await this.sleep(this.latencyMs + (fault?.kind === 'delay' ? fault.ms : 0));
    if (model.protocol === 'awsQuery') {
      sendXml(res, status, requestId => (error
        ? queryErrorXml(model, status, error, requestId)
        : queryResultXml(model, call.name, output, requestId)));
    } else {
      send(res, status, model.protocol, error ? errorBody(model, error) : output, error?.code);
    }
  }

  /** Finds the operation and its input; answers and returns undefined when the request can't be routed or read. */
  private parse(req: http.IncomingMessage, raw: string, res: http.ServerResponse): Call | undefined {
    const target = req.headers['x-amz-target'];
    // awsQuery has no X-Amz-Target: a form-encoded POST
    if (typeof target !== 'string' && req.method === 'POST' && FORM_CONTENT_TYPE.test(req.headers['content-type'] ?? '')) {
      return this.parseQuery(req, raw, res);
    }
    const fail = (service: ServiceName | 'unknown', op: string, code: string, message: string, status: number) => {
      this.validationErrors.push({ service, op, messages: [message] });
      const protocol = typeof target === 'string' ? 'awsJson1_1' : 'restJson1';
      send(res, status, protocol, protocol === 'awsJson1_1' ? { __type: code, message } : { message }, code);
      return undefined;
    };
    let body: unknown = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        return fail('unknown', String(target ?? req.url), 'SerializationException', 'The request body is not valid JSON.', 400);
      }
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (typeof target === 'string') {
      const dot = target.lastIndexOf('.');
      const service = this.targets.get(target.slice(0, dot));
      const op = target.slice(dot + 1);
      const operation = service && this.models.services[service].operations[op];
      if (!service || !operation || req.method !== 'POST' || url.pathname !== '/') {
        return fail(service ?? 'unknown', target, 'UnknownOperationException', `Unknown operation ${req.method} ${url.pathname} ${target}`, 400);
      }
      if (!isRecord(body)) return fail(service, op, 'SerializationException', 'The request body must be a JSON object.', 400);
      const model = this.models.services[service];
      const violations = operation.input ? validate(model, operation.input, body) : [];
      return { service, op: operationKey(service, op), name: op, input: body, violations };
    }
    // services that share a path are told apart by the signing name (an unsigned request takes the first match)
    const signing = signingService(req);
    const bySigning = signing !== undefined && this.routes.some(r => r.signingName === signing);
    for (const route of this.routes) {
      if (bySigning && signing !== route.signingName) continue;
      const match = req.method === route.method ? route.path.exec(url.pathname) : null;
      if (!match) continue;
      const key = operationKey(route.service, route.op);
      if (!isRecord(body)) return fail(route.service, key, 'SerializationException', 'The request body must be a JSON object.', 400);
      const model = this.models.services[route.service];
      const labels = Object.fromEntries(route.labels.map((label, i) => [label, decodeURIComponent(match[i + 1])]));
      const inputShape = model.operations[route.op].input;
      const { input, violations } = inputShape
        ? restJsonInput(model, inputShape, { labels, query: url.searchParams, body })
        : { input: {}, violations: [] };
      return { service: route.service, op: key, name: route.op, input, violations };
    }
    return fail('unknown', `${req.method} ${url.pathname}`, 'UnknownOperationException', `No operation matches ${req.method} ${url.pathname}`, 404);
  }

  /** An awsQuery request: `Action=<op>&Version=<apiVersion>&<members>`, answered in XML. */
  private parseQuery(req: http.IncomingMessage, raw: string, res: http.ServerResponse): Call | undefined {
    const params = new URLSearchParams(raw);
    const action = params.get('Action') ?? '';
    const queryServices = (Object.entries(this.models.services) as Array<[ServiceName, ServiceModel]>).filter(([, m]) => m.protocol === 'awsQuery');
    const signing = signingService(req);
    // By the signing name; an unsigned request by its Action, then its Version; else the first (CloudFormation).
    const [service, model] = queryServices.find(([, m]) => m.signingName === signing)
      ?? queryServices.find(([, m]) => action in m.operations)
      ?? queryServices.find(([, m]) => m.apiVersion === params.get('Version'))
      ?? queryServices[0];
    const fail = (op: string, code: string, message: string) => {
      this.validationErrors.push({ service: service ?? 'unknown', op, messages: [message] });
      sendXml(res, 400, requestId => queryErrorXml(model, 400, new ServiceError(code, message), requestId));
      return undefined;
    };
    const operation = model?.operations[action];
    if (!service || !model || !operation || new URL(req.url ?? '/', 'http://localhost').pathname !== '/') {
      return fail(action || 'unknown', 'InvalidAction', `The action ${action || '(none)'} is not valid for this web service.`);
    }
    if (params.get('Version') !== model.apiVersion) {
      return fail(action, 'InvalidAction', `Could not find operation ${action} for version ${params.get('Version') ?? '(none)'}`);
    }
    if (!operation.input) return { service, op: operationKey(service, action), name: action, input: {}, violations: [] };
    const { input, violations, unknown } = queryInput(model, operation.input, params);
    if (unknown.length > 0) return fail(action, 'ValidationError', `Unknown parameters: ${unknown.join(', ')}`);
    return { service, op: operationKey(service, action), name: action, input, violations };
  }

  private isDenied(principal: Principal, action: string): boolean {
    return this.denied.some(d => d.accountId === principal.accountId
      && (d.roleName === undefined || d.roleName === principal.roleName)
      && (d.action === action || (d.action.endsWith(':*') && action.startsWith(d.action.slice(0, -1)))));
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

export async function startEmulator(options?: EmulatorOptions): Promise<Emulator> {
  const emulator = new Emulator(options);
  await emulator.start();
  return emulator;
}

function restRoute(service: ServiceName, signingName: string, op: string, method: string, requestUri: string): Route {
  const labels: string[] = [];
  let literals = 0;
  const segments = requestUri.split('/').filter(s => s.length > 0).map(segment => {
    const label = /^\{(\w+)\}$/.exec(segment);
    if (label) {
      labels.push(label[1]);
      return '([^/]+)';
    }
    literals++;
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return { service, signingName, op, method, path: new RegExp(`^/${segments.join('/')}$`), labels, literals };
}

function injectedError(service: ServiceName, fault: Exclude<Fault, { kind: 'delay' | 'dropConnection' }>): ServiceError {
  switch (fault.kind) {
    case 'error':
      return new ServiceError(fault.code, `${fault.code} (injected)`, fault.fields);
    case 'throttle':
      if (service === 'cloudformation' || service === 'sts') return new ServiceError('Throttling', 'Rate exceeded', {}, 400);
      // Security Hub throttles with LimitExceededException (429), which the SDK's retry strategy treats as throttling
      if (service === 'securityhub') return new ServiceError('LimitExceededException', 'Rate exceeded.');
      if (service === 'organizations') {
        return new ServiceError('TooManyRequestsException', 'You have sent too many requests in too short a period of time.',
          { Type: 'TooManyRequestsException' });
      }
      // Detective's is TooManyRequestsException (HTTP 429)
      if (service === 'detective') return new ServiceError('TooManyRequestsException', 'Rate exceeded.', {}, 429);
      return new ServiceError('ThrottlingException', 'Rate exceeded.');
    case 'serverError':
      if (service === 'cloudformation' || service === 'sts') return new ServiceError('InternalFailure', 'An internal error occurred.', {}, 500);
      if (service === 'ram') return new ServiceError('ServerInternalException', 'The service could not respond to the request due to an internal problem.', {}, 500);
      if (service === 'securityhub') return new ServiceError('InternalException', 'Internal service error.');
      return service === 'organizations'
        ? new ServiceError('ServiceException', 'AWS Organizations can\'t complete your request because of an internal service error.')
        : new ServiceError('InternalServerException', 'Internal server error.', {}, 500);
  }
}

/** The service's answer to a denied action, with AWS's wording. */
function accessDenied(service: ServiceName, principal: Principal, action: string): ServiceError {
  const message = `User: ${principal.arn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;
  if (service === 'cloudformation' || service === 'sts') return new ServiceError('AccessDenied', message, {}, 403);
  return new ServiceError('AccessDeniedException', message);
}

/**
 * Organizations: InvalidInputException with the Reason of the first violation; Macie, WorkSpaces:
 * ValidationException; CloudFormation, STS: ValidationError.
 */
function validationError(service: ServiceName, violations: readonly Violation[]): ServiceError {
  const message = `${violations.length} validation error${violations.length > 1 ? 's' : ''} detected: ${violations.map(v => v.message).join('; ')}`;
  if (service === 'cloudformation' || service === 'sts') return new ServiceError('ValidationError', message, {}, undefined, true);
  if (service === 'ram') return new ServiceError('InvalidParameterException', message, {}, undefined, true);
  if (service === 'securityhub') return new ServiceError('InvalidInputException', message, {}, undefined, true);
  if (service !== 'organizations') return new ServiceError('ValidationException', message, {}, undefined, true);
  const reasons: Partial<Record<Violation['rule'], string>> = {
    required: 'INPUT_REQUIRED',
    enum: 'INVALID_ENUM',
    pattern: 'INVALID_PATTERN',
    minLength: 'MIN_LENGTH_EXCEEDED',
    maxLength: 'MAX_LENGTH_EXCEEDED',
    minValue: 'MIN_VALUE_EXCEEDED',
    maxValue: 'MAX_VALUE_EXCEEDED',
  };
  // A value of the wrong JSON type has no Reason of its own.
  const reason = violations.map(v => reasons[v.rule]).find(r => r !== undefined);
  return new ServiceError('InvalidInputException', message, reason ? { Reason: reason } : {}, undefined, true);
}

function errorBody(model: ServiceModel, error: ServiceError): Record<string, unknown> {
  const body = { [errorMessageKey(model, error.code)]: error.message, ...error.fields };
  return model.protocol === 'awsJson1_1' ? { __type: error.code, ...body } : body;
}

function send(res: http.ServerResponse, status: number, protocol: JsonProtocol, body: unknown, errorCode?: string): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, {
    'content-type': CONTENT_TYPES[protocol],
    'x-amzn-requestid': randomUUID(),
    ...(errorCode ? { 'x-amzn-errortype': errorCode } : {}),
  });
  res.end(JSON.stringify(body));
}

/** An awsQuery answer: XML, with the request ID in the body and in x-amzn-RequestId. */
function sendXml(res: http.ServerResponse, status: number, xml: (requestId: string) => string): void {
  if (res.destroyed || res.writableEnded) return;
  const requestId = randomUUID();
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(xml(requestId));
}

/** `<OpResponse xmlns=...><OpResult>...</OpResult><ResponseMetadata><RequestId>...` as awsQuery services send it. */
function queryResultXml(model: ServiceModel, op: string, output: unknown, requestId: string): string {
  const wrapper = model.operations[op].resultWrapper ?? `${op}Result`;
  return '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<${op}Response xmlns="${model.xmlNamespace ?? ''}">\n`
    + xmlElement(wrapper, output ?? {}, '  ')
    + xmlElement('ResponseMetadata', { RequestId: requestId }, '  ')
    + `</${op}Response>\n`;
}

/**
 * `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code>...</Code><Message>...` with the model's wire code
 * (e.g. ChangeSetNotFound for ChangeSetNotFoundException).
 */
function queryErrorXml(model: ServiceModel | undefined, status: number, error: ServiceError, requestId: string): string {
  const code = model?.shapes[error.code]?.error?.code ?? error.code;
  const body = { Type: status >= 500 ? 'Receiver' : 'Sender', Code: code, Message: error.message, ...error.fields };
  return '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<ErrorResponse xmlns="${model?.xmlNamespace ?? ''}">\n`
    + xmlElement('Error', body, '  ')
    + xmlElement('RequestId', requestId, '  ')
    + '</ErrorResponse>\n';
}

/** One element: objects as child elements in key order, arrays as `<member>` items, Dates in ISO 8601. */
function xmlElement(name: string, value: unknown, indent: string): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value) || (isRecord(value) && !(value instanceof Date))) {
    const children = Array.isArray(value)
      ? value.map(item => xmlElement('member', item, `${indent}  `))
      : Object.entries(value).map(([key, child]) => xmlElement(key, child, `${indent}  `));
    const inner = children.join('');
    return inner ? `${indent}<${name}>\n${inner}${indent}</${name}>\n` : `${indent}<${name}/>\n`;
  }
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `${indent}<${name}>${xmlEscape(text)}</${name}>\n`;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function signingRegion(req: http.IncomingMessage): string | undefined {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
}

/** The access key ID of the request's SigV4 credential; undefined for unsigned requests. */
function accessKeyId(req: http.IncomingMessage): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
}

function signingService(req: http.IncomingMessage): string | undefined {
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
