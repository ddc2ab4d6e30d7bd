import { App, CfnParameter, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { WorkSpacesAccountLink } from '../src/workspaces-account-link';
import { expectPermissionsOutliveResources, providerCounts, providerStatements, stackReadStatement } from './util/provider';

const RESOURCE_TYPE = 'Custom::WorkSpacesAccountLink';
const ACCOUNT_LINK_ACTIONS = [
  'workspaces:CreateAccountLinkInvitation',
  'workspaces:GetAccountLink',
  'workspaces:ListAccountLinks',
  'workspaces:DeleteAccountLinkInvitation',
];

function newStack(account?: string): Stack {
  return new Stack(new App(), 'LinkStack', account ? { env: { account, region: 'eu-west-1' } } : undefined);
}

const policyStatements = providerStatements;

describe('WorkSpacesAccountLink resources', () => {
  let stack: Stack;
  let link: WorkSpacesAccountLink;
  let template: Template;

  beforeAll(() => {
    stack = newStack('111111111111');
    link = new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: '333333333333' });
    template = Template.fromStack(stack);
  });

  test('one custom resource with the target, served by the provider function, deleted on delete by default', () => {
    template.resourceCountIs(RESOURCE_TYPE, 1);
    const [logicalId, resource] = Object.entries(template.findResources(RESOURCE_TYPE))[0];
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/Handler/), 'Arn'] },
      ServiceTimeout: '1200',
      TargetAccountId: '333333333333',
    });
    expect(resource.DeletionPolicy).toBe('Delete');
    expect(resource.UpdateReplacePolicy).toBe('Delete');
    expect(logicalId).toMatch(/^Link/);
    // deleted before the provider's permissions, so Delete still has them
    expectPermissionsOutliveResources(template, RESOURCE_TYPE);
  });

  test('the provider function: Node.js, arm64, the bundled handler, log group with retention', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.onEvent',
      Runtime: Match.stringLikeRegexp('^nodejs'),
      Architectures: ['arm64'],
      Timeout: 300,
      Description: Match.stringLikeRegexp('WorkSpaces account links'),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('IAM: exactly the four account-link actions on *, plus writing its own logs and reading its stack', () => {
    const statements = policyStatements(template);
    expect(statements).toHaveLength(3);
    expect(statements).toContainEqual(stackReadStatement('LinkStack', '111111111111', 'eu-west-1'));
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ACCOUNT_LINK_ACTIONS,
      Resource: '*',
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/Logs/), 'Arn'] },
    });
    const workspacesActions = statements.flatMap((s) => ([] as string[]).concat(s.Action as string | string[]))
      .filter((a) => a.startsWith('workspaces:'));
    expect(workspacesActions.sort()).toEqual([...ACCOUNT_LINK_ACTIONS].sort());
  });

  test('attributes are the AccountLinkId and AccountLinkStatus of the custom resource', () => {
    const logicalId = Object.keys(template.findResources(RESOURCE_TYPE))[0];
    expect(stack.resolve(link.accountLinkId)).toEqual({ 'Fn::GetAtt': [logicalId, 'AccountLinkId'] });
    expect(stack.resolve(link.accountLinkStatus)).toEqual({ 'Fn::GetAtt': [logicalId, 'AccountLinkStatus'] });
    expect(link.targetAccountId).toBe('333333333333');
  });

  test('an output with the account link ID by default', () => {
    const logicalId = Object.keys(template.findResources(RESOURCE_TYPE))[0];
    const outputs = template.findOutputs('*');
    expect(Object.values(outputs)).toEqual([{
      Value: { 'Fn::GetAtt': [logicalId, 'AccountLinkId'] },
      Description: 'ID of the Amazon WorkSpaces account link to account 333333333333 of LinkStack/Link',
    }]);
  });
});

