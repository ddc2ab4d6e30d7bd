import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ACCEPTER } from './contract/shared';
import { invalid } from './validation';

// the limits live in the contract (the handler parses with the same numbers)
/** How long an accepter waits for its invitation by default. */
export const DEFAULT_WAIT_TIMEOUT = Duration.seconds(ACCEPTER.defaultWaitSeconds);
/** What the handler needs besides waiting (the runtime answers 15 seconds before the Lambda deadline). */
export const ACCEPT_MARGIN = Duration.seconds(ACCEPTER.acceptMarginSeconds);
/** The longest `waitTimeout`: one invocation must still accept and answer after waiting. */
export const MAX_WAIT_TIMEOUT = Duration.seconds(ACCEPTER.maxWaitSeconds);

/** Checks an accepter's `waitTimeout` (0 = look once) and returns it, defaulted. */
export function validateWaitTimeout(scope: IConstruct, waitTimeout: Duration | undefined): Duration {
  const wait = waitTimeout ?? DEFAULT_WAIT_TIMEOUT;
  if (Token.isUnresolved(wait.toString())) {
    invalid(scope, 'waitTimeout must be a concrete duration (it sets the handler\'s Lambda timeout at synth).');
  }
  if (wait.toMilliseconds() % 1000 !== 0) {
    // Duration.toSeconds() would throw without the construct path
    invalid(scope, `waitTimeout must be a whole number of seconds (the handler waits in seconds), got ${wait.toHumanString()}.`);
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
  return Duration.seconds(Math.max(wait.toSeconds() + ACCEPT_MARGIN.toSeconds(), ACCEPTER.minLambdaSeconds));
}
