import { Arn, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { CfnResourceShare } from 'aws-cdk-lib/aws-ram';
import { Construct } from 'constructs';
import { AccepterCommonProps, AcceptInOptions, InvitationRemovalProps } from './invitation-base';
import { declareAccepter } from './private/accept-in';
import { lambdaTimeoutFor, validateWaitTimeout } from './private/accepter';
import { RAM_ACCEPTER, RESOURCE_SHARE_ARN_FORM, parseResourceShareArn } from './private/contract/ram';
import { addInvitationOutput } from './private/outputs';
import { ACCOUNT_ID } from './private/patterns';
import { InvitationProvider } from './private/provider';
import { invalid, isConcrete, resolveRemovalPolicy, validateAccountId } from './private/validation';

/**
 * Properties of a `ResourceShareAccepter`: the share by `resourceShareArn`, or by `ownerAccountId` and
 * `resourceShareName` (exactly one of the two forms).
 */
export interface ResourceShareAccepterProps extends AccepterCommonProps, InvitationRemovalProps {
  /**
   * The ARN of the resource share (`arn:<partition>:ram:<region>:<owner account>:resource-share/<ID>`), for example
   * the `Arn` of the owner's `AWS::RAM::ResourceShare`, passed through a parameter. The ARN's account is the owner:
   * only its invitation for this share is accepted. Its Region must be the stack's.
   *
   * Tokens are accepted and checked at deploy time.
   *
   * @default - the share is named by `ownerAccountId` and `resourceShareName`
   */
  readonly resourceShareArn?: string;

  /**
   * The account that owns the share (12 digits, other than the stack's own account), with `resourceShareName`. Only
   * an invitation sent by this account is accepted: a share of the same name from another account never is.
   *
   * Tokens are accepted and checked at deploy time.
   *
   * @default - the owner is the account of `resourceShareArn`
   */
  readonly ownerAccountId?: string;

  /**
   * The name of the share (its `Name` in the owner's `AWS::RAM::ResourceShare`), with `ownerAccountId`.
   *
   * @default - the share is named by `resourceShareArn`
   */
  readonly resourceShareName?: string;
}

/**
 * Options of `ResourceShareAccepter.acceptShare`.
 */
export interface ResourceShareAcceptShareOptions extends AcceptInOptions {
  /**
   * What happens to the share when the accepter is removed or its stack is deleted (see `ResourceShareAccepter`):
   * `DESTROY` leaves a share the accepter accepted, `RETAIN` keeps it.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Accepts an AWS RAM resource share in the receiving account: deploy it in the account the share names as a
 * principal, in the share's Region. CloudFormation's `AWS::RAM::ResourceShare` (`aws_ram.CfnResourceShare`) shares;
 * nothing in CloudFormation accepts.
 *
 * On create, the handler finds the share's invitation sent by the owner account (by the share's ARN, or by owner and
 * name) and accepts it with a client token derived from the request, waiting up to `waitTimeout` for it to arrive.
 * An invitation accepted already is adopted, and so is a share that is already `ACTIVE` for this account without an
 * invitation (organization sharing: RAM sends none). An invitation from any other account is never accepted. When
 * only an expired or rejected invitation is seen, the deployment fails saying the owner must share again.
 *
 * `removalPolicy` decides what happens to the share when this construct is removed or the stack is deleted:
 * `DESTROY` (the default) leaves the share (DisassociateResourceShare of this account), but only a share this
 * construct accepted itself, while it still stands on that invitation, and while no other accepter of the stack
 * expects a share of the same owner. An adopted share (accepted before, shared through the organization) is kept,
 * and so is a share RAM does not let this account leave. `RETAIN` keeps the share.
 *
 * `ResourceShareAccepter.acceptShare(share, stack)` declares this construct for a `CfnResourceShare` of another
 * stack of the same app.
 *
 * @example
 * import { ResourceShareAccepter } from 'cdk-account-invitations';
 *
 * new ResourceShareAccepter(this, 'AcceptSubnets', {
 *   ownerAccountId: '111111111111',
 *   resourceShareName: 'shared-subnets',
 * });
 */
export class ResourceShareAccepter extends Construct {
  /**
   * Declares a `ResourceShareAccepter` in `stack` (the receiving account's stack) for `share`, an
   * `AWS::RAM::ResourceShare` of another stack of this app: it expects the share's name (which must be a literal)
   * from the account of the share's stack, and makes `stack` depend on that stack, so that `cdk deploy --all` shares
   * first. Call it once per share and receiving stack.
   *
   * Checked at synth time: `stack` is another stack; the sharing stack's account is concrete; when `stack`'s account
   * is concrete, it is not the owner and, when every principal of the share is a literal account ID, it is one of
   * them; both stacks are in one Region when both are concrete.
   *
   * @param share the owner's resource share
   * @param stack the receiving account's stack
   * @param options the accepter's wait, removal policy and outputs
   */
  public static acceptShare(share: CfnResourceShare, stack: Stack, options: ResourceShareAcceptShareOptions = {}): ResourceShareAccepter {
    if (!isConcrete(share.name)) {
      invalid(share, `acceptShare(${stack.node.path}): the share's name must be a literal string, got a token: the accepter ` +
        'finds the invitation by it.');
    }
    const principals = share.principals ?? [];
    // an organization or OU principal may cover the stack's account: only a list of account IDs can be checked
    const accounts = principals.every((principal) => isConcrete(principal) && ACCOUNT_ID.test(principal)) ? principals : [];
    return declareAccepter(share, stack, {
      method: 'acceptShare',
      accepterName: 'ResourceShareAccepter',
      inviterRole: 'share owner',
      invitedAccounts: accounts,
      regional: 'RAM is regional: a share is accepted in its own Region.',
      declare: (receivingStack, id, ownerAccountId) => new ResourceShareAccepter(receivingStack, id, {
        ownerAccountId,
        resourceShareName: share.name,
        waitTimeout: options.waitTimeout,
        removalPolicy: options.removalPolicy,
        emitOutputs: options.emitOutputs,
      }),
    });
  }

  /**
   * The ARN of the accepted (or adopted) share; `NONE` only when an update or a rollback, which accept nothing, did
   * not find a share given by name. Never empty.
   *
   * @attribute
   */
  public readonly resourceShareArn: string;

  /**
   * The ARN of the accepted invitation; `NONE` when the share came without one (organization sharing). Never empty.
   *
   * @attribute
   */
  public readonly invitationArn: string;

  /**
   * The share's status as this account sees it when the stack was last deployed: `ACTIVE` after an accept or an
   * adoption (`ACCEPTED` when RAM did not list the share yet right after the accept); an update that kept the
   * expectation, and a rollback, report the current status (`NOT_FOUND` when the share is not visible to this
   * account, `UNKNOWN` when it could not be read). Never empty.
   *
   * @attribute
   */
  public readonly status: string;

  /** The account that owns the share: the given one, or the account of `resourceShareArn`. */
  public readonly ownerAccountId: string;

  /** The share's name, when the share is named by owner and name (`resourceShareName`). */
  public readonly resourceShareName?: string;

  /** The removal policy of the share (`DESTROY` or `RETAIN`). */
  public readonly removalPolicy: RemovalPolicy;

  /** How long a deployment waits for the invitation (the given `waitTimeout`, or its default). */
  public readonly waitTimeout: Duration;

  constructor(scope: Construct, id: string, props: ResourceShareAccepterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.ownerAccountId = validateTarget(this, props, stack);
    const wait = validateWaitTimeout(this, props.waitTimeout);
    this.waitTimeout = wait;
    this.resourceShareName = props.resourceShareName;
    this.removalPolicy = resolveRemovalPolicy(this, props.removalPolicy);

    const provider = InvitationProvider.of(this, 'resource-share-accepter', accepterStatements);
    provider.requireTimeout(lambdaTimeoutFor(wait));
    const owner = this.ownerAccountId;
    const ownerKey = JSON.stringify(stack.resolve(owner));
    provider.grant(`ram:AcceptResourceShareInvitation:${ownerKey}`, () => new iam.PolicyStatement({
      // the invitation's ID is assigned when the owner shares: the owner's invitations in this Region, of its shares
      actions: ['ram:AcceptResourceShareInvitation'],
      resources: [ownerArn(stack, owner, 'resource-share-invitation')],
      conditions: { StringEquals: { 'ram:ShareOwnerAccountId': owner } },
    }));
    if (this.removalPolicy === RemovalPolicy.DESTROY) {
      // only a DESTROY accepter leaves the share: the exact share when its ARN is given, else the owner's shares
      const shares = props.resourceShareArn ?? ownerArn(stack, owner, 'resource-share');
      provider.grant(`ram:DisassociateResourceShare:${JSON.stringify(stack.resolve(shares))}`, () => new iam.PolicyStatement({
        actions: ['ram:DisassociateResourceShare'],
        resources: [shares],
      }));
    }

    const resource = provider.createResource(this, 'Resource', RAM_ACCEPTER.properties({
      resourceShareArn: props.resourceShareArn,
      ownerAccountId: props.ownerAccountId,
      resourceShareName: props.resourceShareName,
      waitSeconds: wait.toSeconds(),
      removalPolicy: this.removalPolicy === RemovalPolicy.RETAIN ? 'RETAIN' : 'DESTROY',
    }), this.removalPolicy);

    const attributes = RAM_ACCEPTER.attributes;
    this.resourceShareArn = resource.getAttString(attributes.resourceShareArn);
    this.invitationArn = resource.getAttString(attributes.invitationArn);
    this.status = resource.getAttString(attributes.status);

    if (props.emitOutputs ?? true) {
      const from = isConcrete(owner) ? ` of account ${owner}` : '';
      addInvitationOutput(this, this.resourceShareArn, `ARN of the AWS RAM resource share${from} accepted by ${this.node.path}`);
    }
  }
}

/** Checks the share's form and values; returns the owner account (the ARN's, for the ARN form). */
function validateTarget(scope: Construct, props: ResourceShareAccepterProps, stack: Stack): string {
  const given = (['resourceShareArn', 'ownerAccountId', 'resourceShareName'] as const).filter((key) => props[key] !== undefined);
  const byArn = props.resourceShareArn !== undefined;
  if (byArn ? given.length !== 1 : given.length !== 2) {
    invalid(scope, 'give either resourceShareArn, or ownerAccountId and resourceShareName; got ' +
      `${given.length === 0 ? 'none of them' : given.join(' and ')}.`);
  }
  if (byArn) {
    const arn = props.resourceShareArn!;
    if (!isConcrete(arn)) return Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).account!;
    const parts = parseResourceShareArn(arn);
    if (!parts) invalid(scope, `resourceShareArn must be ${RESOURCE_SHARE_ARN_FORM}, got '${arn}'.`);
    if (isConcrete(stack.account) && parts.account === stack.account) {
      invalid(scope, `resourceShareArn '${arn}' is owned by the stack's own account; an account does not accept its own share.`);
    }
    if (isConcrete(stack.region) && parts.region !== stack.region) {
      invalid(scope, `resourceShareArn '${arn}' is in Region ${parts.region}, the stack in ${stack.region}: a share is accepted in its own Region.`);
    }
    return parts.account;
  }
  validateAccountId(scope, 'ownerAccountId', props.ownerAccountId!, stack.account);
  if (isConcrete(props.resourceShareName) && props.resourceShareName.trim().length === 0) {
    invalid(scope, `resourceShareName must not be empty, got '${props.resourceShareName}'.`);
  }
  return props.ownerAccountId!;
}

/** `arn:<partition>:ram:<region>:<owner>:<type>/*`: the owner's resources of a type in this Region. */
function ownerArn(stack: Stack, owner: string, type: string): string {
  return Arn.format({ service: 'ram', account: owner, resource: type, resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }, stack);
}

function accepterStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      // the receiver's reads have no resource types (Service Authorization Reference): they list what reaches the account
      actions: ['ram:GetResourceShareInvitations', 'ram:GetResourceShares'],
      resources: ['*'],
    }),
  ];
}
