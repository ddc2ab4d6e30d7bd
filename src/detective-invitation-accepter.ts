import { Duration, RemovalPolicy, Stack, aws_detective as detective } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AccepterCommonProps, AcceptInOptions, InvitationRemovalProps } from './invitation-base';
import { declareAccepter } from './private/accept-in';
import { lambdaTimeoutFor, validateWaitTimeout } from './private/accepter';
import { DETECTIVE_ACCEPTER, parseGraphArn } from './private/contract/detective';
import { addInvitationOutput } from './private/outputs';
import { InvitationProvider } from './private/provider';
import { invalid, isConcrete, resolveRemovalPolicy } from './private/validation';

/**
 * Properties of a `DetectiveInvitationAccepter`.
 */
export interface DetectiveInvitationAccepterProps extends AccepterCommonProps, InvitationRemovalProps {
  /**
   * The ARN of the administrator's behavior graph, `arn:<partition>:detective:<region>:<administrator account>:graph:<id>`
   * (`aws_detective.CfnGraph`'s `attrArn` once the graph exists, or the Detective console, Settings, General).
   * The ARN's account is the administrator that invites, and must not be the stack's own account; its Region must
   * be the stack's (a membership exists only in the graph's Region). Only this graph's invitation is accepted; other
   * graphs this account belongs to are never touched.
   *
   * Tokens (a `CfnParameter`, an import) are accepted and checked at deploy time.
   */
  readonly graphArn: string;

}

/**
 * Options of `DetectiveInvitationAccepter.acceptInvitation`.
 */
export interface DetectiveAcceptInvitationOptions extends AcceptInOptions {
  /**
   * The behavior graph's ARN, when the invitation's `graphArn` is not a literal (e.g. `CfnGraph.attrArn` of the
   * administrator's stack, which a stack of another account cannot read). When both are literals they must match.
   *
   * @default - the invitation's `graphArn`
   */
  readonly graphArn?: string;

  /**
   * What happens to the membership when the accepter is removed or its stack is deleted (see
   * `DetectiveInvitationAccepter`): `DESTROY` leaves the graph, `RETAIN` stays a member.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Accepts an Amazon Detective behavior graph invitation in the invited (member) account: deploy it in the member
 * account, in the graph's Region. The invitation itself is CloudFormation's `AWS::Detective::MemberInvitation`
 * (`aws_detective.CfnMemberInvitation`) in the administrator's stack; `acceptInvitation` declares this construct for
 * it in the member's stack.
 *
 * On create, the handler looks for this account's entry for the graph (ListInvitations) and waits, up to
 * `waitTimeout`, while it is missing or `VERIFICATION_IN_PROGRESS`; it accepts an `INVITED` one, adopts a membership
 * already in place (`ENABLED`, or `ACCEPTED_BUT_DISABLED`: `disabledReason` and the log say why the member contributes
 * no data), and fails, changing nothing, on `VERIFICATION_FAILED` (the invitation's email address is not this
 * account's root user's).
 *
 * `removalPolicy` decides what happens to the membership when this construct is removed from the stack, or the stack
 * is deleted: `DESTROY` (the default) leaves the graph (DisassociateMembership), but only a membership this construct
 * accepted itself; one that was in place when it was created (accepted by hand or by another stack) is adopted and
 * kept, and so is one the handler cannot tell about (the answer of a rollback) and one another accepter of the stack
 * still expects. `RETAIN` keeps the membership: the handler's role is then not allowed to leave, unless another
 * accepter of the stack for the same graph is `DESTROY`. `emitOutputs` adds a stack output with the graph's ARN.
 *
 * @example
 * import { DetectiveInvitationAccepter } from 'cdk-account-invitations';
 *
 * const accepter = new DetectiveInvitationAccepter(this, 'JoinDetective', {
 *   graphArn: 'arn:aws:detective:us-east-1:111111111111:graph:027c7c4610ea4aacaf0b883093cab899',
 * });
 */
export class DetectiveInvitationAccepter extends Construct {
  /**
   * Declares a `DetectiveInvitationAccepter` in `stack` (a stack of the invited account, in the graph's Region) for
   * CloudFormation's `invitation` in another stack, and makes `stack` depend on the invitation's stack, so that
   * `cdk deploy --all` invites first. The invitation's `memberId` must be `stack`'s account when both are literals;
   * the graph's account must be the inviting stack's account.
   */
  public static acceptInvitation(
    invitation: detective.CfnMemberInvitation,
    stack: Stack,
    options: DetectiveAcceptInvitationOptions = {},
  ): DetectiveInvitationAccepter {
    const graphArn = graphArnOf(invitation, options.graphArn);
    return declareAccepter(invitation, stack, {
      accepterName: 'DetectiveInvitationAccepter',
      inviterRole: 'Detective administrator',
      invitedAccounts: [invitation.memberId],
      regional: 'Detective is regional: a member accepts in the behavior graph\'s Region.',
      declare: (memberStack, id, administratorAccountId) => {
        const parts = isConcrete(graphArn) ? parseGraphArn(graphArn) : undefined;
        if (parts && parts.administratorAccountId !== administratorAccountId) {
          invalid(invitation, `acceptInvitation(${memberStack.node.path}): the behavior graph ${graphArn} belongs to account ` +
            `${parts.administratorAccountId}, not to the inviting stack's account ${administratorAccountId}.`);
        }
        return new DetectiveInvitationAccepter(memberStack, id, {
          graphArn,
          waitTimeout: options.waitTimeout,
          removalPolicy: options.removalPolicy,
          emitOutputs: options.emitOutputs,
        });
      },
    });
  }

