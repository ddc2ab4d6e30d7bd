/**
 * Reading the shared provider out of a synthesized template: its function, its role with the inline policy, its log
 * group (see src/private/provider.ts).
 */
import { Template } from 'aws-cdk-lib/assertions';

/** The statements of the inline policy of every provider role in the template, in order. */
export function providerStatements(t: Template): Array<{ Action: string | string[]; Effect: string; Resource: unknown }> {
  return Object.values(t.findResources('AWS::IAM::Role'))
    .flatMap((role) => (role.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: [] } }>)
    .flatMap((policy) => policy.PolicyDocument.Statement);
}

/** How many provider resources of each kind, and resources in all. */
export function providerCounts(t: Template) {
  const count = (type: string) => Object.keys(t.findResources(type)).length;
  return {
    functions: count('AWS::Lambda::Function'),
    roles: count('AWS::IAM::Role'),
    policies: count('AWS::IAM::Policy'),
    logGroups: count('AWS::Logs::LogGroup'),
    all: Object.keys(t.toJSON().Resources).length,
  };
}

/**
 * Asserts that CloudFormation deletes every custom resource of `type` before the permissions of its handler: the
 * resource references the function, the function depends on its role, and the role holds the policy inline.
 */
export function expectPermissionsOutliveResources(t: Template, type: string): void {
  const functions = t.findResources('AWS::Lambda::Function');
  const roles = t.findResources('AWS::IAM::Role');
  const resources = Object.values(t.findResources(type));
  expect(resources.length).toBeGreaterThan(0);
  for (const resource of resources) {
    const [functionId] = resource.Properties.ServiceToken['Fn::GetAtt'];
    const fn = functions[functionId];
    expect(fn).toBeDefined();
    const [roleId] = fn.Properties.Role['Fn::GetAtt'];
    expect(fn.DependsOn).toContain(roleId);
    expect(roles[roleId].Properties.Policies[0].PolicyDocument.Statement.length).toBeGreaterThan(1);
    expect(roles[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  }
}

/** The statement every provider has: reading its own stack (see lambda/shared/stack.ts). */
export function stackReadStatement(stackName: string, account: string, region: string) {
  return {
    Action: ['cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
    Effect: 'Allow',
    Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudformation:${region}:${account}:stack/${stackName}/*`]] },
  };
}
