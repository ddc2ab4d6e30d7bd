/**
 * The two-stack Detective flow of the README, end to end on the emulator: the administrator's stack holds
 * CloudFormation's own `CfnGraph` and `CfnMemberInvitation` (synthesized, then played here as CloudFormation's
 * handlers call Detective: CreateGraph; CreateMembers and GetMembers; DeleteMembers), the member's stack the
 * `DetectiveInvitationAccepter` that `acceptInvitation` declares (the shipped bundle, acting as the member account).
 *
 * The scenarios every accepter shares run for the Detective row in test/contract/; this file keeps the flow with
 * CloudFormation's inviting resources. Numbers for the note are printed with the prefix `[measure]`.
 */
import { CreateGraphCommand, DetectiveClient } from '@aws-sdk/client-detective';
import { App, Stack, aws_detective as detective } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Cfn, startCfn, stackIdOf } from './cfn';
import { DetectiveInvitationAccepter } from '../../src';
import { DETECTIVE_MEMBER_INVITATION, toWire } from '../contract/kinds';
import { credentialsFor } from '../emulator/emulator';

jest.setTimeout(60_000);

const ADMIN = '111111111111';
const MEMBER = '222222222222';
const REGION = 'us-east-1';
const FAST_POLL = { CDK_ACCOUNT_INVITATIONS_POLL_FIRST_MS: '50', CDK_ACCOUNT_INVITATIONS_POLL_MAX_MS: '200' };
const MEMBER_STACK = stackIdOf(MEMBER, 'DetectiveMember');

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }>;

/**
 * The README's app: the graph and the invitation in the administrator's stack, the accepter in the member's, for a
 * graph that exists (its ARN, a literal the member's stack can hold, is what the graph's first deploy output).
 */
function app(graphArn: string): { security: Stack; member: Stack } {
  const cdkApp = new App();
  const security = new Stack(cdkApp, 'DetectiveAdmin', { env: { account: ADMIN, region: REGION } });
  const member = new Stack(cdkApp, 'DetectiveMember', { env: { account: MEMBER, region: REGION } });
  const graph = new detective.CfnGraph(security, 'Graph');
  const invitation = new detective.CfnMemberInvitation(security, 'InviteMember', {
    graphArn: graph.attrArn,
    memberId: MEMBER,
    memberEmailAddress: `root-${MEMBER}@example.com`,
    message: 'Please join the security team\'s behavior graph',
  });
  DetectiveInvitationAccepter.acceptInvitation(invitation, member, { graphArn });
  return { security, member };
}

/**
 * Plays the administrator's template as CloudFormation would: the graph first (CreateGraph, its `Arn` resolved into
 * the invitation), then the invitation (`DETECTIVE_MEMBER_INVITATION`). Returns the invitation's resolved properties.
 */
async function deployAdministrator(cfn: Cfn, template: { Resources: Resources }): Promise<Record<string, unknown>> {
  const [graphId] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::Detective::Graph')!;
  const [, invitation] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::Detective::MemberInvitation')!;
  // AWS::Detective::Graph's create handler: CreateGraph, as the administrator (idempotent: the graph that exists)
  const client = new DetectiveClient({ endpoint: cfn.emulator.url, region: REGION, credentials: credentialsFor(ADMIN) });
  const { GraphArn } = await client.send(new CreateGraphCommand({})).finally(() => client.destroy());
  const props = resolveGetAtt(invitation.Properties!, graphId, 'Arn', GraphArn!);
  await DETECTIVE_MEMBER_INVITATION.create(cfn.emulator, ADMIN, props, 'Invitation');
  return props;
}

function resolveGetAtt(properties: Record<string, unknown>, logicalId: string, attribute: string, value: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(properties).map(([k, v]) => {
    const getAtt = (v as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
    return [k, getAtt?.[0] === logicalId && getAtt[1] === attribute ? value : toWire(v, {})];
  }));
}

let accepter: Cfn;
afterEach(async () => {
  await accepter?.stop();
});

