import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { recordAcceptance } from './conflicts';
import { ACCEPTANCE } from './contract/shared';
import { ROLE_NAME } from './patterns';
import { InvitationProvider } from './provider';
import { invalid, isConcrete } from './validation';
import { Acceptance } from '../acceptance';


/**
 * Binds an inviter's `acceptance`, checks what it gives at synth time (a role, whose name is an IAM role name; tokens
 * pass), and grants its provider `sts:AssumeRole` on that role name in the invited accounts only: the given account
 * IDs when all are concrete (at most `maxAccounts`, to keep the policy small), otherwise any account.
 * Returns the resource properties to add (none without `acceptance`).
 */
export function bindAcceptance(
  scope: Construct,
  provider: InvitationProvider,
  acceptance: Acceptance | undefined,
  accountIds: readonly string[],
  maxAccounts = 20,
): Record<string, unknown> {
  if (!acceptance) return {};
  recordAcceptance(scope);
  const { roleName } = acceptance.bind(scope);
  if (roleName === undefined || roleName === '') {
    invalid(scope, 'acceptance gave no role to assume (its bind() returned no roleName): use Acceptance.assumeRole(roleName).');
  }
  if (isConcrete(roleName) && !ROLE_NAME.test(roleName)) {
    invalid(scope, `acceptance role name must be an IAM role name (1 to 64 letters, digits and +=,.@_-, no path), got '${roleName}'.`);
  }
  const concrete = accountIds.every((id) => isConcrete(id)) && accountIds.length <= maxAccounts;
  const accounts = concrete ? [...new Set(accountIds)].sort() : ['*'];
  const arn = (account: string) => `arn:${Aws.PARTITION}:iam::${account}:role/${roleName}`;
  provider.grant(`assume:${Stack.of(scope).resolve(roleName)}:${accounts.join(',')}`, () => new iam.PolicyStatement({
    actions: ['sts:AssumeRole'],
    resources: accounts.map(arn),
  }));
  return ACCEPTANCE.properties(roleName);
}
