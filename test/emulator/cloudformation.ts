/**
 * AWS CloudFormation (awsQuery), only what the handlers ask on Delete: DescribeStacks (the stack's status),
 * GetTemplate (the other resources of the stack) and DescribeStackEvents (when a resource's Create began). The tests,
 * or the integration tier's CloudFormation player, keep the stacks here with `setStack` and write their resources'
 * events with `addStackEvent`.
 */
import { randomUUID } from 'node:crypto';
import { Clock, Input, paginate, ServiceError, ServiceHandler } from './common';

export const STACK_STATUSES = [
  'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'CREATE_COMPLETE',
  'ROLLBACK_IN_PROGRESS', 'ROLLBACK_FAILED', 'ROLLBACK_COMPLETE',
  'DELETE_IN_PROGRESS', 'DELETE_FAILED', 'DELETE_COMPLETE',
  'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE', 'UPDATE_FAILED',
  'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_FAILED', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE',
  'REVIEW_IN_PROGRESS',
  'IMPORT_IN_PROGRESS', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_IN_PROGRESS', 'IMPORT_ROLLBACK_FAILED', 'IMPORT_ROLLBACK_COMPLETE',
] as const;

export type StackStatus = typeof STACK_STATUSES[number];

export interface StackOptions {
  readonly status: StackStatus;
  /** The stack's template: an object (sent as JSON, indented like `cdk synth`) or the body as is. */
  readonly template: object | string;
}

/** Stack as DescribeStacks sends it (the members the emulator knows; times as Dates, ISO 8601 on the wire). */
export interface WireStack {
  readonly StackId: string;
  readonly StackName: string;
  readonly CreationTime: Date;
  readonly LastUpdatedTime?: Date;
  readonly DeletionTime?: Date;
  readonly StackStatus: StackStatus;
  readonly DisableRollback: boolean;
  readonly NotificationARNs: readonly string[];
  readonly Tags: readonly unknown[];
  readonly EnableTerminationProtection: boolean;
  readonly DriftInformation: { readonly StackDriftStatus: 'NOT_CHECKED' };
  readonly Parameters?: ReadonlyArray<{ readonly ParameterKey: string; readonly ParameterValue: string; readonly ResolvedValue?: string }>;
}

/** A resource's event, as the player (or a test) writes it; `addStackEvent` adds the stack's ID and name and the time. */
export interface ResourceEvent {
  readonly logicalResourceId: string;
  readonly resourceType: string;
  /** E.g. CREATE_IN_PROGRESS, CREATE_COMPLETE, CREATE_FAILED, DELETE_IN_PROGRESS, DELETE_COMPLETE. */
  readonly status: string;
  /** Absent on a Create's first CREATE_IN_PROGRESS, as in AWS. */
  readonly physicalResourceId?: string;
  readonly reason?: string;
  /** The resource's properties as CloudFormation writes them in the event: a JSON string. */
  readonly properties?: string;
  /** Epoch ms; default: the emulator's clock now. */
  readonly timestamp?: number;
}

/** StackEvent as DescribeStackEvents sends it. */
export interface WireStackEvent {
  readonly StackId: string;
  readonly EventId: string;
  readonly StackName: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceType: string;
  readonly Timestamp: Date;
  readonly ResourceStatus: string;
  readonly ResourceStatusReason?: string;
  readonly ResourceProperties?: string;
}

/** DescribeStackEvents answers at most this many events per page (AWS: 100). */
export const STACK_EVENTS_PAGE_SIZE = 100;

interface StackRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  updatedAt?: number;
  deletedAt?: number;
  status: StackStatus;
  templateBody: string;
  parameters?: Readonly<Record<string, string>>;
  /** Oldest first; DescribeStackEvents answers newest first. */
  readonly events: WireStackEvent[];
}

/** `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>` */
const STACK_ID = /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/([A-Za-z][A-Za-z0-9-]{0,127})\/[0-9a-f-]+$/;

