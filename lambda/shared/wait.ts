/**
 * Waiting for something another stack (or another account) is about to do: poll with capped exponential backoff,
 * bounded by a wait budget and by the Lambda's own deadline.
 *
 * This is not a retry of a failed call (the SDK's retry strategy does that for every AWS call); it is a look that
 * found nothing *yet*: an invitation that the inviting stack sends seconds after this stack started.
 */

/** How the delay between two looks grows: 1 s, 2 s, 4 s, 8 s, 16 s, then every 30 s. */
export const FIRST_DELAY_MS = 1_000;
export const MAX_DELAY_MS = 30_000;

/**
 * How long before the request's deadline a wait ends, whatever its budget: the time to act on what the last look
 * found (the accept call and its retries; for an inviter, the undo of what it made) and still answer with a message
 * of its own instead of the runtime's "did not finish". With the runtime's answer reserve it stays within the margin
 * an accepter's function gets beyond its wait (`ACCEPTER.acceptMarginSeconds`), so a default wait is never cut.
 */
export const ACT_RESERVE_MS = 20_000;

export interface WaitOptions {
  /** How long to keep looking after the first look (0 = look once). */
  readonly timeoutMs: number;
  /** Aborted when the runtime gives up on the request (Lambda deadline): stop at once. */
  readonly signal?: AbortSignal;
  /**
   * When the runtime gives up on the request (epoch ms, `RequestContext.deadline`): the wait ends `ACT_RESERVE_MS`
   * before it even if its budget is longer, so the caller still fails with its own message. Default: none.
   */
  readonly deadline?: number;
  /** Overrides for tests and the emulator (the environment can shorten them too, see `delays`). */
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
  /** The clock and the sleep, injectable for tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What a look found: done (stop with `value`), or not yet (`last` describes what was seen, for the final message). */
export type Look<T, S> = { readonly done: true; readonly value: T } | { readonly done: false; readonly last?: S };

export interface WaitResult<T, S> {
  /** Set when a look was done. */
  readonly value?: T;
  /** What the last look saw when the budget ran out. */
  readonly last?: S;
  readonly done: boolean;
  /** Looks made, for the log and the note. */
  readonly looks: number;
  readonly waitedMs: number;
  /** How long the wait could last: the budget, or less when the deadline cut it (`cutByDeadline`). */
  readonly budgetMs: number;
  readonly cutByDeadline: boolean;
}

function numberFromEnv(name: string): number | undefined {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The delay before look number `n + 1` (n >= 1). */
export function delayAfter(n: number, first: number, max: number): number {
  return Math.min(max, first * 2 ** (n - 1));
}

/**
 * The budget of a wait that starts at `start`: `timeoutMs`, shortened so that it ends `ACT_RESERVE_MS` before
 * `deadline` (never below 0: look once).
 */
export function boundedBudget(timeoutMs: number, start: number, deadline?: number): { readonly budgetMs: number; readonly cutByDeadline: boolean } {
  const wanted = Math.max(0, timeoutMs);
  if (deadline === undefined) return { budgetMs: wanted, cutByDeadline: false };
  const left = Math.max(0, deadline - ACT_RESERVE_MS - start);
  return left < wanted ? { budgetMs: left, cutByDeadline: true } : { budgetMs: wanted, cutByDeadline: false };
}

/**
 * Calls `look` until it reports done or the budget runs out. The last sleep is cut so the final look happens at the
 * end of the budget, never after it: a wait never outlives `timeoutMs` (nor the deadline's reserve) by more than one
 * look.
 */
export async function pollUntil<T, S>(look: () => Promise<Look<T, S>>, options: WaitOptions): Promise<WaitResult<T, S>> {
  const now = options.now ?? Date.now;
  const pause = options.sleep ?? sleep;
  const first = options.firstDelayMs ?? numberFromEnv('CDK_ACCOUNT_INVITATIONS_POLL_FIRST_MS') ?? FIRST_DELAY_MS;
  const max = options.maxDelayMs ?? numberFromEnv('CDK_ACCOUNT_INVITATIONS_POLL_MAX_MS') ?? MAX_DELAY_MS;
  const start = now();
  const { budgetMs, cutByDeadline } = boundedBudget(options.timeoutMs, start, options.deadline);
  const end = start + budgetMs;
  let last: S | undefined;
  for (let n = 1; ; n++) {
    options.signal?.throwIfAborted();
    const result = await look();
    const seen = { looks: n, waitedMs: now() - start, budgetMs, cutByDeadline };
    if (result.done) return { done: true, value: result.value, last, ...seen };
    last = result.last ?? last;
    const remaining = end - now();
    if (remaining <= 0) return { done: false, last, ...seen };
    await pause(Math.min(delayAfter(n, first, max), remaining), options.signal);
  }
}

/** How many looks a wait of `timeoutMs` makes at most when nothing turns up (for docs and the note). */
export function looksWithin(timeoutMs: number, first = FIRST_DELAY_MS, max = MAX_DELAY_MS): number {
  let elapsed = 0;
  let n = 1;
  while (elapsed < timeoutMs) {
    elapsed += Math.min(delayAfter(n, first, max), timeoutMs - elapsed);
    n++;
  }
  return n;
}
