import { App, CfnParameter, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { InvitationTarget, OrgInvitation, OrgInvitationAccepter } from '../src';
import { expectPermissionsOutliveResources, providerCounts, providerStatements, stackReadStatement } from './util/provider';

function newStack(account = '222222222222') {
  return new Stack(new App(), 'Member', { env: { account, region: 'eu-west-1' } });
}

const PARTITION = { Ref: 'AWS::Partition' };
const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

function accepterFunction(t: Template) {
  const functions = Object.values(t.findResources('AWS::Lambda::Function'))
    .filter((f) => String(f.Properties.Description).includes('accept AWS Organizations invitations'));
  expect(functions).toHaveLength(1);
  return functions[0];
}

describe('OrgInvitationAccepter', () => {
  test('declares one custom resource with the expectation and the wait, and exposes the attributes', () => {
    const stack = newStack();
    const accepter = new OrgInvitationAccepter(stack, 'Join', {
      managementAccountId: '111111111111',
      organizationId: 'o-exampleorg11',
      handshakeId: 'h-abcdef1234',
      waitTimeout: Duration.minutes(10),
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('Custom::OrgInvitationAccepter', 1);
    t.hasResource('Custom::OrgInvitationAccepter', {
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('OrgInvitationAccepterCustomResourceProviderHandler'), 'Arn'] },
        ManagementAccountId: '111111111111',
        OrganizationId: 'o-exampleorg11',
        HandshakeId: 'h-abcdef1234',
        WaitTimeoutSeconds: 600,
      },
      DeletionPolicy: 'Delete',
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.onEvent' });
    for (const [attribute, name] of [[accepter.handshakeId, 'HandshakeId'], [accepter.joinedOrganizationId, 'OrganizationId'], [accepter.handshakeState, 'HandshakeState']]) {
      expect(stack.resolve(attribute)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Join/), name] });
    }
    // echoes of the expectation as given; joinedOrganizationId is the attribute
    expect(accepter.waitTimeout.toMinutes()).toBe(10);
    expect([accepter.managementAccountId, accepter.organizationId]).toEqual(['111111111111', 'o-exampleorg11']);
  });

  test('only what is given goes into the properties (default wait: 5 minutes)', () => {
    const stack = newStack();
    const accepter = new OrgInvitationAccepter(stack, 'Join', { organizationId: 'o-exampleorg11' });
    expect([accepter.managementAccountId, accepter.waitTimeout.toMinutes()]).toEqual([undefined, 5]);
    const props = Object.values(Template.fromStack(stack).findResources('Custom::OrgInvitationAccepter'))[0].Properties;
    expect(Object.keys(props).sort()).toEqual(['OrganizationId', 'ServiceTimeout', 'ServiceToken', 'WaitTimeoutSeconds']);
    expect(props.WaitTimeoutSeconds).toBe(300);
  });

  test('the Lambda timeout follows the largest waitTimeout of the stack (wait + 1 minute), whatever the order', () => {
    const timeoutWith = (...waits: Array<Duration | undefined>) => {
      const stack = newStack();
      waits.forEach((waitTimeout, i) => new OrgInvitationAccepter(stack, `Join${i}`, { organizationId: 'o-exampleorg11', waitTimeout }));
      return accepterFunction(Template.fromStack(stack)).Properties.Timeout;
    };
    expect(timeoutWith(undefined)).toBe(360);
    expect(timeoutWith(Duration.minutes(2), Duration.minutes(10))).toBe(660);
    expect(timeoutWith(Duration.minutes(10), Duration.minutes(2))).toBe(660);
    expect(timeoutWith(Duration.minutes(14))).toBe(900);
    expect(timeoutWith(Duration.seconds(0))).toBe(120);
  });

  test('one provider for all accepters of the stack; the inviter\'s provider stays separate', () => {
    const stack = newStack();
    new OrgInvitationAccepter(stack, 'A', { organizationId: 'o-exampleorg11' });
    new OrgInvitationAccepter(stack, 'B', { managementAccountId: '111111111111' });
    new OrgInvitation(stack, 'Invite', { target: InvitationTarget.account('333333333333') });
    const t = Template.fromStack(stack);
    expect(providerCounts(t)).toMatchObject({ functions: 2, roles: 2, logGroups: 2, policies: 0 });
    expectPermissionsOutliveResources(t, 'Custom::OrgInvitationAccepter');
  });

  test('least-privilege IAM: reads on *, DescribeHandshake on handshakes, AcceptHandshake on the expected organization only, the service-linked role by name', () => {
    const stack = newStack();
    new OrgInvitationAccepter(stack, 'Join', { managementAccountId: '111111111111', organizationId: 'o-exampleorg11' });
    const statements = providerStatements(Template.fromStack(stack));
    expect(statements).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/orginvitationaccepterLogs/), 'Arn'] },
      },
      stackReadStatement('Member', '222222222222', 'eu-west-1'),
      {
        Action: ['organizations:DescribeOrganization', 'organizations:ListHandshakesForAccount'],
        Effect: 'Allow',
        Resource: '*',
      },
      {
        Action: 'organizations:DescribeHandshake',
        Effect: 'Allow',
        Resource: join('arn:', PARTITION, ':organizations::*:handshake/o-*/invite/h-*'),
      },
      {
        Action: 'iam:CreateServiceLinkedRole',
        Effect: 'Allow',
        Resource: join('arn:', PARTITION, ':iam::222222222222:role/aws-service-role/organizations.amazonaws.com/AWSServiceRoleForOrganizations'),
        Condition: { StringEquals: { 'iam:AWSServiceName': 'organizations.amazonaws.com' } },
      },
      {
        Action: 'organizations:AcceptHandshake',
        Effect: 'Allow',
        Resource: join('arn:', PARTITION, ':organizations::111111111111:handshake/o-exampleorg11/invite/h-*'),
      },
    ]);
    const json = JSON.stringify(statements);
    expect(json).not.toMatch(/"Action":"\*"|organizations:\*|iam:\*/);
    expect(json).not.toMatch(/LeaveOrganization|DeclineHandshake/);
  });

  test('AcceptHandshake follows what is known: any management account, any organization, the given handshake', () => {
    const acceptResources = (props: ConstructorParameters<typeof OrgInvitationAccepter>[2]) => {
      const stack = newStack();
      new OrgInvitationAccepter(stack, 'Join', props);
      return providerStatements(Template.fromStack(stack)).filter((s) => s.Action === 'organizations:AcceptHandshake').map((s) => s.Resource);
    };
    expect(acceptResources({ organizationId: 'o-exampleorg11' }))
      .toEqual([join('arn:', PARTITION, ':organizations::*:handshake/o-exampleorg11/invite/h-*')]);
    expect(acceptResources({ managementAccountId: '111111111111' }))
      .toEqual([join('arn:', PARTITION, ':organizations::111111111111:handshake/o-*/invite/h-*')]);
    expect(acceptResources({ managementAccountId: '111111111111', handshakeId: 'h-abcdef1234' }))
      .toEqual([join('arn:', PARTITION, ':organizations::111111111111:handshake/o-*/invite/h-abcdef1234')]);
  });

  test('two accepters of the same organization share one AcceptHandshake statement; another organization adds one', () => {
    const stack = newStack();
    new OrgInvitationAccepter(stack, 'A', { organizationId: 'o-exampleorg11' });
    new OrgInvitationAccepter(stack, 'B', { organizationId: 'o-exampleorg11', waitTimeout: Duration.minutes(1) });
    new OrgInvitationAccepter(stack, 'C', { organizationId: 'o-anotherorg1' });
    const accepts = providerStatements(Template.fromStack(stack)).filter((s) => s.Action === 'organizations:AcceptHandshake');
    expect(accepts).toHaveLength(2);
  });

  test('outputs the handshake ID; emitOutputs: false adds none', () => {
    const stack = newStack();
    new OrgInvitationAccepter(stack, 'Join', { organizationId: 'o-exampleorg11' });
    new OrgInvitationAccepter(stack, 'Quiet', { organizationId: 'o-exampleorg11', emitOutputs: false });
    const outputs = Object.values(Template.fromStack(stack).findOutputs('*'));
    expect(outputs).toHaveLength(1);
    expect(outputs[0].Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Join/), 'HandshakeId'] });
    expect(outputs[0].Description).toBe('Handshake ID of the AWS Organizations invitation accepted by Member/Join');
  });

  describe('synth-time validation names the construct and the value', () => {
    test.each([
      ['neither ID', {}, /\[Member\/Join\] managementAccountId or organizationId is required/],
      ['a short account ID', { managementAccountId: '12345' }, /\[Member\/Join\] managementAccountId must be a 12-digit AWS account ID, got '12345'/],
      ["the stack's own account", { managementAccountId: '222222222222' }, /\[Member\/Join\] managementAccountId '222222222222' is the stack's own account/],
      ['an organization ID with capitals', { organizationId: 'o-Short' }, /\[Member\/Join\] organizationId must be 'o-' followed by 10 to 32 lowercase letters or digits \(\^o-\[a-z0-9\]\{10,32\}\$\), got 'o-Short'/],
      ['an organization ID without o-', { organizationId: 'exampleorg11' }, /organizationId must be 'o-'.*got 'exampleorg11'/],
      ['a short handshake ID', { organizationId: 'o-exampleorg11', handshakeId: 'h-abc' }, /\[Member\/Join\] handshakeId must be 'h-' followed by 8 to 32 lowercase letters or digits \(\^h-\[0-9a-z\]\{8,32\}\$\), got 'h-abc'/],
      ['a 15-minute wait', { organizationId: 'o-exampleorg11', waitTimeout: Duration.minutes(15) }, /\[Member\/Join\] waitTimeout must be from 0 seconds up to 14 minutes.*got 15 minutes/],
    ])('%s', (_, props, message) => {
      expect(() => new OrgInvitationAccepter(newStack(), 'Join', props as ConstructorParameters<typeof OrgInvitationAccepter>[2])).toThrow(message);
    });

    test('tokens pass untouched', () => {
      const stack = newStack();
      const mgmt = new CfnParameter(stack, 'Mgmt');
      const handshake = new CfnParameter(stack, 'Handshake');
      new OrgInvitationAccepter(stack, 'Join', {
        managementAccountId: mgmt.valueAsString,
        organizationId: Fn.importValue('OrgId'),
        handshakeId: handshake.valueAsString,
      });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('Custom::OrgInvitationAccepter', {
        ManagementAccountId: { Ref: 'Mgmt' }, OrganizationId: { 'Fn::ImportValue': 'OrgId' }, HandshakeId: { Ref: 'Handshake' },
      });
      const accept = providerStatements(t).find((s) => s.Action === 'organizations:AcceptHandshake');
      expect(accept?.Resource).toEqual(join('arn:', PARTITION, ':organizations::', { Ref: 'Mgmt' }, ':handshake/', { 'Fn::ImportValue': 'OrgId' }, '/invite/', { Ref: 'Handshake' }));
    });

    test('an environment-agnostic stack skips the own-account check', () => {
      const stack = new Stack(new App(), 'Agnostic');
      expect(() => new OrgInvitationAccepter(stack, 'Join', { managementAccountId: '222222222222' })).not.toThrow();
    });
  });
});
