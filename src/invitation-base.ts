import { RemovalPolicy } from 'aws-cdk-lib';

/**
 * What every construct of this library takes: whether it adds stack outputs.
 *
 * Constructs whose delete removes nothing (e.g. an accepter of an Organizations invitation) take these props only;
 * the others take `InvitationBaseProps`.
 */
export interface InvitationOutputProps {
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
 * What every construct of this library that makes something it can remove shares: its removal policy, and
 * whether it adds stack outputs.
 */
export interface InvitationBaseProps extends InvitationOutputProps {
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
