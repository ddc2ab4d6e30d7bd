import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Acceptance } from './acceptance';
import { InvitationBaseProps } from './invitation-base';
import { OrgInvitationAccepter } from './org-invitation-accepter';
import { declareAccepter } from './private/accept-in';
import { bindAcceptance } from './private/acceptance';
import { ORG_INVITATION } from './private/contract/organizations';
import { addInvitationOutput } from './private/outputs';
import { InvitationProvider } from './private/provider';
import {
  ACCOUNT_ID_PATTERN,
  EMAIL_PATTERN,
  invalid,
  isConcrete,
  maskEmail,
  rejectListElement,
  resolveRemovalPolicy,
  validateAccountId,
  validateLength,
} from './private/validation';

/**
 * How the invited account is identified.
 */
export enum InvitationTargetType {
  /** `targetId` is a 12-digit AWS account ID. */
  ACCOUNT = 'ACCOUNT',
  /** `targetId` is the email address of the account's owner (its root user). */
  EMAIL = 'EMAIL',
}

/**
 * Properties of an `OrgInvitation`.
 */
export interface OrgInvitationProps extends InvitationBaseProps {
  /**
   * The account to invite: a 12-digit AWS account ID, or the email address of the account's owner.
   *
   * Tokens (a `CfnParameter`, an import) are accepted and checked at deploy time.
   */
  readonly targetId: string;

  /**
   * Whether `targetId` is an account ID or an email address.
   *
   * @default - when `targetId` is known at synth time: `EMAIL` when it contains '@', else `ACCOUNT`. When it is a
   * token (a parameter, an SSM value, an import): decided at deploy time from the resolved value.
   */
  readonly targetType?: InvitationTargetType;

  /**
   * Text included in the invitation email, at most 1,024 characters. Treated as sensitive: never logged, and removed
   * from any error text AWS returns before it is logged or shown as the failure reason.
   *
   * @default - no notes
   */
  readonly notes?: string;

  /**
   * Tags attached to the account when it joins the organization (at most 50; keys 1 to 128 characters, values
   * up to 256). Adds `organizations:TagResource` to the provider's permissions.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * Accept the invitation in the same deployment, through a role in the invited account: after inviting, the
   * handler assumes `arn:<partition>:iam::<targetId>:role/<roleName>` and accepts there; `handshakeState` is then
   * `ACCEPTED`. The provider's role gets `sts:AssumeRole` on that role only. The role needs the accept permissions
   * listed in the README ("Invite and accept in one deploy") and must trust this stack's account.
   *
   * Only for an invitation by account ID (`targetType` `ACCOUNT`, or a literal 12-digit `targetId`): the account
   * behind an email address is unknown until it accepts. A Create that cannot accept (the role cannot be assumed or
   * lacks a permission) fails, naming the account and the role, and cancels the invitation it sent. A rollback
   * never assumes the role.
   *
   * @default - the invitation is only sent; the invited account accepts it (for example with an
   * `OrgInvitationAccepter`, see `acceptIn`)
   */
  readonly acceptance?: Acceptance;
}

/**
 * Options of `OrgInvitation.acceptIn`.
 */
export interface OrgInvitationAcceptInOptions {
  /**
   * How long the accepting stack's deployment waits for the invitation to reach its account.
   *
   * @default Duration.minutes(5)
   */
  readonly waitTimeout?: Duration;

  /**
   * The ID of the inviting organization (`o-...`): the accepter then accepts only an invitation of this
   * organization, besides its management account (the inviting stack's account).
   *
   * @default - any organization whose management account is the inviting stack's account
   */
  readonly organizationId?: string;
}

/**
 * Invites an AWS account into the organization of the stack's account, which must be the organization's
 * management account.
 *
 * On create, the handler sends `InviteAccountToOrganization` (or adopts an open invitation to the same target,
 * or succeeds with state `ALREADY_MEMBER` when the account is already in the organization). On delete it cancels
 * the invitation while it is open; it never removes an account from the organization.
 *
 * `removalPolicy` (`InvitationBaseProps`): `DESTROY` (the default) cancels the invitation if it is still open when
 * the construct is removed or the stack is deleted (an accepted invitation is left alone: the account stays in the
 * organization). `RETAIN` leaves the invitation as it is; CloudFormation does not call the handler. `emitOutputs`
 * adds a stack output with the handshake ID.
 *
 * An update sends a new invitation when the target changed, or when the invitation ended without acceptance. A
 * rollback never does (nor does it assume the `acceptance` role): it restores the earlier invitation as it finds it,
 * with a warning in the log when that one has ended.
 *
 * To accept in the same `cdk deploy`: `acceptIn(memberStack)` declares an `OrgInvitationAccepter` in the invited
 * account's stack, or `acceptance` accepts through a role in the invited account right after inviting.
 *
 * @example
 * import { OrgInvitation } from 'cdk-account-invitations';
 *
 * new OrgInvitation(this, 'InviteSandbox', {
 *   targetId: '123456789012',
 *   notes: 'Welcome to the landing zone',
 *   tags: { team: 'sandbox' },
 * });
 */
