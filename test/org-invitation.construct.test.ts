import { App, CfnParameter, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { InvitationTarget, InvitationTargetType, OrgInvitation } from '../src';
import { expectPermissionsOutliveResources, providerCounts, providerStatements, stackReadStatement } from './util/provider';

function newStack(account = '111111111111') {
  const app = new App();
  return new Stack(app, 'Landing', { env: { account, region: 'eu-west-1' } });
}

describe('OrgInvitation', () => {
  test('declares one custom resource with the target, type, notes and account tags, served by an arm64 nodejs24.x function', () => {
    const stack = newStack();
    new OrgInvitation(stack, 'Invite', { target: InvitationTarget.account('222222222222'), notes: 'hi', accountTags: { team: 'a' } });
    const t = Template.fromStack(stack);

    t.resourceCountIs('Custom::OrgInvitation', 1);
    t.hasResourceProperties('Custom::OrgInvitation', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('OrgInvitationCustomResourceProviderHandler'), 'Arn'] },
      TargetId: '222222222222',
      TargetType: 'ACCOUNT',
      Notes: 'hi',
      Tags: { team: 'a' },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.onEvent',
      Timeout: 300,
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('the target\'s factory sets its type, and the construct echoes the target as given', () => {
    const stack = newStack();
    const email = InvitationTarget.email('owner@example.com');
    const byEmail = new OrgInvitation(stack, 'ByEmail', { target: email });
    const byId = new OrgInvitation(stack, 'ById', { target: InvitationTarget.account('222222222222') });
    expect(byEmail.target).toBe(email);
    expect([byEmail.target.type, byEmail.target.value]).toEqual([InvitationTargetType.EMAIL, 'owner@example.com']);
    expect([byId.target.type, byId.target.value]).toEqual([InvitationTargetType.ACCOUNT, '222222222222']);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('Custom::OrgInvitation', { TargetType: 'EMAIL', TargetId: 'owner@example.com' });
    t.hasResourceProperties('Custom::OrgInvitation', { TargetType: 'ACCOUNT', TargetId: '222222222222' });
  });

  test('the provider is a singleton: 1 and 20 invitations give one function, one role and one log group', () => {
    const counts = (n: number) => {
      const stack = newStack();
      for (let i = 0; i < n; i++) new OrgInvitation(stack, `Invite${i}`, { target: InvitationTarget.account(`2222222222${String(i).padStart(2, '0')}`) });
      return providerCounts(Template.fromStack(stack));
    };
    const one = counts(1);
    const twenty = counts(20);
    expect(one).toMatchObject({ functions: 1, roles: 1, logGroups: 1, policies: 0 });
    expect(twenty).toMatchObject({ functions: 1, roles: 1, logGroups: 1, policies: 0 });
    // exactly one resource per additional invitation
    expect(twenty.all - one.all).toBe(19);
  });

  test('each custom resource is deleted before the provider permissions, so Delete keeps them', () => {
    const stack = newStack();
    new OrgInvitation(stack, 'A', { target: InvitationTarget.account('222222222222') });
    new OrgInvitation(stack, 'B', { target: InvitationTarget.account('333333333333') });
    expectPermissionsOutliveResources(Template.fromStack(stack), 'Custom::OrgInvitation');
  });

  test('least-privilege IAM: handshake actions scoped, no TagResource without tags, no wildcard actions', () => {
    const stack = newStack();
    new OrgInvitation(stack, 'Invite', { target: InvitationTarget.account('222222222222') });
    const t = Template.fromStack(stack);
    expect(providerStatements(t)).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/orginvitationLogs/), 'Arn'] },
      },
      stackReadStatement('Landing', '111111111111', 'eu-west-1'),
      {
        Action: ['organizations:InviteAccountToOrganization', 'organizations:ListHandshakesForOrganization'],
        Effect: 'Allow',
        Resource: '*',
      },
      {
        Action: ['organizations:DescribeHandshake', 'organizations:CancelHandshake'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':organizations::111111111111:handshake/o-*/invite/h-*']] },
      },
      {
        Action: 'organizations:DescribeAccount',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':organizations::111111111111:account/o-*/*']] },
      },
    ]);
    const statements = JSON.stringify(providerStatements(t));
    expect(statements).not.toContain('TagResource');
    expect(statements).not.toContain('ListAccounts');
    expect(statements).not.toMatch(/"Action":"\*"|organizations:\*/);
  });

  test('TagResource and ListAccounts are granted once, when some invitation needs them', () => {
    const stack = newStack();
    new OrgInvitation(stack, 'A', { target: InvitationTarget.account('222222222222'), accountTags: { a: 'b' } });
    new OrgInvitation(stack, 'B', { target: InvitationTarget.account('333333333333'), accountTags: { c: 'd' } });
    new OrgInvitation(stack, 'C', { target: InvitationTarget.email('x@example.com') });
    const statements = providerStatements(Template.fromStack(stack));
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a === 'organizations:TagResource')).toHaveLength(1);
    expect(actions.filter((a) => a === 'organizations:ListAccounts')).toHaveLength(1);
  });

  describe('a target known only at deploy time', () => {
    test.each([
      ['account', InvitationTargetType.ACCOUNT, 'account'],
      ['email', InvitationTargetType.EMAIL, 'email address'],
    ] as const)('InvitationTarget.%s(token): the type at synth, and only its membership read', (factory, type, described) => {
      const stack = newStack();
      const target = new CfnParameter(stack, 'Target').valueAsString;
      const invite = new OrgInvitation(stack, 'Invite', { target: InvitationTarget[factory](target) });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('Custom::OrgInvitation', { TargetId: { Ref: 'Target' }, TargetType: type });
      expect(invite.target.type).toBe(type);
      const actions = providerStatements(t).flatMap((s) => [s.Action].flat());
      expect(actions.includes('organizations:DescribeAccount')).toBe(type === InvitationTargetType.ACCOUNT);
      expect(actions.includes('organizations:ListAccounts')).toBe(type === InvitationTargetType.EMAIL);
      t.hasOutput('*', { Description: `Handshake ID of the AWS Organizations invitation to the ${described} of Landing/Invite` });
    });
  });

  test('outputs the handshake ID, without the email in the description', () => {
    const stack = newStack();
    const invite = new OrgInvitation(stack, 'Invite', { target: InvitationTarget.email('owner@example.com') });
    const t = Template.fromStack(stack);
    const outputs = t.findOutputs('*');
    expect(Object.keys(outputs)).toHaveLength(1);
    const [output] = Object.values(outputs);
    expect(output.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Invite/), 'HandshakeId'] });
    expect(output.Description).toMatch(/email address/);
    expect(JSON.stringify(output)).not.toContain('owner@');
    expect(stack.resolve(invite.handshakeId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Invite/), 'HandshakeId'] });
    expect(stack.resolve(invite.handshakeArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Invite/), 'HandshakeArn'] });
    expect(stack.resolve(invite.handshakeState)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Invite/), 'HandshakeState'] });
  });

  test('emitOutputs: false adds no output', () => {
    const stack = newStack();
    new OrgInvitation(stack, 'Invite', { target: InvitationTarget.account('222222222222'), emitOutputs: false });
    expect(Object.keys(Template.fromStack(stack).findOutputs('*'))).toHaveLength(0);
  });

  test('RETAIN sets the retain policies, so CloudFormation never calls the handler to cancel', () => {
    const stack = newStack();
    new OrgInvitation(stack, 'Kept', { target: InvitationTarget.account('222222222222'), removalPolicy: RemovalPolicy.RETAIN });
    new OrgInvitation(stack, 'Gone', { target: InvitationTarget.account('333333333333') });
    const t = Template.fromStack(stack);
    t.hasResource('Custom::OrgInvitation', { Properties: Match.objectLike({ TargetId: '222222222222' }), DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    t.hasResource('Custom::OrgInvitation', { Properties: Match.objectLike({ TargetId: '333333333333' }), DeletionPolicy: 'Delete' });
  });

  test('more than 200 outputs fail at synth with a clear message', () => {
    const stack = newStack();
    for (let i = 0; i < 201; i++) new OrgInvitation(stack, `Invite${i}`, { target: InvitationTarget.account(`222222222${String(i).padStart(3, '0')}`) });
    expect(() => Template.fromStack(stack)).toThrow(/201 outputs, over CloudFormation's limit of 200; 201 of them come from cdk-account-invitations.*emitOutputs: false/);
  });

  test('200 invitations with outputs, and 450 without, synthesize', () => {
    const withOutputs = newStack();
    for (let i = 0; i < 200; i++) new OrgInvitation(withOutputs, `I${i}`, { target: InvitationTarget.account(`222222222${String(i).padStart(3, '0')}`) });
    expect(Object.keys(Template.fromStack(withOutputs).findOutputs('*'))).toHaveLength(200);
    const without = newStack();
    for (let i = 0; i < 450; i++) new OrgInvitation(without, `I${i}`, { target: InvitationTarget.account(`222222222${String(i).padStart(3, '0')}`), emitOutputs: false });
    expect(Object.keys(Template.fromStack(without).toJSON().Resources).length).toBeLessThanOrEqual(500);
  });

  describe('synth-time validation names the construct and the value', () => {
    test.each([
      [{ target: InvitationTarget.account('12345') }, /\[Landing\/Invite\] target must be a 12-digit AWS account ID, got '12345'/],
      [{ target: InvitationTarget.email('not an email') }, /\[Landing\/Invite\] target must be an email address, got 'not an email'/],
      [{ target: InvitationTarget.email('not an email@') }, /\[Landing\/Invite\] target must be an email address/],
      [{ target: InvitationTarget.account('owner@example.com') }, /\[Landing\/Invite\] target 'o\*\*\*@example.com' is an email address; use InvitationTarget.email/],
      [{ target: InvitationTarget.email('222222222222') }, /\[Landing\/Invite\] target '222222222222' is an account ID; use InvitationTarget.account/],
      [{ target: InvitationTarget.account('111111111111') }, /target '111111111111' is the stack's own account/],
      [{ target: InvitationTarget.account('222222222222'), notes: 'x'.repeat(1025) }, /notes must be at most 1024 characters long, got 1025/],
      [{ target: InvitationTarget.account('222222222222'), accountTags: { ['k'.repeat(129)]: 'v' } }, /accountTags key 'k+' must be 1 to 128 characters long, got 129/],
      [{ target: InvitationTarget.account('222222222222'), accountTags: { k: 'v'.repeat(257) } }, /the value of accountTags key 'k' must be at most 256 characters long, got 257/],
      [{ target: InvitationTarget.account('222222222222'), accountTags: { 'aws:x': 'v' } }, /accountTags key 'aws:x' uses the reserved prefix/],
    ])('%o', (props, message) => {
      const stack = newStack();
      expect(() => new OrgInvitation(stack, 'Invite', props)).toThrow(message);
    });

    test('1024 characters of notes and 50 account tags are accepted', () => {
      const stack = newStack();
      const tags = Object.fromEntries([...Array(50).keys()].map((i) => [`k${i}`, 'v']));
      expect(() => new OrgInvitation(stack, 'Invite', { target: InvitationTarget.account('222222222222'), notes: 'x'.repeat(1024), accountTags: tags })).not.toThrow();
      expect(() => new OrgInvitation(stack, 'TooMany', { target: InvitationTarget.account('222222222222'), accountTags: { ...tags, k50: 'v' } })).toThrow(/accountTags can hold at most 50 tags, got 51/);
    });

    test('tokens are accepted untouched', () => {
      const stack = newStack();
      const target = new CfnParameter(stack, 'Target');
      const notes = new CfnParameter(stack, 'Notes');
      new OrgInvitation(stack, 'Invite', { target: InvitationTarget.account(target.valueAsString), notes: notes.valueAsString });
      new OrgInvitation(stack, 'Imported', { target: InvitationTarget.email(Fn.importValue('OwnerEmail')) });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('Custom::OrgInvitation', { TargetId: { Ref: 'Target' }, TargetType: 'ACCOUNT', Notes: { Ref: 'Notes' } });
      t.hasResourceProperties('Custom::OrgInvitation', { TargetId: { 'Fn::ImportValue': 'OwnerEmail' }, TargetType: 'EMAIL' });
    });

    test('an unresolved stack account skips the own-account check', () => {
      const stack = new Stack(new App(), 'Agnostic');
      expect(() => new OrgInvitation(stack, 'Invite', { target: InvitationTarget.account('111111111111') })).not.toThrow();
    });
  });
});
