import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccepterCommonProps, InvitationRemovalProps } from './invitation-base';
import { lambdaTimeoutFor, validateWaitTimeout } from './private/accepter';
import { MACIE_SERVICE, warnOtherAdministrator } from './private/conflicts';
import { MACIE_ACCEPTER } from './private/contract/macie';
import { addInvitationOutput } from './private/outputs';
import { InvitationProvider } from './private/provider';
import { isConcrete, resolveRemovalPolicy, validateAccountId } from './private/validation';

/**
 * Properties of a `MacieInvitationAccepter`.
 */
export interface MacieInvitationAccepterProps extends AccepterCommonProps, InvitationRemovalProps {
  /**
   * The Amazon Macie administrator account that sent the membership invitation: a 12-digit AWS account ID, other
   * than the stack's own account. Only an invitation from this account is accepted; an account that is already a
   * member of another administrator fails the deployment and is not changed.
   *
   * Changing it accepts the new administrator's invitation (the account must have left the old administrator first:
   * an account has one Macie administrator per Region).
   *
   * Tokens (a `CfnParameter`, an import) are accepted and checked at deploy time.
   */
  readonly administratorAccountId: string;
}

/**
 * Accepts an Amazon Macie membership invitation in the invited (member) account: deploy it in the member account, in
 * the administrator's Region.
 *
 * On create, the handler checks that Macie is enabled in this account and Region (and fails, changing nothing, when
 * it is not), adopts an existing membership of the expected administrator, and otherwise finds the administrator's
 * invitation and accepts it, waiting up to `waitTimeout` (and never past the function's own timeout) for it to
 * arrive. An account that is a member of another administrator fails, naming it; so does an administrator that is
 * this stack's own account (`Aws.ACCOUNT_ID`, or the account of an environment-agnostic stack), at deploy time.
 *
 * `removalPolicy` (`InvitationRemovalProps`) decides what happens to the membership when this construct is removed from
 * the stack, or the stack is deleted: `DESTROY` (the default) disassociates this account from the administrator, but
 * only a membership this construct accepted itself, while it still stands on that invitation. A membership that was
 * in place when the construct was created (accepted by hand, by another stack, through AWS Organizations) is adopted
 * and kept; so is one the handler cannot tell about (a resource created by an earlier version of this library, the
 * answer of a rollback), an account that left or has another administrator now, and a membership another accepter of
 * the stack still expects. `RETAIN` keeps the account a member: CloudFormation does not call the handler, and the
 * handler's role is not allowed to leave unless another accepter of the stack is `DESTROY`. `emitOutputs` adds a stack
 * output with the administrator account ID (set once the invitation is accepted).
 *
 * Macie must be enabled first: declare an `aws_macie.CfnSession` in the same stack and make the accepter depend on it.
 * `MacieInvitations.acceptIn(stack)` declares this construct for you in a member account's stack.
 *
 * @example
 * import { aws_macie as macie } from 'aws-cdk-lib';
 * import { MacieInvitationAccepter } from 'cdk-account-invitations';
 *
 * const session = new macie.CfnSession(this, 'Macie');
 * const accepter = new MacieInvitationAccepter(this, 'JoinMacie', {
 *   administratorAccountId: '111111111111',
 * });
 * accepter.node.addDependency(session);
 */
export class MacieInvitationAccepter extends Construct {
  /**
   * The ID of the accepted invitation, or `NONE` when the account was already a member without one (associated
   * through AWS Organizations). Never empty.
   *
   * @attribute
   */
  public readonly invitationId: string;

  /**
   * The relationship with the administrator when the stack was last deployed: `Enabled` or `Paused` (also
   * `RegionDisabled` or `AccountSuspended` for an impaired membership that was adopted), `NotAssociated` when an
   * update that accepted nothing (the same administrator, or a rollback) found the account not associated with it,
   * or `Unknown` when such an update could not read the association. Never empty.
   *
   * @attribute
   */
  public readonly relationshipStatus: string;

  /** The expected Macie administrator account, as given. */
  public readonly administratorAccountId: string;

  /** How long a deployment waits for the invitation (the given `waitTimeout`, or its default of 5 minutes). */
  public readonly waitTimeout: Duration;

  /** The removal policy of the membership (`DESTROY` or `RETAIN`). */
  public readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: MacieInvitationAccepterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateAccountId(this, 'administratorAccountId', props.administratorAccountId, stack.account);
    this.waitTimeout = validateWaitTimeout(this, props.waitTimeout);
    this.removalPolicy = resolveRemovalPolicy(this, props.removalPolicy);
    this.administratorAccountId = props.administratorAccountId;
    warnOtherAdministrator(MACIE_SERVICE, this, props.administratorAccountId);

    const provider = InvitationProvider.of(this, 'macie-invitation-accepter', accepterStatements);
    provider.requireTimeout(lambdaTimeoutFor(this.waitTimeout));
    if (this.removalPolicy === RemovalPolicy.DESTROY) {
      // only a DESTROY accepter leaves the administrator: a stack whose accepters all RETAIN never may
      provider.grant('macie2:DisassociateFromAdministratorAccount', () => new iam.PolicyStatement({
        actions: ['macie2:DisassociateFromAdministratorAccount'],
        resources: ['*'],
      }));
    }

    const resource = provider.createResource(this, 'Resource', MACIE_ACCEPTER.properties({
      administratorAccountId: props.administratorAccountId,
      waitSeconds: this.waitTimeout.toSeconds(),
      removalPolicy: this.removalPolicy === RemovalPolicy.RETAIN ? 'RETAIN' : 'DESTROY',
    }), this.removalPolicy);

    const attributes = MACIE_ACCEPTER.attributes;
    this.invitationId = resource.getAttString(attributes.invitationId);
    this.relationshipStatus = resource.getAttString(attributes.relationshipStatus);

    if (props.emitOutputs ?? true) {
      const administrator = isConcrete(props.administratorAccountId) ? ` ${props.administratorAccountId}` : '';
      addInvitationOutput(this, resource.getAttString(attributes.administratorAccountId),
        `Amazon Macie administrator account${administrator} whose invitation ${this.node.path} accepted`);
    }
  }
}

function accepterStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      // the member-side actions have no resource types (Service Authorization Reference): they act on the account's
      // own Macie, so they cannot be scoped further
      actions: [
        'macie2:GetMacieSession',
        'macie2:GetAdministratorAccount',
        'macie2:ListInvitations',
        'macie2:AcceptInvitation',
      ],
      resources: ['*'],
    }),
  ];
}
