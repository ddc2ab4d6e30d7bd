import { App, CfnParameter, Duration, Fn, RemovalPolicy, Stack, aws_iam as iam, aws_macie as macie } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MacieInvitationAccepter } from '../src/macie-invitation-accepter';
import { expectPermissionsOutliveResources, providerCounts, providerStatements, stackReadStatement } from './util/provider';

const RESOURCE_TYPE = 'Custom::MacieInvitationAccepter';
const ADMIN = '999999999999';
const MEMBER = '222222222222';
const ACTIONS = [
  'macie2:GetMacieSession',
  'macie2:GetAdministratorAccount',
  'macie2:ListInvitations',
  'macie2:AcceptInvitation',
];
/** Only an accepter that may leave (DESTROY) needs it. */
const LEAVE = { Effect: 'Allow', Action: 'macie2:DisassociateFromAdministratorAccount', Resource: '*' };

function newStack(account?: string): Stack {
  return new Stack(new App(), 'MemberStack', account ? { env: { account, region: 'eu-west-1' } } : undefined);
}

function lambdaTimeout(stack: Stack): number {
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  return functions[0].Properties.Timeout;
}

describe('MacieInvitationAccepter resources', () => {
  let stack: Stack;
  let accepter: MacieInvitationAccepter;
  let template: Template;

  beforeAll(() => {
    stack = newStack(MEMBER);
    accepter = new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: ADMIN });
    template = Template.fromStack(stack);
  });

  test('one custom resource with the administrator, the wait in seconds and the removal policy; Delete by default', () => {
    template.resourceCountIs(RESOURCE_TYPE, 1);
    const [logicalId, resource] = Object.entries(template.findResources(RESOURCE_TYPE))[0];
    expect(resource.Properties).toEqual({
      ServiceTimeout: '1380',
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/Handler/), 'Arn'] },
      AdministratorAccountId: ADMIN,
      WaitTimeoutSeconds: 300,
      RemovalPolicy: 'DESTROY',
    });
    expect(resource.DeletionPolicy).toBe('Delete');
    expect(resource.UpdateReplacePolicy).toBe('Delete');
    expect(logicalId).toMatch(/^JoinMacie/);
    expectPermissionsOutliveResources(template, RESOURCE_TYPE);
  });

  test('echoes what identifies its invitation: the administrator and the resolved wait', () => {
    expect(accepter.administratorAccountId).toBe(ADMIN);
    expect(accepter.waitTimeout.toSeconds()).toBe(300);
  });

  test('the provider function: arm64, our entry point, log group; timeout = default wait (5 min) + 1 min', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.onEvent',
      Runtime: Match.stringLikeRegexp('^nodejs'),
      Architectures: ['arm64'],
      Timeout: 360,
      Description: Match.stringLikeRegexp('Macie membership invitations'),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('IAM: exactly the five member-side Macie actions on * (no resource types), no wildcard action', () => {
    const statements = providerStatements(template);
    expect(statements).toHaveLength(4);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ACTIONS, Resource: '*' });
    expect(statements).toContainEqual(LEAVE);
    expect(statements).toContainEqual(stackReadStatement('MemberStack', MEMBER, 'eu-west-1'));
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/Logs/), 'Arn'] },
    });
    const actions = statements.flatMap((s) => ([] as string[]).concat(s.Action as string | string[]));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  test('attributes come from the custom resource', () => {
    const logicalId = Object.keys(template.findResources(RESOURCE_TYPE))[0];
    expect(stack.resolve(accepter.invitationId)).toEqual({ 'Fn::GetAtt': [logicalId, 'InvitationId'] });
    expect(stack.resolve(accepter.relationshipStatus)).toEqual({ 'Fn::GetAtt': [logicalId, 'RelationshipStatus'] });
    expect(accepter.administratorAccountId).toBe(ADMIN);
    expect(accepter.removalPolicy).toBe(RemovalPolicy.DESTROY);
  });

  test('an output with the administrator account ID, set once accepted', () => {
    const logicalId = Object.keys(template.findResources(RESOURCE_TYPE))[0];
    expect(Object.values(template.findOutputs('*'))).toEqual([{
      Value: { 'Fn::GetAtt': [logicalId, 'AdministratorAccountId'] },
      Description: `Amazon Macie administrator account ${ADMIN} whose invitation MemberStack/JoinMacie accepted`,
    }]);
  });
});

