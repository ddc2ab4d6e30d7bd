/**
 * Accepting through a role in each invited account: the one mechanism of every inviter with
 * `acceptance: Acceptance.assumeRole(roleName)`. A service supplies an adapter (its clients, its accept call, its undo,
 * its words); the rules live here once:
 * - every role is assumed before anything is accepted anywhere: a role that cannot be assumed means nothing is
 *   accepted in any account;
 * - "the invitation has not reached the invited account yet" is waited for within one budget (`ACCEPT_WAIT_MS`, its
 *   test override `CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS`), counted from the start of the acceptance step and shared
 *   by all accounts (their invitations were sent together), and bounded by the request's deadline;
 * - at most `ACCEPT_CONCURRENCY` accounts at a time; every account is tried, so one failure names every account
 *   that failed;
 * - when any account fails, what THIS request accepted is undone (an adopted relationship, in place before, is
 *   kept), then the inviter's own undo runs (`compensate`: cancel the invitation it sent, remove the members it
 *   made), and one failure is thrown: outcome first, then account, role, AWS error code and what to do, cut by bytes
 *   only after the outcome;
 * - the assumed clients are released (destroyed) after use, whatever happened.
 */
import type { AcceptOutcome } from './accept';
import { AssumeRoleError, AssumedClients, AcceptanceClients, assumeRoleFactory, assumeRoleHint, releaseClients } from './assume-role';
import type { ClientsFromCredentials } from './assume-role';
import { MAX_REASON_CHARS } from './cfn-response';
import { settleWithConcurrency } from './concurrency';
import { Hints, InvitationError, TRANSIENT_OR_FIX, describeAwsError, errorMessage, errorName, hintFor } from './errors';
import { log } from './log';
import type { RequestContext } from './runtime';
import { stackLocation } from './stack';
import type { WaitOptions } from './wait';

/**
 * How long the accept step waits for invitations just sent to become visible in the invited accounts. Services show
 * them within seconds; the budget stays far below the inviters' 5-minute functions, which must also invite, undo
 * after a failure and answer. The longest of the three waits this replaces (120 s, 60 s, 30 s per member).
 */
export const ACCEPT_WAIT_MS = 120_000;

/** The test and emulator override of `ACCEPT_WAIT_MS` (milliseconds, 0 = look once; it can only shorten the wait). */
export const ACCEPT_WAIT_ENV = 'CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS';

/** Accounts assumed, accepted in, or undone at once. */
export const ACCEPT_CONCURRENCY = 10;

/** The longest failure message, in bytes: within what CloudFormation shows of a Reason (a character is 1 byte or more). */
export const MAX_FAILURE_BYTES = MAX_REASON_CHARS;

/** Accounts named one by one in a failure; the rest are counted. */
const MAX_LISTED_ACCOUNTS = 5;

/** The accept wait: `ACCEPT_WAIT_MS`, or the override when it is a number from 0 up to it. */
export function acceptWaitMs(): number {
  const raw = process.env[ACCEPT_WAIT_ENV];
  const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 && value <= ACCEPT_WAIT_MS ? value : ACCEPT_WAIT_MS;
}

/** What an adapter's `accept` gets: the wait left for this account (signal, deadline, test clock) and its words. */
export type AcceptBudget = Pick<WaitOptions, 'timeoutMs' | 'signal'> & Partial<WaitOptions> & {
  /** What to say when the invitation did not show within the budget (pass it to `acceptWhenInvited`). */
  readonly notArrivedHint: string;
};

/** What not arriving means here: the inviter sent the invitation seconds before. */
export const NOT_ARRIVED_THROUGH_ROLE = 'The invitation sent by this deployment had not reached the invited account yet ' +
  '(it usually does within seconds); deploy again.';

/** One service's part of the mechanism. `C`: the clients in an invited account; `A`: the attributes of an acceptance. */
export interface RoleAcceptanceAdapter<C, A> {
  /** What is accepted, for messages: "Macie invitation", "AWS Organizations invitation". */
  readonly what: string;
  /** The clients of an invited account from the role's credentials (wired with `assumeRoleFactory`). */
  readonly clientsFrom: ClientsFromCredentials<C>;
  /** What to do about an acceptance that could not be undone: "disassociate in the Macie console (Settings, Accounts)". */
  readonly undoByHand: string;
  /** What to do after an AWS error of `accept`, by error name or reason code (`hintFor`). */
  readonly hints?: Hints;
  /**
   * Accepts (or adopts) the invitation in one account, waiting within `budget` (usually `acceptOrAdopt` over the
   * service's look). Throws a user-facing error, or an AWS error (then `hints` say what to do).
   */
  accept(clients: C, accountId: string, budget: AcceptBudget): Promise<AcceptOutcome<A>>;
  /**
   * Undoes an acceptance this request made in `accountId` (Macie: leave the administrator). Absent: an acceptance
   * cannot be undone (leaving an organization is never automatic; a WorkSpaces link stays LINKED).
   */
  undo?(clients: C, accountId: string, accepted: A): Promise<void>;
}

