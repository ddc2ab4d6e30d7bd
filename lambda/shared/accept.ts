/**
 * The invitee's side, common to every accepter: look for the invitation addressed to this account by the expected
 * inviter, accept it, and wait (bounded) while it has not arrived yet. Each accepter only says how to look and how to
 * accept; the rules and the messages live here once:
 * - already accepted (or already a member of the expected inviter) = success with the same attributes (adopt);
 * - associated with another inviter = failure naming both, nothing changed;
 * - only ended invitations visible = keep waiting (the inviting stack may be about to send a new one); when the wait
 *   runs out, the failure says the last invitation ended, with its state;
 * - nothing visible = keep waiting; when the wait runs out, the failure names the expected inviter and what to do.
 */
import { InvitationError } from './errors';
import { log } from './log';
import { Look, WaitOptions, pollUntil } from './wait';

/**
 * Thrown by a `pending` sighting's `accept` when the invitation ended between the look and the accept (canceled,
 * declined or expired meanwhile): the wait goes on as after an `ended` sighting, instead of failing the deploy.
 */
export class InvitationEndedError extends Error {
  constructor(public readonly id: string, public readonly state: string) {
    super(`invitation ${id} ended with state ${state} before it could be accepted`);
    this.name = 'InvitationEndedError';
  }
}

/**
 * Returned by a `pending` sighting's `accept` when the invitation turned out to be accepted already (by another stack,
 * by hand, meanwhile): this request adopted the relationship, it did not make it. When an accept call cannot tell
 * (a conflict answer, a re-read that only shows the relationship exists), answer this: Delete keeps what was adopted.
 */
export class Adopted<A> {
  constructor(public readonly attributes: A) {}
}

/** Whether this request made the relationship (`accepted`) or found it in place (`adopted`), and its attributes. */
export interface AcceptOutcome<A> {
  readonly outcome: 'accepted' | 'adopted';
  readonly attributes: A;
}

/** What one look at this account's invitations found. */
export type Sighting<A> =
  /** Already accepted, or already a member of the expected inviter: adopt. */
  | { readonly kind: 'accepted'; readonly attributes: A }
  /**
   * An open invitation from the expected inviter: `accept` accepts it and returns the attributes (`Adopted` when it
   * turns out accepted already).
   */
  | { readonly kind: 'pending'; readonly id: string; readonly accept: () => Promise<A | Adopted<A>> }
  /** This account is associated with (or was invited by, for a given invitation ID) another inviter: fail now. */
  | { readonly kind: 'other-inviter'; readonly inviter: string; readonly detail?: string }
  /** Only ended invitations from the expected inviter: keep waiting. */
  | { readonly kind: 'ended'; readonly id: string; readonly state: string }
  /** Nothing from the expected inviter yet. */
  | { readonly kind: 'none' };

export interface AcceptSpec<A> {
  /** What is accepted, for messages: "AWS Organizations invitation". */
  readonly what: string;
  /** The expected inviter, for messages: "management account 111111111111". */
  readonly inviter: string;
  /** This account, for messages: "account 222222222222". */
  readonly invitee: string;
  /** One look. Errors it throws end the wait (the SDK has already retried what is transient). */
  readonly look: () => Promise<Sighting<A>>;
  /** What to do when this account belongs to another inviter: "The account must leave that organization first." */
  readonly otherInviterHint: string;
  /**
   * What to do when nothing arrived within the wait. Default: deploy the inviting stack first, or make this stack
   * depend on it, or raise waitTimeout (right for an accepter construct; the inviters' one-stack acceptance says more).
   */
  readonly notArrivedHint?: string;
  /**
   * What to do when only ended invitations were seen within the wait. Default: the inviter must send a new invitation
   * (deploy the inviting stack again), then deploy this stack again (an inviter accepting through a role says more).
   */
  readonly endedHint?: string;
  /** How long to keep looking, the abort signal and the deadline of the request. */
  readonly wait: Pick<WaitOptions, 'timeoutMs' | 'signal'> & Partial<WaitOptions>;
}

const ENDED_HINT = 'The inviter must send a new invitation (deploy the inviting stack again), then deploy this stack again.';

const NOT_ARRIVED_HINT = 'Deploy the inviting stack first, or make this stack depend on it (`cdk deploy --all` then deploys ' +
  'them in order), or raise waitTimeout; then deploy again.';

/** `5 minutes`, `90 seconds`, `0 seconds`. */
export function describeDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** Finds the invitation from the expected inviter and accepts it, waiting for it within the budget. */
export async function acceptWhenInvited<A>(spec: AcceptSpec<A>): Promise<A> {
  return (await acceptOrAdopt(spec)).attributes;
}

/**
 * `acceptWhenInvited`, telling whether this request accepted the invitation or adopted a relationship that was in
 * place: what an accepter records (its Delete leaves only what it accepted) and what an inviter undoes after a failure.
 */
export async function acceptOrAdopt<A>(spec: AcceptSpec<A>): Promise<AcceptOutcome<A>> {
  type Last = { readonly id: string; readonly state: string };
  const result = await pollUntil<AcceptOutcome<A>, Last>(async (): Promise<Look<AcceptOutcome<A>, Last>> => {
    const sighting = await spec.look();
    switch (sighting.kind) {
      case 'accepted':
        log('INFO', 'already accepted: adopted', {});
        return { done: true, value: { outcome: 'adopted', attributes: sighting.attributes } };
      case 'pending':
        log('INFO', `accepting the ${spec.what}`, { id: sighting.id });
        try {
          const value = await sighting.accept();
          if (value instanceof Adopted) {
            log('INFO', 'the invitation was accepted already: adopted', { id: sighting.id });
            return { done: true, value: { outcome: 'adopted', attributes: value.attributes } };
          }
          return { done: true, value: { outcome: 'accepted', attributes: value } };
        } catch (error) {
          if (!(error instanceof InvitationEndedError)) throw error;
          log('INFO', 'the invitation ended before it could be accepted: waiting for a new one', { id: error.id, state: error.state });
          return { done: false, last: { id: error.id, state: error.state } };
        }
      case 'other-inviter':
        throw new InvitationError(
          `The ${spec.invitee} ${sighting.detail ?? `is associated with ${sighting.inviter}`}, not with the expected ` +
            `${spec.inviter}. Nothing was changed. ${spec.otherInviterHint}`,
        );
      case 'ended':
        return { done: false, last: { id: sighting.id, state: sighting.state } };
      default:
        return { done: false };
    }
  }, spec.wait);
  if (result.done) return result.value as AcceptOutcome<A>;
  log('WARN', 'no invitation to accept', {
    looks: result.looks, waitedMs: result.waitedMs, budgetMs: result.budgetMs, cutByDeadline: result.cutByDeadline, last: result.last,
  });
  const waited = result.cutByDeadline
    ? `${describeDuration(result.budgetMs)} (the time the function had left)`
    : describeDuration(spec.wait.timeoutMs);
  if (result.last) {
    throw new InvitationError(
      `The last ${spec.what} from ${spec.inviter} to ${spec.invitee} (${result.last.id}) ended with state ` +
        `${result.last.state}, and no new one arrived within ${waited}. ${spec.endedHint ?? ENDED_HINT}`,
    );
  }
  throw new InvitationError(
    `No ${spec.what} from ${spec.inviter} reached ${spec.invitee} within ${waited}. ${spec.notArrivedHint ?? NOT_ARRIVED_HINT}`,
  );
}
