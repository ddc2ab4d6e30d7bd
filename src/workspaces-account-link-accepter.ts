import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccepterCommonProps } from './invitation-base';
import { lambdaTimeoutFor, validateWaitTimeout } from './private/accepter';
import { ACCOUNT_LINK_ID_FORM, WORKSPACES_ACCEPTER } from './private/contract/workspaces';
import { addInvitationOutput } from './private/outputs';
import { ACCOUNT_LINK_ID } from './private/patterns';
import { InvitationProvider } from './private/provider';
import { invalid, isConcrete, rejectListElement, validateAccountId } from './private/validation';

/**
 * Properties of a `WorkSpacesAccountLinkAccepter`.
 */
export interface WorkSpacesAccountLinkAccepterProps extends AccepterCommonProps {
  /**
   * The account that sent the account link invitation (the source account, which owns the BYOL infrastructure): a
   * 12-digit AWS account ID of the same organization, other than the stack's own account. Only an invitation from
   * this account is accepted.
   *
   * Tokens (a `CfnParameter`, an import) are accepted and checked at deploy time.
   */
  readonly sourceAccountId: string;

  /**
   * Accept exactly this account link (`link-...`), for example the `accountLinkId` of the inviting stack's
   * `WorkSpacesAccountLink`, read from a parameter. A link with another source account fails the deployment and is
   * not accepted.
   *
   * Tokens are accepted and checked at deploy time.
   *
   * @default - the link invitation from `sourceAccountId` to this account is looked up
   */
  readonly accountLinkId?: string;
}

/**
 * Accepts an Amazon WorkSpaces account link invitation (bring your own license) in the target account: deploy it in
 * the invited account, in the link's Region.
 *
 * On create, the handler finds the link invitation from `sourceAccountId` to this account (or reads the given
 * `accountLinkId`) and accepts it with a client token derived from the request, waiting up to `waitTimeout` for it
 * to arrive. A link that is already `LINKED` is adopted; a given link from another source account fails, naming it.
 *
 * The handler's wait also ends in time to answer CloudFormation before its function's timeout. An accepter whose
 * `sourceAccountId` is the stack's own account (`Aws.ACCOUNT_ID`, or the account of an environment-agnostic stack)
 * fails at deploy time with a message naming the mix-up.
 *
 * On delete, nothing happens: a `LINKED` link cannot be undone through the WorkSpaces API, by either account (the
 * handler logs that it stays).
 *
 * Prerequisites: both accounts in the same AWS Organization under the same payer account, the same Region, BYOL
 * enabled for the source account; not available in AWS GovCloud (US).
 *
 * @example
 * import { WorkSpacesAccountLinkAccepter } from 'cdk-account-invitations';
 *
 * new WorkSpacesAccountLinkAccepter(this, 'AcceptLink', {
 *   sourceAccountId: '111111111111',
 * });
 */
export class WorkSpacesAccountLinkAccepter extends Construct {
  /**
   * The ID of the accepted (or adopted) account link (`link-...`); `NONE` only after a rollback that found no link
   * from the source. Never empty.
   *
   * @attribute
   */
  public readonly accountLinkId: string;

  /**
   * The status of the link when the stack was last deployed: `LINKED` after an accept or adoption; an update that
   * kept the expectation, and a rollback (which accepts nothing), report the current status (`LINK_NOT_FOUND` when
   * the link no longer exists, `UNKNOWN` when it could not be read). Never empty.
   *
   * @attribute
   */
  public readonly accountLinkStatus: string;

  /** The expected source account, as given. */
  public readonly sourceAccountId: string;

  /** How long a deployment waits for the invitation (the given `waitTimeout`, or its default of 5 minutes). */
  public readonly waitTimeout: Duration;

  constructor(scope: Construct, id: string, props: WorkSpacesAccountLinkAccepterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateAccountId(this, 'sourceAccountId', props.sourceAccountId, stack.account);
    rejectListElement(this, 'accountLinkId', props.accountLinkId);
    if (isConcrete(props.accountLinkId) && !ACCOUNT_LINK_ID.test(props.accountLinkId)) {
      invalid(this, `accountLinkId must be ${ACCOUNT_LINK_ID_FORM}, got '${props.accountLinkId}'.`);
    }
    this.waitTimeout = validateWaitTimeout(this, props.waitTimeout);
    this.sourceAccountId = props.sourceAccountId;

    const provider = InvitationProvider.of(this, 'workspaces-account-link-accepter', accepterStatements);
    provider.requireTimeout(lambdaTimeoutFor(this.waitTimeout));

    // the handler's Delete only logs that a LINKED link stays: DESTROY lets it say so
    const resource = provider.createResource(this, 'Resource', WORKSPACES_ACCEPTER.properties({
      sourceAccountId: props.sourceAccountId,
      accountLinkId: props.accountLinkId,
      waitSeconds: this.waitTimeout.toSeconds(),
    }), RemovalPolicy.DESTROY);

    this.accountLinkId = resource.getAttString(WORKSPACES_ACCEPTER.attributes.accountLinkId);
    this.accountLinkStatus = resource.getAttString(WORKSPACES_ACCEPTER.attributes.accountLinkStatus);

    if (props.emitOutputs ?? true) {
      const source = isConcrete(props.sourceAccountId) ? ` from account ${props.sourceAccountId}` : '';
      addInvitationOutput(this, this.accountLinkId, `ID of the Amazon WorkSpaces account link${source} accepted by ${this.node.path}`);
    }
  }
}

function accepterStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      // the account-link actions have no resource types: they cannot be scoped to a resource
      actions: [
        'workspaces:ListAccountLinks',
        'workspaces:GetAccountLink',
        'workspaces:AcceptAccountLinkInvitation',
      ],
      resources: ['*'],
    }),
  ];
}
