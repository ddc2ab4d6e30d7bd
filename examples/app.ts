/**
 * The example app: synthesizes ExampleStack and prints what it declared, the custom resources (one per invitation)
 * and the stack outputs. Run with `npx projen example`.
 */
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { ExampleStack } from './example-stack';
import { DetectiveInvitationAccepter, SecurityHubInvitations } from '../src';
import { maskedJson } from './print';

const app = new App({ outdir: path.join(__dirname, 'cdk.out') });
const stack = new ExampleStack(app, 'LandingZoneInvitations', { env: { account: '111111111111', region: 'us-east-1' } });
// a member account's stack: accept the management account's Amazon Detective invitation (CloudFormation's own
// AWS::Detective::MemberInvitation sends it); the language apps declare the same stack
const detectiveMember = new Stack(app, 'DetectiveMember', { env: { account: '222222222222', region: 'us-east-1' } });
new DetectiveInvitationAccepter(detectiveMember, 'JoinDetective', {
  graphArn: 'arn:aws:detective:us-east-1:111111111111:graph:027c7c4610ea4aacaf0b883093cab899',
  waitTimeout: Duration.minutes(10),
});

// A separate stack: the Security Hub administrator account invites two accounts outside its organization (the
// Python, Java and Go apps declare the same stack; the language tier compares every stack)
const securityHub = new Stack(app, 'SecurityHubAdministrator', { env: { account: '111111111111', region: 'us-east-1' } });
new SecurityHubInvitations(securityHub, 'SecurityHubMembers', {
  members: [
    { accountId: '222222222222', email: 'workloads-owner@example.com' },
    { accountId: '444444444444' },
  ],
});
const assembly = app.synth();
const template = assembly.getStackArtifact(stack.artifactId).template as {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Description?: string; Value: unknown }>;
};

const resources = Object.entries(template.Resources);
const custom = resources.filter(([, r]) => r.Type.startsWith('Custom::'));

console.log(`Synthesized ${stack.stackName} into ${path.relative(process.cwd(), assembly.directory)}/${stack.templateFile}`);
console.log(`${resources.length} resources, ${resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function').length} Lambda functions\n`);
console.log(`Custom resources (${custom.length}):`);
for (const [logicalId, r] of custom) {
  const { ServiceToken: _token, Notes: notes, ...props } = r.Properties ?? {};
  console.log(`  ${logicalId}  ${r.Type}  ${maskedJson(props)}${notes ? '  (with notes)' : ''}`);
}
const outputs = Object.entries(template.Outputs ?? {});
console.log(`\nOutputs (${outputs.length}):`);
for (const [name, o] of outputs) {
  console.log(`  ${name}  = ${JSON.stringify(o.Value)}\n      ${o.Description ?? ''}`);
}
