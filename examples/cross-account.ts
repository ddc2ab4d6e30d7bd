/**
 * The cross-account example: both sides of every invitation in one `cdk deploy --all`, in the two ways the library
 * offers. Run with `npx projen example` (after the single-stack example of app.ts).
 *
 * - Two stacks, two accounts: the inviters in the management account's stack, `acceptIn(member)` declares the
 *   accepters in the member account's stack, which then depends on the management stack.
 * - One stack, through a role: `acceptance: Acceptance.assumeRole(...)` makes the inviter's handler accept in the
 *   invited account, through a role it already holds there.
 */
import * as path from 'path';
import { App, Stack, aws_detective as detective, aws_macie as macie, aws_ram as ram } from 'aws-cdk-lib';
import {
  Acceptance, DetectiveInvitationAccepter, InvitationTarget, MacieInvitations, OrgInvitation, ResourceShareAccepter,
  SecurityHubInvitations, WorkSpacesAccountLink,
} from '../src';

const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const SANDBOX = '333333333333';
const env = (account: string) => ({ account, region: 'us-east-1' });

const app = new App({ outdir: path.join(__dirname, 'cdk.out', 'cross-account') });

// 1. Two stacks, two accounts
const mgmt = new Stack(app, 'InvitationsManagement', { env: env(MANAGEMENT) });
const member = new Stack(app, 'InvitationsMember', { env: env(MEMBER) });
new OrgInvitation(mgmt, 'InviteMember', { target: InvitationTarget.account(MEMBER) }).acceptIn(member);
const macieAccepter = new MacieInvitations(mgmt, 'MacieMembers', {
  members: [{ accountId: MEMBER, email: 'member-owner@example.com' }],
}).acceptIn(member);
// Macie must be enabled in the member account before it can accept
macieAccepter.node.addDependency(new macie.CfnSession(member, 'Macie'));
new WorkSpacesAccountLink(mgmt, 'LinkMember', { targetAccountId: MEMBER }).acceptIn(member);
// Amazon Detective: CloudFormation's own CfnMemberInvitation invites (into the management account's behavior graph,
// created before); the accepter takes the graph's ARN from it
const detectiveInvitation = new detective.CfnMemberInvitation(mgmt, 'DetectiveMember', {
  graphArn: `arn:aws:detective:us-east-1:${MANAGEMENT}:graph:027c7c4610ea4aacaf0b883093cab899`,
  memberId: MEMBER,
  memberEmailAddress: 'member-owner@example.com',
});
DetectiveInvitationAccepter.acceptInvitation(detectiveInvitation, member);

// AWS RAM: CloudFormation's own AWS::RAM::ResourceShare shares a subnet; acceptShare accepts it in the member stack
const subnets = new ram.CfnResourceShare(mgmt, 'ShareSubnets', {
  name: 'shared-subnets',
  principals: [MEMBER],
  resourceArns: [`arn:aws:ec2:us-east-1:${MANAGEMENT}:subnet/subnet-0123456789abcdef0`],
});
ResourceShareAccepter.acceptShare(subnets, member);

// Security Hub: the member stack also declares the hub the accepter needs (a paid service: only when asked)
new SecurityHubInvitations(mgmt, 'SecurityHubMembers', { members: [{ accountId: MEMBER }] }).acceptIn(member, { enableSecurityHub: true });

// 2. One stack, through a role the management account already holds in the invited account (created by a baseline
//    there, with the accept permissions listed in the README; invited accounts have no OrganizationAccountAccessRole)
const oneStack = new Stack(app, 'InvitationsOneStack', { env: env(MANAGEMENT) });
const role = Acceptance.assumeRole('InvitationAcceptRole');
new OrgInvitation(oneStack, 'InviteSandbox', { target: InvitationTarget.account(SANDBOX), acceptance: role });
new MacieInvitations(oneStack, 'MacieSandbox', { members: [{ accountId: SANDBOX, email: 'sandbox-owner@example.com' }], acceptance: role });
new WorkSpacesAccountLink(oneStack, 'LinkSandbox', { targetAccountId: SANDBOX, acceptance: role });
new SecurityHubInvitations(oneStack, 'SecurityHubSandbox', { members: [{ accountId: SANDBOX }], acceptance: role });

const assembly = app.synth();
console.log(`Synthesized the cross-account example into ${path.relative(process.cwd(), assembly.directory)}`);
for (const stack of [mgmt, member, oneStack]) {
  const artifact = assembly.getStackArtifact(stack.artifactId);
  const resources = Object.entries((artifact.template as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }).Resources);
  const deps = artifact.dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets'));
  console.log(`\n${stack.stackName} (account ${stack.account})${deps.length ? `, deployed after ${deps.join(', ')}` : ''}:`);
  for (const [logicalId, r] of resources.filter(([, res]) => res.Type.startsWith('Custom::') || res.Type === 'AWS::Detective::MemberInvitation')) {
    const { ServiceToken: _token, ServiceTimeout: _timeout, Members: members, ...props } = r.Properties ?? {};
    const shown = members ? { ...props, Members: `${(members as unknown[]).length} account(s)` } : props;
    console.log(`  ${logicalId}  ${r.Type}  ${JSON.stringify(shown)}`);
  }
}