export class OrgInvitation extends Construct {
  /**
   * The ID of the invitation's handshake (`h-...`). For an account that was already a member,
   * `already-member:<account ID>`.
   *
   * @attribute
   */
  public readonly handshakeId: string;

  /**
   * The ARN of the invitation's handshake (empty for an account that was already a member).
   *
   * @attribute
   */
  public readonly handshakeArn: string;

  /**
   * The state of the handshake when the stack was last deployed: `OPEN`, `REQUESTED`, `ACCEPTED`, ... or
   * `ALREADY_MEMBER`; `NOT_FOUND` after a rollback whose earlier invitation Organizations no longer knows.
   *
   * @attribute
   */
  public readonly handshakeState: string;

  /**
   * How the target is identified, when known at synth time: the given `targetType`, or the type of a literal
   * `targetId`. Undefined when `targetId` is a token and no `targetType` was given: the handler then decides at
   * deploy time from the resolved value.
   */
  public readonly targetType?: InvitationTargetType;

  /** The invited account as given, when the invitation is not by email address (for `acceptIn`'s checks). */
  private readonly invitedAccounts: readonly string[];

  constructor(scope: Construct, id: string, props: OrgInvitationProps) {
    super(scope, id);
    this.targetType = resolveTargetType(this, props);
    validateNotesAndTags(this, props);
    const removalPolicy = resolveRemovalPolicy(this, props.removalPolicy);

    const stack = Stack.of(this);
    const provider = InvitationProvider.of(this, 'org-invitation', orgStatements);
    const organizationsArn = (resource: string, resourceName: string) => Arn.format({
      service: 'organizations', region: '', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }, stack);
    // the membership check reads the account (ACCOUNT) or lists the accounts (EMAIL); a type decided at deploy
    // time may need either
    if (this.targetType !== InvitationTargetType.EMAIL) {
      provider.grant('describe-account', () => new iam.PolicyStatement({
        actions: ['organizations:DescribeAccount'],
        resources: [organizationsArn('account', 'o-*/*')],
      }));
    }
    if (this.targetType !== InvitationTargetType.ACCOUNT) {
      provider.grant('list-accounts', () => new iam.PolicyStatement({
        actions: ['organizations:ListAccounts'],
        resources: ['*'],
      }));
    }
    if (Object.keys(props.tags ?? {}).length > 0) {
      // The invited account has no ARN in this organization until it joins: TagResource cannot be scoped further.
      provider.grant('tag', () => new iam.PolicyStatement({ actions: ['organizations:TagResource'], resources: ['*'] }));
    }

    if (props.acceptance && this.targetType !== InvitationTargetType.ACCOUNT) {
      invalid(this, this.targetType === InvitationTargetType.EMAIL
        ? 'acceptance needs an invitation by account ID: the account behind an email address is unknown until it accepts. ' +
          'Invite by account ID, or accept in the invited account (acceptIn or an OrgInvitationAccepter).'
        : 'acceptance needs an invitation by account ID, but targetId is a token and targetType is not set: set ' +
          'targetType: InvitationTargetType.ACCOUNT.');
    }
    const acceptProperties = bindAcceptance(this, provider, props.acceptance, [props.targetId]);

    const resource = provider.createResource(this, 'Resource', {
      // without a target type (a token and no targetType), the handler decides from the resolved targetId
      ...ORG_INVITATION.properties({ targetId: props.targetId, targetType: this.targetType, notes: props.notes, tags: props.tags }),
      ...acceptProperties,
    }, removalPolicy);

    const attributes = ORG_INVITATION.attributes;
    this.handshakeId = resource.getAttString(attributes.handshakeId);
    this.handshakeArn = resource.getAttString(attributes.handshakeArn);
    this.handshakeState = resource.getAttString(attributes.handshakeState);

    if (props.emitOutputs ?? true) {
      addInvitationOutput(this, this.handshakeId,
        `Handshake ID of the AWS Organizations invitation to the ${targetDescription(this.targetType)} of ${this.node.path}`);
    }
    this.invitedAccounts = this.targetType === InvitationTargetType.EMAIL ? [] : [props.targetId];
  }

