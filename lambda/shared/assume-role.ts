/**
 * Acting in the invited account through a role there (inviter constructs with `acceptance: Acceptance.assumeRole(...)`):
 * after inviting, the handler assumes `arn:<partition>:iam::<invited account>:role/<name>` and accepts with clients
 * built from those credentials (lambda/shared/acceptance.ts runs the whole step).
 *
 * - The SDK's own provider (`fromTemporaryCredentials`) does the AssumeRole call, with the shared client configuration
 *   (request timeouts, retries); the request's abort signal ends the wait for it. The credentials are resolved once
 *   per account and request, so a failure is reported before anything is accepted, naming the account and the role.
 * - Credentials never reach a log line or an error message: only the role ARN and the AWS error code do.
 * - The clients made from them are the request's alone: `releaseClients` destroys them after use.
 * - The STS client honours `AWS_ENDPOINT_URL_STS` (the local emulator) like every other client.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';
import { clientConfig, withSignals } from './clients';
import { InvitationError, describeAwsError } from './errors';
import { log } from './log';
import type { RequestContext } from './runtime';
import { stackLocation } from './stack';

/** How long assumed credentials last: the longest a handler runs (15 minutes) is the shortest STS allows. */
export const SESSION_SECONDS = 900;

/** `arn:<partition>:iam::<account>:role/<name>`, in the partition of the request's stack. */
export function roleArn(ctx: Pick<RequestContext, 'stackId'>, accountId: string, roleName: string): string {
  const partition = ctx.stackId.split(':')[1] || 'aws';
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** Builds the clients of one account from its credentials (each accepter kind says which clients it needs). */
export type ClientsFromCredentials<C> = (credentials: AwsCredentialIdentity) => C;

/** Gives the clients of an invited account, by assuming the role there. */
export type AssumedClients<C> = (accountId: string) => Promise<C>;

/**
 * The one clients factory every inviter with `acceptance` is given (as `assumeRole` among its clients, see
 * `AcceptanceClients`): `assumeRole(roleName)(accountId)` assumes the role in that account. Tests inject fakes.
 */
export type AssumeRole<C> = (roleName: string) => AssumedClients<C>;

/** What an inviter's clients add for `acceptance`. Absent: nothing can be accepted through a role. */
export interface AcceptanceClients<C> {
  readonly assumeRole?: AssumeRole<C>;
}

/** What to do when a role cannot be assumed (account: the invited account; own: the inviting one). */
export function assumeRoleHint(roleName: string, accountIds: string, own: string): string {
  return `Create the role ${roleName} in ${accountIds} with the accept permissions listed in the README ("Invite and ` +
    `accept in one deploy") and a trust policy that lets account ${own} assume it, or check the service control ` +
    'policies of both accounts; then deploy again.';
}

/** A role that could not be assumed: names the account and the role; `cause` is the AWS error (its name the code). */
export class AssumeRoleError extends InvitationError {
  constructor(
    public readonly accountId: string,
    public readonly roleName: string,
    public readonly arn: string,
    own: string,
    cause: unknown,
  ) {
    super(
      `Assuming role ${roleName} in account ${accountId} (${arn}) to accept the invitation failed with ` +
        `${describeAwsError(cause)}. ${assumeRoleHint(roleName, `account ${accountId}`, own)}`,
      { cause },
    );
    this.name = 'AssumeRoleError';
  }
}

/** `promise`, unless `signal` aborts first: then its reason (the call itself ends by its own request timeout). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A function that assumes `roleName` in an account and returns clients acting there. Failures (the role does not
 * exist, does not trust this account, an SCP denies it) are `AssumeRoleError`s that name the account and the role.
 */
export function assumedClients<C>(
  ctx: Pick<RequestContext, 'stackId' | 'requestId' | 'signal'>,
  roleName: string,
  make: ClientsFromCredentials<C>,
): AssumedClients<C> {
  const own = stackLocation(ctx.stackId).account ?? 'the inviting account';
  return async (accountId) => {
    const arn = roleArn(ctx, accountId, roleName);
    ctx.signal?.throwIfAborted();
    let credentials: AwsCredentialIdentity;
    try {
      credentials = await untilAborted(fromTemporaryCredentials({
        params: {
          RoleArn: arn,
          // CloudTrail in the invited account shows which request acted there
          RoleSessionName: `cdk-account-invitations-${ctx.requestId}`.slice(0, 64),
          DurationSeconds: SESSION_SECONDS,
        },
        // the shared timeouts and retries: one slow STS call cannot eat the request's time
        clientConfig: { ...clientConfig(), region: process.env.AWS_REGION },
      })(), ctx.signal);
    } catch (error) {
      if (ctx.signal?.aborted) throw error;
      throw new AssumeRoleError(accountId, roleName, arn, own, error);
    }
    log('INFO', 'assumed the role in the invited account', { accountId, roleArn: arn });
    return make(credentials);
  };
}

/**
 * The wiring of `AcceptanceClients.assumeRole` for one request (`entryPoints`' `perRequest`): clients of the invited
 * accounts made from the role's credentials, each honouring the request's signal. Never cached across requests.
 */
export function assumeRoleFactory<C extends object>(
  ctx: Pick<RequestContext, 'stackId' | 'requestId' | 'signal'>,
  make: ClientsFromCredentials<C>,
): AssumeRole<C> {
  return (roleName) => assumedClients(ctx, roleName, (credentials) => withSignals(make(credentials), ctx.signal));
}

/** Destroys the SDK clients of a set (their sockets, their credentials): assumed clients serve one request only. */
export function releaseClients(clients: unknown): void {
  if (clients === null || typeof clients !== 'object') return;
  for (const client of Object.values(clients)) {
    const destroy = (client as { destroy?: unknown } | undefined)?.destroy;
    if (typeof destroy !== 'function') continue;
    try {
      destroy.call(client);
    } catch {
      // releasing is best effort: the request's outcome does not depend on it
    }
  }
}