describe('MacieInvitationAccepter options', () => {
  test('emitOutputs: false adds no output', () => {
    const stack = newStack();
    new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: ADMIN, emitOutputs: false });
    expect(Template.fromStack(stack).findOutputs('*')).toEqual({});
  });

  test('RETAIN: DeletionPolicy and UpdateReplacePolicy Retain, and the handler is told', () => {
    const stack = newStack();
    new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: ADMIN, removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource(RESOURCE_TYPE, {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ RemovalPolicy: 'RETAIN' }),
    });
  });

  test('every accepter of the stack RETAIN: the handler may not leave an administrator (no DisassociateFromAdministratorAccount)', () => {
    const stack = newStack(MEMBER);
    new MacieInvitationAccepter(stack, 'First', { administratorAccountId: ADMIN, removalPolicy: RemovalPolicy.RETAIN });
    new MacieInvitationAccepter(stack, 'Second', { administratorAccountId: '888888888888', removalPolicy: RemovalPolicy.RETAIN });
    const statements = providerStatements(Template.fromStack(stack));
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ACTIONS, Resource: '*' });
    expect(JSON.stringify(statements)).not.toContain('DisassociateFromAdministratorAccount');
  });

  test('one DESTROY accepter among RETAIN ones: the action is granted once, whatever the order', () => {
    for (const order of [['RETAIN', 'DESTROY', 'DESTROY'], ['DESTROY', 'RETAIN', 'DESTROY']]) {
      const stack = newStack(MEMBER);
      order.forEach((policy, i) => new MacieInvitationAccepter(stack, `Join${i}`, {
        administratorAccountId: String(900000000000 + i),
        removalPolicy: policy === 'RETAIN' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        emitOutputs: false,
      }));
      expect(providerStatements(Template.fromStack(stack)).filter((st) => JSON.stringify(st).includes('DisassociateFromAdministratorAccount'))).toEqual([LEAVE]);
    }
  });

  test('waitTimeout 0 looks once; 10 minutes works; the wait goes to the handler in seconds', () => {
    const stack = newStack();
    new MacieInvitationAccepter(stack, 'Once', { administratorAccountId: ADMIN, waitTimeout: Duration.seconds(0) });
    new MacieInvitationAccepter(stack, 'Long', { administratorAccountId: '888888888888', waitTimeout: Duration.minutes(10) });
    const t = Template.fromStack(stack);
    t.hasResourceProperties(RESOURCE_TYPE, { WaitTimeoutSeconds: 0 });
    t.hasResourceProperties(RESOURCE_TYPE, { WaitTimeoutSeconds: 600 });
  });

  test('the Lambda timeout follows the largest waitTimeout of the stack, whatever the order', () => {
    const first = newStack();
    new MacieInvitationAccepter(first, 'Short', { administratorAccountId: ADMIN, waitTimeout: Duration.minutes(1) });
    new MacieInvitationAccepter(first, 'Long', { administratorAccountId: '888888888888', waitTimeout: Duration.minutes(10) });
    expect(lambdaTimeout(first)).toBe(660);

    const second = newStack();
    new MacieInvitationAccepter(second, 'Long', { administratorAccountId: '888888888888', waitTimeout: Duration.minutes(10) });
    new MacieInvitationAccepter(second, 'Short', { administratorAccountId: ADMIN, waitTimeout: Duration.minutes(1) });
    expect(lambdaTimeout(second)).toBe(660);

    const short = newStack();
    new MacieInvitationAccepter(short, 'Short', { administratorAccountId: ADMIN, waitTimeout: Duration.seconds(0) });
    expect(lambdaTimeout(short)).toBe(120);
  });

  test('tokens pass synth: a parameter or an import as administrator', () => {
    const stack = newStack(MEMBER);
    const admin = new CfnParameter(stack, 'Admin', { type: 'String' });
    new MacieInvitationAccepter(stack, 'FromParameter', { administratorAccountId: admin.valueAsString });
    new MacieInvitationAccepter(stack, 'Imported', { administratorAccountId: Fn.importValue('MacieAdministrator'), emitOutputs: false });
    const t = Template.fromStack(stack);
    t.hasResourceProperties(RESOURCE_TYPE, { AdministratorAccountId: { Ref: 'Admin' } });
    t.hasResourceProperties(RESOURCE_TYPE, { AdministratorAccountId: { 'Fn::ImportValue': 'MacieAdministrator' } });
    expect(Object.values(t.findOutputs('*')).map((o) => o.Description))
      .toEqual(['Amazon Macie administrator account whose invitation MemberStack/FromParameter accepted']);
  });

  test('the README pattern: CfnSession in the same stack, the accepter depends on it', () => {
    const stack = newStack(MEMBER);
    const session = new macie.CfnSession(stack, 'Macie');
    const accepter = new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: ADMIN });
    accepter.node.addDependency(session);
    const t = Template.fromStack(stack);
    const [, resource] = Object.entries(t.findResources(RESOURCE_TYPE))[0];
    expect(resource.DependsOn).toEqual([stack.getLogicalId(session)]);
  });

  test('the provider role obeys PermissionsBoundary.of', () => {
    const stack = newStack(MEMBER);
    new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: ADMIN });
    iam.PermissionsBoundary.of(stack).apply(iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'LandingZoneBoundary'));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', { PermissionsBoundary: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
  });

  test('several accepters share one provider (function, role, log group)', () => {
    const stack = newStack(MEMBER);
    for (let i = 0; i < 5; i++) {
      new MacieInvitationAccepter(stack, `Join${i}`, { administratorAccountId: String(900000000000 + i), emitOutputs: false });
    }
    const t = Template.fromStack(stack);
    expect(providerCounts(t)).toMatchObject({ functions: 1, roles: 1, logGroups: 1 });
    t.resourceCountIs(RESOURCE_TYPE, 5);
  });
});