  /**
   * Declares the accepting side in the invited account's stack: an `OrgInvitationAccepter` in `stack` that expects
   * this stack's account as the management account (and `options.organizationId`, when given), and makes `stack`
   * depend on this invitation's stack, so that `cdk deploy --all` deploys the inviting stack first. Only literal
   * values cross the stacks (no cross-account reference).
   *
   * Checked at synth time: `stack` must be another stack; this stack's account must be concrete; one accepter per
   * stack; when `stack`'s account is concrete, it must not be this stack's account and, when `targetId` is a concrete
   * account ID, it must be that account. An email target or an environment-agnostic `stack` is allowed: the accepter
   * then only finds the invitation when it runs in the invited account.
   *
   * @param stack the stack deployed in the invited account
   * @param options the accepter's wait and the expected organization
   * @returns the accepter declared in `stack`
   */
  public acceptIn(stack: Stack, options: OrgInvitationAcceptInOptions = {}): OrgInvitationAccepter {
    return declareAccepter(this, stack, {
      accepterName: 'OrgInvitationAccepter',
      inviterRole: 'management account',
      invitedAccounts: this.invitedAccounts,
      declare: (accepting, id, managementAccountId) => new OrgInvitationAccepter(accepting, id, {
        managementAccountId,
        organizationId: options.organizationId,
        waitTimeout: options.waitTimeout,
      }),
    });
  }
}

function targetDescription(type: InvitationTargetType | undefined): string {
  switch (type) {
    case InvitationTargetType.EMAIL: return 'email address';
    case InvitationTargetType.ACCOUNT: return 'account';
    default: return 'account or email address';
  }
}

function orgStatements(stack: Stack): iam.PolicyStatement[] {
  const handshakes = Arn.format({
    service: 'organizations', region: '', resource: 'handshake', resourceName: 'o-*/invite/h-*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  }, stack);
  return [
    new iam.PolicyStatement({
      // neither action has a resource type
      actions: ['organizations:InviteAccountToOrganization', 'organizations:ListHandshakesForOrganization'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      actions: ['organizations:DescribeHandshake', 'organizations:CancelHandshake'],
      resources: [handshakes],
    }),
  ];
}

function resolveTargetType(scope: Construct, props: OrgInvitationProps): InvitationTargetType | undefined {
  const { targetId } = props;
  rejectListElement(scope, 'targetId', targetId);
  if (!isConcrete(targetId)) {
    // a token: trust the given type, or leave it to the handler, which sees the resolved value
    return props.targetType;
  }
  const looksLikeEmail = targetId.includes('@');
  const type = props.targetType ?? (looksLikeEmail ? InvitationTargetType.EMAIL : InvitationTargetType.ACCOUNT);
  if (type === InvitationTargetType.ACCOUNT && !ACCOUNT_ID_PATTERN.test(targetId)) {
    if (looksLikeEmail) {
      invalid(scope, `targetType is ACCOUNT but targetId '${maskEmail(targetId)}' is an email address; use InvitationTargetType.EMAIL or an account ID.`);
    }
    invalid(scope, `targetId must be a 12-digit AWS account ID or an email address, got '${targetId}'.`);
  }
  if (type === InvitationTargetType.EMAIL && !EMAIL_PATTERN.test(targetId)) {
    invalid(scope, ACCOUNT_ID_PATTERN.test(targetId)
      ? `targetType is EMAIL but targetId '${targetId}' is an account ID; use InvitationTargetType.ACCOUNT or an email address.`
      : `targetId must be a 12-digit AWS account ID or an email address, got '${targetId}'.`);
  }
  if (type === InvitationTargetType.ACCOUNT) validateAccountId(scope, 'targetId', targetId, Stack.of(scope).account);
  return type;
}

function validateNotesAndTags(scope: Construct, props: OrgInvitationProps): void {
  const { maxNotes, maxTags, maxTagKey, maxTagValue } = ORG_INVITATION.limits;
  validateLength(scope, 'notes', props.notes, maxNotes);
  const tags = Object.entries(props.tags ?? {});
  if (tags.length > maxTags) {
    invalid(scope, `tags can hold at most ${maxTags} tags, got ${tags.length}.`);
  }
  for (const [key, value] of tags) {
    if (isConcrete(key) && (key.length < 1 || key.length > maxTagKey)) {
      invalid(scope, `tag key '${key}' must be 1 to ${maxTagKey} characters long, got ${key.length}.`);
    }
    if (isConcrete(key) && key.toLowerCase().startsWith('aws:')) {
      invalid(scope, `tag key '${key}' uses the reserved prefix 'aws:'.`);
    }
    validateLength(scope, `the value of tag '${key}'`, value, maxTagValue);
  }
}
