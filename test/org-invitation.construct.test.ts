import { App, CfnParameter, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { InvitationTargetType, OrgInvitation } from '../src';
import { expectPermissionsOutliveResources, providerCounts, providerStatements, stackReadStatement } from './util/provider';

function newStack(account = '111111111111') {
  const app = new App();
  return new Stack(app, 'Landing', { env: { account, region: 'eu-west-1' } });
}

describe('OrgInvitation', () => {
  test('declares one custom resource with the target, type, notes and tags, served by an arm64 nodejs24.x function', () => {
    const stack = newStack();
    new OrgInvitation(stack, 'Invite', { targetId: '222222222222', notes: 'hi', tags: { team: 'a' } });
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

  test('infers EMAIL from an @ and ACCOUNT otherwise', () => {
    const stack = newStack();
    const byEmail = new OrgInvitation(stack, 'ByEmail', { targetId: 'owner@example.com' });
    const byId = new OrgInvitation(stack, 'ById', { targetId: '222222222222' });
    expect(byEmail.targetType).toBe(InvitationTargetType.EMAIL);
    expect(byId.targetType).toBe(InvitationTargetType.ACCOUNT);
    Template.fromStack(stack).hasResourceProperties('Custom::OrgInvitation', { TargetType: 'EMAIL', TargetId: 'owner@example.com' });
  });

  test('the provider is a singleton: 1 and 20 invitations give one function, one role and one log group', () => {
    const counts = (n: number) => {
      const stack = newStack();
      for (let i = 0; i < n; i++) new OrgInvitation(stack, `Invite${i}`, { targetId: `2222222222${String(i).padStart(2, '0')}` });
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
    new OrgInvitation(stack, 'A', { targetId: '222222222222' });
    new OrgInvitation(stack, 'B', { targetId: '333333333333' });
    expectPermissionsOutliveResources(Template.fromStack(stack), 'Custom::OrgInvitation');
  });

  test('least-privilege IAM: handshake actions scoped, no TagResource without tags, no wildcard actions', () => {
    const stack = newStack();
    new OrgInvitation(stack, 'Invite', { targetId: '222222222222' });
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
    new OrgInvitation(stack, 'A', { targetId: '222222222222', tags: { a: 'b' } });
    new OrgInvitation(stack, 'B', { targetId: '333333333333', tags: { c: 'd' } });
    new OrgInvitation(stack, 'C', { targetId: 'x@example.com' });
    const statements = providerStatements(Template.fromStack(stack));
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a === 'organizations:TagResource')).toHaveLength(1);
    expect(actions.filter((a) => a === 'organizations:ListAccounts')).toHaveLength(1);
  });

  describe('a targetId known only at deploy time', () => {
    test('without targetType: no TargetType at synth, both membership reads granted, targetType undefined', () => {
      const stack = newStack();
      const target = new CfnParameter(stack, 'Target');
      const invite = new OrgInvitation(stack, 'Invite', { targetId: target.valueAsString });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('Custom::OrgInvitation', { TargetId: { Ref: 'Target' }, TargetType: Match.absent() });
      const actions = providerStatements(t).flatMap((s) => [s.Action].flat());
      expect(actions).toContain('organizations:DescribeAccount');
      expect(actions).toContain('organizations:ListAccounts');
      expect(invite.targetType).toBeUndefined();
      t.hasOutput('*', { Description: 'Handshake ID of the AWS Organizations invitation to the account or email address of Landing/Invite' });
    });

    test.each([InvitationTargetType.ACCOUNT, InvitationTargetType.EMAIL])('with targetType %s: that type, and only its grant', (type) => {
      const stack = newStack();
      const invite = new OrgInvitation(stack, 'Invite', { targetId: new CfnParameter(stack, 'Target').valueAsString, targetType: type });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('Custom::OrgInvitation', { TargetType: type });
      expect(invite.targetType).toBe(type);
      const actions = providerStatements(t).flatMap((s) => [s.Action].flat());
      expect(actions.includes('organizations:DescribeAccount')).toBe(type === InvitationTargetType.ACCOUNT);
      expect(actions.includes('organizations:ListAccounts')).toBe(type === InvitationTargetType.EMAIL);
    });
  });

  test('outputs the handshake ID, without the email in the description', () => {
    const stack = newStack();
    const invite = new OrgInvitation(stack, 'Invite', { targetId: 'owner@example.com' });
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
    new OrgInvitation(stack, 'Invite', { targetId: '222222222222', emitOutputs: false });
    expect(Object.keys(Template.fromStack(stack).findOutputs('*'))).toHaveLength(0);
  });

  test('RETAIN sets the retain policies, so CloudFormation never calls the handler to cancel', () => {
    const stack = newStack();
    new OrgInvitation(stack, 'Kept', { targetId: '222222222222', removalPolicy: RemovalPolicy.RETAIN });
    new OrgInvitation(stack, 'Gone', { targetId: '333333333333' });
    const t = Template.fromStack(stack);
    t.hasResource('Custom::OrgInvitation', { Properties: Match.objectLike({ TargetId: '222222222222' }), DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    t.hasResource('Custom::OrgInvitation', { Properties: Match.objectLike({ TargetId: '333333333333' }), DeletionPolicy: 'Delete' });
  });

  test('more than 200 outputs fail at synth with a clear message', () => {
    const stack = newStack();
    for (let i = 0; i < 201; i++) new OrgInvitation(stack, `Invite${i}`, { targetId: `222222222${String(i).padStart(3, '0')}` });
    expect(() => Template.fromStack(stack)).toThrow(/201 outputs, over CloudFormation's limit of 200; 201 of them come from cdk-account-invitations.*emitOutputs: false/);
  });

  test('200 invitations with outputs, and 450 without, synthesize', () => {
    const withOutputs = newStack();
    for (let i = 0; i < 200; i++) new OrgInvitation(withOutputs, `I${i}`, { targetId: `222222222${String(i).padStart(3, '0')}` });
    expect(Object.keys(Template.fromStack(withOutputs).findOutputs('*'))).toHaveLength(200);
    const without = newStack();
    for (let i = 0; i < 450; i++) new OrgInvitation(without, `I${i}`, { targetId: `222222222${String(i).padStart(3, '0')}`, emitOutputs: false });
    expect(Object.keys(Template.fromStack(without).toJSON().Resources).length).toBeLessThanOrEqual(500);
  });

  describe('synth-time validation names the construct and the value', () => {
    test.each([
      [{ targetId: '12345' }, /\[Landing\/Invite\] targetId must be a 12-digit AWS account ID or an email address, got '12345'/],
      [{ targetId: 'not an email@' }, /\[Landing\/Invite\].*targetId/],
      [{ targetId: 'owner@example.com', targetType: InvitationTargetType.ACCOUNT }, /targetType is ACCOUNT but targetId 'o\*\*\*@example.com' is an email address/],
      [{ targetId: '222222222222', targetType: InvitationTargetType.EMAIL }, /targetType is EMAIL but targetId '222222222222' is an account ID/],
      [{ targetId: '111111111111' }, /targetId '111111111111' is the stack's own account/],
      [{ targetId: '222222222222', notes: 'x'.repeat(1025) }, /notes must be at most 1024 characters long, got 1025/],
      [{ targetId: '222222222222', tags: { ['k'.repeat(129)]: 'v' } }, /tag key 'k+' must be 1 to 128 characters long, got 129/],
      [{ targetId: '222222222222', tags: { k: 'v'.repeat(257) } }, /the value of tag 'k' must be at most 256 characters long, got 257/],
      [{ targetId: '222222222222', tags: { 'aws:x': 'v' } }, /reserved prefix/],
    ])('%o', (props, message) => {
      const stack = newStack();
      expect(() => new OrgInvitation(stack, 'Invite', props)).toThrow(message);
    });

    test('1024 characters of notes and 50 tags are accepted', () => {
      const stack = newStack();
      const tags = Object.fromEntries([...Array(50).keys()].map((i) => [`k${i}`, 'v']));
      expect(() => new OrgInvitation(stack, 'Invite', { targetId: '222222222222', notes: 'x'.repeat(1024), tags })).not.toThrow();
      expect(() => new OrgInvitation(stack, 'TooMany', { targetId: '222222222222', tags: { ...tags, k50: 'v' } })).toThrow(/at most 50 tags, got 51/);
    });

    test('tokens are accepted untouched', () => {
      const stack = newStack();
      const target = new CfnParameter(stack, 'Target');
      const notes = new CfnParameter(stack, 'Notes');
      new OrgInvitation(stack, 'Invite', { targetId: target.valueAsString, notes: notes.valueAsString });
      new OrgInvitation(stack, 'Imported', { targetId: Fn.importValue('AccountId') });
      Template.fromStack(stack).hasResourceProperties('Custom::OrgInvitation', {
        TargetId: { Ref: 'Target' }, TargetType: Match.absent(), Notes: { Ref: 'Notes' },
      });
    });

    test('an unresolved stack account skips the own-account check', () => {
      const stack = new Stack(new App(), 'Agnostic');
      expect(() => new OrgInvitation(stack, 'Invite', { targetId: '111111111111' })).not.toThrow();
    });
  });
});
