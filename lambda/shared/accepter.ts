/**
 * The one lifecycle of every accepter (the invitee's side): a service describes how to look, accept and leave
 * (`AccepterSpec`), and `accepterLifecycle` makes the `Lifecycle` the runtime runs. The rules live here once:
 * - Create accepts the expected inviter's invitation, or adopts a relationship already in place, waiting within
 *   `waitTimeout` and within the time the function has left (`acceptOrAdopt`, `RequestContext.deadline`).
 * - The physical ID records what this resource ACCEPTED versus ADOPTED:
 *   `<prefix>:<region>:<inviter>:<accepted|adopted>:<invitation ID>` (`unknown` instead when it cannot be told:
 *   the answer of a rollback, and every physical ID of an earlier version, which has its own format).
 * - Delete with DESTROY leaves only a relationship this resource accepted, and only while it still stands on that
 *   invitation with that inviter and no other accepter of the stack expects the same inviter; an adopted relationship,
 *   an `unknown` one, RETAIN and a service that cannot leave keep it, and the log says why.
 * - An update that still expects the recorded relationship (a changed wait or removal policy, or detail the
 *   relationship already satisfies) keeps the physical ID and accepts nothing.
 * - An update that expects another relationship accepts as on Create, except in a rollback (the one rule of
 *   `rollbackState`), which accepts nothing and never fails for the relationship. When the stack cannot be read, an
 *   account still in the relationship the physical ID names is answered the same way (a forward update would fail on
 *   it anyway, a rollback must not), with a warning.
 * - A Create that did not finish (cut off at the deadline, canceled) keeps whatever it may have accepted or adopted.
 */
import { AcceptSpec, Sighting, acceptOrAdopt } from './accept';
import { InvitationError, errorName } from './errors';
import { log } from './log';
import type { DataValue, HandlerResponse, Lifecycle, RequestContext } from './runtime';
import { StackClients, StackTargets, rollbackState, stackLocation, targetsKeptByStack } from './stack';
import type { WaitOptions } from './wait';
import type { RawProperties, RemovalMode } from '../../src/private/contract/read';
import type { AccepterCommon } from '../../src/private/contract/shared';

/** Whether this resource made the relationship it stands for, found it in place, or cannot tell. */
export type How = 'accepted' | 'adopted' | 'unknown';

/** A relationship between the account and an inviter, as the physical ID records it and as the service shows it. */
export interface Relationship {
  /** The inviter, in the service's own notation (an account ID, `o-…`): no `:`. */
  readonly inviter: string;
  /** The invitation the relationship stands on (invitation, handshake or link ID), when the service tells it. */
  readonly invitationId?: string;
}

/** What a physical ID says. `inviter` is missing only in IDs of earlier versions that did not name it. */
export interface Recorded extends Partial<Relationship> {
  readonly how: How;
  /** A physical ID of an earlier version (its own format): `how` is `unknown`. */
  readonly legacy?: boolean;
}

/** The invitation ID written when there is none (an association that no invitation made, or an unknown one). */
export const NO_INVITATION = 'NONE';
const HOWS: readonly How[] = ['accepted', 'adopted', 'unknown'];
const SEGMENT = /^[^:\s]+$/;

/** `<prefix>:<region>:<inviter>:<how>:<invitation ID>`. */
export function accepterPhysicalId(prefix: string, ctx: Pick<RequestContext, 'stackId'>, how: How, relationship: Relationship): string {
  const region = stackLocation(ctx.stackId).region ?? 'unknown';
  const invitationId = relationship.invitationId || NO_INVITATION;
  for (const segment of [prefix, region, relationship.inviter, invitationId]) {
    if (!SEGMENT.test(segment)) {
      throw new InvitationError(`Internal error: ${JSON.stringify(segment)} cannot be part of a physical ID. Please report this.`);
    }
  }
  return [prefix, region, relationship.inviter, how, invitationId].join(':');
}

