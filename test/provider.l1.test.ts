/**
 * The provider's resources are typed L1s (what cdk-nag and `Tags.of` see) with the template core's
 * CustomResourceProvider gave: the same logical IDs, the function's dependency on its role, no managed policy, the
 * bundle as a file asset, and the asset metadata `sam local` reads when the CLI asks for it.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { WorkSpacesAccountLink } from '../src';

function stackWithLink(context: Record<string, unknown> = {}) {
  const app = new App({ context });
  const stack = new Stack(app, 'Landing', { env: { account: '111111111111', region: 'eu-west-1' } });
  new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: '222222222222' });
  return { app, stack };
}

describe('the provider as typed L1 resources', () => {
  test('role, function and log group are CfnRole, CfnFunction and CfnLogGroup at the former paths and logical IDs', () => {
    const { stack } = stackWithLink();
    const home = stack.node.findChild('CdkAccountInvitationsWorkspacesAccountLinkCustomResourceProvider');
    const role = home.node.findChild('Role');
    const fn = home.node.findChild('Handler');
    const logGroup = stack.node.findChild('CdkAccountInvitations-workspaces-account-link').node.findChild('Logs');
    expect(role).toBeInstanceOf(iam.CfnRole);
    expect(fn).toBeInstanceOf(lambda.CfnFunction);
    expect(logGroup).toBeInstanceOf(logs.CfnLogGroup);
    // the logical IDs core's CustomResourceProvider gave them: an upgrade replaces nothing
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources).filter((id) => id.startsWith('CdkAccountInvitations')).sort()).toEqual([
      'CdkAccountInvitationsWorkspacesAccountLinkCustomResourceProviderHandlerD1F8274E',
      'CdkAccountInvitationsWorkspacesAccountLinkCustomResourceProviderRoleE6461520',
      'CdkAccountInvitationsworkspacesaccountlinkLogs46AC5423',
    ]);
  });

  test('the function depends on its role, which has one inline policy and no managed policy', () => {
    const { stack } = stackWithLink();
    const t = Template.fromStack(stack).toJSON();
    const [fnId, fn] = Object.entries(t.Resources as Record<string, any>).find(([, r]) => r.Type === 'AWS::Lambda::Function')!;
    const [roleId, role] = Object.entries(t.Resources as Record<string, any>).find(([, r]) => r.Type === 'AWS::IAM::Role')!;
    expect(fn.DependsOn).toEqual([roleId]);
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies.map((p: { PolicyName: string }) => p.PolicyName)).toEqual(['Inline']);
    expect(fnId).toMatch(/Handler/);
  });

  test('the bundle is a file asset of the stack (its hash names the S3 key), with sam local metadata on request', () => {
    const { app, stack } = stackWithLink({ [cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true });
    const assembly = app.synth();
    const fn = Object.values(assembly.getStackArtifact(stack.artifactId).template.Resources as Record<string, any>)
      .find((r) => r.Type === 'AWS::Lambda::Function');
    const key: string = fn.Properties.Code.S3Key;
    const hash = key.replace(/\.zip$/, '');
    expect(fn.Metadata).toEqual({
      [cxapi.ASSET_RESOURCE_METADATA_PATH_KEY]: `asset.${hash}`,
      [cxapi.ASSET_RESOURCE_METADATA_PROPERTY_KEY]: 'Code',
    });
    // without the context (tests, most synths) no asset metadata
    const plain = Object.values(stackWithLink().app.synth().getStackArtifact('Landing').template.Resources as Record<string, any>)
      .find((r) => r.Type === 'AWS::Lambda::Function');
    expect(plain.Metadata).toBeUndefined();
    expect(plain.Properties.Code.S3Key).toBe(key);
  });
});
