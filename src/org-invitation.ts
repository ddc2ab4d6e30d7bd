import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Acceptance } from './acceptance';
import { AcceptInOptions, InvitationRemovalProps } from './invitation-base';
import { InvitationTarget, InvitationTargetType } from './invitation-target';
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
 * Properties of an `OrgInvitation`.
 */
export interface OrgInvitationProps extends InvitationRemovalProps {
  /**
   * The account to invite: `InvitationTarget.account('222222222222')` or
   * `InvitationTarget.email('owner@example.com')`. Tokens are accepted in both and checked at deploy time.
   */
  readonly target: InvitationTarget;

  /**
   * Text included in the invitation email, at most 1,024 characters. Treated as sensitive: never logged, and removed
   * from any error text AWS returns before it is logged or shown as the failure reason.
   *
   * @default - no notes
   */
  readonly notes?: string;

  /**
   * Tags that AWS Organizations attaches to the invited account when it joins the organization (at most 50; keys 1
   * to 128 characters, values up to 256). These tag the account, not this construct's resources: `Tags.of` applies
   * to the custom resource's function and role as usual and does not reach the account. Adds
   * `organizations:TagResource` to the provider's permissions.
   *
   * @default - no tags
   */
  readonly accountTags?: { [key: string]: string };

  /**
   * Accept the invitation in the same deployment, through a role in the invited account: after inviting, the
   * handler assumes `arn:<partition>:iam::<account ID>:role/<roleName>` and accepts there; `handshakeState` is then
   * `ACCEPTED`. The provider's role gets `sts:AssumeRole` on that role only. The role needs the accept permissions
   * listed in the README ("Invite and accept in one deploy") and must trust this stack's account.
   *
   * Only for a target by account ID (`InvitationTarget.account`): the account behind an email address is unknown
   * until it accepts. A Create that cannot accept (the role cannot be assumed or lacks a permission) fails, naming
   * the account and the role, and cancels the invitation it sent. A rollback never assumes the role.
   *
   * @default - the invitation is only sent; the invited account accepts it (for example with an
   * `OrgInvitationAccepter`, see `acceptIn`)
   */
  readonly acceptance?: Acceptance;
}

/**
 * Options of `OrgInvitation.acceptIn`.
 */
