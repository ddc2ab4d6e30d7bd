import { Arn, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccepterCommonProps } from './invitation-base';
import { lambdaTimeoutFor, validateWaitTimeout } from './private/accepter';
import { warnOtherOrganization } from './private/conflicts';
import { ORG_ACCEPTER } from './private/contract/organizations';
import { addInvitationOutput } from './private/outputs';
import { HANDSHAKE_ID, ORGANIZATION_ID } from './private/patterns';
import { InvitationProvider } from './private/provider';
import { invalid, validateAccountId, validatePattern } from './private/validation';

/**
 * Properties of an `OrgInvitationAccepter`.
 */
export interface OrgInvitationAccepterProps extends AccepterCommonProps {
  /**
   * The management account of the organization that invites this account (12 digits), other than the stack's own
   * account. Only an invitation from this account is accepted. Give this, `organizationId`, or both.
   *
   * Tokens (a `CfnParameter`, an import, the inviting stack's account) are accepted and checked at deploy time: the
   * stack's own account, or a value that resolves to an empty string, fails the deployment (empty does not mean "any").
   *
   * @default - any management account, as long as the organization is `organizationId`
   */
  readonly managementAccountId?: string;

  /**
   * The ID of the organization that invites this account (`o-` and 10 to 32 lowercase letters or digits). Only an
   * invitation from this organization is accepted. Give this, `managementAccountId`, or both. A token that resolves
   * to an empty string fails the deployment.
   *
   * @default - any organization whose management account is `managementAccountId`
   */
  readonly organizationId?: string;

  /**
   * Accept exactly this handshake (`h-` and 8 to 32 lowercase letters or digits), for example the `handshakeId` of the
   * inviting `OrgInvitation`, passed through a parameter. It must still come from the expected organization. A token
   * that resolves to an empty string fails the deployment.
   *
   * @default - the handler finds the open invitation of the expected organization
   */
  readonly handshakeId?: string;
}

/**
 * Accepts, in the invited account, the invitation of an AWS Organization to join it (the other side of
 * `OrgInvitation`). Deploy it in the account that is invited.
 *
 * On create, the handler first asks Organizations whether this account already belongs to an organization: to the
 * expected one, it succeeds with state `ALREADY_MEMBER` (nothing accepted); to another one, it fails naming it
 * (the account must leave that organization first: this construct never leaves one). Otherwise it finds the open
 * invitation of the expected organization (or takes `handshakeId`), waiting up to `waitTimeout` for it to arrive,
 * and accepts it.
 *
 * An update that still expects the organization the account joined (a changed `waitTimeout`, the same organization's
 * `organizationId` added) accepts nothing and keeps `handshakeId`. An update that expects another organization accepts
 * as on create, except in a rollback, which accepts nothing and never fails for the membership (the handler reads its
 * own stack's status to tell).
 *
 * Delete does nothing: leaving an organization is never automatic. The account stays a member.
 *
 * With the inviting stack in the same CDK app, `OrgInvitation.acceptIn(stack)` declares this construct in the invited
 * account's stack for you, expecting the inviting stack's account, and orders the deployment.
 *
 * @example
 * import { OrgInvitationAccepter } from 'cdk-account-invitations';
 *
 * new OrgInvitationAccepter(this, 'JoinLandingZone', {
 *   managementAccountId: '111111111111',
 *   organizationId: 'o-exampleorgid',
 * });
 */
export class OrgInvitationAccepter extends Construct {
  /**
   * The ID of the accepted handshake (`h-...`). For an account that was already a member of the expected
   * organization, `already-member:<organization ID>`.
   *
   * @attribute
   */
  public readonly handshakeId: string;

  /**
   * The ID of the organization this account belongs to (`o-...`), as the handler found it: the expected
   * `organizationId` when one was given, otherwise the organization of `managementAccountId`.
   *
   * @attribute
   */
  public readonly joinedOrganizationId: string;

  /**
   * `ACCEPTED` (the invitation was accepted) or `ALREADY_MEMBER` (the account already belonged to the
   * organization). An update that finds the account outside the organization reports `NOT_A_MEMBER` or
   * `OTHER_ORGANIZATION` (with a warning in the log) instead of failing, and `UNKNOWN` when it cannot read it.
   *
   * @attribute
   */
  public readonly handshakeState: string;

