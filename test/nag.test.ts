/* eslint-disable @typescript-eslint/no-require-imports */ // the library is loaded again with a module mocked (jest.isolateModules)
/**
 * cdk-nag 3's AwsSolutions rules in a user's app with every construct of the library, both sides: the rules see the
 * library's roles and functions (typed L1s), and every finding on them is acknowledged by the library with a reason
 * (src/private/nag.ts), so the user's pipeline reports nothing unexplained.
 */
import { App, CfnParameter, CfnResource, Stack, Validations, aws_detective as detective } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ram from 'aws-cdk-lib/aws-ram';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { InvitationTarget, OrgInvitation, OrgInvitationAccepter } from '../src';
import { HANDLER_NAMES } from '../src/private/handlers';
import { InvitationProvider } from '../src/private/provider';

const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const SANDBOX = '333333333333';

type Library = typeof import('../src');

/**
 * A user's app: the inviters with `acceptIn` (two accounts) and with `acceptance` (one stack, token account IDs,
 * environment-agnostic), and the accepters on their own, knowing as little as they may (the widest ARNs).
 */
function userApp(lib: Library = require('../src')): { app: App; stacks: Record<string, Stack> } {
  const app = new App();
  const env = (account: string) => ({ account, region: 'us-east-1' });
  const management = new Stack(app, 'Management', { env: env(MANAGEMENT) });
  const member = new Stack(app, 'Member', { env: env(MEMBER) });
  new lib.OrgInvitation(management, 'InviteMember', { target: lib.InvitationTarget.account(MEMBER), accountTags: { team: 'workloads' } }).acceptIn(member);
  new lib.OrgInvitation(management, 'InviteByEmail', { target: lib.InvitationTarget.email('owner@example.com') });
  new lib.MacieInvitations(management, 'Macie', { members: [{ accountId: MEMBER, email: 'member@example.com' }] }).acceptIn(member);
  new lib.WorkSpacesAccountLink(management, 'Link', { targetAccountId: MEMBER }).acceptIn(member);
  const graphArn = `arn:aws:detective:us-east-1:${MANAGEMENT}:graph:${'0'.repeat(32)}`;
  lib.DetectiveInvitationAccepter.acceptInvitation(new detective.CfnMemberInvitation(management, 'Detective', {
    graphArn, memberId: MEMBER, memberEmailAddress: 'member@example.com',
  }), member);
  lib.ResourceShareAccepter.acceptShare(new ram.CfnResourceShare(management, 'Share', { name: 'subnets', principals: [MEMBER] }), member);
  new lib.SecurityHubInvitations(management, 'SecurityHub', { members: [{ accountId: MEMBER }] }).acceptIn(member, { enableSecurityHub: true });

  const standalone = new Stack(app, 'Standalone', { env: env(SANDBOX) });
  new lib.OrgInvitationAccepter(standalone, 'AcceptOrg', { organizationId: 'o-exampleorg1' });
  new lib.MacieInvitationAccepter(standalone, 'AcceptMacie', { administratorAccountId: MANAGEMENT });
  new lib.WorkSpacesAccountLinkAccepter(standalone, 'AcceptLink', { sourceAccountId: MANAGEMENT });
  new lib.DetectiveInvitationAccepter(standalone, 'AcceptDetective', { graphArn });
  new lib.ResourceShareAccepter(standalone, 'AcceptShare', { resourceShareArn: `arn:aws:ram:us-east-1:${MANAGEMENT}:resource-share/0a1b2c3d-0000-4000-8000-000000000000` });
  new lib.SecurityHubInvitationAccepter(standalone, 'AcceptSecurityHub', { administratorAccountId: MANAGEMENT });

  const agnostic = new Stack(app, 'Agnostic');
  const account = new CfnParameter(agnostic, 'InvitedAccount').valueAsString;
  const acceptance = lib.Acceptance.assumeRole('InvitationAcceptRole');
  new lib.OrgInvitation(agnostic, 'Invite', { target: lib.InvitationTarget.account(account), acceptance });
  new lib.MacieInvitations(agnostic, 'Macie', { members: [{ accountId: account, email: 'member@example.com' }], acceptance });
  new lib.WorkSpacesAccountLink(agnostic, 'Link', { targetAccountId: account, acceptance });
  new lib.ResourceShareAccepter(agnostic, 'AcceptShare', { ownerAccountId: new CfnParameter(agnostic, 'ShareOwner').valueAsString, resourceShareName: 'subnets' });
  new lib.SecurityHubInvitations(agnostic, 'SecurityHub', { members: [{ accountId: account }], acceptance });
  return { app, stacks: { management, member, standalone, agnostic } };
}

