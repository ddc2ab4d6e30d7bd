import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { InvitationBaseProps } from './invitation-base';
import { addInvitationOutput } from './private/outputs';
import { InvitationProvider } from './private/provider';
import { isConcrete, resolveRemovalPolicy, validateAccountId } from './private/validation';

/**
 * Properties of a `WorkSpacesAccountLink`.
 */
export interface WorkSpacesAccountLinkProps extends InvitationBaseProps {
  /**
   * The account to invite to the link: a 12-digit AWS account ID of the same organization (same payer account),
   * other than the stack's own account.
   *
   * Tokens (a `CfnParameter`, an import) are accepted and checked at deploy time.
   */
  readonly targetAccountId: string;
}

/**
 * Invites another account of the organization to an Amazon WorkSpaces account link (bring your own license), from
 * the stack's account and region.
 *
 * On create, the handler sends `CreateAccountLinkInvitation` with a client token derived from the request (a retry
 * gets the same link), or adopts the existing link when the target is already linked or invited. On delete it
 * deletes the invitation while it is pending acceptance; a `LINKED` link cannot be undone through the API and is
 * left in place.
 *
 * `removalPolicy` (`InvitationBaseProps`): `DESTROY` (the default) deletes the invitation while it is still pending
 * acceptance when the construct is removed, the stack is deleted or a changed `targetAccountId` replaces the link;
 * a `LINKED` link stays in place (the handler logs a warning). `RETAIN` leaves the invitation as it is; CloudFormation
 * does not call the handler. `emitOutputs` adds a stack output with the account link ID.
 *
 * Prerequisites: both accounts in the same AWS Organization under the same payer account, the stack in the region
 * where the target uses WorkSpaces, BYOL enabled for the stack's account; not available in AWS GovCloud (US).
 *
 * @example
 * import { WorkSpacesAccountLink } from 'cdk-account-invitations';
 *
 * new WorkSpacesAccountLink(this, 'LinkWorkloads', {
 *   targetAccountId: '333333333333',
 * });
 */
export class WorkSpacesAccountLink extends Construct {
  /**
   * The ID of the account link (`link-...`).
   *
   * @attribute
   */
  public readonly accountLinkId: string;

  /**
   * The status of the link when the stack was last deployed: `PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT`, `LINKED`,
   * `REJECTED`, `LINKING_FAILED` or `LINK_NOT_FOUND`.
   *
   * @attribute
   */
  public readonly accountLinkStatus: string;

  /** The invited account. */
  public readonly targetAccountId: string;

  constructor(scope: Construct, id: string, props: WorkSpacesAccountLinkProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateAccountId(this, 'targetAccountId', props.targetAccountId, stack.account);
    const removalPolicy = resolveRemovalPolicy(this, props.removalPolicy);
    this.targetAccountId = props.targetAccountId;

    const provider = InvitationProvider.of(this, 'workspaces-account-link', workspacesStatements);

    const resource = provider.createResource(this, 'Resource', {
      TargetAccountId: props.targetAccountId,
    }, removalPolicy);

    this.accountLinkId = resource.getAttString('AccountLinkId');
    this.accountLinkStatus = resource.getAttString('AccountLinkStatus');

    if (props.emitOutputs ?? true) {
      const target = isConcrete(props.targetAccountId) ? ` to account ${props.targetAccountId}` : '';
      addInvitationOutput(this, this.accountLinkId, `ID of the Amazon WorkSpaces account link${target} of ${this.node.path}`);
    }
  }
}

function workspacesStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      // the account-link actions have no resource types: they cannot be scoped to a resource
      actions: [
        'workspaces:CreateAccountLinkInvitation',
        'workspaces:GetAccountLink',
        'workspaces:ListAccountLinks',
        'workspaces:DeleteAccountLinkInvitation',
      ],
      resources: ['*'],
    }),
  ];
}