  /** The expected management account, as given. */
  public readonly managementAccountId?: string;

  /** The expected organization, as given (`joinedOrganizationId` is the one the account belongs to). */
  public readonly organizationId?: string;

  /** How long a deployment waits for the invitation (the given `waitTimeout`, or its default of 5 minutes). */
  public readonly waitTimeout: Duration;

  constructor(scope: Construct, id: string, props: OrgInvitationAccepterProps) {
    super(scope, id);
    validateExpectation(this, props);
    this.waitTimeout = validateWaitTimeout(this, props.waitTimeout);
    this.managementAccountId = props.managementAccountId;
    this.organizationId = props.organizationId;
    warnOtherOrganization(this, props.managementAccountId, props.organizationId);

    const provider = InvitationProvider.of(this, 'org-invitation-accepter', accepterStatements);
    provider.requireTimeout(lambdaTimeoutFor(this.waitTimeout));
    // AcceptHandshake only on handshakes of the expected organization: a defect in the matching still cannot join
    // this account to another one
    const { managementAccountId: mgmt, organizationId: org, handshakeId: handshake } = props;
    provider.grant(`accept:${mgmt ?? '*'}:${org ?? '*'}:${handshake ?? '*'}`, () => new iam.PolicyStatement({
      actions: ['organizations:AcceptHandshake'],
      resources: [handshakeArn(Stack.of(this), mgmt ?? '*', `${org ?? 'o-*'}/invite/${handshake ?? 'h-*'}`)],
    }));

    const resource = provider.createResource(this, 'Resource', ORG_ACCEPTER.properties({
      managementAccountId: mgmt,
      organizationId: org,
      handshakeId: handshake,
      waitSeconds: this.waitTimeout.toSeconds(),
    }), RemovalPolicy.DESTROY);

    const attributes = ORG_ACCEPTER.attributes;
    this.handshakeId = resource.getAttString(attributes.handshakeId);
    this.joinedOrganizationId = resource.getAttString(attributes.organizationId);
    this.handshakeState = resource.getAttString(attributes.handshakeState);

    if (props.emitOutputs ?? true) {
      addInvitationOutput(this, this.handshakeId, `Handshake ID of the AWS Organizations invitation accepted by ${this.node.path}`);
    }
  }
}

function handshakeArn(stack: Stack, account: string, resourceName: string): string {
  return Arn.format({
    service: 'organizations', region: '', account, resource: 'handshake', resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  }, stack);
}

/** What every accepter of the stack needs (the provider is shared). */
function accepterStatements(stack: Stack): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      // neither action has a resource type
      actions: ['organizations:DescribeOrganization', 'organizations:ListHandshakesForAccount'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      // read-only, on any inviter's invitations: a given handshakeId from another organization is named in the error
      // instead of failing with AccessDenied
      actions: ['organizations:DescribeHandshake'],
      resources: [handshakeArn(stack, '*', 'o-*/invite/h-*')],
    }),
    new iam.PolicyStatement({
      // joining an organization with all features: Organizations creates its service-linked role with the caller's
      // permission (AccessDeniedForDependencyException without it)
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: 'aws-service-role/organizations.amazonaws.com/AWSServiceRoleForOrganizations',
      })],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'organizations.amazonaws.com' } },
    }),
  ];
}

function validateExpectation(scope: Construct, props: OrgInvitationAccepterProps): void {
  const { managementAccountId, organizationId, handshakeId } = props;
  if (managementAccountId === undefined && organizationId === undefined) {
    invalid(scope, 'managementAccountId or organizationId is required: say which organization this account expects to join.');
  }
  if (managementAccountId !== undefined) {
    validateAccountId(scope, 'managementAccountId', managementAccountId, Stack.of(scope).account);
  }
  validatePattern(scope, 'organizationId', organizationId, ORGANIZATION_ID, "'o-' followed by 10 to 32 lowercase letters or digits");
  validatePattern(scope, 'handshakeId', handshakeId, HANDSHAKE_ID, "'h-' followed by 8 to 32 lowercase letters or digits");
}
