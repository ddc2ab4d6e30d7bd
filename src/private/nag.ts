import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/**
 * cdk-nag's findings on the library's roles, acknowledged by the library with the reason each wildcard is as tight
 * as the service allows, so that a user's app with cdk-nag's AwsSolutions pack reports nothing unexplained on them.
 *
 * AwsSolutions-IAM5 reports every `*` in a role's resources, one finding per resource, as
 * `AwsSolutions-IAM5[Resource::<resource>]` (a reference flattened as below). cdk-nag 3 skips a finding acknowledged
 * on the resource or a parent: a construct metadata entry `Validations.ACKNOWLEDGED_RULES_METADATA_KEY` whose key is
 * the finding's ID, which `Validations.of(x).acknowledge({ id, reason })` writes. The library writes that entry
 * itself: at its dependency floor (2.262.0) `acknowledge` refuses an ID with more than one `::`, which every finding
 * on an ARN has (`Resource::arn:<AWS::Partition>:...`). The acknowledgement is per finding, as cdk-nag names them:
 * one reason covers every statement of the role with that resource, so each statement adds its own reason.
 *
 * A statement's wildcards are acknowledged only if every action of the statement has a reason below: a new action on
 * a wildcard is reported until its reason is written here (test/nag.test.ts runs the pack on every construct).
 *
 * AwsSolutions-L1 reports a function whose runtime is not the newest of its family that the app's aws-cdk-lib knows
 * (nodejs26.x from aws-cdk-lib 2.278). It is acknowledged while the functions' runtime is the app's
 * `Runtime.NODEJS_LATEST`, the newest Node.js runtime aws-cdk-lib lists as available in every region; once
 * aws-cdk-lib moves that on, the finding shows again, and the library should follow.
 */

const NO_RESOURCE_TYPE = 'no resource type in the IAM Service Authorization Reference, so IAM accepts only "*" for it';
const HANDSHAKE_IDS = 'Organizations assigns the organization ID (o-...) and the handshake ID (h-...) when the invitation ' +
  'is sent, so no exact ARN exists at deploy time; the ARN keeps the handshake resource type, and the management ' +
  'account, organization and handshake IDs where the construct knows them';

const MACIE_MEMBERS = 'the statement serves every MacieInvitations of the stack, and one ARN per member would exceed ' +
  'IAM\'s role policy size long before Macie\'s 1,000 members; the ARN is limited to the members of this ' +
  'administrator account in this region';
const STACK = 'a stack\'s ARN ends with an ID CloudFormation assigns when it creates the stack; the ARN names this ' +
  'stack only; read-only';

/** Why each action the library grants on a wildcard resource cannot be granted on a tighter one. */
const REASONS: Readonly<Record<string, string>> = {
  // Organizations, management account (OrgInvitation)
  'organizations:InviteAccountToOrganization': NO_RESOURCE_TYPE,
  'organizations:ListHandshakesForOrganization': NO_RESOURCE_TYPE,
  'organizations:ListAccounts': NO_RESOURCE_TYPE,
  'organizations:TagResource': 'the tags are applied to the invited account when it joins, and until then it has ' +
    'no ARN in this organization to scope the permission to; granted only when an invitation of the stack has tags',
  'organizations:DescribeHandshake': HANDSHAKE_IDS + '; read-only (an accepter reads the handshakes of any ' +
    'management account, so that a handshake ID from another organization is named in its error, not refused)',
  'organizations:CancelHandshake': HANDSHAKE_IDS,
  'organizations:DescribeAccount': 'an account\'s ARN names the organization ID (o-...), unknown at synth time, and ' +
    'the statement serves every invitation of the stack; the ARN is limited to accounts of this management ' +
    'account\'s organization; read-only',
  // Organizations, invited account (OrgInvitationAccepter)
  'organizations:DescribeOrganization': NO_RESOURCE_TYPE,
  'organizations:ListHandshakesForAccount': NO_RESOURCE_TYPE,
  'organizations:AcceptHandshake': HANDSHAKE_IDS,
  // Macie, administrator account (MacieInvitations)
  'macie2:GetMacieSession': NO_RESOURCE_TYPE,
  'macie2:ListMembers': NO_RESOURCE_TYPE,
  'macie2:CreateInvitations': NO_RESOURCE_TYPE,
  'macie2:CreateMember': MACIE_MEMBERS,
  'macie2:GetMember': MACIE_MEMBERS + '; read-only',
  'macie2:DisassociateMember': MACIE_MEMBERS,
  'macie2:DeleteMember': MACIE_MEMBERS,
  // Macie, member account (MacieInvitationAccepter): these act on the account's own Macie
  'macie2:GetAdministratorAccount': NO_RESOURCE_TYPE,
  'macie2:ListInvitations': NO_RESOURCE_TYPE,
  'macie2:AcceptInvitation': NO_RESOURCE_TYPE,
  'macie2:DisassociateFromAdministratorAccount': NO_RESOURCE_TYPE,
  // WorkSpaces account links, both sides
  'workspaces:CreateAccountLinkInvitation': NO_RESOURCE_TYPE,
  'workspaces:GetAccountLink': NO_RESOURCE_TYPE,
  'workspaces:ListAccountLinks': NO_RESOURCE_TYPE,
  'workspaces:DeleteAccountLinkInvitation': NO_RESOURCE_TYPE,
  'workspaces:AcceptAccountLinkInvitation': NO_RESOURCE_TYPE,
  // Detective, member account (DetectiveInvitationAccepter); AcceptInvitation and DisassociateMembership are scoped
  // to the graph's ARN
  'detective:ListInvitations': NO_RESOURCE_TYPE + '; read-only',
  // AWS RAM, receiving account (ResourceShareAccepter)
  'ram:GetResourceShareInvitations': NO_RESOURCE_TYPE + '; read-only',
  'ram:GetResourceShares': NO_RESOURCE_TYPE + '; read-only',
  'ram:AcceptResourceShareInvitation': 'RAM assigns the invitation ID when the owner shares, so no exact ARN exists at ' +
    'deploy time; the ARN is limited to the owner account\'s invitations in this Region, and the condition ' +
    'ram:ShareOwnerAccountId to its shares',
  'ram:DisassociateResourceShare': 'a share given by owner and name has an ID RAM assigns when the owner creates it; the ARN ' +
    'is limited to that owner account\'s shares in this Region (a share given by ARN is granted on that ARN alone); ' +
    'granted only with removalPolicy DESTROY',
  // every provider: its own stack, read-only
  'cloudformation:DescribeStackEvents': STACK,
  'cloudformation:DescribeStacks': STACK,
  'cloudformation:GetTemplate': STACK,
  // acceptance: a role of a fixed name in the invited accounts
  'sts:AssumeRole': 'the role name is fixed; the account is "*" only when the invited account IDs are tokens ' +
    'unknown at synth time',
};