  /**
   * The account's member status in the graph when the stack was last deployed: `ENABLED` or `ACCEPTED_BUT_DISABLED`
   * (see `disabledReason`); `NOT_A_MEMBER` when an update that accepted nothing (the same graph, or a rollback) found
   * the account outside the graph, or `UNKNOWN` when such an update could not read it. Never empty.
   *
   * @attribute
   */
  public readonly memberStatus: string;

  /**
   * Why an `ACCEPTED_BUT_DISABLED` member contributes no data: `VOLUME_UNKNOWN` (usually: Amazon GuardDuty is not
   * enabled in this account) or `VOLUME_TOO_HIGH` (the graph would exceed its data volume); `NONE` otherwise.
   *
   * @attribute
   */
  public readonly disabledReason: string;

  /** The behavior graph's ARN. */
  public readonly graphArn: string;

  /** The removal policy of the membership (`DESTROY` or `RETAIN`). */
  public readonly removalPolicy: RemovalPolicy;

  /** How long a deployment waits for the invitation (the given `waitTimeout`, or its default). */
  public readonly waitTimeout: Duration;

  constructor(scope: Construct, id: string, props: DetectiveInvitationAccepterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateGraphArn(this, props.graphArn, stack);
    const wait = validateWaitTimeout(this, props.waitTimeout);
    this.waitTimeout = wait;
    this.removalPolicy = resolveRemovalPolicy(this, props.removalPolicy);
    this.graphArn = props.graphArn;

    const provider = InvitationProvider.of(this, 'detective-invitation-accepter', accepterStatements);
    provider.requireTimeout(lambdaTimeoutFor(wait));
    const graph = stack.resolve(props.graphArn);
    const key = typeof graph === 'string' ? graph : JSON.stringify(graph);
    provider.grant(`detective:AcceptInvitation ${key}`, () => new iam.PolicyStatement({
      actions: ['detective:AcceptInvitation'],
      resources: [props.graphArn],
    }));
    if (this.removalPolicy === RemovalPolicy.DESTROY) {
      // only a DESTROY accepter leaves its graph: a graph whose accepters all RETAIN is never left
      provider.grant(`detective:DisassociateMembership ${key}`, () => new iam.PolicyStatement({
        actions: ['detective:DisassociateMembership'],
        resources: [props.graphArn],
      }));
    }

    const resource = provider.createResource(this, 'Resource', DETECTIVE_ACCEPTER.properties({
      graphArn: props.graphArn,
      waitSeconds: wait.toSeconds(),
      removalPolicy: this.removalPolicy === RemovalPolicy.RETAIN ? 'RETAIN' : 'DESTROY',
    }), this.removalPolicy);

    const attributes = DETECTIVE_ACCEPTER.attributes;
    this.memberStatus = resource.getAttString(attributes.memberStatus);
    this.disabledReason = resource.getAttString(attributes.disabledReason);

    if (props.emitOutputs ?? true) {
      addInvitationOutput(this, resource.getAttString(attributes.graphArn),
        `Amazon Detective behavior graph whose invitation ${this.node.path} accepted`);
    }
  }
}

/** The graph ARN of `invitation` (or the one given for it), checked against each other when both are literals. */
function graphArnOf(invitation: detective.CfnMemberInvitation, given: string | undefined): string {
  const own = invitation.graphArn;
  if (given === undefined) {
    if (!isConcrete(own)) {
      invalid(invitation, 'acceptInvitation: the invitation\'s graphArn is not a literal (e.g. CfnGraph.attrArn), and a stack ' +
        'of another account cannot read it: give the graph\'s ARN as options.graphArn.');
    }
    return own;
  }
  if (isConcrete(own) && isConcrete(given) && own !== given) {
    invalid(invitation, `acceptInvitation: options.graphArn '${given}' is not the invitation's graphArn '${own}'.`);
  }
  return given;
}

/** The ARN's pattern; its account is not the stack's; its Region is the stack's (each when both are concrete). */
function validateGraphArn(scope: Construct, graphArn: string, stack: Stack): void {
  if (!isConcrete(graphArn)) return;
  const parts = parseGraphArn(graphArn);
  if (!parts) {
    invalid(scope, 'graphArn must be a Detective behavior graph ARN (arn:<partition>:detective:<region>:<account>:graph:<32 hex ' +
      `digits>), got '${graphArn}'.`);
  }
  if (isConcrete(stack.account) && parts.administratorAccountId === stack.account) {
    invalid(scope, `graphArn '${graphArn}' belongs to the stack's own account ${stack.account}; the accepter is deployed in the ` +
      'invited account and names the administrator\'s graph.');
  }
  if (isConcrete(stack.region) && parts.region !== stack.region) {
    invalid(scope, `graphArn '${graphArn}' is in Region ${parts.region}, the stack in ${stack.region}; a Detective membership ` +
      'exists only in the graph\'s Region: deploy the accepter in a stack of that Region.');
  }
}

function accepterStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      // ListInvitations has no resource type (Service Authorization Reference): it lists the account's own graphs
      actions: ['detective:ListInvitations'],
      resources: ['*'],
    }),
  ];
}
