import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Acceptance } from './acceptance';
import { AcceptInOptions, InvitationRemovalProps } from './invitation-base';
import { declareAccepter } from './private/accept-in';
import { bindAcceptance } from './private/acceptance';
import { WORKSPACES_ACCOUNT_LINK } from './private/contract/workspaces';
import { addInvitationOutput } from './private/outputs';
import { InvitationProvider } from './private/provider';
import { isConcrete, resolveRemovalPolicy, validateAccountId } from './private/validation';
import { WorkSpacesAccountLinkAccepter } from './workspaces-account-link-accepter';

/**
 * Properties of a `WorkSpacesAccountLink`.
 */
export interface WorkSpacesAccountLinkProps extends InvitationRemovalProps {
  /**
   * The account to invite to the link: a 12-digit AWS account ID of the same organization (same payer account),
   * other than the stack's own account.
   *
   * Tokens (a `CfnParameter`, an import) are accepted and checked at deploy time.
   */
  readonly targetAccountId: string;

  /**
   * Accept the link in the same deployment, through a role in the target account: after inviting, the handler
   * assumes `arn:<partition>:iam::<targetAccountId>:role/<roleName>` and accepts the invitation there, so the link is
   * `LINKED` when the deployment ends (`accountLinkStatus`). The handler's role gets `sts:AssumeRole` on that role
   * only. The role needs `workspaces:ListAccountLinks`, `workspaces:GetAccountLink` and
   * `workspaces:AcceptAccountLinkInvitation`, and must trust this stack's account (see the README, "Invite and
   * accept in one deploy").
   *
   * The handler waits up to 2 minutes (and no longer than its function has left) for the invitation to be visible in
   * the target account. When the acceptance fails (the role cannot be assumed, the accept is denied), the deployment
   * fails with a message that first says what became of the invitation (the pending invitation this deployment
   * created is deleted; an adopted one is kept), then names the account and the role.
   *
   * @default - no acceptance: the target account accepts (e.g. with `acceptIn` or a `WorkSpacesAccountLinkAccepter`)
   */
  readonly acceptance?: Acceptance;
}

/**
 * Options of `WorkSpacesAccountLink.acceptIn`.
 */
export interface WorkSpacesAccountLinkAcceptInOptions extends AcceptInOptions {}

/**
 * Invites another account of the organization to an Amazon WorkSpaces account link (bring your own license), from
 * the stack's account and region.
 *
 * On create, the handler sends `CreateAccountLinkInvitation` with a client token derived from the request (a retry
 * gets the same link), or adopts the existing link when the target is already linked or invited. On delete it
 * deletes the invitation while it is pending acceptance; a `LINKED` link cannot be undone through the API and is
 * left in place.
 *
 * `removalPolicy` (`InvitationRemovalProps`): `DESTROY` (the default) deletes the invitation while it is still pending
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

  /** The invited account, as given. */
  public readonly targetAccountId: string;

  constructor(scope: Construct, id: string, props: WorkSpacesAccountLinkProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateAccountId(this, 'targetAccountId', props.targetAccountId, stack.account);
    const removalPolicy = resolveRemovalPolicy(this, props.removalPolicy);
    this.targetAccountId = props.targetAccountId;

    const provider = InvitationProvider.of(this, 'workspaces-account-link', workspacesStatements);

    const resource = provider.createResource(this, 'Resource', {
      ...WORKSPACES_ACCOUNT_LINK.properties({ targetAccountId: props.targetAccountId }),
      ...bindAcceptance(this, provider, props.acceptance, [props.targetAccountId]),
    }, removalPolicy);

    this.accountLinkId = resource.getAttString(WORKSPACES_ACCOUNT_LINK.attributes.accountLinkId);
    this.accountLinkStatus = resource.getAttString(WORKSPACES_ACCOUNT_LINK.attributes.accountLinkStatus);

    if (props.emitOutputs ?? true) {
      const target = isConcrete(props.targetAccountId) ? ` to account ${props.targetAccountId}` : '';
      addInvitationOutput(this, this.accountLinkId, `ID of the Amazon WorkSpaces account link${target} of ${this.node.path}`);
    }
  }

  /**
   * Declares the `WorkSpacesAccountLinkAccepter` of this link in `stack`, the target account's stack: it expects an
   * invitation from this stack's account, and `stack` depends on this stack, so `cdk deploy --all` deploys the
   * inviter first. Only literal values cross: no token is passed between the stacks. The accepter's construct ID is
   * `WorkSpacesAccountLinkAccepter-<unique ID of this link>`.
   *
   * Checked at synth, in this order: `stack` is not this stack; this stack's account is concrete; one accepter per
   * stack; when known, `stack`'s account is not this stack's account and is `targetAccountId`, and its region is this
   * stack's region (account links are per region). An environment-agnostic `stack` is allowed: the accepter checks at
   * deploy time.
   *
   * @param stack the stack of the target account, in this stack's region
   * @param options the accepter's wait and outputs
   * @returns the accepter declared in `stack`
   */
  public acceptIn(stack: Stack, options: WorkSpacesAccountLinkAcceptInOptions = {}): WorkSpacesAccountLinkAccepter {
    return declareAccepter(this, stack, {
      accepterName: 'WorkSpacesAccountLinkAccepter',
      inviterRole: 'source account',
      invitedAccounts: [this.targetAccountId],
      regional: 'an account link exists in one Region, so both stacks must deploy there.',
      declare: (target, id, sourceAccountId) => new WorkSpacesAccountLinkAccepter(target, id, {
        sourceAccountId,
        waitTimeout: options.waitTimeout,
        emitOutputs: options.emitOutputs,
      }),
    });
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