export class CloudFormationEmulator implements ServiceHandler {
  private readonly stacksById = new Map<string, StackRecord>();
  /** Events per DescribeStackEvents page: tests lower it to make the handlers page. */
  eventPageSize = STACK_EVENTS_PAGE_SIZE;

  constructor(private readonly clock: Clock) {}

  // ---- test helpers -------------------------------------------------------------------------------------------

  /**
   * Creates the stack, or sets the status and template of a known one (its CreationTime stays; LastUpdatedTime,
   * or DeletionTime for DELETE_COMPLETE, is now). `stackId` is the stack's ARN, as custom-resource events carry it.
   */
  setStack(stackId: string, options: StackOptions): void {
    const name = STACK_ID.exec(stackId)?.[1];
    if (!name) throw new Error(`not a stack ID: ${stackId}`);
    if (!(STACK_STATUSES as readonly string[]).includes(options.status)) throw new Error(`not a stack status: ${options.status}`);
    const templateBody = typeof options.template === 'string' ? options.template : JSON.stringify(options.template, undefined, 1);
    const now = this.clock.now();
    const known = this.stacksById.get(stackId);
    const live = [...this.stacksById.values()].find(s => s.name === name && s.id !== stackId && s.status !== 'DELETE_COMPLETE');
    if (live && options.status !== 'DELETE_COMPLETE') throw new Error(`another stack named ${name} exists: ${live.id}`);
    if (!known) {
      const created: StackRecord = { id: stackId, name, createdAt: now, status: options.status, templateBody, events: [] };
      this.stacksById.set(stackId, created);
      this.stackStatusEvent(created);
      return;
    }
    const changed = known.status !== options.status;
    known.status = options.status;
    if (changed) this.stackStatusEvent(known);
    known.templateBody = templateBody;
    if (options.status === 'DELETE_COMPLETE') known.deletedAt ??= now;
    else known.updatedAt = now;
  }

  /**
   * The stack's parameter values, as DescribeStacks reports them (they stay through later `setStack` calls). The
   * stack must be known.
   */
  setParameters(stackId: string, parameters: Readonly<Record<string, string>>): void {
    const known = this.stacksById.get(stackId);
    if (!known) throw new Error(`unknown stack: ${stackId}`);
    known.parameters = { ...parameters };
  }

  /**
   * Writes a resource's event into the stack's event log (the stack must be known), as CloudFormation does when it
   * starts or finishes a resource's Create, Update or Delete. Returns the event as DescribeStackEvents sends it.
   */
  addStackEvent(stackId: string, event: ResourceEvent): WireStackEvent {
    const known = this.stacksById.get(stackId);
    if (!known) throw new Error(`unknown stack: ${stackId}`);
    const wire: WireStackEvent = {
      StackId: known.id,
      EventId: `${event.logicalResourceId}-${event.status}-${event.timestamp ?? this.clock.now()}-${randomUUID().slice(0, 8)}`,
      StackName: known.name,
      LogicalResourceId: event.logicalResourceId,
      ...(event.physicalResourceId !== undefined ? { PhysicalResourceId: event.physicalResourceId } : {}),
      ResourceType: event.resourceType,
      Timestamp: new Date(event.timestamp ?? this.clock.now()),
      ResourceStatus: event.status,
      ...(event.reason !== undefined ? { ResourceStatusReason: event.reason } : {}),
      ...(event.properties !== undefined ? { ResourceProperties: event.properties } : {}),
    };
    known.events.push(wire);
    return wire;
  }

  /** The stack's events, newest first (as DescribeStackEvents lists them, all pages). */
  stackEvents(stackId: string): WireStackEvent[] {
    return [...(this.stacksById.get(stackId)?.events ?? [])].reverse();
  }

  /** CloudFormation no longer knows the stack: DescribeStacks and GetTemplate answer ValidationError. */
  removeStack(stackId: string): void {
    this.stacksById.delete(stackId);
  }

  stacks(): WireStack[] {
    return [...this.stacksById.values()].map(s => toWire(s));
  }