describe('WorkSpacesAccountLink options', () => {
  test('emitOutputs: false adds no output', () => {
    const stack = newStack();
    new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: '333333333333', emitOutputs: false });
    expect(Template.fromStack(stack).findOutputs('*')).toEqual({});
  });

  test('RETAIN sets DeletionPolicy and UpdateReplacePolicy Retain, so CloudFormation never calls the handler', () => {
    const stack = newStack();
    new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: '333333333333', removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource(RESOURCE_TYPE, {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('DESTROY explicitly is the default', () => {
    const stack = newStack();
    new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: '333333333333', removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource(RESOURCE_TYPE, { DeletionPolicy: 'Delete' });
  });

  test('a token target passes synth and goes into the properties; the output description omits it', () => {
    const stack = newStack('111111111111');
    const target = new CfnParameter(stack, 'Target', { type: 'String' });
    new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: target.valueAsString });
    new WorkSpacesAccountLink(stack, 'Imported', { targetAccountId: Fn.importValue('WorkloadsAccount') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties(RESOURCE_TYPE, { TargetAccountId: { Ref: 'Target' } });
    template.hasResourceProperties(RESOURCE_TYPE, { TargetAccountId: { 'Fn::ImportValue': 'WorkloadsAccount' } });
    const descriptions = Object.values(template.findOutputs('*')).map((o) => o.Description);
    expect(descriptions).toEqual([
      'ID of the Amazon WorkSpaces account link of LinkStack/Link',
      'ID of the Amazon WorkSpaces account link of LinkStack/Imported',
    ]);
  });

  test('a stack without a concrete account accepts any 12-digit target', () => {
    const stack = newStack();
    expect(() => new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: '111111111111' })).not.toThrow();
  });
});

describe('WorkSpacesAccountLink provider is a singleton per stack', () => {
  function countFunctions(links: number): { functions: number; logGroups: number; roles: number; resources: number } {
    const stack = newStack('111111111111');
    for (let i = 0; i < links; i++) {
      new WorkSpacesAccountLink(stack, `Link${i}`, { targetAccountId: String(200000000000 + i), emitOutputs: false });
    }
    const template = Template.fromStack(stack);
    const { functions, logGroups, roles } = providerCounts(template);
    return { functions, logGroups, roles, resources: Object.keys(template.findResources(RESOURCE_TYPE)).length };
  }

  test('1 and 20 links share one function, role and log group', () => {
    const one = countFunctions(1);
    const twenty = countFunctions(20);
    expect(one).toEqual({ functions: 1, logGroups: 1, roles: 1, resources: 1 });
    expect(twenty).toEqual({ functions: 1, logGroups: 1, roles: 1, resources: 20 });
  });

  test('the policy does not grow with the number of links', () => {
    const stack = newStack('111111111111');
    for (let i = 0; i < 5; i++) {
      new WorkSpacesAccountLink(stack, `Link${i}`, { targetAccountId: String(200000000000 + i), emitOutputs: false });
    }
    expect(policyStatements(Template.fromStack(stack))).toHaveLength(3);
  });

  test('two stacks get a provider each', () => {
    const app = new App();
    const a = new Stack(app, 'A');
    const b = new Stack(app, 'B');
    new WorkSpacesAccountLink(a, 'Link', { targetAccountId: '333333333333' });
    new WorkSpacesAccountLink(b, 'Link', { targetAccountId: '333333333333' });
    Template.fromStack(a).resourceCountIs('AWS::Lambda::Function', 1);
    Template.fromStack(b).resourceCountIs('AWS::Lambda::Function', 1);
  });
});

describe('WorkSpacesAccountLink synth-time validation', () => {
  test.each([
    ['12345678901'],
    ['1234567890123'],
    ['12345678901a'],
    [' 333333333333'],
    [''],
    ['owner@example.com'],
  ])('rejects target %p, naming the construct path and the value', (target) => {
    const stack = newStack();
    expect(() => new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: target }))
      .toThrow(new RegExp(`^\\[LinkStack/Link\\] targetAccountId must be a 12-digit AWS account ID, got '${target.replace(/[.]/g, '\\.')}'\\.$`));
  });

  test('rejects the stack\'s own concrete account', () => {
    const stack = newStack('111111111111');
    expect(() => new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: '111111111111' }))
      .toThrow(/^\[LinkStack\/Link\] targetAccountId '111111111111' is the stack's own account/);
  });

  test('rejects SNAPSHOT and RETAIN_ON_UPDATE_OR_DELETE, which custom resources do not support', () => {
    expect(() => new WorkSpacesAccountLink(newStack(), 'Link', { targetAccountId: '333333333333', removalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow(/^\[LinkStack\/Link\] removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got RemovalPolicy.SNAPSHOT\./);
    expect(() => new WorkSpacesAccountLink(newStack(), 'Link', { targetAccountId: '333333333333', removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE }))
      .toThrow(/^\[LinkStack\/Link\] removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE\./);
  });

  test('a rejected construct creates no provider', () => {
    const stack = newStack();
    expect(() => new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: 'nope' })).toThrow();
    expect(stack.node.tryFindChild('CdkAccountInvitations-workspaces-account-link')).toBeUndefined();
  });
});
