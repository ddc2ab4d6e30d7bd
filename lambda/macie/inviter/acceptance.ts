/**
 * The acceptance step of MacieInvitations (`acceptance: Acceptance.assumeRole(...)`): after inviting, assume the role
 * in each member account and accept there with the member side's own function (lambda/macie/accept.ts). Every
 * account is tried; the failures are grouped into one message, and a failed step removes the members this request
 * created (which also ends the acceptances made for them).
 */
import { Macie2Client } from '@aws-sdk/client-macie2';
import { Failure, failAndCompensate } from './members';
import type { MacieInviterProps } from '../../../src/private/contract/macie';
import { assumedClients } from '../../shared/assume-role';
import { clientConfig, withSignal } from '../../shared/clients';
import { settleWithConcurrency } from '../../shared/concurrency';
import type { ClientsSpec } from '../../shared/entry';
import { Hints, InvitationError, describeAwsError, errorName } from '../../shared/errors';
import { log } from '../../shared/log';
import type { RequestContext } from '../../shared/runtime';
import { stackLocation } from '../../shared/stack';
import type { WaitOptions } from '../../shared/wait';
import { MacieNotEnabledError, acceptMacieInvitation } from '../accept';
import { MACIE_CLIENTS, MacieClients, MacieInviterClients, MemberMacieClients } from '../service';

/** Acceptances (assume the role, accept) in flight at once. */
export const ACCEPT_CONCURRENCY = 10;
/** How long each member's acceptance waits for the invitation just sent to show in the member account. */
export const ACCEPT_WAIT_MS = 30_000;
/**
 * The whole acceptance step's budget for waiting: members whose turn comes after it look once. 1,000 members at 10
 * at a time must still end well before the Lambda's 15 minutes (after the members were created and invited).
 */
export const ACCEPT_BUDGET_MS = 4 * 60_000;

/**
 * The administrator side's clients: the service's own, and per request (with `acceptance`) a Macie client per member
 * account, on the credentials of the role assumed there (made per request, destroyed after use; the credentials
 * never leave the client). Here, not in the service module: only this handler bundles the assume-role code.
 */
export const INVITER_CLIENTS: ClientsSpec<Required<MacieClients>, Pick<MacieInviterClients, 'inMember'>> = {
  ...MACIE_CLIENTS,
  perRequest: (ctx) => ({
    inMember: (roleName: string) => assumedClients(ctx, roleName, (credentials) => ({
      macie: withSignal(new Macie2Client({ ...clientConfig(), credentials }), ctx.signal),
    })),
  }),
};

/** What the acceptance step did. */
export interface AcceptanceOutcome {
  /** Members whose invitation is accepted now (accepted here, or already before). */
  readonly accepted: readonly string[];
  /** Of those, the members whose relationship is Enabled. */
  readonly enabled: readonly string[];
  readonly failures: readonly Failure[];
}

/** What to do, per failure code of the acceptance step (searched before the member hints). */
export function acceptanceHints(roleName: string, administratorAccountId: string): Hints {
  return {
    AssumeRoleFailed: `Create role ${roleName} in each account named here with the accept permissions (README, "Invite and ` +
      `accept in one deploy"), trusting account ${administratorAccountId}.`,
    MacieNotEnabled: 'Enable Macie in each member account named here, in this Region (aws_macie.CfnSession).',
    AccessDeniedException: `Role ${roleName} needs macie2:GetMacieSession, GetAdministratorAccount, ListInvitations, AcceptInvitation.`,
    NotAccepted: 'Check those accounts in their Macie console (Settings, Accounts).',
  };
}

/** The first sentence of a message, with the account ID left out (so that failures of many accounts group). */
function shortReason(message: string, accountId: string): string {
  const first = message.split(/(?<=\.) /)[0].replace(/\.$/, '');
  return first
    .replace(new RegExp(`\\b(the |The )?account ${accountId}\\b`, 'g'), (_match, the: string | undefined) => `${the ?? 'the '}account`)
    .split(accountId).join('the account');
}

