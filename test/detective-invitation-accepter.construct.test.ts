import { App, CfnParameter, Duration, RemovalPolicy, Stack, aws_detective as detective } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DetectiveInvitationAccepter } from '../src';
import { providerStatements } from './util/provider';

const RESOURCE_TYPE = 'Custom::DetectiveInvitationAccepter';
const ADMIN = '111111111111';
const MEMBER = '222222222222';
const GRAPH = `arn:aws:detective:eu-west-1:${ADMIN}:graph:027c7c4610ea4aacaf0b883093cab899`;
const OTHER_GRAPH = 'arn:aws:detective:eu-west-1:444444444444:graph:ffffffffffffffffffffffffffffffff';

function newStack(account: string | undefined = MEMBER, app = new App(), id = 'Member', region = 'eu-west-1'): Stack {
  return new Stack(app, id, account ? { env: { account, region } } : undefined);
}

function lambdaTimeout(stack: Stack): number {
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  return functions[0].Properties.Timeout;
}

/** The library's Detective statements (without the log and stack-read statements every provider has). */
function detectiveStatements(stack: Stack) {
  return providerStatements(Template.fromStack(stack)).filter((s) => [s.Action].flat().some((a) => a.startsWith('detective:')));
}

describe('DetectiveInvitationAccepter resources', () => {
  test('one custom resource with the graph ARN, the wait in seconds and the removal policy; an output with the graph ARN', () => {
    const stack = newStack();
    const accepter = new DetectiveInvitationAccepter(stack, 'JoinDetective', { graphArn: GRAPH });
    const template = Template.fromStack(stack);
    template.resourceCountIs(RESOURCE_TYPE, 1);
    template.hasResource(RESOURCE_TYPE, {
      Properties: { GraphArn: GRAPH, WaitTimeoutSeconds: 300, RemovalPolicy: 'DESTROY' },
      DeletionPolicy: 'Delete',
    });
    expect(lambdaTimeout(stack)).toBe(360);
    const logicalId = Object.keys(template.findResources(RESOURCE_TYPE))[0];
    expect(stack.resolve(accepter.memberStatus)).toEqual({ 'Fn::GetAtt': [logicalId, 'MemberStatus'] });
    expect(stack.resolve(accepter.disabledReason)).toEqual({ 'Fn::GetAtt': [logicalId, 'DisabledReason'] });
    expect(accepter.graphArn).toBe(GRAPH);
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [logicalId, 'GraphArn'] }, Description: Match.stringLikeRegexp('Detective behavior graph') });
  });

  test('IAM: ListInvitations on * (no resource type), AcceptInvitation and DisassociateMembership on the graph only', () => {
    const stack = newStack();
    new DetectiveInvitationAccepter(stack, 'JoinDetective', { graphArn: GRAPH });
    expect(detectiveStatements(stack)).toEqual([
      { Effect: 'Allow', Action: 'detective:ListInvitations', Resource: '*' },
      { Effect: 'Allow', Action: 'detective:AcceptInvitation', Resource: GRAPH },
      { Effect: 'Allow', Action: 'detective:DisassociateMembership', Resource: GRAPH },
    ]);
  });

  test('RETAIN: the handler may not leave that graph; two graphs share one provider, each statement once', () => {
    const stack = newStack();
    new DetectiveInvitationAccepter(stack, 'Keep', { graphArn: GRAPH, removalPolicy: RemovalPolicy.RETAIN, emitOutputs: false });
    new DetectiveInvitationAccepter(stack, 'KeepToo', { graphArn: GRAPH, removalPolicy: RemovalPolicy.RETAIN, emitOutputs: false });
    new DetectiveInvitationAccepter(stack, 'Other', { graphArn: OTHER_GRAPH, waitTimeout: Duration.minutes(10) });
    const template = Template.fromStack(stack);
    template.hasResource(RESOURCE_TYPE, { Properties: { GraphArn: GRAPH, RemovalPolicy: 'RETAIN' }, DeletionPolicy: 'Retain' });
    expect(Object.keys(template.findOutputs('*'))).toHaveLength(1);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(lambdaTimeout(stack)).toBe(660);
    expect(detectiveStatements(stack)).toEqual([
      { Effect: 'Allow', Action: 'detective:ListInvitations', Resource: '*' },
      { Effect: 'Allow', Action: 'detective:AcceptInvitation', Resource: GRAPH },
      { Effect: 'Allow', Action: 'detective:AcceptInvitation', Resource: OTHER_GRAPH },
      { Effect: 'Allow', Action: 'detective:DisassociateMembership', Resource: OTHER_GRAPH },
    ]);
  });

  test('a graph ARN from a parameter passes synth and scopes the statements to it', () => {
    const stack = newStack();
    const graphArn = new CfnParameter(stack, 'Graph').valueAsString;
    new DetectiveInvitationAccepter(stack, 'JoinDetective', { graphArn });
    expect(detectiveStatements(stack).map((s) => s.Resource)).toEqual(['*', { Ref: 'Graph' }, { Ref: 'Graph' }]);
  });
});

