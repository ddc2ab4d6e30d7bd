import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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
 * Masks an email for messages: `owner@example.com` -> `o***@example.com`.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 1 ? '***' : `${email[0]}***${email.slice(at)}`;
}

/**
 * Checks a 12-digit account ID (tokens pass) and, when the stack's account is concrete, that it is not that account.
 */
export function validateAccountId(scope: IConstruct, prop: string, value: string, ownAccount?: string): void {
  if (!isConcrete(value)) return;
  if (!ACCOUNT_ID_PATTERN.test(value)) {
    invalid(scope, `${prop} must be a 12-digit AWS account ID, got '${value}'.`);
  }
  if (ownAccount !== undefined && isConcrete(ownAccount) && value === ownAccount) {
    invalid(scope, `${prop} '${value}' is the stack's own account; an account cannot invite itself.`);
  }
}

/**
 * Checks the length of a string (tokens pass).
 */
export function validateLength(scope: IConstruct, prop: string, value: string | undefined, max: number, min = 0): void {
  if (!isConcrete(value)) return;
  if (value.length > max || value.length < min) {
    invalid(scope, `${prop} must be ${min > 0 ? `${min} to ` : 'at most '}${max} characters long, got ${value.length}.`);
  }
}
