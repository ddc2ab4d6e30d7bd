/**
 * SecurityHubInvitations and SecurityHubInvitationAccepter as CDK constructs: synth-time validation naming the
 * construct path and the value, least-privilege IAM on the hub ARN, `acceptIn` (with and without the hub), outputs.
 */
import { App, Duration, RemovalPolicy, Stack, aws_securityhub as securityhub } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecurityHubInvitationAccepter, SecurityHubInvitations, SecurityHubMember } from '../src';
import { expectPermissionsOutliveResources, providerStatements, stackReadStatement } from './util/provider';

const ADMIN = '111111111111';
const MEMBER = '222222222222';
const newStack = (account = ADMIN, app = new App(), id = 'Security') => new Stack(app, id, { env: { account, region: 'eu-west-1' } });
const members = (n: number): SecurityHubMember[] => [...Array(n).keys()].map((i) => ({ accountId: String(200000000000 + i) }));
const HUB = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:securityhub:eu-west-1:${account}:hub/default`]] });

describe('SecurityHubInvitations', () => {
  test('one custom resource with the members (email only where given), DESTROY; a 15-minute function', () => {
    const stack = newStack();
    new SecurityHubInvitations(stack, 'Hub', { members: [{ accountId: MEMBER, email: 'owner@example.com' }, { accountId: '333333333333' }] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('Custom::SecurityHubInvitations', {
      Members: [{ AccountId: MEMBER, Email: 'owner@example.com' }, { AccountId: '333333333333' }],
      RemovalPolicy: 'DESTROY',
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', Timeout: 900 });
    t.hasResource('Custom::SecurityHubInvitations', { DeletionPolicy: 'Delete' });
    t.hasOutput('*', { Value: `${MEMBER},333333333333` });
    expectPermissionsOutliveResources(t, 'Custom::SecurityHubInvitations');
  });

  test('least-privilege IAM: the member actions on this account\'s hub only, no wildcard', () => {
    const stack = newStack();
    new SecurityHubInvitations(stack, 'Hub', { members: members(2) });
    expect(providerStatements(Template.fromStack(stack))).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: expect.anything() },
      stackReadStatement(stack.stackName, ADMIN, 'eu-west-1'),
      {
        Action: [
          'securityhub:DescribeHub', 'securityhub:ListMembers', 'securityhub:CreateMembers', 'securityhub:InviteMembers',
          'securityhub:DisassociateMembers', 'securityhub:DeleteMembers',
        ],
        Effect: 'Allow',
        Resource: HUB(ADMIN),
      },
    ]);
  });

  test.each([
    ['no member', [], /members must list at least one account, got none/],
    ['1,001 members', members(1001), /at most 1000 accounts .*got 1001/],
    ['a duplicate', [{ accountId: MEMBER }, { accountId: MEMBER }], /members\[1\]\.accountId '222222222222' is already listed at members\[0\]/],
    ['a bad account ID', [{ accountId: '12345' }], /members\[0\]\.accountId.*'12345'/],
    ['the stack\'s own account', [{ accountId: ADMIN }], /members\[0\]\.accountId.*111111111111/],
    ['a bad email', [{ accountId: MEMBER, email: 'not-an-email' }], /members\[0\]\.email \(account 222222222222\) must be an email address, got 'not-an-email'/],
  ])('synth-time error naming the construct path and the value: %s', (_name, given, message) => {
    const stack = newStack();
    expect(() => new SecurityHubInvitations(stack, 'Hub', { members: given as SecurityHubMember[] })).toThrow(message);
    expect(() => new SecurityHubInvitations(newStack(), 'Hub', { members: given as SecurityHubMember[] })).toThrow(/Security\/Hub/);
  });

  test('1,000 members: four outputs of at most 300 IDs each; emitOutputs false adds none', () => {
    const stack = newStack();
    new SecurityHubInvitations(stack, 'Hub', { members: members(1000) });
    expect(Object.keys(Template.fromStack(stack).findOutputs('*'))).toHaveLength(4);
    const quiet = newStack();
    new SecurityHubInvitations(quiet, 'Hub', { members: members(3), emitOutputs: false });
    expect(Template.fromStack(quiet).findOutputs('*')).toEqual({});
  });

  test('RETAIN: DeletionPolicy Retain (CloudFormation does not call the handler), RemovalPolicy RETAIN for removed accounts', () => {
    const stack = newStack();
    new SecurityHubInvitations(stack, 'Hub', { members: members(1), removalPolicy: RemovalPolicy.RETAIN });
    const t = Template.fromStack(stack);
    t.hasResource('Custom::SecurityHubInvitations', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ RemovalPolicy: 'RETAIN' }) });
    expect(() => new SecurityHubInvitations(newStack(), 'Hub', { members: members(1), removalPolicy: RemovalPolicy.SNAPSHOT })).toThrow(/SNAPSHOT/);
  });
});

describe('acceptIn', () => {
  test('declares the accepter in the member stack, which depends on the inviting stack; no hub unless asked', () => {
    const app = new App();
    const admin = newStack(ADMIN, app, 'Admin');
    const member = newStack(MEMBER, app, 'Member');
    const accepter = new SecurityHubInvitations(admin, 'Hub', { members: [{ accountId: MEMBER }] }).acceptIn(member, { waitTimeout: Duration.minutes(3) });
    expect(accepter).toBeInstanceOf(SecurityHubInvitationAccepter);
    expect(member.dependencies).toContain(admin);
    const t = Template.fromStack(member);
    t.hasResourceProperties('Custom::SecurityHubInvitationAccepter', { AdministratorAccountId: ADMIN, WaitTimeoutSeconds: 180 });
    t.resourceCountIs('AWS::SecurityHub::Hub', 0);
  });

  test('enableSecurityHub: one AWS::SecurityHub::Hub per member stack, and every accepter depends on it', () => {
    const app = new App();
    const admin = newStack(ADMIN, app, 'Admin');
    const other = newStack('444444444444', app, 'OtherAdmin');
    const member = newStack(MEMBER, app, 'Member');
    const first = new SecurityHubInvitations(admin, 'Hub', { members: [{ accountId: MEMBER }] }).acceptIn(member, { enableSecurityHub: true });
    const second = new SecurityHubInvitations(other, 'Hub', { members: [{ accountId: MEMBER }] }).acceptIn(member, { enableSecurityHub: true });
    const t = Template.fromStack(member);
    t.resourceCountIs('AWS::SecurityHub::Hub', 1);
    const [hubId] = Object.keys(t.findResources('AWS::SecurityHub::Hub'));
    for (const accepter of [first, second]) {
      expect(accepter.node.dependencies.some((d) => d instanceof securityhub.CfnHub)).toBe(true);
    }
    const accepters = Object.values(t.findResources('Custom::SecurityHubInvitationAccepter'));
    expect(accepters).toHaveLength(2);
    for (const resource of accepters) expect(resource.DependsOn).toContain(hubId);
  });

  test('a member stack whose account is not a member, or in another Region: synth-time errors', () => {
    const app = new App();
    const admin = newStack(ADMIN, app, 'Admin');
    const invitations = new SecurityHubInvitations(admin, 'Hub', { members: [{ accountId: MEMBER }] });
    expect(() => invitations.acceptIn(newStack('999999999999', app, 'Stranger'))).toThrow(/999999999999 is not the invited account \(222222222222\)/);
    const elsewhere = new Stack(app, 'Elsewhere', { env: { account: MEMBER, region: 'us-east-1' } });
    expect(() => invitations.acceptIn(elsewhere)).toThrow(/Security Hub is regional/);
  });
});

describe('SecurityHubInvitationAccepter', () => {
  test('least-privilege IAM on the account\'s own hub; DESTROY may leave, RETAIN may not', () => {
    const stack = newStack(MEMBER);
    new SecurityHubInvitationAccepter(stack, 'Join', { administratorAccountId: ADMIN });
    const statements = providerStatements(Template.fromStack(stack));
    expect(statements).toContainEqual({
      Action: ['securityhub:DescribeHub', 'securityhub:GetAdministratorAccount', 'securityhub:ListInvitations', 'securityhub:AcceptAdministratorInvitation'],
      Effect: 'Allow',
      Resource: HUB(MEMBER),
    });
    expect(statements).toContainEqual({ Action: 'securityhub:DisassociateFromAdministratorAccount', Effect: 'Allow', Resource: HUB(MEMBER) });
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);

    const retained = newStack(MEMBER);
    new SecurityHubInvitationAccepter(retained, 'Join', { administratorAccountId: ADMIN, removalPolicy: RemovalPolicy.RETAIN });
    expect(JSON.stringify(providerStatements(Template.fromStack(retained)))).not.toContain('DisassociateFromAdministratorAccount');
  });

  test('the Lambda timeout follows waitTimeout; bad values fail at synth naming the path and the value', () => {
    const stack = newStack(MEMBER);
    new SecurityHubInvitationAccepter(stack, 'Join', { administratorAccountId: ADMIN, waitTimeout: Duration.minutes(10) });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Timeout: 660 });
    expect(() => new SecurityHubInvitationAccepter(newStack(MEMBER), 'Join', { administratorAccountId: ADMIN, waitTimeout: Duration.minutes(15) }))
      .toThrow(/Security\/Join.*waitTimeout must be from 0 seconds up to 14 minutes/);
    expect(() => new SecurityHubInvitationAccepter(newStack(MEMBER), 'Join', { administratorAccountId: MEMBER }))
      .toThrow(/administratorAccountId.*222222222222/);
    expect(() => new SecurityHubInvitationAccepter(newStack(MEMBER), 'Join', { administratorAccountId: 'abc' })).toThrow(/administratorAccountId.*'abc'/);
  });
});