describe('DetectiveInvitationAccepter validation', () => {
  test.each([
    ['not an ARN', 'graph-1'],
    ['a short graph ID', `arn:aws:detective:eu-west-1:${ADMIN}:graph:027c7c46`],
    ['another service', `arn:aws:macie2:eu-west-1:${ADMIN}:graph:027c7c4610ea4aacaf0b883093cab899`],
  ])('rejects %s, naming path and value', (_name, graphArn) => {
    expect(() => new DetectiveInvitationAccepter(newStack(), 'JoinDetective', { graphArn }))
      .toThrow(`[Member/JoinDetective] graphArn must be a Detective behavior graph ARN (arn:<partition>:detective:<region>:<account>:graph:<32 hex digits>), got '${graphArn}'.`);
  });

  test('rejects a graph of the stack\'s own account', () => {
    expect(() => new DetectiveInvitationAccepter(newStack(ADMIN), 'JoinDetective', { graphArn: GRAPH }))
      .toThrow(`[Member/JoinDetective] graphArn '${GRAPH}' belongs to the stack's own account ${ADMIN}`);
  });

  test('rejects a graph of another Region; an environment-agnostic stack accepts it', () => {
    expect(() => new DetectiveInvitationAccepter(newStack(MEMBER, new App(), 'Member', 'us-east-1'), 'JoinDetective', { graphArn: GRAPH }))
      .toThrow(/\[Member\/JoinDetective\] graphArn '.*' is in Region eu-west-1, the stack in us-east-1; a Detective membership exists only in the graph's Region/);
    expect(() => new DetectiveInvitationAccepter(newStack(undefined), 'JoinDetective', { graphArn: GRAPH })).not.toThrow();
  });

  test('rejects a waitTimeout over 14 minutes (the shared rule)', () => {
    expect(() => new DetectiveInvitationAccepter(newStack(), 'JoinDetective', { graphArn: GRAPH, waitTimeout: Duration.minutes(15) }))
      .toThrow(/\[Member\/JoinDetective\] waitTimeout must be from 0 seconds up to 14 minutes/);
  });
});

describe('DetectiveInvitationAccepter.acceptInvitation', () => {
  function inviting(app: App, props: Partial<detective.CfnMemberInvitationProps> = {}, account = ADMIN) {
    const stack = newStack(account, app, 'Security');
    const invitation = new detective.CfnMemberInvitation(stack, 'Invite', {
      graphArn: GRAPH, memberId: MEMBER, memberEmailAddress: 'root@example.com', ...props,
    });
    return { stack, invitation };
  }

  test('declares the accepter in the member stack for the invitation\'s graph, after the inviting stack', () => {
    const app = new App();
    const { stack, invitation } = inviting(app);
    const member = newStack(MEMBER, app);
    const accepter = DetectiveInvitationAccepter.acceptInvitation(invitation, member, {
      waitTimeout: Duration.minutes(2),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    expect(accepter.node.path).toMatch(/^Member\/DetectiveInvitationAccepter-SecurityInvite[A-F0-9]{8}$/);
    expect(accepter.graphArn).toBe(GRAPH);
    expect(accepter.removalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(member.dependencies).toContain(stack);
    Template.fromStack(member).hasResourceProperties(RESOURCE_TYPE, { GraphArn: GRAPH, WaitTimeoutSeconds: 120, RemovalPolicy: 'RETAIN' });
  });

  test('the shared acceptIn checks: another account than the member, the inviting stack itself, twice for one stack', () => {
    const app = new App();
    const { stack, invitation } = inviting(app);
    expect(() => DetectiveInvitationAccepter.acceptInvitation(invitation, newStack('333333333333', app, 'Third')))
      .toThrow(`[Security/Invite] acceptIn(Third): that stack's account 333333333333 is not the invited account (${MEMBER}).`);
    expect(() => DetectiveInvitationAccepter.acceptInvitation(invitation, stack)).toThrow(/not in the inviting stack itself/);
    const member = newStack(MEMBER, app);
    DetectiveInvitationAccepter.acceptInvitation(invitation, member);
    expect(() => DetectiveInvitationAccepter.acceptInvitation(invitation, member)).toThrow(/was already called for this stack/);
  });

  test('a graph ARN that is not a literal needs options.graphArn; both literal must agree; the graph must be the inviting account\'s', () => {
    const app = new App();
    const security = newStack(ADMIN, app, 'Security');
    const graph = new detective.CfnGraph(security, 'Graph');
    const fromGraph = new detective.CfnMemberInvitation(security, 'FromGraph', { graphArn: graph.attrArn, memberId: MEMBER, memberEmailAddress: 'root@example.com' });
    expect(() => DetectiveInvitationAccepter.acceptInvitation(fromGraph, newStack(MEMBER, app, 'A')))
      .toThrow(/\[Security\/FromGraph\] acceptInvitation: the invitation's graphArn is not a literal .* give the graph's ARN as options.graphArn\./);
    const accepter = DetectiveInvitationAccepter.acceptInvitation(fromGraph, newStack(MEMBER, app, 'B'), { graphArn: GRAPH });
    expect(accepter.graphArn).toBe(GRAPH);

    const { invitation } = inviting(new App());
    const otherMember = newStack(MEMBER, invitation.stack.node.root as App);
    expect(() => DetectiveInvitationAccepter.acceptInvitation(invitation, otherMember, { graphArn: OTHER_GRAPH }))
      .toThrow(`acceptInvitation: options.graphArn '${OTHER_GRAPH}' is not the invitation's graphArn '${GRAPH}'.`);
    const foreign = inviting(new App(), { graphArn: OTHER_GRAPH }).invitation;
    expect(() => DetectiveInvitationAccepter.acceptInvitation(foreign, newStack(MEMBER, foreign.stack.node.root as App)))
      .toThrow(`the behavior graph ${OTHER_GRAPH} belongs to account 444444444444, not to the inviting stack's account ${ADMIN}.`);
  });
});
