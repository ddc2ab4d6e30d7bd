/**
 * Failures of many accounts in one request (a batch of members, invitations, removals), as one user-facing message:
 * every account named, grouped by error, with the distinct hints of its errors, within what CloudFormation shows
 * of a reason. Shared by the inviters with members (Macie, Security Hub).
 */
import { Hints, describeAwsError, errorName, hintFor } from './errors';

/** One account that failed. */
export interface Failure {
  readonly accountId: string;
  /** User-facing error, emails masked. */
  readonly error: string;
  /** The AWS error name or unprocessed-account error code, for the hint. */
  readonly code?: string;
}

/** The distinct hints of `table` for the error codes of `failures`, or the generic next step. */
export function hintsFor(failures: readonly Failure[], table: Hints, maxChars = 250): string {
  const hints: string[] = [];
  let length = 0;
  for (const f of failures) {
    const hint = f.code === undefined ? undefined : hintFor({ name: f.code }, table);
    // CloudFormation shows 1,000 characters of the reason: at most about 250 of them for hints
    if (hint && !hints.includes(hint) && length + hint.length <= maxChars) {
      hints.push(hint);
      length += hint.length + 1;
    }
  }
  return hints.length > 0 ? hints.join(' ') : 'Fix the cause named here, then deploy again.';
}

/**
 * Groups failures by error: `111111111111, 222222222222 (ValidationException: ...); ...`, at most about `maxChars`
 * long: every error is shown with its first account, then more accounts while there is room.
 */
export function formatFailures(failures: readonly Failure[], maxChars = 700): string {
  const groups = new Map<string, string[]>();
  for (const f of failures) groups.set(f.error, [...(groups.get(f.error) ?? []), f.accountId]);
  const shown = new Map<string, string[]>();
  let length = 0;
  let omitted = 0;
  for (const [error, accountIds] of groups) {
    const extra = accountIds[0].length + error.length + 6;
    if (length + extra > maxChars) continue;
    shown.set(error, [accountIds[0]]);
    length += extra;
  }
  for (const [error, accountIds] of groups) {
    const list = shown.get(error);
    for (const id of accountIds.slice(list ? 1 : 0)) {
      if (list && length + id.length + 2 <= maxChars) {
        list.push(id);
        length += id.length + 2;
      } else {
        omitted++;
      }
    }
  }
  const parts = [...shown].map(([error, ids]) => `${ids.join(', ')} (${error})`);
  return parts.join('; ') + (omitted > 0 ? `; and ${omitted} more accounts` : '');
}

/** The failures among settled per-account results (`settleWithConcurrency`), named by `id`. */
export function failuresFrom<T>(items: readonly T[], results: readonly PromiseSettledResult<unknown>[], id: (item: T) => string): Failure[] {
  return results.flatMap((r, i) => (r.status === 'rejected'
    ? [{ accountId: id(items[i]), error: describeAwsError(r.reason), code: errorName(r.reason) }]
    : []));
}