/**
 * The `perRequest` part of an inviter's clients spec (`entryPoints`, lambda/shared/entry.ts): the clients factory
 * `assumeRole`, made per request from the adapter's `clientsFrom`, every client honouring the request's signal.
 */
export function acceptanceClientsOf<C extends object>(
  adapter: Pick<RoleAcceptanceAdapter<C, unknown>, 'clientsFrom'>,
): (ctx: Pick<RequestContext, 'stackId' | 'requestId' | 'signal'>) => Required<AcceptanceClients<C>> {
  return (ctx) => ({ assumeRole: assumeRoleFactory(ctx, adapter.clientsFrom) });
}

/** One account's acceptance. */
export interface AcceptedIn<A> extends AcceptOutcome<A> {
  readonly accountId: string;
}

export interface RoleAcceptanceRequest<C> {
  /** The inviter's clients: `assumeRole` is the clients factory. */
  readonly clients: AcceptanceClients<C>;
  readonly roleName: string;
  /** The invited accounts (order kept in the result). */
  readonly accountIds: readonly string[];
  readonly ctx: Pick<RequestContext, 'stackId' | 'signal' | 'deadline'>;
  /**
   * The inviter's own undo after a failure (cancel the invitation it sent, remove the members it created): returns
   * what became of them, for the failure's outcome ("the invitation this deployment sent was canceled"). It should
   * not throw: a failed undo is an outcome too ("... could not be canceled: cancel it in the console").
   */
  readonly compensate?: () => Promise<string | undefined>;
  /** Test overrides of the wait's clock (and poll delays). */
  readonly timing?: Partial<Pick<WaitOptions, 'now' | 'sleep' | 'firstDelayMs' | 'maxDelayMs'>>;
}

type Step = 'assume' | 'accept';

interface Failed {
  readonly accountId: string;
  readonly step: Step;
  readonly error: unknown;
}

/**
 * Assumes the role in every account, then accepts in every account; on any failure undoes what this request
 * accepted, runs `compensate` and throws one `InvitationError` (see the module comment). Returns each account's
 * outcome and attributes, in the order of `accountIds`.
 */
export async function acceptThroughRole<C, A>(
  adapter: RoleAcceptanceAdapter<C, A>,
  request: RoleAcceptanceRequest<C>,
): Promise<AcceptedIn<A>[]> {
  const { accountIds, ctx, roleName } = request;
  if (accountIds.length === 0) return [];
  if (!request.clients.assumeRole) {
    throw new InvitationError('Internal error: no clients factory for the invited accounts. Please report this.');
  }
  const assume: AssumedClients<C> = request.clients.assumeRole(roleName);
  const now = request.timing?.now ?? Date.now;
  const made: Array<C | undefined> = new Array(accountIds.length);
  try {
    // 1. every role first: nothing is accepted anywhere unless every account can be acted in
    const assumed = await settleWithConcurrency(accountIds, ACCEPT_CONCURRENCY, async (accountId, i) => {
      made[i] = await assume(accountId);
    });
    ctx.signal?.throwIfAborted();
    const assumeFailures = failuresOf(accountIds, assumed, 'assume');
    if (assumeFailures.length > 0) {
      throw await failure(adapter, request, assumeFailures, { accepted: [], undone: [], stuck: [] });
    }

    // 2. accept everywhere, within one wait shared by all accounts
    const waitEnd = now() + acceptWaitMs();
    const results = await settleWithConcurrency(accountIds, ACCEPT_CONCURRENCY, async (accountId, i) => {
      ctx.signal?.throwIfAborted();
      const outcome = await adapter.accept(made[i] as C, accountId, {
        ...request.timing,
        timeoutMs: Math.max(0, waitEnd - now()),
        signal: ctx.signal,
        deadline: ctx.deadline,
        notArrivedHint: NOT_ARRIVED_THROUGH_ROLE,
      });
      return { accountId, ...outcome } as AcceptedIn<A>;
    });
    // cut off at the deadline: the runtime has answered and the clients refuse every call; the Delete that follows
    // cleans up (the wait ends ACT_RESERVE_MS before the deadline, so this is rare)
    ctx.signal?.throwIfAborted();
    const done = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const acceptFailures = failuresOf(accountIds, results, 'accept');
    log('INFO', 'acceptance through the role', {
      roleName,
      accepted: done.filter((d) => d.outcome === 'accepted').length,
      adopted: done.filter((d) => d.outcome === 'adopted').length,
      failed: acceptFailures.map((f) => ({ accountId: f.accountId, error: errorName(f.error) })),
    });
    if (acceptFailures.length > 0) {
      const undo = await undoAccepted(adapter, accountIds, made, done);
      throw await failure(adapter, request, acceptFailures, undo);
    }
    return done;
  } finally {
    made.forEach((clients) => releaseClients(clients));
  }
}

