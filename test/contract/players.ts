/**
 * The stacks the contract suites play, on one emulator: the inviting stack (account INVITER, the row's inviter
 * bundle) and the member stack (account MEMBER, the row's accepter bundle), each resource's properties synthesized
 * from the row's constructs (`synthesize`) and sent as CloudFormation sends them (test/integ/cfn.ts).
 */
import { AppOptions, INVITER, KindRow, MEMBER, SECOND_MEMBER, handlerOf, synthesize, Synthesized } from './kinds';
import { errorMessage } from '../../lambda/shared/errors';
import { Cfn, CfnResult, RequestOptions, stackIdOf, startCfn, StartOptions } from '../integ/cfn';

/** Short polling: the accepters' waits (1 s, 2 s, ... capped at 30 s in production) in tens of milliseconds. */
export const FAST_POLL = { CDK_ACCOUNT_INVITATIONS_POLL_FIRST_MS: '20', CDK_ACCOUNT_INVITATIONS_POLL_MAX_MS: '100' };

/** The member stack, and a second stack of the member account (another accepter of the same invitation). */
export const MEMBER_STACK = stackIdOf(MEMBER, 'Member');
export const SECOND_MEMBER_STACK = stackIdOf(MEMBER, 'SecondMember');
/** The inviting stack. */
export const INVITING_STACK = stackIdOf(INVITER, 'Inviting');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Players started ahead, by what they were started with: a Lambda host costs a Node start and the bundle's load, so
 * while a test runs, the next test's player (fresh emulator, fresh hosts) starts in the background.
 */
const ahead = new Map<string, Promise<{ stop(): Promise<void> }>>();

function startAhead<T extends { stop(): Promise<void> }>(key: string, start: () => Promise<T>): Promise<T> {
  const ready = (ahead.get(key) as Promise<T> | undefined) ?? start();
  const next = start();
  next.catch(() => undefined); // reported when it is used
  ahead.set(key, next);
  return ready;
}

// the players started ahead end with the test file
afterAll(async () => {
  const unused = [...ahead.values()];
  ahead.clear();
  await Promise.all(unused.map(async (p) => (await p.catch(() => undefined))?.stop()));
});

/** Every attribute the construct reads is in Data, and none is empty (an output of an empty value fails the deploy). */
export function expectAttributes(result: CfnResult, synthesized: Synthesized): void {
  for (const name of synthesized.attributes) {
    expect({ [name]: result.Data[name] }).toEqual({ [name]: expect.stringMatching(/./) });
  }
}

/** The attributes the construct reads, of a response's Data. */
export function attributesOf(result: CfnResult, synthesized: Synthesized): Record<string, unknown> {
  return Object.fromEntries(synthesized.attributes.map((name) => [name, result.Data[name]]));
}

/** The inviting stack and the member stack of one row, on one emulator. */
export class Sides {
  /**
   * Starts both Lambda hosts (the accepter's shares the inviter's emulator) and prepares the member account. Where
   * CloudFormation's own resource invites, only the accepter's host starts, and INVITER's graph (or the like) exists.
   */
  static start(row: KindRow, env: Record<string, string> = {}): Promise<Sides> {
    return startAhead(`sides ${row.service} ${JSON.stringify(env)}`, async () => {
      if (row.cloudFormationInviter) {
        const accepter = await startCfn(handlerOf(row, 'accepter'), { accountId: MEMBER, env: { ...FAST_POLL, ...env } });
        row.prepareInviter(accepter.emulator, INVITER);
        row.prepareMember(accepter.emulator, MEMBER);
        return new Sides(row, undefined, accepter);
      }
      const inviter = await startCfn(handlerOf(row, 'inviter'), { accountId: INVITER, env: { ...FAST_POLL, ...env } });
      const accepter = await startCfn(handlerOf(row, 'accepter'), { accountId: MEMBER, sharedWith: inviter, env: { ...FAST_POLL, ...env } })
        .catch(async (error) => {
          await inviter.stop();
          throw error;
        });
      row.prepareMember(inviter.emulator, MEMBER);
      return new Sides(row, inviter, accepter);
    });
  }

  private readonly others: Cfn[] = [];

  /** `inviter`: the inviter's host, absent when the inviter is CloudFormation's own resource (`row.cloudFormationInviter`). */
  private constructor(readonly row: KindRow, readonly inviter: Cfn | undefined, readonly accepter: Cfn) {}

  get emulator() {
    return (this.inviter ?? this.accepter).emulator;
  }

