import { Arn, ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Acceptance } from './acceptance';
import { AcceptInOptions, InvitationRemovalProps } from './invitation-base';
import { MacieInvitationAccepter } from './macie-invitation-accepter';
import { declareAccepter } from './private/accept-in';
import { bindAcceptance } from './private/acceptance';
import { MACIE_SERVICE, warnSharedMembers } from './private/conflicts';
import { MACIE_INVITATIONS } from './private/contract/macie';
import { addAccountListOutputs } from './private/outputs';
import { InvitationProvider } from './private/provider';
import { EMAIL_PATTERN, invalid, isConcrete, maskEmail, rejectListElement, resolveRemovalPolicy, validateAccountId, validateLength } from './private/validation';

/**
 * An account to make a member of the stack account's Amazon Macie and to invite.
 */
export interface MacieMember {
  /**
   * The 12-digit ID of the AWS account.
   *
   * Tokens (a `CfnParameter`, an import) are accepted and checked at deploy time.
   */
  readonly accountId: string;

  /**
   * The email address of the account's owner: Macie sends the invitation there (unless
   * `disableEmailNotification` is set). Treated as sensitive: never logged, and not part of any output or attribute.
   *
   * Tokens are accepted and checked at deploy time.
   */
  readonly email: string;
}

/**
 * Properties of a `MacieInvitations`.
 */
export interface MacieInvitationsProps extends InvitationRemovalProps {
  /**
   * The accounts to make members of the stack account's Macie and to invite: at least 1, at most 1,000 (the
   * most accounts a Macie administrator can manage by invitation), each account ID at most once.
   *
   * Members that already exist are adopted: a member that is `Invited`, `Enabled` or `Paused` is not invited again,
   * and a member associated through AWS Organizations is left alone.
   */
  readonly members: MacieMember[];

  /**
   * Text included in the invitation email: at most 80 characters, on one line. Treated as sensitive: never logged.
   * Changing only the message sends nothing: it applies to accounts invited later.
   *
   * @default - no custom text
   */
  readonly message?: string;

  /**
   * Whether to send the invitations without an email: the invited accounts then only see them in their Macie
   * console.
   *
   * @default false
   */
  readonly disableEmailNotification?: boolean;

  /**
   * Also accept the invitations in the same deployment, through a role in each member account: after inviting, the
   * handler assumes `arn:<partition>:iam::<member account>:role/<roleName>` in every member and accepts
   * the invitation there (Macie must be enabled in the member account, in this Region). Members that already accepted
   * are adopted; members managed through AWS Organizations are skipped. Every role is assumed before anything is
   * accepted: a role that cannot be assumed means nothing is accepted anywhere. Each account that fails (the role cannot
   * be assumed, lacks a permission, Macie is not enabled there) is named in the deployment's error; a failed deployment
   * undoes the acceptances it made (those members leave the administrator again; memberships accepted before stay) and
   * removes the members it created. Adding `acceptance` to existing invitations first invites again each member without
   * an open invitation (one that resigned or was removed), as a create does. `acceptedCount` and `enabledCount` report
   * the accepted members.
   *
   * The handler's role gets `sts:AssumeRole` on that role name only. The role in each member account needs
   * `macie2:GetMacieSession`, `macie2:GetAdministratorAccount`, `macie2:ListInvitations` and
   * `macie2:AcceptInvitation` (and `macie2:DisassociateFromAdministratorAccount`, to undo the acceptances of a failed
   * deployment), and must trust this stack's account (README: "Invite and accept in one deploy").
   *
   * @default - no acceptance: each member accepts itself (`acceptIn`, a `MacieInvitationAccepter`, or the console)
   */
  readonly acceptance?: Acceptance;
}

/**
 * Options of `MacieInvitations.acceptIn`.
 */
export interface MacieInvitationsAcceptInOptions extends AcceptInOptions {
  /**
   * What happens to the membership when the accepter is removed or its stack is deleted (see
   * `MacieInvitationAccepter`): `DESTROY` leaves the administrator, `RETAIN` stays a member.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Makes AWS accounts members of the Amazon Macie of the stack's account (the Macie administrator account, in the
 * stack's region) and invites them.
 *
 * On create, the handler checks that Macie is enabled, reads the existing members once (ListMembers), creates the
 * missing members (CreateMember) and invites them (CreateInvitations, 50 accounts per call); members that are
 * already invited or enabled are adopted. When an invitation fails, the members created by that deployment are
 * removed again. An update applies only the difference between the old and the new list. On delete, the members
 * are disassociated and deleted (unless `removalPolicy` is `RETAIN`).
 *
 * `removalPolicy` (`InvitationRemovalProps`) applies when accounts are removed from `members`, when the construct is
 * removed and when the stack is deleted: `DESTROY` (the default) disassociates and deletes those members (an open
 * invitation is withdrawn; an account that accepted leaves the administrator's Macie). `RETAIN` never removes a
 * member: accounts removed from `members` stay members, and CloudFormation does not call the handler when the
 * resource is deleted. `emitOutputs` adds stack outputs with the invited account IDs (comma-separated, 300 per
 * output).
 *
 * The invited accounts still have to accept the invitation: in a stack of each member account
 * (`acceptIn(memberStack)` declares a `MacieInvitationAccepter` there), through a role in each member account
 * (`acceptance`), or in their own Macie console.
 *
 * @example
 * import { MacieInvitations } from 'cdk-account-invitations';
 *
 * new MacieInvitations(this, 'MacieMembers', {
 *   members: [
 *     { accountId: '222222222222', email: 'security@example.com' },
 *     { accountId: '333333333333', email: 'workloads@example.com' },
 *   ],
 *   message: 'Please join the central Macie account',
 * });
 */
export class MacieInvitations extends Construct {
  /**
   * The account IDs of `members`, in the order given. A synth-time value (the IDs themselves, or the tokens you
   * passed): it does not depend on the custom resource, so add `node.addDependency(invitations)` where the
   * invitations must exist first.
   */
  public readonly invitedAccountIds: string[];