test('CfnGraph and CfnMemberInvitation in the administrator\'s stack, the accepter in the member\'s: one deploy invites and accepts, one destroy removes both', async () => {
  accepter = await startCfn('detective-invitation-accepter', { accountId: MEMBER, env: FAST_POLL });
  const { emulator } = accepter;
  // the graph's first deploy: its ARN is what the member's stack names
  const graphArn = emulator.detective.createGraph(ADMIN);
  const { security, member } = app(graphArn);
  expect(member.dependencies).toEqual([security]);

  const started = Date.now();
  const before = emulator.requests.length;
  // `cdk deploy --all`: the administrator's stack first (the dependency), then the member's
  const invitation = await deployAdministrator(accepter, Template.fromStack(security).toJSON() as { Resources: Resources });
  expect(invitation.GraphArn).toBe(graphArn);
  expect(emulator.detective.statusOf(ADMIN, MEMBER)).toBe('INVITED');

  const memberTemplate = Template.fromStack(member).toJSON() as { Resources: Resources };
  const [logicalId, resource] = Object.entries(memberTemplate.Resources).find(([, r]) => r.Type === 'Custom::DetectiveInvitationAccepter')!;
  const { ServiceToken: _token, ServiceTimeout: _timeout, ...props } = resource.Properties!;
  const accepted = await accepter.create(toWire(props, {}) as Record<string, unknown>, { stackId: MEMBER_STACK, logicalResourceId: logicalId });
  expect(accepted).toMatchObject({ Status: 'SUCCESS', Data: { GraphArn: graphArn, MemberStatus: 'ENABLED', DisabledReason: 'NONE' } });
  expect(emulator.detective.statusOf(ADMIN, MEMBER)).toBe('ENABLED');
  const calls = emulator.requests.slice(before).map((r) => `${r.accountId ?? ADMIN} ${r.op}`);
  console.log(`[measure] detective two-stack deploy: ${Date.now() - started} ms, ${calls.length} API calls: ${calls.join(', ')}`);

  // `cdk destroy --all`: the member's stack first (it leaves the graph it joined), then the administrator's
  const left = await accepter.delete(accepted.PhysicalResourceId, toWire(props, {}) as Record<string, unknown>,
    { stackId: MEMBER_STACK, logicalResourceId: logicalId, stackStatus: 'DELETE_IN_PROGRESS' });
  expect(left.Status).toBe('SUCCESS');
  expect(emulator.detective.statusOf(ADMIN, MEMBER)).toBeUndefined();
  await DETECTIVE_MEMBER_INVITATION.delete(emulator, ADMIN, '', invitation);
  expect(emulator.detective.membersByStatus(ADMIN)).toEqual({});
  accepter.expectFinalState();
});

test('destroyed in the other order: the administrator\'s stack removed the member first, so the accepter\'s Delete has nothing to leave', async () => {
  accepter = await startCfn('detective-invitation-accepter', { accountId: MEMBER, env: FAST_POLL });
  const { emulator } = accepter;
  const graphArn = emulator.detective.createGraph(ADMIN);
  const { security, member } = app(graphArn);
  const memberTemplate = Template.fromStack(member).toJSON() as { Resources: Resources };
  const [logicalId, resource] = Object.entries(memberTemplate.Resources).find(([, r]) => r.Type === 'Custom::DetectiveInvitationAccepter')!;
  const { ServiceToken: _token, ServiceTimeout: _timeout, ...raw } = resource.Properties!;
  const props = toWire(raw, {}) as Record<string, unknown>;

  // the member's stack deploys first and waits; the administrator's stack invites meanwhile
  const waiting = accepter.create(props, { stackId: MEMBER_STACK, logicalResourceId: logicalId });
  const invitation = await deployAdministrator(accepter, Template.fromStack(security).toJSON() as { Resources: Resources });
  expect((await waiting).Status).toBe('SUCCESS');

  // AWS::Detective::MemberInvitation's Delete removes the member even after it accepted
  await DETECTIVE_MEMBER_INVITATION.delete(emulator, ADMIN, '', invitation);
  const before = emulator.requests.filter((r) => r.op === 'detective:DisassociateMembership').length;
  const deleted = await accepter.delete((await waiting).PhysicalResourceId, props,
    { stackId: MEMBER_STACK, logicalResourceId: logicalId, stackStatus: 'DELETE_IN_PROGRESS' });
  expect(deleted.Status).toBe('SUCCESS');
  expect(emulator.requests.filter((r) => r.op === 'detective:DisassociateMembership').length).toBe(before);
  expect(accepter.logs()).toContain('nothing to leave');
  accepter.expectFinalState();
});
