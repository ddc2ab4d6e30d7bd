/** Pieces shared by the emulated services: errors, the clock, identifiers and paging. */
import { randomInt } from 'node:crypto';
import type { Principal } from './identity';

/** An error answer of an emulated service, serialized by the emulator in the service's protocol. */
export class ServiceError extends Error {
  /**
   * @param code error shape name, e.g. `DuplicateHandshakeException`
   * @param fields extra members of the error body, e.g. `{ Reason: 'ALREADY_IN_AN_ORGANIZATION' }`
   * @param status HTTP status; by default the model's (httpError trait, else 500 for faults, else 400)
   * @param invalidRequest whether the request itself was invalid (recorded in `emulator.validationErrors`)
   */
  constructor(
    readonly code: string,
    message: string,
    readonly fields: Readonly<Record<string, unknown>> = {},
    readonly status?: number,
    readonly invalidRequest = false,
  ) {
    super(message);
    this.name = code;
  }
}

/** Input of an operation, keyed by wire name (see validate.ts). */
export type Input = Readonly<Record<string, unknown>>;

/** Who calls, as the emulator read it from the request's credentials (see identity.ts). */
export interface RequestContext {
  readonly principal: Principal;
  /** Whether the principal is denied an IAM action, e.g. `iam:CreateServiceLinkedRole` (see `emulator.denyAction`). */
  isDenied(action: string): boolean;
}

/** The context of calls made by the emulator's own test helpers: the default account, legacy. */
export function helperContext(accountId: string): RequestContext {
  return {
    principal: { accountId, arn: `arn:aws:iam::${accountId}:user/emulator`, userId: 'AIDAEMULATOR', legacy: true },
    isDenied: () => false,
  };
}

/** What an emulated service offers the emulator's router. */
export interface ServiceHandler {
  /** Answers the named operation (already validated against the model); throws ServiceError for error answers. */
  handle(operation: string, input: Input, context: RequestContext): unknown;
}

/**
 * When a new invitation becomes visible to the invited account (not to the inviter, who sees it at once): after `ms`
 * of the emulator's clock and/or after the invitee has looked `listCalls` times (list or get calls of the invitee
 * that would have shown it). Both given: both must pass.
 */
export interface InvitationDelay {
  readonly ms?: number;
  readonly listCalls?: number;
}

/** The visibility of one invitation to its invitee. */
export class Visibility {
  private readonly createdAt: number;
  private readonly ms: number;
  private remainingCalls: number;

  constructor(private readonly clock: Clock, delay: InvitationDelay = {}) {
    this.createdAt = clock.now();
    this.ms = delay.ms ?? 0;
    this.remainingCalls = delay.listCalls ?? 0;
  }

  /** Whether the invitee sees it now; counts one look of the invitee when `look` is set. */
  visible(look = false): boolean {
    const timeOk = this.clock.now() >= this.createdAt + this.ms;
    if (this.remainingCalls > 0) {
      if (look) this.remainingCalls--;
      return false;
    }
    return timeOk;
  }
}

export function checkDelay(delay: InvitationDelay): void {
  for (const [key, value] of Object.entries(delay)) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw new Error(`invitation delay ${key} must be a non-negative integer, got ${value}`);
  }
}

/** The emulator's clock: wall-clock time shifted by `advance`, so tests can expire invitations. */
export class Clock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }
}

export const DAY_MS = 24 * 60 * 60 * 1000;

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(length: number, alphabet = LOWER_ALNUM): string {
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}

export interface PagingOptions {
  /** Largest page the emulator returns whatever MaxResults says (services may return fewer items than asked). */
  readonly pageSize: number;
  /**
   * Return pages without items but with a NextToken, as AWS list APIs may: the first page of a non-empty listing,
   * and a final page after the last item.
   */
  readonly emptyPages: boolean;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/**
 * One page of `items`. A token is bound to `scope` (operation and filters): a token from another listing, or an
 * unreadable one, makes `invalidToken` throw.
 */
export function paginate<T>(
  items: readonly T[],
  request: { token?: unknown; maxResults?: unknown; scope: string },
  options: PagingOptions,
  invalidToken: () => ServiceError,
): Page<T> {
  const encode = (offset: number) => Buffer.from(JSON.stringify({ scope: request.scope, offset })).toString('base64');
  let offset = 0;
  if (request.token === undefined) {
    if (options.emptyPages && items.length > 0) return { items: [], nextToken: encode(0) };
  } else {
    offset = decodeOffset(request.token, request.scope) ?? -1;
    if (offset < 0 || offset > items.length) throw invalidToken();
  }
  const size = Math.min(options.pageSize, typeof request.maxResults === 'number' ? request.maxResults : Infinity);
  const end = Math.min(offset + size, items.length);
  const more = end < items.length || (options.emptyPages && end > offset);
  return { items: items.slice(offset, end), nextToken: more ? encode(end) : undefined };
}

function decodeOffset(token: unknown, scope: string): number | undefined {
  if (typeof token !== 'string') return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (typeof decoded === 'object' && decoded !== null && 'scope' in decoded && 'offset' in decoded
      && decoded.scope === scope && Number.isInteger(decoded.offset)) {
      return decoded.offset as number;
    }
  } catch {
    // not a token of ours
  }
  return undefined;
}
