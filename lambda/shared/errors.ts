/**
 * Error classification and the messages users read in CloudFormation.
 *
 * The SDK turns every AWS error into an exception whose `name` is the error code (`DuplicateHandshakeException`,
 * `ConflictException`, ...). Handlers classify by that name, never by HTTP status (WorkSpaces answers 400 for all).
 */
import { maskEmails } from './log';
import { PropertyError } from '../../src/private/contract/read';

/** The AWS error code of an SDK exception (its `name`), or undefined for anything else. */
export function errorName(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'name' in error && typeof (error as { name: unknown }).name === 'string') {
    return (error as { name: string }).name;
  }
  return undefined;
}

/** True when `error` is an AWS error with one of the given names. */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  const name = errorName(error);
  return name !== undefined && names.includes(name);
}

/** The `Reason` member some services add to their errors (Organizations constraint violations). */
export function errorReason(error: unknown): string | undefined {
  const reason = (error as { Reason?: unknown } | undefined)?.Reason;
  return typeof reason === 'string' ? reason : undefined;
}

/** The service's own message of an error, with emails masked. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return maskEmails(message);
}

/**
 * A failure whose message is written for the user: it says what failed, for which account, and what to do.
 * The message becomes the `Reason` CloudFormation shows.
 */
export class InvitationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(maskEmails(message), options);
    this.name = 'InvitationError';
  }
}

/**
 * Describes an AWS error as `Name (Reason): message`, for a user-facing message.
 */
export function describeAwsError(error: unknown): string {
  const name = errorName(error) ?? 'Error';
  const reason = errorReason(error);
  // the caller adds its own sentence after this one: drop the service message's final period
  const message = errorMessage(error).replace(/\.+$/, '');
  return `${name}${reason ? ` (${reason})` : ''}${message && message !== name ? `: ${message}` : ''}`;
}

/**
 * What to do after an AWS error, keyed by the error's reason code (`ALREADY_IN_AN_ORGANIZATION`: Organizations'
 * `Reason`) or by its name (`AccessDeniedException`). Each service keeps its own table next to its lifecycle.
 */
export type Hints = Readonly<Record<string, string>>;

/** The next step when nothing more specific is known. */
export const TRANSIENT_OR_FIX = 'If this is transient, deploy again; otherwise fix the cause named here, then deploy again.';

/** The hint for an error: by reason code first, then by error name, from the first table that has one. */
export function hintFor(error: unknown, ...tables: readonly Hints[]): string | undefined {
  const reason = errorReason(error);
  const name = errorName(error);
  for (const key of [reason, name]) {
    if (key === undefined) continue;
    for (const table of tables) {
      if (Object.prototype.hasOwnProperty.call(table, key)) return table[key];
    }
  }
  return undefined;
}

export interface FailedWithOptions {
  /** Hint tables, searched in order (see `hintFor`). */
  readonly hints?: Hints | readonly Hints[];
  /** The hint when no table has one; default `TRANSIENT_OR_FIX`. */
  readonly fallback?: string;
  /** A sentence added after the hint, whatever it is (e.g. how to delete anyway). */
  readonly next?: string;
}

/**
 * The one sentence pattern of every deploy-time failure: `<doing> failed with <Name> (<REASON>): <message>. <what to
 * do>`. The AWS error name and reason code are always in it (users search for them); the hint says what to do,
 * never "see the logs".
 */
export function failedWith(doing: string, error: unknown, options: FailedWithOptions = {}): InvitationError {
  const tables = options.hints === undefined ? [] : Array.isArray(options.hints) ? options.hints as readonly Hints[] : [options.hints as Hints];
  const hint = hintFor(error, ...tables) ?? options.fallback ?? TRANSIENT_OR_FIX;
  return new InvitationError(
    `${doing} failed with ${describeAwsError(error)}. ${hint}${options.next ? ` ${options.next}` : ''}`,
    { cause: error },
  );
}

/**
 * Wraps an unexpected error into a user-facing one: what we were doing, the AWS error, and a generic next step.
 * Errors that are already user-facing pass through.
 */
export function toUserFacing(error: unknown, doing: string): Error {
  if (error instanceof InvitationError) return error;
  // a property the contract refused: its message names the key and the value (emails masked here)
  if (error instanceof PropertyError) return new InvitationError(error.message, { cause: error });
  return failedWith(doing, error);
}