  /** The inviting stack's Create of the inviter (synthesized with `options`). */
  invite(options: AppOptions = {}, request: RequestOptions = {}): Promise<CfnResult> {
    const { inviter } = synthesize(this.row, options);
    if (!this.inviter) return this.playCfnInviter('create', options.inviter ?? INVITER, inviter.props, '', request.logicalResourceId ?? inviter.logicalId);
    return this.inviter.create(inviter.props, { stackId: INVITING_STACK, logicalResourceId: inviter.logicalId, ...request });
  }

  /** The inviting stack's Delete of its inviter. */
  async uninvite(physicalId: string, options: AppOptions = {}, request: RequestOptions = {}): Promise<CfnResult> {
    const { inviter } = synthesize(this.row, options);
    if (!this.inviter) return this.playCfnInviter('delete', options.inviter ?? INVITER, inviter.props, physicalId, inviter.logicalId);
    return this.inviter.delete(physicalId, inviter.props, { stackId: INVITING_STACK, logicalResourceId: inviter.logicalId, ...request });
  }

  /** CloudFormation's own inviting resource, played as `account`, answered as CloudFormation would report it. */
  private async playCfnInviter(
    action: 'create' | 'delete', account: string, props: Record<string, unknown>, physicalId: string, logicalId: string,
  ): Promise<CfnResult> {
    const cfn = this.row.cloudFormationInviter!;
    const start = Date.now();
    const result = (Status: CfnResult['Status'], PhysicalResourceId: string, Reason = ''): CfnResult =>
      ({ Status, PhysicalResourceId, Data: {}, Reason, elapsedMs: Date.now() - start, invocationMs: [Date.now() - start] });
    try {
      if (action === 'delete') {
        await cfn.delete(this.emulator, account, physicalId, props);
        return result('SUCCESS', physicalId);
      }
      return result('SUCCESS', await cfn.create(this.emulator, account, props, logicalId));
    } catch (error) {
      return result('FAILED', physicalId, errorMessage(error));
    }
  }

  /** The accepter as `acceptIn` declares it (in MEMBER's stack, expecting `options.inviter`). */
  accepterOf(options: AppOptions = {}): Synthesized {
    const { accepter } = synthesize(this.row, options);
    if (!accepter) throw new Error('no accepter declared');
    return accepter;
  }

  accept(options: AppOptions = {}, request: RequestOptions = {}): Promise<CfnResult> {
    const accepter = this.accepterOf(options);
    return this.accepter.create(accepter.props, { stackId: MEMBER_STACK, logicalResourceId: accepter.logicalId, ...request });
  }

  updateAccepter(physicalId: string, options: AppOptions, oldOptions: AppOptions, request: RequestOptions = {}): Promise<CfnResult> {
    const accepter = this.accepterOf(options);
    return this.accepter.update(physicalId, accepter.props, this.accepterOf(oldOptions).props,
      { stackId: MEMBER_STACK, logicalResourceId: accepter.logicalId, ...request });
  }

  deleteAccepter(physicalId: string, options: AppOptions = {}, request: RequestOptions = {}): Promise<CfnResult> {
    const accepter = this.accepterOf(options);
    return this.accepter.delete(physicalId, accepter.props, { stackId: MEMBER_STACK, logicalResourceId: accepter.logicalId, ...request });
  }

  /** Another inviting account (`account`) sends its own invitation to MEMBER, from its own stack. */
  async inviteFrom(account: string, options: Omit<StartOptions, 'accountId' | 'sharedWith'> = {}): Promise<CfnResult> {
    this.row.prepareInviter(this.emulator, account);
    if (!this.inviter) return this.invite({ inviter: account });
    const other = await startCfn(handlerOf(this.row, 'inviter'), { accountId: account, sharedWith: this.inviter, env: FAST_POLL, ...options });
    this.others.push(other);
    const { inviter } = synthesize(this.row, { inviter: account });
    return other.create(inviter.props, { stackId: stackIdOf(account, `Inviting${account}`), logicalResourceId: inviter.logicalId });
  }

  /** Requests of `operation` (by `account`, when given) so far. */
  calls(operation: string, account?: string): number {
    return this.emulator.requests.filter((r) => r.op === operation && (account === undefined || r.accountId === account)).length;
  }

  /** Whether MEMBER is associated with `inviter` (INVITER by default). */
  isMember(inviter = INVITER): boolean {
    return this.row.isMember(this.emulator, MEMBER, inviter);
  }