/** One member's failed acceptance, as a grouped failure: short, without the account ID, coded for the hints. */
export function acceptanceFailure(accountId: string, error: unknown, assuming: boolean): Failure {
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  if (assuming) {
    return { accountId, error: `the role cannot be assumed (${describeAwsError(cause ?? error)})`, code: 'AssumeRoleFailed' };
  }
  if (error instanceof MacieNotEnabledError) {
    return { accountId, error: 'Macie is not enabled in the member account', code: 'MacieNotEnabled' };
  }
  if (error instanceof InvitationError) {
    if (cause !== undefined && errorName(cause) !== undefined) {
      return { accountId, error: describeAwsError(cause), code: errorName(cause) };
    }
    return { accountId, error: shortReason(error.message, accountId), code: 'NotAccepted' };
  }
  return { accountId, error: describeAwsError(error), code: errorName(error) };
}

/**
 * Accepts the invitation in each member account, through `roleName` there, at most `ACCEPT_CONCURRENCY` at a time,
 * with the member side's own function: Macie enabled, already accepted = adopted, another administrator = failure,
 * the invitation just sent awaited briefly. Every account is tried; each failure is returned, none thrown.
 * Credentials stay inside the assumed clients (never logged).
 */
export async function acceptInMembers(
  clients: MacieInviterClients,
  roleName: string,
  accountIds: readonly string[],
  ctx: Pick<RequestContext, 'stackId' | 'signal'>,
  timing: Pick<WaitOptions, 'now' | 'sleep'> = {},
): Promise<AcceptanceOutcome> {
  if (accountIds.length === 0) return { accepted: [], enabled: [], failures: [] };
  if (!clients.inMember) throw new InvitationError('Internal error: no clients for the member accounts. Please report this.');
  const administratorAccountId = stackLocation(ctx.stackId).account;
  if (!administratorAccountId) throw new InvitationError(`Internal error: no account in the stack ID ${ctx.stackId}. Please report this.`);
  const inMember = clients.inMember(roleName);
  const now = timing.now ?? Date.now;
  const budgetEnd = now() + ACCEPT_BUDGET_MS;
  const results = await settleWithConcurrency(accountIds, ACCEPT_CONCURRENCY, async (accountId) => {
    ctx.signal?.throwIfAborted();
    let member: MemberMacieClients;
    try {
      member = await inMember(accountId);
    } catch (error) {
      throw acceptanceFailure(accountId, error, true);
    }
    try {
      return await acceptMacieInvitation(member, {
        administratorAccountId,
        waitTimeoutMs: Math.max(0, Math.min(ACCEPT_WAIT_MS, budgetEnd - now())),
      }, { stackId: ctx.stackId, accountId, signal: ctx.signal }, timing);
    } catch (error) {
      throw acceptanceFailure(accountId, error, false);
    } finally {
      member.macie.destroy();
    }
  });
  // cut off at the deadline: the runtime has answered; stop here (the members' states stay as they are)
  ctx.signal?.throwIfAborted();
  const accepted: string[] = [];
  const enabled: string[] = [];
  const failures: Failure[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      accepted.push(accountIds[i]);
      if (r.value.relationshipStatus === 'Enabled') enabled.push(accountIds[i]);
    } else {
      const reason = r.reason as Partial<Failure> | undefined;
      failures.push(reason?.accountId === accountIds[i] && typeof reason.error === 'string'
        ? reason as Failure
        : acceptanceFailure(accountIds[i], r.reason, false));
    }
  });
  log('INFO', 'acceptance in the member accounts', { roleName, accepted: accepted.length, enabled: enabled.length, failed: failures });
  return { accepted, enabled, failures };
}

/**
 * The acceptance step of a Create or an Update: accepts in `accountIds` when the properties ask for it, and on any
 * failure removes the members this request created (ending the acceptances made for them) and throws.
 */
export async function acceptOrCompensate(
  clients: MacieInviterClients,
  props: MacieInviterProps,
  accountIds: readonly string[],
  created: readonly string[],
  ctx: RequestContext,
): Promise<AcceptanceOutcome | undefined> {
  if (!props.acceptRoleName) return undefined;
  ctx.signal?.throwIfAborted();
  const outcome = await acceptInMembers(clients, props.acceptRoleName, accountIds, ctx);
  if (outcome.failures.length > 0) {
    const administrator = stackLocation(ctx.stackId).account ?? 'the administrator account';
    return failAndCompensate(clients, `Accepting the Macie invitations in the member accounts (role ${props.acceptRoleName})`,
      accountIds.length, outcome.failures, created, [acceptanceHints(props.acceptRoleName, administrator)]);
  }
  return outcome;
}