/** What a physical ID of `prefix`'s format records, or undefined for any other ID. */
export function parseAccepterPhysicalId(prefix: string, physicalId: string): Recorded | undefined {
  const parts = physicalId.split(':');
  if (parts.length !== 5 || parts[0] !== prefix || !parts.every((p) => SEGMENT.test(p))) return undefined;
  const how = parts[3] as How;
  if (!HOWS.includes(how)) return undefined;
  return { how, inviter: parts[2], ...(parts[4] !== NO_INVITATION ? { invitationId: parts[4] } : {}) };
}

/**
 * One service's accepter. `Props`: what its contract's `parse` returns (the wait included); `Clients`: its clients in
 * this account (with `cloudformation` for the rollback rule and the stack's other accepters); `A`: its attributes.
 */
export interface AccepterSpec<Props extends AccepterCommon, Clients extends StackClients, A> {
  /** What the handler manages, for messages: "Macie invitation acceptance". */
  readonly what: string;
  /** The physical ID's first segment, unique per kind: "macie-invitation-accepter". */
  readonly prefix: string;
  /** Why Delete keeps even what it accepted when there is no `leave`: "leaving an organization is never automatic". */
  readonly cannotLeave?: string;
  /**
   * How the stack's other accepters name their inviter (a renamed construct expects the same one: it stays). A kind
   * that can `leave` needs it and a `cloudformation` client: without them Delete keeps.
   */
  readonly targets?: StackTargets<Props>;
  /** The contract's parse (and `parseOld`, the identifying fields alone, when it has one). */
  parse(raw: RawProperties): Props;
  parseOld?(raw: RawProperties): Props;
  /** The words of the accept flow (`AcceptSpec`): what, inviter, invitee, what to do. */
  words(props: Props, ctx: RequestContext): Omit<AcceptSpec<A>, 'look' | 'wait'>;
  /** The inviter's account ID, when the properties name one: an accepter must not name its own account. */
  inviterAccount?(props: Props): string | undefined;
  /** Before the first look of a Create (Macie: fail clearly when Macie is off). */
  prepare?(clients: Clients, props: Props, ctx: RequestContext): Promise<void>;
  /** One look (`Sighting`); a pending sighting's `accept` returns `Adopted` when it finds the invitation accepted already. */
  look(clients: Clients, props: Props, ctx: RequestContext): Promise<Sighting<A>>;
  /** The relationship an acceptance or a report stands for, as the physical ID records it (expected inviter first). */
  identify(props: Props, attributes: A): Relationship;
  /** True when the properties still expect the recorded relationship: then an update keeps the physical ID. */
  expects(props: Props, recorded: Relationship): boolean;
  /** For physical IDs of earlier versions that name no inviter: the old and new properties expect the same. */
  sameExpectation(props: Props, oldProps: Props): boolean;
  /**
   * The relationship the account is in now (any inviter), or undefined when it is in none. `recorded`: the one the
   * physical ID names, for a kind whose account holds many relationships at once (RAM: one per share) and answers
   * for that one.
   */
  current(clients: Clients, props: Props, ctx: RequestContext, recorded: Recorded): Promise<Relationship | undefined>;
  /** The relationship as it is, accepting nothing (an update that keeps it, a rollback); never fails for what it finds. */
  report(clients: Clients, props: Props, recorded: Recorded | undefined, ctx: RequestContext): Promise<A>;
  /** The attributes when even `report` cannot read (never empty strings; `ctx` tells this account and Region). */
  unreadable(props: Props, recorded: Recorded | undefined, ctx: RequestContext): A;
  /** The response Data (the contract's `data`); `how` as the physical ID records it (WorkSpaces reports `Adopted`). */
  data(props: Props, attributes: A, how: How): Record<string, DataValue>;
  /** A physical ID of an earlier version: what it names, or undefined when it is not one of this kind's. */
  legacy?(physicalId: string): Omit<Recorded, 'how' | 'legacy'> | undefined;
  /** The removal policy (DESTROY when absent). */
  removal?(props: Props): RemovalMode;
  /** Leaves the relationship this resource accepted. Absent: it cannot be left, and `cannotLeave` says why. */
  leave?(clients: Clients, recorded: Recorded & Relationship, props: Props, ctx: RequestContext): Promise<void>;
}