  /** The template body GetTemplate answers for the stack, if CloudFormation knows it. */
  templateBody(stackId: string): string | undefined {
    return this.stacksById.get(stackId)?.templateBody;
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  handle(operation: string, input: Input): unknown {
    switch (operation) {
      case 'DescribeStacks':
        return this.describeStacks(input);
      case 'GetTemplate':
        return this.getTemplate(input);
      case 'DescribeStackEvents':
        return this.describeStackEvents(input);
      default:
        throw new Error(`CloudFormation operation ${operation} is not emulated`);
    }
  }

  /** Without StackName, every stack that is not deleted (in one page), as AWS does. */
  private describeStacks(input: Input) {
    if (input.NextToken !== undefined) {
      throw new ServiceError('ValidationError', 'Invalid NextToken', {}, undefined, true);
    }
    if (input.StackName === undefined) {
      return { Stacks: [...this.stacksById.values()].filter(s => s.status !== 'DELETE_COMPLETE').map(s => toWire(s)) };
    }
    return { Stacks: [toWire(this.find(input.StackName as string))] };
  }

  /** Without transforms, the Original and the Processed template are the same. */
  private getTemplate(input: Input) {
    if (input.ChangeSetName !== undefined) {
      throw new ServiceError('ChangeSetNotFoundException', `ChangeSet [${String(input.ChangeSetName)}] does not exist`);
    }
    if (input.StackName === undefined) {
      throw new ServiceError('ValidationError', 'Either StackName or ChangeSetName must be specified.', {}, undefined, true);
    }
    const stack = this.find(input.StackName as string);
    return { TemplateBody: stack.templateBody, StagesAvailable: ['Original', 'Processed'] };
  }

  /**
   * The stack's events, newest first, `eventPageSize` per page. By stack ID (deleted stacks too) or by name; a token
   * of another stack's listing (or an unreadable one) is a ValidationError.
   */
  private describeStackEvents(input: Input) {
    if (input.StackName === undefined) {
      throw new ServiceError('ValidationError', 'StackName is required', {}, undefined, true);
    }
    const stack = this.find(input.StackName as string, (name) => `Stack [${name}] does not exist`);
    const page = paginate([...stack.events].reverse(), {
      token: input.NextToken,
      scope: `DescribeStackEvents ${stack.id}`,
    }, { pageSize: this.eventPageSize, emptyPages: false }, () => new ServiceError('ValidationError', 'Invalid NextToken', {}, undefined, true));
    return { StackEvents: page.items, NextToken: page.nextToken };
  }

  /** By stack ID (deleted stacks too) or by name (stacks that are not deleted). */
  private find(stackName: string, notFound = (name: string) => `Stack with id ${name} does not exist`): StackRecord {
    const stack = this.stacksById.get(stackName)
      ?? [...this.stacksById.values()].find(s => s.name === stackName && s.status !== 'DELETE_COMPLETE');
    if (!stack) throw new ServiceError('ValidationError', notFound(stackName));
    return stack;
  }

  /** The stack's own event when its status changes (LogicalResourceId: the stack's name), as CloudFormation writes it. */
  private stackStatusEvent(stack: StackRecord): void {
    this.addStackEvent(stack.id, {
      logicalResourceId: stack.name,
      physicalResourceId: stack.id,
      resourceType: 'AWS::CloudFormation::Stack',
      status: stack.status,
    });
  }
}

function toWire(stack: StackRecord): WireStack {
  return {
    StackId: stack.id,
    StackName: stack.name,
    CreationTime: new Date(stack.createdAt),
    ...(stack.updatedAt !== undefined ? { LastUpdatedTime: new Date(stack.updatedAt) } : {}),
    ...(stack.deletedAt !== undefined ? { DeletionTime: new Date(stack.deletedAt) } : {}),
    StackStatus: stack.status,
    DisableRollback: false,
    NotificationARNs: [],
    Tags: [],
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    ...(stack.parameters !== undefined
      ? { Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })) }
      : {}),
  };
}