  /**
   * The leak check of every host (one emulator): INVITER's pending invitations are exactly `pending`, and no request
   * was invalid, no host crashed, no email was logged.
   */
  expectFinalState(pending: readonly string[] = []): void {
    expect(this.row.pendingTargets(this.emulator)).toEqual([...pending].sort());
    const state = this.row.finalState(this.emulator);
    for (const cfn of [this.inviter, this.accepter, ...this.others]) cfn?.expectFinalState(state);
  }

  async stop(): Promise<void> {
    if (!this.inviter) return this.accepter.stop();
    await Promise.all([this.accepter.stop(), ...this.others.map((o) => o.stop())]);
    await this.inviter.stop();
  }
}

/** The inviting stack alone (the row's inviter bundle, account INVITER): the inviter suite's player. */
export class InvitingStack {
  static start(row: KindRow, options: Omit<StartOptions, 'sharedWith'> = {}): Promise<InvitingStack> {
    return startAhead(`inviting ${row.service} ${JSON.stringify(options)}`, async () => {
      const cfn = await startCfn(handlerOf(row, 'inviter'), options);
      row.prepareMember(cfn.emulator, MEMBER);
      row.prepareMember(cfn.emulator, SECOND_MEMBER);
      return new InvitingStack(row, cfn);
    });
  }

  private constructor(readonly row: KindRow, readonly cfn: Cfn) {}

  get emulator() {
    return this.cfn.emulator;
  }

  /** The inviter as synthesized with `options`. */
  inviterOf(options: AppOptions = {}): Synthesized {
    return synthesize(this.row, options).inviter;
  }

  /** Request options for the synthesized resource: its logical ID, and its template properties when they hold intrinsics. */
  private request(options: AppOptions, request: RequestOptions): RequestOptions {
    const inviter = this.inviterOf(options);
    return {
      logicalResourceId: inviter.logicalId,
      ...(options.targetFrom ? { templateProperties: inviter.templateProps } : {}),
      ...request,
    };
  }

  create(options: AppOptions = {}, request: RequestOptions = {}): Promise<CfnResult> {
    return this.cfn.create(this.inviterOf(options).props, this.request(options, request));
  }

  cancelCreate(options: AppOptions = {}, request: RequestOptions = {}) {
    return this.cfn.cancelCreate(this.inviterOf(options).props, this.request(options, request));
  }

  update(physicalId: string, options: AppOptions, oldOptions: AppOptions, request: RequestOptions = {}): Promise<CfnResult> {
    return this.cfn.update(physicalId, this.inviterOf(options).props, this.inviterOf(oldOptions).props, this.request(options, request));
  }

  delete(physicalId: string, options: AppOptions = {}, request: RequestOptions = {}): Promise<CfnResult> {
    return this.cfn.delete(physicalId, this.inviterOf(options).props, this.request(options, request));
  }

  /** Requests of `operation` so far. */
  calls(operation: string): number {
    return this.emulator.calls[operation] ?? 0;
  }

  /** The accounts INVITER has a pending invitation for. */
  pending(): string[] {
    return this.row.pendingTargets(this.emulator);
  }

  /** The leak check: INVITER's pending invitations are exactly for `pending`; no invalid request, crash or email. */
  expectFinalState(pending: readonly string[] = []): void {
    expect(this.pending()).toEqual([...pending].sort());
    this.cfn.expectFinalState(this.row.finalState(this.emulator));
  }

  stop(): Promise<void> {
    return this.cfn.stop();
  }
}

/** Scenario keys by service: the defects a suite knows of. */
export type Defects<S extends string> = Readonly<Record<string, Partial<Record<S, string>>>>;

/**
 * Declares a row's scenario: `test`; `test.failing` where it shows a defect issue 17 lists (`listed`: the item, in
 * the title; the mark must go once the defect is fixed, or the suite fails); `test.skip` where it shows a defect issue
 * 17 does not list (`unlisted`: what fails, in the title; reported for the issue), so that the suite stays green
 * without declaring an unlisted defect expected.
 */
export function scenarios<S extends string>(row: KindRow, listed: Defects<S>, unlisted: Defects<S> = {}) {
  return (key: S, name: string, fn: () => Promise<void>): void => {
    const defect = listed[row.service]?.[key];
    const unknown = unlisted[row.service]?.[key];
    if (defect) test.failing(`${name} (known defect: ${defect})`, fn);
    else if (unknown) test.skip(`${name} (skipped, a defect issue 17 does not list: ${unknown})`, fn);
    else test(name, fn);
  };
}