export interface AccepterOptions {
  /** Test overrides of the wait's clock and poll delays. */
  readonly timing?: Partial<Pick<WaitOptions, 'now' | 'sleep' | 'firstDelayMs' | 'maxDelayMs'>>;
}

/** The lifecycle of an accepter kind, from its spec. */
export function accepterLifecycle<Props extends AccepterCommon, Clients extends StackClients, A>(
  spec: AccepterSpec<Props, Clients, A>,
  options: AccepterOptions = {},
): Lifecycle<Props, Clients> & { ownsPhysicalId(physicalId: string): boolean } {
  const recordOf = (physicalId: string): Recorded | undefined => {
    const recorded = parseAccepterPhysicalId(spec.prefix, physicalId);
    if (recorded) return recorded;
    const old = spec.legacy?.(physicalId);
    return old ? { ...old, how: 'unknown', legacy: true } : undefined;
  };

  const respond = (props: Props, attributes: A, physicalId: string, how: How): HandlerResponse =>
    ({ PhysicalResourceId: physicalId, Data: spec.data(props, attributes, how) });

  const create = async (clients: Clients, props: Props, ctx: RequestContext): Promise<HandlerResponse> => {
    const words = spec.words(props, ctx);
    const inviter = spec.inviterAccount?.(props);
    const own = stackLocation(ctx.stackId).account;
    if (inviter !== undefined && inviter === own) {
      throw new InvitationError(
        `The expected ${words.inviter} is this stack's own account: an accepter is deployed in the invited account and ` +
          'names the inviting one. Give the inviting account\'s ID (not Aws.ACCOUNT_ID, nor the account of a stack ' +
          'that resolves to this one), then deploy again. Nothing was changed.',
      );
    }
    await spec.prepare?.(clients, props, ctx);
    const { outcome, attributes } = await acceptOrAdopt<A>({
      ...words,
      look: () => spec.look(clients, props, ctx),
      wait: { ...options.timing, timeoutMs: props.waitTimeoutMs, signal: ctx.signal, deadline: ctx.deadline },
    });
    const physicalId = accepterPhysicalId(spec.prefix, ctx, outcome, spec.identify(props, attributes));
    log('INFO', outcome === 'accepted' ? 'accepted: Delete may leave it' : 'adopted: Delete keeps it', { physicalId });
    return respond(props, attributes, physicalId, outcome);
  };

  /** `report`, which must not fail an update that accepts nothing (its rollback would read the same way). */
  const report = async (clients: Clients, props: Props, recorded: Recorded | undefined, ctx: RequestContext): Promise<A> => {
    try {
      return await spec.report(clients, props, recorded, ctx);
    } catch (error) {
      ctx.signal?.throwIfAborted();
      log('WARN', 'could not read the relationship: reported as unknown, nothing changed', { error: errorName(error) });
      return spec.unreadable(props, recorded, ctx);
    }
  };

  /** Nothing is accepted for an expectation that differs from the relationship: the answer of a rollback. */
  const keepWithoutAccepting = async (clients: Clients, props: Props, ctx: RequestContext): Promise<HandlerResponse> => {
    const attributes = await report(clients, props, undefined, ctx);
    return respond(props, attributes, accepterPhysicalId(spec.prefix, ctx, 'unknown', spec.identify(props, attributes)), 'unknown');
  };

  const update = async (clients: Clients, physicalId: string, props: Props, oldProps: Props, ctx: RequestContext): Promise<HandlerResponse> => {
    const recorded = recordOf(physicalId);
    if (!recorded) {
      log('INFO', 'not a physical ID of this accepter: accepting as on create', { physicalId });
      return create(clients, props, ctx);
    }
    const same = recorded.inviter !== undefined
      ? spec.expects(props, recorded as Recorded & Relationship)
      : spec.sameExpectation(props, oldProps);
    if (same) {
      log('INFO', 'the expected relationship is unchanged: nothing accepted, the physical ID stays', { physicalId });
      return respond(props, await report(clients, props, recorded, ctx), physicalId, recorded.how);
    }
    const state = await rollbackState(clients, ctx);
    if (state === 'forward') {
      log('INFO', 'the expected inviter changed: accepting as on create', { oldPhysicalId: physicalId });
      return create(clients, props, ctx);
    }
    if (state === 'rollback') {
      log('WARN', 'rolling back to an earlier expectation: nothing is accepted (the cleanup of the newer physical ID ' +
        'leaves only what that update accepted)', { physicalId });
      return keepWithoutAccepting(clients, props, ctx);
    }
    let stillTied: boolean;
    try {
      const current = await spec.current(clients, props, ctx, recorded);
      stillTied = recorded.inviter !== undefined ? current?.inviter === recorded.inviter : current !== undefined;
    } catch (error) {
      ctx.signal?.throwIfAborted();
      log('WARN', 'could not read the current relationship either', { error: errorName(error) });
      stillTied = true;
    }
    if (!stillTied) {
      log('INFO', 'the stack cannot be read, and the account is not in the relationship the physical ID names: ' +
        'accepting as on create', { oldPhysicalId: physicalId });
      return create(clients, props, ctx);
    }
    log('WARN', 'the stack cannot be read, so whether this update is a rollback cannot be told, and the account is still ' +
      'in the relationship the physical ID names: nothing is accepted, so that a rollback cannot fail. If this is a ' +
      'forward update, let the function\'s role call cloudformation:DescribeStacks, or end that relationship first, ' +
      'then deploy again.', { physicalId });
    return keepWithoutAccepting(clients, props, ctx);
  };

  const remove = async (clients: Clients, physicalId: string, props: Props, ctx: RequestContext): Promise<void> => {
    const recorded = recordOf(physicalId);
    if (!recorded) {
      log('INFO', 'not a physical ID of this accepter: nothing to leave', { physicalId });
      return;
    }
    if (!spec.leave) {
      log('INFO', `the relationship stays: ${spec.cannotLeave ?? 'it cannot be left through the API'}`, { physicalId });
      return;
    }
    if ((spec.removal?.(props) ?? 'DESTROY') === 'RETAIN') {
      log('INFO', 'removal policy RETAIN: the relationship stays', { physicalId });
      return;
    }
    if (recorded.how === 'adopted') {
      log('INFO', 'this resource adopted the relationship (it was in place before): it stays', { physicalId });
      return;
    }
    if (recorded.how === 'unknown' || recorded.inviter === undefined) {
      log('WARN', `whether this resource accepted the relationship cannot be told (${recorded.legacy ? 'a physical ID ' +
        'of an earlier version' : 'the answer of a rollback'}): it stays. End it by hand if it should go.`, { physicalId });
      return;
    }
    if (!spec.targets || !clients.cloudformation) {
      log('WARN', 'whether another accepter of this stack expects the same inviter (a renamed construct) cannot be told ' +
        'without reading the stack: the relationship stays. End it by hand if it should go.', { physicalId });
      return;
    }
    if ((await targetsKeptByStack(clients, ctx, spec.targets, props)).size > 0) {
      log('INFO', 'another accepter of this stack expects the same inviter: the relationship stays', { physicalId });
      return;
    }
    const current = await spec.current(clients, props, ctx, recorded);
    if (current?.inviter !== recorded.inviter) {
      log('INFO', current ? 'the account has another inviter now: left alone' : 'the account is in no relationship: nothing to leave', {
        physicalId, current: current?.inviter,
      });
      return;
    }
    if (recorded.invitationId !== undefined && current.invitationId !== recorded.invitationId) {
      log('INFO', 'the relationship stands on another invitation than the one this resource accepted: it stays', {
        physicalId, current: current.invitationId ?? NO_INVITATION,
      });
      return;
    }
    await spec.leave(clients, recorded as Recorded & Relationship, props, ctx);
  };

  return {
    what: spec.what,
    parse: (raw) => spec.parse(raw),
    ...(spec.parseOld ? { parseOld: (raw: RawProperties) => spec.parseOld!(raw) } : {}),
    ownsPhysicalId: (physicalId) => recordOf(physicalId) !== undefined,
    create,
    update,
    delete: remove,
    abandonedCreate: async (_clients, _props, _ctx) => {
      log('INFO', 'a Create that did not finish may have accepted or adopted the relationship: it stays', {});
    },
  };
}
