import { App, CfnParameter, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { WorkSpacesAccountLinkAccepter } from '../src/workspaces-account-link-accepter';
import { expectPermissionsOutliveResources, providerCounts, providerStatements, stackReadStatement } from './util/provider';

const RESOURCE_TYPE = 'Custom::WorkSpacesAccountLinkAccepter';
const ACCEPTER_ACTIONS = [
  'workspaces:ListAccountLinks',
  'workspaces:GetAccountLink',
  'workspaces:AcceptAccountLinkInvitation',
];

function newStack(account?: string): Stack {
  return new Stack(new App(), 'TargetStack', account ? { env: { account, region: 'eu-west-1' } } : undefined);
}

function functionTimeout(stack: Stack): number {
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  return functions[0].Properties.Timeout;
}

describe('WorkSpacesAccountLinkAccepter resources', () => {
  let stack: Stack;
  let accepter: WorkSpacesAccountLinkAccepter;
  let template: Template;

  beforeAll(() => {
    stack = newStack('333333333333');
    accepter = new WorkSpacesAccountLinkAccepter(stack, 'Accept', { sourceAccountId: '111111111111' });
    template = Template.fromStack(stack);
  });

  test('one custom resource with the source and the default wait (5 minutes), served by the provider function', () => {
    template.resourceCountIs(RESOURCE_TYPE, 1);
    const [logicalId, resource] = Object.entries(template.findResources(RESOURCE_TYPE))[0];
    expect(resource.Properties).toEqual({
      ServiceTimeout: '1380',
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/Handler/), 'Arn'] },
      SourceAccountId: '111111111111',
      WaitTimeoutSeconds: 300,
    });
    // Delete reaches the handler, which only logs that a LINKED link stays
    expect(resource.DeletionPolicy).toBe('Delete');
    expect(logicalId).toMatch(/^Accept/);
    expectPermissionsOutliveResources(template, RESOURCE_TYPE);
  });

  test('echoes what identifies its invitation: the source account and the resolved wait', () => {
    expect(accepter.sourceAccountId).toBe('111111111111');
    expect(accepter.waitTimeout.toSeconds()).toBe(300);
  });

  test('the provider function: the bundled accepter handler, arm64, timeout of the wait plus a minute', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.onEvent',
      Architectures: ['arm64'],
      Timeout: 360,
      Description: Match.stringLikeRegexp('accept Amazon WorkSpaces account links'),
    });
  });

  test('IAM: exactly the three invitee-side account-link actions on *, plus its logs and its stack', () => {
    const statements = providerStatements(template);
    expect(statements).toHaveLength(3);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ACCEPTER_ACTIONS, Resource: '*' });
    expect(statements).toContainEqual(stackReadStatement('TargetStack', '333333333333', 'eu-west-1'));
    const actions = statements.flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions.filter((a) => a.startsWith('workspaces:')).sort()).toEqual([...ACCEPTER_ACTIONS].sort());
    expect(actions.some((a) => a.includes('*'))).toBe(false);
  });

  test('attributes and the output are the link ID and status of the custom resource', () => {
    const logicalId = Object.keys(template.findResources(RESOURCE_TYPE))[0];
    expect(stack.resolve(accepter.accountLinkId)).toEqual({ 'Fn::GetAtt': [logicalId, 'AccountLinkId'] });
    expect(stack.resolve(accepter.accountLinkStatus)).toEqual({ 'Fn::GetAtt': [logicalId, 'AccountLinkStatus'] });
    expect(accepter.sourceAccountId).toBe('111111111111');
    expect(Object.values(template.findOutputs('*'))).toEqual([{
      Value: { 'Fn::GetAtt': [logicalId, 'AccountLinkId'] },
      Description: 'ID of the Amazon WorkSpaces account link from account 111111111111 accepted by TargetStack/Accept',
    }]);
  });
});

