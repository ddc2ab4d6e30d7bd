import { Duration, RemovalPolicy } from 'aws-cdk-lib';

/**
 * What every construct of this library takes: whether it adds stack outputs.
 */
export interface InvitationCommonProps {
  /**
   * Whether to add stack outputs with the IDs of what the construct made (a handshake ID, an account link ID, the
   * invited account IDs). CloudFormation allows 200 outputs per stack: turn this off when you do not need them as
   * outputs; the construct's attributes stay available either way.
   *
   * @default true
   */
  readonly emitOutputs?: boolean;
}

/**
 * What every construct whose delete may remove something takes (the inviters, and the accepters whose delete may
 * undo the acceptance): its removal policy, and whether it adds stack outputs.
 */
export interface InvitationRemovalProps extends InvitationCommonProps {
  /**
   * What happens to what this construct made when the construct is removed from the stack, the stack is deleted,
   * or an update replaces it. Each construct's documentation says what `DESTROY` removes.
   *
   * Only `RemovalPolicy.DESTROY` (remove what this resource made, while it can still be removed) and
   * `RemovalPolicy.RETAIN` (leave it as it is; CloudFormation does not call the handler) are accepted: `SNAPSHOT`
   * and `RETAIN_ON_UPDATE_OR_DELETE` are rejected at synth time.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * What every accepter takes: how long it waits for its invitation, and whether it adds stack outputs.
 */
export interface AccepterCommonProps extends InvitationCommonProps {
  /**
   * How long a deployment waits for the invitation to reach this account, when it is not there yet (the inviting
   * stack may be deploying at the same time). The handler looks with capped exponential backoff (1, 2, 4, 8, 16,
   * then every 30 seconds): a 5-minute wait makes at most 15 looks. From 0 (look once) up to 14 minutes; the
   * handler's Lambda timeout follows the largest `waitTimeout` of the stack (wait + 1 minute, at least 2 minutes).
   *
   * @default Duration.minutes(5)
   */
  readonly waitTimeout?: Duration;
}

/**
 * What every inviter's `acceptIn` takes: the wait and the outputs of the accepter it declares.
 */
export interface AcceptInOptions {
  /**
   * How long the accepter's deployment waits for the invitation to reach the invited account (see
   * `AccepterCommonProps.waitTimeout`).
   *
   * @default Duration.minutes(5)
   */
  readonly waitTimeout?: Duration;

  /**
   * Whether the accepter adds its stack output (see `InvitationCommonProps.emitOutputs`).
   *
   * @default true
   */
  readonly emitOutputs?: boolean;
}
