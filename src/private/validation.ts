import { RemovalPolicy, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ACCOUNT_ID, characterLength } from './patterns';

export { ACCOUNT_ID as ACCOUNT_ID_PATTERN, EMAIL as EMAIL_PATTERN, maskEmail } from './patterns';

/**
 * Throws a synth-time error naming the construct path.
 */
export function invalid(scope: IConstruct, message: string): never {
  throw new Error(`[${scope.node.path}] ${message}`);
}

/**
 * True when `value` is known at synth time (not a token from a parameter, an import or another resource).
 */
export function isConcrete(value: string | undefined): value is string {
  return value !== undefined && !Token.isUnresolved(value);
}

/**
 * Rejects an element of a token list used as a string (`param.valueAsList[0]`, `Fn.split(...)[0]`): it looks like a
 * plain string (`#{Token[TOKEN.9]}`) but no template can resolve it in a string. `Fn.select` can.
 */
export function rejectListElement(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value !== undefined && !Token.isUnresolved(value) && Token.isUnresolved([value])) {
    invalid(scope, `${prop} is an element of a token list ('${value}', e.g. param.valueAsList[0]), which cannot be ` +
      'used as a string: use Fn.select(0, param.valueAsList) instead of list[0].');
  }
}

/** The removal policies a custom resource of this library accepts. */
const ACCEPTED_REMOVAL_POLICIES: readonly RemovalPolicy[] = [RemovalPolicy.DESTROY, RemovalPolicy.RETAIN];

/**
 * The one rule for `removalPolicy`, for every construct: `DESTROY` (the default) or `RETAIN`. `SNAPSHOT` means
 * nothing to a custom resource, and `RETAIN_ON_UPDATE_OR_DELETE` would keep what a replacement or a rolled-back
 * create made without the handler ever being asked: both are rejected at synth time.
 */
export function resolveRemovalPolicy(scope: IConstruct, value: RemovalPolicy | undefined): RemovalPolicy {
  const policy = value ?? RemovalPolicy.DESTROY;
  if (!ACCEPTED_REMOVAL_POLICIES.includes(policy)) {
    invalid(scope, `removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got RemovalPolicy.${removalPolicyName(policy)}.`);
  }
  return policy;
}

function removalPolicyName(policy: RemovalPolicy): string {
  const entry = Object.entries(RemovalPolicy).find(([, v]) => v === policy);
  return entry ? entry[0] : String(policy);
}

/**
 * Checks a 12-digit account ID (tokens pass) and, when the stack's account is concrete, that it is not that account.
 */
export function validateAccountId(scope: IConstruct, prop: string, value: string, ownAccount?: string): void {
  rejectListElement(scope, prop, value);
  if (!isConcrete(value)) return;
  if (!ACCOUNT_ID.test(value)) {
    invalid(scope, `${prop} must be a 12-digit AWS account ID, got '${value}'.`);
  }
  if (ownAccount !== undefined && isConcrete(ownAccount) && value === ownAccount) {
    invalid(scope, `${prop} '${value}' is the stack's own account; an account cannot invite itself.`);
  }
}

/**
 * Checks an identifier against its pattern (tokens pass), e.g. a handshake, link or organization ID.
 */
export function validatePattern(scope: IConstruct, prop: string, value: string | undefined, pattern: RegExp, what: string): void {
  rejectListElement(scope, prop, value);
  if (!isConcrete(value)) return;
  if (!pattern.test(value)) {
    invalid(scope, `${prop} must be ${what} (${pattern.source}), got '${value}'.`);
  }
}

/**
 * Checks the length of a string in characters (Unicode code points, as AWS counts them; tokens pass).
 */
export function validateLength(scope: IConstruct, prop: string, value: string | undefined, max: number, min = 0): void {
  rejectListElement(scope, prop, value);
  if (!isConcrete(value)) return;
  const length = characterLength(value);
  if (length > max || length < min) {
    invalid(scope, `${prop} must be ${min > 0 ? `${min} to ` : 'at most '}${max} characters long, got ${length}.`);
  }
}