const IAM5 = 'AwsSolutions-IAM5';
const L1 = 'AwsSolutions-L1';

/** The findings already acknowledged per role (synthesis can run more than once). */
const acknowledged = new WeakMap<IConstruct, Set<string>>();

/**
 * Acknowledges, on `role`, cdk-nag's wildcard findings on `statements` (part of the role's inline policy), each with
 * the reasons of the statement's actions.
 */
export function acknowledgeWildcards(role: iam.CfnRole, statements: iam.PolicyStatement[]): void {
  const stack = Stack.of(role);
  const done = acknowledged.get(role) ?? new Set<string>();
  acknowledged.set(role, done);
  for (const statement of statements) {
    const json = stack.resolve(statement.toStatementJson());
    const actions: string[] = [json.Action ?? []].flat();
    const reasons = [...new Set(actions.map((action) => REASONS[action]))];
    if (json.Effect !== 'Allow' || reasons.some((reason) => reason === undefined)) continue;
    for (const resource of [json.Resource ?? []].flat()) {
      const finding = flatten(resource);
      if (!finding.includes('*')) continue;
      const id = `${IAM5}[Resource::${finding}]`;
      const reason = `${actions.join(', ')} on ${finding}: ${reasons.join('; ')}.`;
      if (done.has(`${id}\n${reason}`)) continue;
      done.add(`${id}\n${reason}`);
      role.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
    }
  }
}

/** Acknowledges, on `fn`, cdk-nag's runtime finding while the runtime is aws-cdk-lib's `Runtime.NODEJS_LATEST`. */
export function acknowledgeRuntime(fn: lambda.CfnFunction): void {
  const latest = lambda.Runtime.NODEJS_LATEST.name;
  if (fn.runtime !== latest) return;
  fn.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
    [L1]: `${latest} is aws-cdk-lib's Runtime.NODEJS_LATEST, the newest Node.js runtime it lists as available in ` +
      'every region; the library pins it, so that its functions deploy in every region and its template is the ' +
      'same with every aws-cdk-lib release.',
  });
}

/**
 * A resolved resource as cdk-nag names it in a finding: references flattened to `<LogicalId.Attribute>`, `<Ref>`,
 * joins joined, `${...}` written `<...>` (cdk-nag's `flattenCfnReference`).
 */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const o = node as Record<string, any>;
  if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(flatten).join(o['Fn::Join'][0]);
  if (o['Fn::Sub']) return flatten(o['Fn::Sub']);
  if (o['Fn::GetAtt']) return `<${flatten(o['Fn::GetAtt'][0])}.${flatten(o['Fn::GetAtt'][1])}>`;
  if (o['Fn::ImportValue']) return flatten(o['Fn::ImportValue']);
  if (o.Ref) return `<${flatten(o.Ref)}>`;
  return JSON.stringify(node);
}