function failuresOf<T>(accountIds: readonly string[], results: readonly PromiseSettledResult<T>[], step: Step): Failed[] {
  return results.flatMap((r, i) => (r.status === 'rejected' ? [{ accountId: accountIds[i], step, error: r.reason }] : []));
}

/** What became of the acceptances this request made, after another account failed. */
interface UndoReport {
  /** Accounts where this request accepted. */
  readonly accepted: readonly string[];
  readonly undone: readonly string[];
  /** Accepted and not undone, with why. */
  readonly stuck: ReadonlyArray<{ readonly accountId: string; readonly why: string }>;
}

async function undoAccepted<C, A>(
  adapter: RoleAcceptanceAdapter<C, A>,
  accountIds: readonly string[],
  made: ReadonlyArray<C | undefined>,
  done: ReadonlyArray<AcceptedIn<A>>,
): Promise<UndoReport> {
  const ours = done.filter((d) => d.outcome === 'accepted');
  for (const d of done.filter((x) => x.outcome === 'adopted')) {
    log('INFO', 'accepted before this request: kept', { accountId: d.accountId });
  }
  if (ours.length === 0) return { accepted: [], undone: [], stuck: [] };
  if (!adapter.undo) {
    const stuck = ours.map((d) => ({ accountId: d.accountId, why: 'it cannot be undone' }));
    return { accepted: ours.map((d) => d.accountId), undone: [], stuck };
  }
  const undo = adapter.undo.bind(adapter);
  const settled = await settleWithConcurrency(ours, ACCEPT_CONCURRENCY, (d) =>
    undo(made[accountIds.indexOf(d.accountId)] as C, d.accountId, d.attributes));
  const undone: string[] = [];
  const stuck: Array<{ accountId: string; why: string }> = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') undone.push(ours[i].accountId);
    else stuck.push({ accountId: ours[i].accountId, why: `undoing it failed with ${errorName(r.reason) ?? 'an error'}` });
  });
  log(stuck.length > 0 ? 'WARN' : 'INFO', 'undid the acceptances this request made', {
    undone, notUndone: stuck.map((s) => ({ accountId: s.accountId, why: s.why })),
  });
  return { accepted: ours.map((d) => d.accountId), undone, stuck };
}

/** `account 1`, `accounts 1, 2 and 3`, `accounts 1, 2, 3, 4, 5 and 7 more`. */
export function describeAccounts(accountIds: readonly string[]): string {
  if (accountIds.length === 1) return `account ${accountIds[0]}`;
  const shown = accountIds.slice(0, MAX_LISTED_ACCOUNTS);
  const more = accountIds.length - shown.length;
  return more > 0
    ? `accounts ${shown.join(', ')} and ${more} more`
    : `accounts ${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** What the failure's sentences say of the service. */
type AdapterWords = Pick<RoleAcceptanceAdapter<unknown, unknown>, 'what' | 'undoByHand' | 'hints'>;

/** The outcome, first in the failure: what is accepted now, and what the inviter's undo did. */
function outcomeOf(words: AdapterWords, accountIds: readonly string[], undo: UndoReport, compensated: string | undefined): string {
  const where = accountIds.length === 1 ? `account ${accountIds[0]}` : `any of the ${accountIds.length} accounts`;
  let text: string;
  if (undo.stuck.length > 0) {
    const stuck = undo.stuck.map((s) => s.accountId);
    text = `The ${words.what} stays accepted in ${describeAccounts(stuck)} (${undo.stuck[0].why}): ${words.undoByHand}`;
    if (undo.undone.length > 0) text += `; the acceptance in ${describeAccounts(undo.undone)} was undone`;
  } else if (undo.undone.length > 0) {
    text = `Nothing stays accepted by this deployment: the acceptance it made in ${describeAccounts(undo.undone)} was undone`;
  } else {
    text = `Nothing was accepted in ${where}`;
  }
  return compensated ? `${text}; ${compensated}` : text;
}

/** A sentence part; `cut` parts (service messages) may be shortened to fit, the others never are. */
interface Part {
  readonly text: string;
  readonly cut?: boolean;
}

/** The cause sentences, grouped by step and error code so that many accounts failing alike read as one. */
function causesOf(words: AdapterWords, request: Pick<RoleAcceptanceRequest<unknown>, 'ctx' | 'roleName'>, failures: readonly Failed[]): Part[] {
  const own = stackLocation(request.ctx.stackId).account ?? 'the inviting account';
  const groups = new Map<string, Failed[]>();
  for (const f of failures) {
    const key = `${f.step}:${codeOf(f)}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const parts: Part[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    const accounts = describeAccounts(group.map((f) => f.accountId));
    if (first.step === 'assume') {
      const cause = first.error instanceof AssumeRoleError ? first.error.cause : first.error;
      parts.push(
        { text: ` Assuming role ${request.roleName} in ${accounts} failed with ${errorName(cause) ?? 'Error'}` },
        { text: serviceText(cause), cut: true },
        { text: `. ${assumeRoleHint(request.roleName, accounts, own)}` },
      );
    } else if (first.error instanceof InvitationError) {
      // a user-facing sentence of the service's accept: it names the code and what to do already
      parts.push({ text: ` Accepting through role ${request.roleName} in ${accounts} failed: ` }, { text: alike(first.error.message, group), cut: true });
    } else {
      parts.push(
        { text: ` Accepting the ${words.what} through role ${request.roleName} in ${accounts} failed with ${errorName(first.error) ?? 'Error'}` },
        { text: serviceText(first.error), cut: true },
        { text: `. ${hintFor(first.error, ...(words.hints ? [words.hints] : [])) ?? TRANSIENT_OR_FIX}` },
      );
    }
  }
  return parts;
}