  /**
   * With `acceptance`: how many members are accepted (their membership stands, accepted by the deployment or before;
   * members managed through AWS Organizations are not counted), as of the last deployment.
   *
   * @attribute
   * @default - undefined without `acceptance`
   */
  public readonly acceptedCount?: number;

  /**
   * With `acceptance`: of the accepted members, how many are `Enabled` (not paused or impaired), as of the last
   * deployment.
   *
   * @attribute
   * @default - undefined without `acceptance`
   */
  public readonly enabledCount?: number;

  /** The removal policy of the members (`DESTROY` or `RETAIN`). */
  public readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: MacieInvitationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateMembers(this, props.members, stack.account);
    validateMessage(this, props.message);
    this.removalPolicy = resolveRemovalPolicy(this, props.removalPolicy);
    warnSharedMembers(MACIE_SERVICE, this, props.members.map((m) => m.accountId));

    const provider = InvitationProvider.of(this, 'macie-invitations', macieStatements);

    // the custom resource's Data carries counts only (MACIE_INVITATIONS.attributes): the account IDs come from synth
    // time, because 1,000 of them would not fit in the 4,096 bytes of Data
    const resource = provider.createResource(this, 'Resource', {
      ...MACIE_INVITATIONS.properties({
        members: props.members,
        message: props.message,
        disableEmailNotification: props.disableEmailNotification ?? false,
        removalPolicy: this.removalPolicy === RemovalPolicy.RETAIN ? 'RETAIN' : 'DESTROY',
      }),
      ...bindAcceptance(this, provider, props.acceptance, props.members.map((m) => m.accountId)),
    }, this.removalPolicy);

    this.invitedAccountIds = props.members.map((m) => m.accountId);
    if (props.acceptance) {
      // every Create and Update of a resource with acceptance answers both counts
      this.acceptedCount = Token.asNumber(resource.getAtt(MACIE_INVITATIONS.attributes.acceptedCount));
      this.enabledCount = Token.asNumber(resource.getAtt(MACIE_INVITATIONS.attributes.enabledCount));
    }

    if (props.emitOutputs ?? true) addAccountListOutputs(this, this.invitedAccountIds, 'Amazon Macie');
  }

  /**
   * Declares a `MacieInvitationAccepter` in `stack` (a member account's stack, in this stack's Region) that accepts
   * the invitation from this stack's account, and makes `stack` depend on this stack, so `cdk deploy --all` invites
   * first. Call it once per member stack; it returns the accepter.
   *
   * Checked at synth: this stack's account must be concrete; `stack` must be another stack, in this Region, whose
   * account (when both are known) is one of `members`. An environment-agnostic `stack` or token member IDs are
   * allowed: the accepter checks at deploy time.
   *
   * @param stack the member account's stack
   * @param options the accepter's wait, outputs and removal policy
   */
  public acceptIn(stack: Stack, options: MacieInvitationsAcceptInOptions = {}): MacieInvitationAccepter {
    return declareAccepter(this, stack, {
      accepterName: 'MacieInvitationAccepter',
      inviterRole: 'Macie administrator',
      invitedAccounts: this.invitedAccountIds,
      regional: 'Macie is regional: a member accepts in the administrator\'s Region.',
      declare: (memberStack, id, administratorAccountId) => new MacieInvitationAccepter(memberStack, id, {
        administratorAccountId,
        waitTimeout: options.waitTimeout,
        removalPolicy: options.removalPolicy,
        emitOutputs: options.emitOutputs,
      }),
    });
  }
}

function macieStatements(stack: Stack): iam.PolicyStatement[] {
  const members = Arn.format({
    service: 'macie2', resource: 'member', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  }, stack);
  return [
    new iam.PolicyStatement({
      // no resource types: these act on the account's Macie as a whole
      actions: ['macie2:GetMacieSession', 'macie2:ListMembers', 'macie2:CreateInvitations'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      actions: ['macie2:CreateMember', 'macie2:GetMember', 'macie2:DisassociateMember', 'macie2:DeleteMember'],
      resources: [members],
    }),
  ];
}

function validateMembers(scope: Construct, members: MacieMember[], ownAccount: string): void {
  if (members.length === 0) {
    invalid(scope, 'members must list at least one account, got none.');
  }
  const max = MACIE_INVITATIONS.maxMembers;
  if (members.length > max) {
    invalid(scope, `members can list at most ${max} accounts (the most a Macie administrator can manage by invitation), got ${members.length}.`);
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
    rejectListElement(scope, `members[${i}].email`, member.email);
    if (isConcrete(member.email) && !EMAIL_PATTERN.test(member.email)) {
      const shown = member.email.includes('@') ? maskEmail(member.email) : member.email;
      invalid(scope, `members[${i}].email (account ${member.accountId}) must be an email address, got '${shown}'.`);
    }
  });
}

function validateMessage(scope: Construct, message: string | undefined): void {
  // characters as AWS counts them (code points): an emoji is one character, two UTF-16 units
  validateLength(scope, 'message', message, MACIE_INVITATIONS.maxMessageLength);
  if (isConcrete(message) && MACIE_INVITATIONS.controlCharacters.test(message)) {
    invalid(scope, 'message must be a single line of text: it contains a line break, tab or other control character.');
  }
}
