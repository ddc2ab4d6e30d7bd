/**
 * Acting in the invited account through a role there (inviter constructs with `acceptance: Acceptance.assumeRole(...)`):
 * after inviting, the handler assumes `arn:<partition>:iam::<invited account>:role/<name>` and accepts with clients
 * built from those credentials.
 *
 * - The SDK's own provider (`fromTemporaryCredentials`) does the AssumeRole call; the credentials are resolved once
 *   per account and request, so a failure is reported before anything is accepted, naming the account and the role.
 * - Credentials never reach a log line or an error message: only the role ARN and the AWS error code do.
 * - The STS client honours `AWS_ENDPOINT_URL_STS` (the local emulator) like every other client.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';
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
 * A function that assumes `roleName` in an account and returns clients acting there. Failures (the role does not
 * exist, does not trust this account, an SCP denies it) are user-facing errors that name the account and the role.
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
      credentials = await fromTemporaryCredentials({
        params: {
          RoleArn: arn,
          // CloudTrail in the invited account shows which request acted there
          RoleSessionName: `cdk-account-invitations-${ctx.requestId}`.slice(0, 64),
          DurationSeconds: SESSION_SECONDS,
        },
        clientConfig: { region: process.env.AWS_REGION },
      })();
    } catch (error) {
      throw new InvitationError(
        `Assuming role ${roleName} in account ${accountId} (${arn}) to accept the invitation failed with ` +
          `${describeAwsError(error)}. Create the role in account ${accountId} with the accept permissions listed in the ` +
          `README ("Invite and accept in one deploy") and a trust policy that lets account ${own} assume it, or check ` +
          'the service control policies of both accounts; then deploy again.',
        { cause: error },
      );
    }
    log('INFO', 'assumed the role in the invited account', { accountId, roleArn: arn });
    return make(credentials);
  };
}
