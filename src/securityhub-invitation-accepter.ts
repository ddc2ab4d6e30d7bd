import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccepterCommonProps, InvitationRemovalProps } from './invitation-base';
import { lambdaTimeoutFor, validateWaitTimeout } from './private/accepter';
import { SECURITY_HUB_SERVICE, warnOtherAdministrator } from './private/conflicts';
import { SECURITYHUB_ACCEPTER } from './private/contract/securityhub';
import { addInvitationOutput } from './private/outputs';
import { InvitationProvider } from './private/provider';
import { hubArn } from './private/securityhub-hub';
import { isConcrete, resolveRemovalPolicy, validateAccountId } from './private/validation';

/**
 * Properties of a `SecurityHubInvitationAccepter`.
 */
export interface SecurityHubInvitationAccepterProps extends AccepterCommonProps, InvitationRemovalProps {
  /**
   * The AWS Security Hub administrator account that sent the membership invitation: a 12-digit AWS account ID, other
   * than the stack's own account. Only an invitation from this account is accepted; an account that is already a
   * member of another administrator fails the deployment and is not changed.
   *
   * Tokens (a `CfnParameter`, an import) are accepted and checked at deploy time.
   */
  readonly administratorAccountId: string;
}

/**
 * Accepts an AWS Security Hub membership invitation in the invited (member) account: deploy it in the member account,
 * in the administrator's Region.
 *
 * On create, the handler checks that Security Hub is enabled in this account and Region (and fails, changing nothing,
 * when it is not: it never enables the paid service itself), adopts an existing membership of the expected
 * administrator, and otherwise finds that administrator's invitation and accepts it (AcceptAdministratorInvitation),
 * waiting up to `waitTimeout` for it to arrive. Invitations from other accounts are never accepted. An account that
 * is a member of another administrator fails, naming it.
 *
 * `removalPolicy` (`InvitationRemovalProps`): `DESTROY` (the default) disassociates this account from the administrator
 * when the construct is removed or the stack deleted, but only a membership this construct accepted itself, while it
 * still stands on that invitation; an adopted membership is kept. `RETAIN` keeps the account a member. `emitOutputs`
 * adds a stack output with the administrator account ID.
 *
 * Security Hub must be enabled first: declare an `aws_securityhub.CfnHub` in the same stack and make the accepter
 * depend on it. `SecurityHubInvitations.acceptIn(stack, { enableSecurityHub: true })` declares both for you.
 *
 * @example
 * import { aws_securityhub as securityhub } from 'aws-cdk-lib';
 * import { SecurityHubInvitationAccepter } from 'cdk-account-invitations';
 *
 * const hub = new securityhub.CfnHub(this, 'Hub');
 * const accepter = new SecurityHubInvitationAccepter(this, 'JoinSecurityHub', {
 *   administratorAccountId: '111111111111',
 * });
 * accepter.node.addDependency(hub);
 */
export class SecurityHubInvitationAccepter extends Construct {
  /**
   * The ID of the accepted invitation, or `NONE` when the account was already a member without one (associated
   * through AWS Organizations). Never empty.
   *
   * @attribute
   */
  public readonly invitationId: string;

  /**
   * The membership's status when the stack was last deployed: `Enabled` (or `Associated`), `NotAssociated` when an
   * update that accepted nothing found the account not associated with the administrator, or `Unknown` when such an
   * update could not read it. Never empty.
   *
   * @attribute
   */
  public readonly memberStatus: string;

  /** The expected Security Hub administrator account. */
  public readonly administratorAccountId: string;

  /** The removal policy of the membership (`DESTROY` or `RETAIN`). */
  public readonly removalPolicy: RemovalPolicy;

  /** How long a deployment waits for the invitation (the given `waitTimeout`, or its default). */
  public readonly waitTimeout: Duration;

  constructor(scope: Construct, id: string, props: SecurityHubInvitationAccepterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateAccountId(this, 'administratorAccountId', props.administratorAccountId, stack.account);
    const wait = validateWaitTimeout(this, props.waitTimeout);
    this.waitTimeout = wait;
    this.removalPolicy = resolveRemovalPolicy(this, props.removalPolicy);
    this.administratorAccountId = props.administratorAccountId;
    warnOtherAdministrator(SECURITY_HUB_SERVICE, this, props.administratorAccountId);

    const provider = InvitationProvider.of(this, 'securityhub-invitation-accepter', accepterStatements);
    provider.requireTimeout(lambdaTimeoutFor(wait));
    if (this.removalPolicy === RemovalPolicy.DESTROY) {
      // only a DESTROY accepter leaves the administrator: a stack whose accepters all RETAIN never may
      provider.grant('securityhub:DisassociateFromAdministratorAccount', () => new iam.PolicyStatement({
        actions: ['securityhub:DisassociateFromAdministratorAccount'],
        resources: [hubArn(stack)],
      }));
    }

    const resource = provider.createResource(this, 'Resource', SECURITYHUB_ACCEPTER.properties({
      administratorAccountId: props.administratorAccountId,
      waitSeconds: wait.toSeconds(),
      removalPolicy: this.removalPolicy === RemovalPolicy.RETAIN ? 'RETAIN' : 'DESTROY',
    }), this.removalPolicy);

    const attributes = SECURITYHUB_ACCEPTER.attributes;
    this.invitationId = resource.getAttString(attributes.invitationId);
    this.memberStatus = resource.getAttString(attributes.memberStatus);

    if (props.emitOutputs ?? true) {
      const administrator = isConcrete(props.administratorAccountId) ? ` ${props.administratorAccountId}` : '';
      addInvitationOutput(this, resource.getAttString(attributes.administratorAccountId),
        `AWS Security Hub administrator account${administrator} whose invitation ${this.node.path} accepted`);
    }
  }
}

function accepterStatements(stack: Stack): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: [
        'securityhub:DescribeHub',
        'securityhub:GetAdministratorAccount',
        'securityhub:ListInvitations',
        'securityhub:AcceptAdministratorInvitation',
      ],
      resources: [hubArn(stack)],
    }),
  ];
}
