import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalid } from './validation';

/** How long an accepter waits for its invitation by default. */
export const DEFAULT_WAIT_TIMEOUT = Duration.minutes(5);

/**
 * What the handler needs besides waiting: the accept call(s), their retries, and the answer to CloudFormation
 * (the runtime answers 15 seconds before the Lambda deadline).
 */
export const ACCEPT_MARGIN = Duration.minutes(1);

/** Lambda's longest timeout. */
const MAX_LAMBDA_TIMEOUT = Duration.minutes(15);

/** The longest `waitTimeout`: one invocation must still accept and answer after waiting. */
export const MAX_WAIT_TIMEOUT = Duration.minutes(MAX_LAMBDA_TIMEOUT.toMinutes() - ACCEPT_MARGIN.toMinutes());

/** Checks an accepter's `waitTimeout` (0 = look once) and returns it, defaulted. */
export function validateWaitTimeout(scope: IConstruct, waitTimeout: Duration | undefined): Duration {
  const wait = waitTimeout ?? DEFAULT_WAIT_TIMEOUT;
  if (Token.isUnresolved(wait.toString())) {
    invalid(scope, 'waitTimeout must be a concrete duration (it sets the handler\'s Lambda timeout at synth).');
  }
  const seconds = wait.toSeconds();
  if (seconds < 0 || seconds > MAX_WAIT_TIMEOUT.toSeconds()) {
    invalid(scope, `waitTimeout must be from 0 seconds up to ${MAX_WAIT_TIMEOUT.toMinutes()} minutes (one Lambda invocation ` +
      `of at most 15 minutes also has to accept and answer CloudFormation), got ${wait.toHumanString()}.`);
  }
  return wait;
}

/** The Lambda timeout an accepter with this wait needs. */
export function lambdaTimeoutFor(wait: Duration): Duration {
  return Duration.seconds(Math.max(wait.toSeconds() + ACCEPT_MARGIN.toSeconds(), Duration.minutes(2).toSeconds()));
}
