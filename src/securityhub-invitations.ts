import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Acceptance } from './acceptance';
import { AcceptInOptions, InvitationRemovalProps } from './invitation-base';
import { declareAccepter } from './private/accept-in';
import { bindAcceptance } from './private/acceptance';
import { SECURITY_HUB_SERVICE, warnSharedMembers } from './private/conflicts';
import { SECURITYHUB_INVITATIONS } from './private/contract/securityhub';
import { addAccountListOutputs } from './private/outputs';
import { InvitationProvider } from './private/provider';
import { declareHub, hubArn } from './private/securityhub-hub';
import { EMAIL_PATTERN, invalid, isConcrete, maskEmail, resolveRemovalPolicy, validateAccountId } from './private/validation';
import { SecurityHubInvitationAccepter } from './securityhub-invitation-accepter';

/**
 * An account to make a member of the stack account's AWS Security Hub and to invite.
 */
export interface SecurityHubMember {
  /**
   * The 12-digit ID of the AWS account.
   *
   * Tokens (a `CfnParameter`, an import) are accepted and checked at deploy time.
   */
  readonly accountId: string;

  /**
   * The email address of the account's owner, recorded with the member (Security Hub does not need it to invite).
   * Treated as sensitive: never logged, and not part of any output or attribute.
   *
   * @default - no email
   */
  readonly email?: string;
}

/**
 * Properties of a `SecurityHubInvitations`.
 */
export interface SecurityHubInvitationsProps extends InvitationRemovalProps {
  /**
   * The accounts to make members of the stack account's Security Hub and to invite: at least 1, at most 1,000 (the
   * most accounts a Security Hub administrator can manage by invitation in a Region), each account ID at most once.
   *
   * Members that already exist are adopted: a member that is `Invited` or `Enabled` is not invited again (and is not
   * removed by this construct), and a member associated through AWS Organizations is left alone. Accounts of the
   * administrator's own organization cannot be invited: the deployment fails and names them (use Security Hub's
   * Organizations integration for those).
   */
  readonly members: SecurityHubMember[];

  /**
   * Also accept the invitations in the same deployment, through a role in each member account: after inviting, the
   * handler assumes `arn:<partition>:iam::<member account>:role/<roleName>` in every member and accepts the
   * invitation there (Security Hub must be enabled in the member account, in this Region). Every role is assumed
   * before anything is accepted; a failed deployment undoes the acceptances it made and removes the members it
   * created. `acceptedCount` reports the accepted members.
   *
   * The handler's role gets `sts:AssumeRole` on that role name only. The role in each member account needs
   * `securityhub:DescribeHub`, `securityhub:GetAdministratorAccount`, `securityhub:ListInvitations` and
   * `securityhub:AcceptAdministratorInvitation` (and `securityhub:DisassociateFromAdministratorAccount`, to undo the
   * acceptances of a failed deployment) on its hub, and must trust this stack's account.
   *
   * @default - no acceptance: each member accepts itself (`acceptIn`, a `SecurityHubInvitationAccepter`, or the console)
   */
  readonly acceptance?: Acceptance;
}

/**
 * Options of `SecurityHubInvitations.acceptIn`.
 */
export interface SecurityHubInvitationsAcceptInOptions extends AcceptInOptions {
  /**
   * What happens to the membership when the accepter is removed or its stack is deleted: `DESTROY` leaves the
   * administrator (a membership the accepter accepted), `RETAIN` stays a member.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Also declare an `AWS::SecurityHub::Hub` (`aws_securityhub.CfnHub`, once per stack) in the member stack and make
   * the accepter depend on it: Security Hub must be enabled in the member account to accept. Security Hub is a paid
   * service: it is never enabled unless you ask. Leave it off when the account's hub is already enabled (by hand, by
   * another stack, by AWS Organizations): CloudFormation cannot create a second hub.
   *
   * @default false
   */
  readonly enableSecurityHub?: boolean;
}

/**
 * Makes AWS accounts members of the AWS Security Hub of the stack's account (the Security Hub administrator account,
 * in the stack's Region) and invites them.
 *
 * On create, the handler checks that Security Hub is enabled, reads the existing members once (ListMembers), creates
 * the missing members (CreateMembers, 50 accounts per call) and invites them and the members without an open
 * invitation (InviteMembers, 50 per call). Members that are already invited or enabled are adopted. Accounts that
 * Security Hub leaves unprocessed fail the deployment, each named with Security Hub's reason, and the members created
 * by that deployment are removed again. An update applies only the difference between the old and the new list.
 *
 * `removalPolicy` (`InvitationRemovalProps`): `DESTROY` (the default) disassociates and deletes, when accounts are
 * removed from `members`, the construct is removed or the stack deleted, the members whose invitation this construct
 * sent; adopted members and members associated through AWS Organizations stay. `RETAIN` never removes a member.
 * `emitOutputs` adds stack outputs with the invited account IDs (comma-separated, 300 per output).
 *
 * The invited accounts still have to accept: in a stack of each member account (`acceptIn(memberStack)` declares a
 * `SecurityHubInvitationAccepter` there), through a role in each member account (`acceptance`), or in their console.
 *
 * @example
 * import { SecurityHubInvitations } from 'cdk-account-invitations';
 *
 * new SecurityHubInvitations(this, 'SecurityHubMembers', {
 *   members: [
 *     { accountId: '222222222222', email: 'security@example.com' },
 *     { accountId: '333333333333' },
 *   ],
 * });
 */