export interface OrgInvitationAcceptInOptions extends AcceptInOptions {
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
 * `removalPolicy` (`InvitationRemovalProps`): `DESTROY` (the default) cancels the invitation if it is still open when
 * the construct is removed or the stack is deleted (an accepted invitation is left alone: the account stays in the
 * organization). `RETAIN` leaves the invitation as it is; CloudFormation does not call the handler. `emitOutputs`
 * adds a stack output with the handshake ID.
 *
 * `accountTags` are the invited account's tags in the organization, not tags of this construct (`Tags.of`).
 *
 * An update sends a new invitation when the target changed, or when the invitation ended without acceptance. A
 * rollback never does (nor does it assume the `acceptance` role): it restores the earlier invitation as it finds it,
 * with a warning in the log when that one has ended.
 *
 * To accept in the same `cdk deploy`: `acceptIn(memberStack)` declares an `OrgInvitationAccepter` in the invited
 * account's stack, or `acceptance` accepts through a role in the invited account right after inviting.
 *
 * @example
 * import { InvitationTarget, OrgInvitation } from 'cdk-account-invitations';
 *
 * new OrgInvitation(this, 'InviteSandbox', {
 *   target: InvitationTarget.account('123456789012'),
 *   notes: 'Welcome to the landing zone',
 *   accountTags: { team: 'sandbox' },
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

  /** The invited account, as given. */
  public readonly target: InvitationTarget;

  /** The invited account as given, when the invitation is not by email address (for `acceptIn`'s checks). */
  private readonly invitedAccounts: readonly string[];

  constructor(scope: Construct, id: string, props: OrgInvitationProps) {
    super(scope, id);
    validateTarget(this, props.target);
    this.target = props.target;
    const type = props.target.type;
    validateNotesAndTags(this, props);
    const removalPolicy = resolveRemovalPolicy(this, props.removalPolicy);

    const stack = Stack.of(this);
    const provider = InvitationProvider.of(this, 'org-invitation', orgStatements);
    // the membership check reads the account (ACCOUNT) or lists the accounts (EMAIL)
    if (type === InvitationTargetType.ACCOUNT) {
      provider.grant('describe-account', () => new iam.PolicyStatement({
        actions: ['organizations:DescribeAccount'],
        resources: [Arn.format({
          service: 'organizations', region: '', resource: 'account', resourceName: 'o-*/*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }, stack)],
      }));
    } else {
      provider.grant('list-accounts', () => new iam.PolicyStatement({
        actions: ['organizations:ListAccounts'],
        resources: ['*'],
      }));
    }
    if (Object.keys(props.accountTags ?? {}).length > 0) {
      // The invited account has no ARN in this organization until it joins: TagResource cannot be scoped further.
      provider.grant('tag', () => new iam.PolicyStatement({ actions: ['organizations:TagResource'], resources: ['*'] }));
    }

    if (props.acceptance && type !== InvitationTargetType.ACCOUNT) {
      invalid(this, 'acceptance needs a target by account ID (InvitationTarget.account): the account behind an email ' +
        'address is unknown until it accepts. Invite by account ID, or accept in the invited account (acceptIn or an ' +
        'OrgInvitationAccepter).');
    }
    const acceptProperties = bindAcceptance(this, provider, props.acceptance, [props.target.value]);

    const resource = provider.createResource(this, 'Resource', {
      ...ORG_INVITATION.properties({ targetId: props.target.value, targetType: type, notes: props.notes, tags: props.accountTags }),
      ...acceptProperties,
    }, removalPolicy);

    const attributes = ORG_INVITATION.attributes;
    this.handshakeId = resource.getAttString(attributes.handshakeId);
    this.handshakeArn = resource.getAttString(attributes.handshakeArn);
    this.handshakeState = resource.getAttString(attributes.handshakeState);

    if (props.emitOutputs ?? true) {
      addInvitationOutput(this, this.handshakeId,
        `Handshake ID of the AWS Organizations invitation to the ${type === InvitationTargetType.EMAIL ? 'email address' : 'account'} of ${this.node.path}`);
    }
    this.invitedAccounts = type === InvitationTargetType.EMAIL ? [] : [props.target.value];
  }

  /**
   * Declares the accepting side in the invited account's stack: an `OrgInvitationAccepter` in `stack` that expects
   * this stack's account as the management account (and `options.organizationId`, when given), and makes `stack`
   * depend on this invitation's stack, so that `cdk deploy --all` deploys the inviting stack first. Only literal
   * values cross the stacks (no cross-account reference).
   *
   * Checked at synth time: `stack` must be another stack; this stack's account must be concrete; one accepter per
   * stack; when `stack`'s account is concrete, it must not be this stack's account and, when the target is a concrete
   * account ID, it must be that account. An email target or an environment-agnostic `stack` is allowed: the accepter
   * then only finds the invitation when it runs in the invited account.
   *
   * @param stack the stack deployed in the invited account
   * @param options the accepter's wait, outputs and expected organization
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
        emitOutputs: options.emitOutputs,
      }),
    });
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

/**
 * Checks a literal target against its kind (tokens pass: the handler checks the resolved value), with a hint when
 * the value is of the other kind.
 */
function validateTarget(scope: Construct, target: InvitationTarget): void {
  const { type, value } = target;
  rejectListElement(scope, 'target', value);
  if (!isConcrete(value)) return;
  if (type === InvitationTargetType.ACCOUNT) {
    if (EMAIL_PATTERN.test(value) || value.includes('@')) {
      invalid(scope, `target '${maskEmail(value)}' is an email address; use InvitationTarget.email, or give an account ID.`);
    }
    validateAccountId(scope, 'target', value, Stack.of(scope).account);
  } else if (type === InvitationTargetType.EMAIL) {
    if (ACCOUNT_ID_PATTERN.test(value)) {
      invalid(scope, `target '${value}' is an account ID; use InvitationTarget.account, or give an email address.`);
    }
    if (!EMAIL_PATTERN.test(value)) {
      invalid(scope, `target must be an email address, got '${value.includes('@') ? maskEmail(value) : value}'.`);
    }
  } else {
    invalid(scope, `target type must be InvitationTargetType.ACCOUNT or InvitationTargetType.EMAIL, got '${type}'.`);
  }
}

function validateNotesAndTags(scope: Construct, props: OrgInvitationProps): void {
  const { maxNotes, maxTags, maxTagKey, maxTagValue } = ORG_INVITATION.limits;
  validateLength(scope, 'notes', props.notes, maxNotes);
  const tags = Object.entries(props.accountTags ?? {});
  if (tags.length > maxTags) {
    invalid(scope, `accountTags can hold at most ${maxTags} tags, got ${tags.length}.`);
  }
  for (const [key, value] of tags) {
    if (isConcrete(key) && (key.length < 1 || key.length > maxTagKey)) {
      invalid(scope, `accountTags key '${key}' must be 1 to ${maxTagKey} characters long, got ${key.length}.`);
    }
    if (isConcrete(key) && key.toLowerCase().startsWith('aws:')) {
      invalid(scope, `accountTags key '${key}' uses the reserved prefix 'aws:'.`);
    }
    validateLength(scope, `the value of accountTags key '${key}'`, value, maxTagValue);
  }
}
