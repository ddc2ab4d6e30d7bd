import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { addInvitationOutput } from './private/outputs';
import { InvitationProvider } from './private/provider';
import { invalid, isConcrete, validateAccountId } from './private/validation';

/**
 * Properties of a `WorkSpacesAccountLink`.
 */
export interface WorkSpacesAccountLinkProps {
  /**
   * The account to invite to the link: a 12-digit AWS account ID of the same organization (same payer account),
   * other than the stack's own account.
   *
   * Tokens (a `CfnParameter`, an import) are accepted and checked at deploy time.
   */
  readonly targetAccountId: string;

  /**
   * What happens to the link invitation when this construct is removed from the stack, or the stack is deleted.
   *
   * `DESTROY` deletes the invitation while it is still pending acceptance. A `LINKED` link cannot be undone through
   * the WorkSpaces API: it stays in place (the handler logs a warning). `RETAIN` leaves the invitation as it is;
   * CloudFormation does not call the handler, also not when a changed `targetAccountId` replaces the link.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether to add a stack output with the account link ID. CloudFormation allows 200 outputs per stack: turn this
   * off for large numbers of links (the attributes stay available).
   *
   * @default true
   */
  readonly emitOutputs?: boolean;
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
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    if (removalPolicy === RemovalPolicy.SNAPSHOT) {
      invalid(this, 'removalPolicy SNAPSHOT is not supported by custom resources; use DESTROY or RETAIN.');
    }
    this.targetAccountId = props.targetAccountId;

    const provider = InvitationProvider.of(this, {
      handler: 'workspaces-account-link',
      description: 'cdk-account-invitations: Amazon WorkSpaces account links (CreateAccountLinkInvitation)',
      timeout: Duration.minutes(5),
      statements: workspacesStatements,
    });

    const resource = provider.createResource(this, 'Resource', 'Custom::WorkSpacesAccountLink', {
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