export class SecurityHubInvitations extends Construct {
  /** The account IDs of `members`, in the order given (synth-time values). */
  public readonly invitedAccountIds: string[];

  /**
   * With `acceptance`: how many members are accepted (Enabled, accepted by the deployment or before; members
   * associated through AWS Organizations are not counted), as of the last deployment.
   *
   * @attribute
   * @default - undefined without `acceptance`
   */
  public readonly acceptedCount?: number;

  /** The removal policy of the members (`DESTROY` or `RETAIN`). */
  public readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: SecurityHubInvitationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateMembers(this, props.members, stack.account);
    this.removalPolicy = resolveRemovalPolicy(this, props.removalPolicy);
    warnSharedMembers(SECURITY_HUB_SERVICE, this, props.members.map((m) => m.accountId));

    const provider = InvitationProvider.of(this, 'securityhub-invitations', inviterStatements);
    const resource = provider.createResource(this, 'Resource', {
      ...SECURITYHUB_INVITATIONS.properties({
        members: props.members,
        removalPolicy: this.removalPolicy === RemovalPolicy.RETAIN ? 'RETAIN' : 'DESTROY',
      }),
      ...bindAcceptance(this, provider, props.acceptance, props.members.map((m) => m.accountId)),
    }, this.removalPolicy);

    this.invitedAccountIds = props.members.map((m) => m.accountId);
    if (props.acceptance) {
      this.acceptedCount = Token.asNumber(resource.getAtt(SECURITYHUB_INVITATIONS.attributes.acceptedCount));
    }

    if (props.emitOutputs ?? true) addAccountListOutputs(this, this.invitedAccountIds, 'AWS Security Hub');
  }

  /**
   * Declares a `SecurityHubInvitationAccepter` in `stack` (a member account's stack, in this stack's Region) that
   * accepts the invitation from this stack's account, and makes `stack` depend on this stack. With
   * `enableSecurityHub`, also declares the member stack's `AWS::SecurityHub::Hub` and makes the accepter depend on it.
   * Call it once per member stack; it returns the accepter.
   *
   * @param stack the member account's stack
   * @param options the accepter's wait, removal policy, and whether to enable Security Hub there
   */
  public acceptIn(stack: Stack, options: SecurityHubInvitationsAcceptInOptions = {}): SecurityHubInvitationAccepter {
    return declareAccepter(this, stack, {
      accepterName: 'SecurityHubInvitationAccepter',
      inviterRole: 'Security Hub administrator',
      invitedAccounts: this.invitedAccountIds,
      regional: 'Security Hub is regional: a member accepts in the administrator\'s Region.',
      declare: (memberStack, id, administratorAccountId) => {
        const accepter = new SecurityHubInvitationAccepter(memberStack, id, {
          administratorAccountId,
          waitTimeout: options.waitTimeout,
          removalPolicy: options.removalPolicy,
          emitOutputs: options.emitOutputs,
        });
        if (options.enableSecurityHub) accepter.node.addDependency(declareHub(memberStack));
        return accepter;
      },
    });
  }
}

function inviterStatements(stack: Stack): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: [
        'securityhub:DescribeHub',
        'securityhub:ListMembers',
        'securityhub:CreateMembers',
        'securityhub:InviteMembers',
        'securityhub:DisassociateMembers',
        'securityhub:DeleteMembers',
      ],
      resources: [hubArn(stack)],
    }),
  ];
}

function validateMembers(scope: Construct, members: SecurityHubMember[], ownAccount: string): void {
  if (members.length === 0) {
    invalid(scope, 'members must list at least one account, got none.');
  }
  const max = SECURITYHUB_INVITATIONS.maxMembers;
  if (members.length > max) {
    invalid(scope, `members can list at most ${max} accounts (the most a Security Hub administrator can manage by invitation), got ${members.length}.`);
  }
  const seen = new Map<string, number>();
  members.forEach((member, i) => {
    validateAccountId(scope, `members[${i}].accountId`, member.accountId, ownAccount);
    if (isConcrete(member.accountId)) {
      const first = seen.get(member.accountId);
      if (first !== undefined) {
        invalid(scope, `members[${i}].accountId '${member.accountId}' is already listed at members[${first}]; list each account once.`);
      }
      seen.set(member.accountId, i);
    }
    if (member.email !== undefined && isConcrete(member.email) && !EMAIL_PATTERN.test(member.email)) {
      const shown = member.email.includes('@') ? maskEmail(member.email) : member.email;
      invalid(scope, `members[${i}].email (account ${member.accountId}) must be an email address, got '${shown}'.`);
    }
  });
}
