import { App, CfnParameter, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MacieInvitations, MacieMember } from '../src/macie-invitations';
import { expectPermissionsOutliveResources, providerCounts, providerStatements, stackReadStatement } from './util/provider';

function newStack(account = '111111111111') {
  const app = new App();
  return new Stack(app, 'Security', { env: { account, region: 'eu-west-1' } });
}

/** `n` members with distinct account IDs 200000000000, 200000000001, ... */
function members(n: number, start = 0): MacieMember[] {
  return [...Array(n).keys()].map((i) => ({
    accountId: String(200000000000 + start + i),
    email: `owner${start + i}@example.com`,
  }));
}

const TWO: MacieMember[] = [
  { accountId: '222222222222', email: 'owner@example.com' },
  { accountId: '333333333333', email: 'security@example.com' },
];

describe('MacieInvitations', () => {
  test('declares one custom resource with the members, message and options, served by an arm64 nodejs24.x function', () => {
    const stack = newStack();
    new MacieInvitations(stack, 'Macie', { members: TWO, message: 'Join the central Macie account', disableEmailNotification: true });
    const t = Template.fromStack(stack);

    t.resourceCountIs('Custom::MacieInvitations', 1);
    t.hasResourceProperties('Custom::MacieInvitations', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('MacieInvitationsCustomResourceProviderHandler'), 'Arn'] },
      Members: [
        { AccountId: '222222222222', Email: 'owner@example.com' },
        { AccountId: '333333333333', Email: 'security@example.com' },
      ],
      Message: 'Join the central Macie account',
      DisableEmailNotification: true,
      RemovalPolicy: 'DESTROY',
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.onEvent',
      Timeout: 900,
    });
    t.hasResource('Custom::MacieInvitations', { DeletionPolicy: 'Delete' });
  });

  test('defaults: no message, emails sent, DESTROY', () => {
    const stack = newStack();
    new MacieInvitations(stack, 'Macie', { members: TWO });
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::MacieInvitations'));
    expect(resource.Properties.Message).toBeUndefined();
    expect(resource.Properties.DisableEmailNotification).toBe(false);
    expect(resource.Properties.RemovalPolicy).toBe('DESTROY');
  });

  test('least-privilege IAM: member actions scoped to member/*, the rest on *, exactly', () => {
    const stack = newStack();
    new MacieInvitations(stack, 'Macie', { members: TWO });
    const t = Template.fromStack(stack);
    const statements = providerStatements(t);
    expect(providerCounts(t).roles).toBe(1);
    expect(statements).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: expect.anything() },
      stackReadStatement(stack.stackName, '111111111111', 'eu-west-1'),
      {
        Action: ['macie2:GetMacieSession', 'macie2:ListMembers', 'macie2:CreateInvitations'],
        Effect: 'Allow',
        Resource: '*',
      },
      {
        Action: ['macie2:CreateMember', 'macie2:GetMember', 'macie2:DisassociateMember', 'macie2:DeleteMember'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':macie2:eu-west-1:111111111111:member/*']] },
      },
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/"macie2:\*"|"Action":"\*"|TagResource/);
  });

  test('the provider is a singleton: 1 and 20 constructs give one function, one role and one log group', () => {
    const counts = (n: number) => {
      const stack = newStack();
      for (let i = 0; i < n; i++) new MacieInvitations(stack, `Macie${i}`, { members: members(2, i * 2) });
      return providerCounts(Template.fromStack(stack));
    };
    const one = counts(1);
    const twenty = counts(20);
    expect(one).toMatchObject({ functions: 1, roles: 1, logGroups: 1 });
    expect(twenty).toMatchObject({ functions: 1, roles: 1, logGroups: 1 });
    expect(twenty.all - one.all).toBe(19);
  });

  test('the custom resource is deleted before the provider permissions, so Delete keeps them', () => {
    const stack = newStack();
    new MacieInvitations(stack, 'Macie', { members: TWO });
    expectPermissionsOutliveResources(Template.fromStack(stack), 'Custom::MacieInvitations');
  });

  test('RETAIN sets DeletionPolicy Retain (CloudFormation never calls the handler on delete) and passes RETAIN', () => {
    const stack = newStack();
    new MacieInvitations(stack, 'Kept', { members: TWO, removalPolicy: RemovalPolicy.RETAIN });
    new MacieInvitations(stack, 'Gone', { members: members(1) });
    const t = Template.fromStack(stack);
    t.hasResource('Custom::MacieInvitations', {
      Properties: Match.objectLike({ RemovalPolicy: 'RETAIN', Members: Match.arrayWith([Match.objectLike({ AccountId: '222222222222' })]) }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    t.hasResource('Custom::MacieInvitations', {
      Properties: Match.objectLike({ RemovalPolicy: 'DESTROY' }),
      DeletionPolicy: 'Delete',
    });
  });

  test('SNAPSHOT and RETAIN_ON_UPDATE_OR_DELETE are rejected', () => {
    expect(() => new MacieInvitations(newStack(), 'Macie', { members: TWO, removalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow(/\[Security\/Macie\] removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got RemovalPolicy.SNAPSHOT\./);
    expect(() => new MacieInvitations(newStack(), 'Macie', { members: TWO, removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE }))
      .toThrow(/removalPolicy must be/);
  });

  describe('invitedAccountIds and outputs', () => {
    test('the attribute is the account IDs; the output lists them, without emails', () => {
      const stack = newStack();
      const invitations = new MacieInvitations(stack, 'Macie', { members: TWO });
      expect(invitations.invitedAccountIds).toEqual(['222222222222', '333333333333']);
      const outputs = Object.values(Template.fromStack(stack).findOutputs('*'));
      expect(outputs).toHaveLength(1);
      expect(outputs[0].Value).toBe('222222222222,333333333333');
      expect(outputs[0].Description).toBe('Account IDs invited to Amazon Macie by Security/Macie');
      expect(JSON.stringify(outputs)).not.toContain('@');
    });

    test('tokens stay tokens: the output joins them with Fn::Join', () => {
      const stack = newStack();
      const account = new CfnParameter(stack, 'Account');
      const invitations = new MacieInvitations(stack, 'Macie', {
        members: [{ accountId: account.valueAsString, email: 'owner@example.com' }, { accountId: '333333333333', email: 'x@example.com' }],
      });
      expect(stack.resolve(invitations.invitedAccountIds)).toEqual([{ Ref: 'Account' }, '333333333333']);
      const [output] = Object.values(Template.fromStack(stack).findOutputs('*'));
      expect(output.Value).toEqual({ 'Fn::Join': [',', [{ Ref: 'Account' }, '333333333333']] });
    });

    test('1,000 members: 4 outputs of at most 300 IDs, each value under 4,096 characters, together all IDs in order', () => {
      const stack = newStack();
      const all = members(1000);
      new MacieInvitations(stack, 'Macie', { members: all });
      const t = Template.fromStack(stack);
      const outputs = Object.values(t.findOutputs('*'));
      expect(outputs).toHaveLength(4);
      for (const o of outputs) {
        expect(typeof o.Value).toBe('string');
        expect((o.Value as string).length).toBeLessThan(4096);
      }
      expect(outputs.map((o) => o.Value).join(',')).toBe(all.map((m) => m.accountId).join(','));
      expect(outputs.map((o) => o.Description)).toEqual([
        'Account IDs invited to Amazon Macie by Security/Macie (1 to 300 of 1000)',
        'Account IDs invited to Amazon Macie by Security/Macie (301 to 600 of 1000)',
        'Account IDs invited to Amazon Macie by Security/Macie (601 to 900 of 1000)',
        'Account IDs invited to Amazon Macie by Security/Macie (901 to 1000 of 1000)',
      ]);
      // still one custom resource; the emails are only in its properties
      t.resourceCountIs('Custom::MacieInvitations', 1);
    });

    test('emitOutputs: false adds no output; the attribute stays', () => {
      const stack = newStack();
      const invitations = new MacieInvitations(stack, 'Macie', { members: TWO, emitOutputs: false });
      expect(Object.keys(Template.fromStack(stack).findOutputs('*'))).toHaveLength(0);
      expect(invitations.invitedAccountIds).toHaveLength(2);
    });
  });

  describe('synth-time validation names the construct path and the value', () => {
    test.each<[string, () => MacieMember[], RegExp]>([
      ['no members', () => [], /\[Security\/Macie\] members must list at least one account, got none/],
      ['1,001 members', () => members(1001), /\[Security\/Macie\] members can list at most 1000 accounts .*got 1001/],
      ['a duplicated account ID', () => [...TWO, { accountId: '222222222222', email: 'other@example.com' }],
        /\[Security\/Macie\] members\[2\]\.accountId '222222222222' is already listed at members\[0\]/],
      ['an account ID that is not 12 digits', () => [{ accountId: '12345', email: 'a@example.com' }],
        /\[Security\/Macie\] members\[0\]\.accountId must be a 12-digit AWS account ID, got '12345'/],
      ['an account ID with letters', () => [{ accountId: '22222222222a', email: 'a@example.com' }], /got '22222222222a'/],
      ['an invalid email', () => [{ accountId: '222222222222', email: 'owner@example' }],
        /\[Security\/Macie\] members\[0\]\.email \(account 222222222222\) must be an email address, got 'o\*\*\*@example'/],
      ['an email without @', () => [{ accountId: '222222222222', email: 'owner' }], /must be an email address, got 'owner'/],
      ['the stack\'s own account', () => [{ accountId: '111111111111', email: 'a@example.com' }],
        /\[Security\/Macie\] members\[0\]\.accountId '111111111111' is the stack's own account/],
    ])('%s', (_name, list, message) => {
      expect(() => new MacieInvitations(newStack(), 'Macie', { members: list() })).toThrow(message);
    });

    test('1,000 members are accepted', () => {
      expect(() => new MacieInvitations(newStack(), 'Macie', { members: members(1000) })).not.toThrow();
    });

    test('a message over 80 characters, or with a line break, is rejected; 80 characters are accepted', () => {
      expect(() => new MacieInvitations(newStack(), 'Macie', { members: TWO, message: 'x'.repeat(81) }))
        .toThrow(/\[Security\/Macie\] message must be at most 80 characters long, got 81/);
      expect(() => new MacieInvitations(newStack(), 'Macie', { members: TWO, message: 'Welcome\nto Macie' }))
        .toThrow(/\[Security\/Macie\] message must be a single line of text/);
      expect(() => new MacieInvitations(newStack(), 'Macie', { members: TWO, message: 'Tab\there' })).toThrow(/single line/);
      expect(() => new MacieInvitations(newStack(), 'Macie', { members: TWO, message: 'x'.repeat(80) })).not.toThrow();
    });

    test('the message length counts characters, not UTF-16 units: 80 emoji pass, 81 do not', () => {
      // each emoji is one character (code point) but two UTF-16 units
      expect(() => new MacieInvitations(newStack(), 'Macie', { members: TWO, message: '🛡'.repeat(80) })).not.toThrow();
      expect(() => new MacieInvitations(newStack(), 'Macie', { members: TWO, message: '🛡'.repeat(81) }))
        .toThrow(/\[Security\/Macie\] message must be at most 80 characters long, got 81\./);
    });

    test('tokens pass: account IDs, emails and the message from parameters or imports', () => {
      const stack = newStack();
      const a = new CfnParameter(stack, 'A');
      const b = new CfnParameter(stack, 'B');
      const message = new CfnParameter(stack, 'Message');
      const email = new CfnParameter(stack, 'Email');
      expect(() => new MacieInvitations(stack, 'Macie', {
        members: [
          { accountId: a.valueAsString, email: email.valueAsString },
          // two tokens are never reported as duplicates
          { accountId: b.valueAsString, email: 'b@example.com' },
          { accountId: Fn.importValue('AccountC'), email: 'c@example.com' },
        ],
        message: message.valueAsString,
      })).not.toThrow();
      Template.fromStack(stack).hasResourceProperties('Custom::MacieInvitations', {
        Members: [
          { AccountId: { Ref: 'A' }, Email: { Ref: 'Email' } },
          { AccountId: { Ref: 'B' }, Email: 'b@example.com' },
          { AccountId: { 'Fn::ImportValue': 'AccountC' }, Email: 'c@example.com' },
        ],
        Message: { Ref: 'Message' },
      });
    });

    test('an unresolved stack account skips the own-account check', () => {
      const stack = new Stack(new App(), 'Agnostic');
      expect(() => new MacieInvitations(stack, 'Macie', { members: [{ accountId: '111111111111', email: 'a@example.com' }] })).not.toThrow();
    });
  });
});