/** The message of the first failure of a group, said of each account of the group when there are several. */
function alike(message: string, group: readonly Failed[]): string {
  if (group.length === 1) return message;
  const id = group[0].accountId;
  return message.split(`account ${id}`).join('the account').split(id).join('the account');
}

/** The code a failure is grouped by: the AWS error name (the assumed role's cause), or its message for own errors. */
function codeOf(f: Failed): string {
  const error = f.error instanceof AssumeRoleError ? f.error.cause : f.error;
  if (error instanceof InvitationError) return `message:${error.message.split(f.accountId).join('')}`;
  return errorName(error) ?? 'Error';
}

/** `: <the service's message>` (reason code included), or '' when it only repeats the code. */
function serviceText(error: unknown): string {
  const described = describeAwsError(error);
  const name = errorName(error) ?? 'Error';
  return described.startsWith(name) ? described.slice(name.length) : `: ${errorMessage(error)}`;
}

/** Joins the parts within `maxBytes`: cuttable parts shrink (last first), then the tail; the first part never. */
export function fitParts(parts: readonly Part[], maxBytes = MAX_FAILURE_BYTES): string {
  const bytes = (text: string) => Buffer.byteLength(text);
  const texts = parts.map((p) => p.text);
  let over = bytes(texts.join('')) - maxBytes;
  for (let i = parts.length - 1; i >= 1 && over > 0; i--) {
    if (!parts[i].cut) continue;
    const keep = Math.max(0, bytes(texts[i]) - over - 3);
    const cut = cutToBytes(texts[i], keep);
    if (cut.length < texts[i].length) {
      over -= bytes(texts[i]) - bytes(`${cut}...`);
      texts[i] = `${cut}...`;
    }
  }
  const text = texts.join('');
  if (bytes(text) <= maxBytes) return text;
  // still too long (many groups): keep the outcome whole, cut the rest
  const head = texts[0];
  return head + `${cutToBytes(texts.slice(1).join(''), Math.max(0, maxBytes - bytes(head) - 3))}...`;
}

/** The longest prefix of `text` (whole code points) of at most `maxBytes` UTF-8 bytes. */
function cutToBytes(text: string, maxBytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const b = Buffer.byteLength(ch);
    if (used + b > maxBytes) break;
    out += ch;
    used += b;
  }
  return out;
}

async function failure<C, A>(
  adapter: RoleAcceptanceAdapter<C, A>,
  request: RoleAcceptanceRequest<C>,
  failures: readonly Failed[],
  undo: UndoReport,
): Promise<InvitationError> {
  let compensated: string | undefined;
  if (request.compensate) {
    try {
      compensated = await request.compensate();
    } catch (error) {
      log('ERROR', 'the inviter\'s undo after the failed acceptance failed', { error: errorName(error) });
      compensated = `undoing what this deployment made failed too (${errorName(error) ?? 'error'})`;
    }
  }
  const outcome = outcomeOf(adapter, request.accountIds, undo, compensated);
  const message = fitParts([
    { text: `${outcome}.` },
    ...causesOf(adapter, request, failures),
  ]);
  return new InvitationError(message, { cause: failures[0].error });
}