/** What the tests use of a cdk-nag pack (the class may come from another module registry, see isolateModules). */
interface Pack {
  validateScope(scope: IConstruct): { violations: Array<{ ruleName: string; violatingResources: Array<{ constructPath?: string }> }> };
}

/** cdk-nag's violations, one line per rule and resource: `<rule> <construct path>`. */
function violations(pack: Pack, scope: IConstruct): string[] {
  return pack.validateScope(scope).violations
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`))
    .sort();
}

/** The library's resources of `type` in `scope` (the providers' roles or functions). */
function libraryResources<T extends IConstruct>(scope: IConstruct, type: new (...args: any[]) => T): T[] {
  return scope.node.findAll().filter((c): c is T => c instanceof type && c.node.path.includes('/CdkAccountInvitations'));
}

/** A role's acknowledged findings: finding ID -> reasons. */
function acknowledgements(role: IConstruct): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const entry of role.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
    for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
      (out[id.replace(/^annotation::/i, '')] ??= []).push(reason);
    }
  }
  return out;
}

describe('cdk-nag AwsSolutions in a user\'s app with every construct', () => {
  test('the plugin passes the synth: no finding on the library\'s resources', () => {
    const { app } = userApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
    // and the pack run directly, on the synthesized app, reports nothing either
    expect(violations(new AwsSolutionsChecks(), app)).toEqual([]);

    // the control: the same plugin fails the synth on one unexplained wildcard in a library role
    const control = userApp();
    InvitationProvider.of(control.stacks.member, 'macie-invitation-accepter', () => []).grant('test', () => new iam.PolicyStatement({
      actions: ['s3:GetObject'], resources: ['arn:aws:s3:::unexplained/*'],
    }));
    Validations.of(control.app).addPlugins(new AwsSolutionsChecks(control.app));
    expect(() => control.app.synth()).toThrow(/AwsSolutions-IAM5\[Resource::arn:aws:s3:::unexplained\/\*\]/);
  });

  test('the rules see every role and function of the library (typed L1s): without its acknowledgements, they report them', () => {
    jest.isolateModules(() => {
      jest.doMock('../src/private/nag', () => ({ acknowledgeWildcards: () => undefined, acknowledgeRuntime: () => undefined }));
      const { app } = userApp(require('../src'));
      const roles = libraryResources(app, require('aws-cdk-lib/aws-iam').CfnRole);
      const functions = libraryResources(app, require('aws-cdk-lib/aws-lambda').CfnFunction);
      // one role and one function per stack and kind: 4 inviters (management), 6 accepters (member: acceptIn,
      // acceptInvitation, acceptShare), 6 accepters (standalone), 4 inviters and 1 accepter (agnostic)
      expect(roles).toHaveLength(21);
      expect(functions).toHaveLength(21);
      // an outdated runtime, so that the runtime rule has something to report on every function
      for (const fn of functions) (fn as lambda.CfnFunction).runtime = 'nodejs20.x';

      const found = violations(new (require('cdk-nag').AwsSolutionsChecks)(), app);
      // every role has wildcards (at least its own stack's ARN), every function the runtime finding, and nothing else
      expect(new Set(found.filter((line) => line.startsWith('AwsSolutions-IAM5[Resource::')).map((line) => line.split(' ')[1])))
        .toEqual(new Set(roles.map((r) => r.node.path)));
      expect(found.filter((line) => !line.startsWith('AwsSolutions-IAM5[Resource::')))
        .toEqual(functions.map((f) => `AwsSolutions-L1 ${f.node.path}`).sort());
    });
  });

  test('an unexplained wildcard on any library role is reported, next to the acknowledged ones', () => {
    const { app, stacks } = userApp();
    const roles = libraryResources(app, iam.CfnRole);
    for (const stack of Object.values(stacks)) {
      for (const name of HANDLER_NAMES) {
        if (!stack.node.tryFindChild(`CdkAccountInvitations-${name}`)) continue;
        InvitationProvider.of(stack, name, () => []).grant('test', () => new iam.PolicyStatement({
          actions: ['s3:GetObject'], resources: ['arn:aws:s3:::unexplained/*'],
        }));
      }
    }
    expect(violations(new AwsSolutionsChecks(), app))
      .toEqual(roles.map((r) => `AwsSolutions-IAM5[Resource::arn:aws:s3:::unexplained/*] ${r.node.path}`).sort());
  });

  test('the runtime finding is acknowledged while the runtime is aws-cdk-lib\'s NODEJS_LATEST, and only then', () => {
    const latest = libraryResources(userApp().stacks.management, lambda.CfnFunction)[0];
    expect(acknowledgements(latest)['AwsSolutions-L1']).toEqual([
      expect.stringMatching(/^nodejs24\.x is aws-cdk-lib's Runtime\.NODEJS_LATEST, the newest Node\.js runtime it lists as available in every region/),
    ]);
    // an aws-cdk-lib whose NODEJS_LATEST has moved on: the finding is not acknowledged
    const replaced = jest.replaceProperty(lambda.Runtime, 'NODEJS_LATEST', new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS));
    try {
      const moved = libraryResources(userApp().stacks.management, lambda.CfnFunction)[0];
      expect(acknowledgements(moved)['AwsSolutions-L1']).toBeUndefined();
    } finally {
      replaced.restore();
    }
  });

  test('each wildcard is acknowledged on its role with the reasons of the actions granted on it', () => {
    const { app, stacks } = userApp();
    app.synth();
    /** The acknowledgements on each provider role of `stack`, by handler name. */
    const byKind = (stack: Stack): Record<string, Record<string, string[]>> => {
      const out: Record<string, Record<string, string[]>> = {};
      for (const name of HANDLER_NAMES) {
        const pascal = name.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
        const home = stack.node.tryFindChild(`CdkAccountInvitations${pascal}CustomResourceProvider`);
        if (home) out[name] = acknowledgements(home.node.findChild('Role'));
      }
      return out;
    };

    const management = byKind(stacks.management);
    const stackArn = (name: string, account: string) => `arn:<AWS::Partition>:cloudformation:us-east-1:${account}:stack/${name}/*`;
    const ids = (acks: Record<string, string[]>) => Object.keys(acks).map((id) => id.replace(/^AwsSolutions-IAM5\[Resource::(.*)\]$/, '$1')).sort();
    expect(Object.fromEntries(Object.entries(management).map(([k, v]) => [k, ids(v)]))).toEqual({
      'org-invitation': [
        '*',
        `arn:<AWS::Partition>:organizations::${MANAGEMENT}:account/o-*/*`,
        `arn:<AWS::Partition>:organizations::${MANAGEMENT}:handshake/o-*/invite/h-*`,
        stackArn('Management', MANAGEMENT),
      ].sort(),
      'macie-invitations': ['*', `arn:<AWS::Partition>:macie2:us-east-1:${MANAGEMENT}:member/*`, stackArn('Management', MANAGEMENT)].sort(),
      'workspaces-account-link': ['*', stackArn('Management', MANAGEMENT)],
      // Security Hub's member actions are scoped to the account's hub: only the stack's own ARN has a wildcard
      'securityhub-invitations': [stackArn('Management', MANAGEMENT)],
    });
    expect(ids(byKind(stacks.standalone)['securityhub-invitation-accepter'])).toEqual([stackArn('Standalone', SANDBOX)]);
    const standalone = byKind(stacks.standalone);
    expect(ids(standalone['org-invitation-accepter'])).toEqual([
      '*',
      // DescribeHandshake on any inviter's handshakes; AcceptHandshake on the expected organization's
      'arn:<AWS::Partition>:organizations::*:handshake/o-*/invite/h-*',
      'arn:<AWS::Partition>:organizations::*:handshake/o-exampleorg1/invite/h-*',
      stackArn('Standalone', SANDBOX),
    ].sort());
    // token accounts: the role of `acceptance` in any account, by name
    expect(ids(byKind(stacks.agnostic)['org-invitation'])).toContain('arn:<AWS::Partition>:iam::*:role/InvitationAcceptRole');

    // every reason names the actions it explains, and why
    const org = management['org-invitation'];
    expect(org['AwsSolutions-IAM5[Resource::*]']).toEqual(expect.arrayContaining([
      expect.stringMatching(/^organizations:InviteAccountToOrganization, organizations:ListHandshakesForOrganization on \*: no resource type in the IAM Service Authorization Reference/),
      expect.stringMatching(/^organizations:TagResource on \*: the tags are applied to the invited account when it joins/),
    ]));
    for (const acks of [...Object.values(management), ...Object.values(standalone)]) {
      for (const [id, reasons] of Object.entries(acks)) {
        for (const reason of reasons) expect(reason).toMatch(new RegExp(`^[a-z0-9]+:[A-Za-z]+(, [a-z0-9]+:[A-Za-z]+)* on ${escape(id.slice('AwsSolutions-IAM5[Resource::'.length, -1))}: .{40,}\\.$`));
      }
    }
  });

  test('a wildcard ARN with another stack\'s value is acknowledged as it is synthesized (an import)', () => {
    const app = new App();
    const env = { account: MEMBER, region: 'us-east-1' };
    const baseline = new Stack(app, 'Baseline', { env });
    const organizationId = new CfnResource(baseline, 'Organization', { type: 'Custom::Organization' }).getAtt('Id').toString();
    const member = new Stack(app, 'Member', { env });
    new OrgInvitationAccepter(member, 'Accept', { organizationId });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
    const role = libraryResources(member, iam.CfnRole)[0];
    // the reference as the stack is built, and as synthesis makes it (an import of the other stack's output)
    expect(Object.keys(acknowledgements(role))).toEqual(expect.arrayContaining([
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:handshake/<Organization.Id>/invite/h-*]',
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:organizations::\*:handshake\/Baseline:ExportsOutputFnGetAttOrganizationId[0-9A-F]{8}\/invite\/h-\*\]$/),
    ]));
  });

  test('synthesizing twice adds no acknowledgement twice', () => {
    const { app, stacks } = userApp();
    const role = libraryResources(stacks.management, iam.CfnRole)[0];
    app.synth();
    const once = role.node.metadata.length;
    app.synth({ force: true });
    expect(role.node.metadata.length).toBe(once);
  });

  test('a statement with an action the library has no reason for is not acknowledged, even next to explained ones', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: MANAGEMENT, region: 'us-east-1' } });
    new OrgInvitation(stack, 'Invite', { target: InvitationTarget.account(MEMBER) });
    InvitationProvider.of(stack, 'org-invitation', () => []).grant('mixed', () => new iam.PolicyStatement({
      actions: ['organizations:DescribeHandshake', 'organizations:DeclineHandshake'],
      resources: ['arn:aws:organizations::*:handshake/o-*/invite/h-mixed*'],
    }));
    expect(violations(new AwsSolutionsChecks(), app)).toEqual([
      `AwsSolutions-IAM5[Resource::arn:aws:organizations::*:handshake/o-*/invite/h-mixed*] ${libraryResources(stack, iam.CfnRole)[0].node.path}`,
    ]);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