describe('MacieInvitationAccepter validation', () => {
  test.each(['12345', '1234567890123', 'abcdefghijkl', ''])('rejects administratorAccountId %j, naming path and value', (value) => {
    const stack = newStack(MEMBER);
    expect(() => new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: value }))
      .toThrow(`[MemberStack/JoinMacie] administratorAccountId must be a 12-digit AWS account ID, got '${value}'.`);
  });

  test('rejects the stack\'s own concrete account', () => {
    const stack = newStack(MEMBER);
    expect(() => new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: MEMBER }))
      .toThrow(/^\[MemberStack\/JoinMacie\] administratorAccountId '222222222222' is the stack's own account/);
  });

  test('an environment-agnostic stack accepts any 12-digit administrator', () => {
    expect(() => new MacieInvitationAccepter(newStack(), 'JoinMacie', { administratorAccountId: MEMBER })).not.toThrow();
  });

  test.each([
    [RemovalPolicy.SNAPSHOT, 'SNAPSHOT'],
    [RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'RETAIN_ON_UPDATE_OR_DELETE'],
  ])('rejects removalPolicy %s, naming it (the shared rule)', (policy, shown) => {
    const stack = newStack(MEMBER);
    expect(() => new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: ADMIN, removalPolicy: policy }))
      .toThrow(`[MemberStack/JoinMacie] removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got RemovalPolicy.${shown}.`);
  });

  test.each([Duration.minutes(15), Duration.minutes(20)])('rejects waitTimeout %s', (wait) => {
    const stack = newStack(MEMBER);
    expect(() => new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: ADMIN, waitTimeout: wait }))
      .toThrow(/^\[MemberStack\/JoinMacie\] waitTimeout must be from 0 seconds up to 14 minutes/);
  });

  test('a rejected construct creates no provider', () => {
    const stack = newStack(MEMBER);
    expect(() => new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: 'nope' })).toThrow();
    expect(Template.fromStack(stack).toJSON().Resources ?? {}).toEqual({});
  });
});