describe('WorkSpacesAccountLinkAccepter options', () => {
  test('a given accountLinkId and waitTimeout go into the properties', () => {
    const stack = newStack();
    new WorkSpacesAccountLinkAccepter(stack, 'Accept', {
      sourceAccountId: '111111111111',
      accountLinkId: 'link-abcd1234efgh',
      waitTimeout: Duration.minutes(10),
    });
    Template.fromStack(stack).hasResourceProperties(RESOURCE_TYPE, {
      SourceAccountId: '111111111111',
      AccountLinkId: 'link-abcd1234efgh',
      WaitTimeoutSeconds: 600,
    });
  });

  test('emitOutputs: false adds no output', () => {
    const stack = newStack();
    new WorkSpacesAccountLinkAccepter(stack, 'Accept', { sourceAccountId: '111111111111', emitOutputs: false });
    expect(Template.fromStack(stack).findOutputs('*')).toEqual({});
  });

  test('tokens pass synth: source and link ID from parameters or imports', () => {
    const stack = newStack('333333333333');
    const source = new CfnParameter(stack, 'Source', { type: 'String' });
    const linkId = new CfnParameter(stack, 'LinkId', { type: 'String' });
    new WorkSpacesAccountLinkAccepter(stack, 'Accept', { sourceAccountId: source.valueAsString, accountLinkId: linkId.valueAsString });
    new WorkSpacesAccountLinkAccepter(stack, 'Imported', { sourceAccountId: Fn.importValue('SourceAccount') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties(RESOURCE_TYPE, { SourceAccountId: { Ref: 'Source' }, AccountLinkId: { Ref: 'LinkId' } });
    template.hasResourceProperties(RESOURCE_TYPE, { SourceAccountId: { 'Fn::ImportValue': 'SourceAccount' } });
    expect(Object.values(template.findOutputs('*')).map((o) => o.Description)).toEqual([
      'ID of the Amazon WorkSpaces account link accepted by TargetStack/Accept',
      'ID of the Amazon WorkSpaces account link accepted by TargetStack/Imported',
    ]);
  });

  test('the Lambda timeout follows the largest waitTimeout of the stack, whatever the order', () => {
    const stack = newStack();
    new WorkSpacesAccountLinkAccepter(stack, 'Short', { sourceAccountId: '111111111111', waitTimeout: Duration.seconds(0) });
    new WorkSpacesAccountLinkAccepter(stack, 'Long', { sourceAccountId: '222222222222', waitTimeout: Duration.minutes(10) });
    new WorkSpacesAccountLinkAccepter(stack, 'Default', { sourceAccountId: '444444444444' });
    expect(functionTimeout(stack)).toBe(660);
    expect(providerCounts(Template.fromStack(stack)).functions).toBe(1);

    const short = newStack();
    new WorkSpacesAccountLinkAccepter(short, 'Short', { sourceAccountId: '111111111111', waitTimeout: Duration.seconds(0) });
    expect(functionTimeout(short)).toBe(120);

    const longFirst = newStack();
    new WorkSpacesAccountLinkAccepter(longFirst, 'Long', { sourceAccountId: '222222222222', waitTimeout: Duration.minutes(14) });
    new WorkSpacesAccountLinkAccepter(longFirst, 'Short', { sourceAccountId: '111111111111', waitTimeout: Duration.seconds(0) });
    expect(functionTimeout(longFirst)).toBe(900);
  });
});

describe('WorkSpacesAccountLinkAccepter synth-time validation', () => {
  test.each([['12345678901'], ['12345678901a'], ['']])('rejects source %p, naming the construct path and the value', (source) => {
    expect(() => new WorkSpacesAccountLinkAccepter(newStack(), 'Accept', { sourceAccountId: source }))
      .toThrow(`[TargetStack/Accept] sourceAccountId must be a 12-digit AWS account ID, got '${source}'.`);
  });

  test('rejects the stack\'s own concrete account as source', () => {
    expect(() => new WorkSpacesAccountLinkAccepter(newStack('111111111111'), 'Accept', { sourceAccountId: '111111111111' }))
      .toThrow(/^\[TargetStack\/Accept\] sourceAccountId '111111111111' is the stack's own account/);
  });

  test.each([['link-short'], ['lnk-abcd1234efgh'], ['link-' + 'x'.repeat(25)]])('rejects accountLinkId %p, naming it', (linkId) => {
    expect(() => new WorkSpacesAccountLinkAccepter(newStack(), 'Accept', { sourceAccountId: '111111111111', accountLinkId: linkId }))
      .toThrow(`[TargetStack/Accept] accountLinkId must be an account link ID ('link-' and 8 to 24 characters), got '${linkId}'.`);
  });

  test.each([[Duration.minutes(15)], [Duration.seconds(14 * 60 + 1)]])('rejects waitTimeout %s', (waitTimeout) => {
    expect(() => new WorkSpacesAccountLinkAccepter(newStack(), 'Accept', { sourceAccountId: '111111111111', waitTimeout }))
      .toThrow(/^\[TargetStack\/Accept\] waitTimeout must be from 0 seconds up to 14 minutes/);
  });

  test('a rejected construct creates no provider', () => {
    const stack = newStack();
    expect(() => new WorkSpacesAccountLinkAccepter(stack, 'Accept', { sourceAccountId: 'nope' })).toThrow();
    expect(stack.node.tryFindChild('CdkAccountInvitations-workspaces-account-link-accepter')).toBeUndefined();
  });
});
