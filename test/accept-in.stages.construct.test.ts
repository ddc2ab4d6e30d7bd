/**
 * `acceptIn` across Stages (CDK Pipelines): aws-cdk-lib refuses a stack dependency across stages, so the accepter is
 * declared without one and a warning names the order the pipeline must deploy in.
 */
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { InvitationTarget, MacieInvitations, OrgInvitation, WorkSpacesAccountLink } from '../src';

const MGMT = '111111111111';
const MEMBER = '222222222222';
const env = (account: string) => ({ account, region: 'us-east-1' });
const STAGES_WARNING = /cdk-account-invitations:acceptInAcrossStages/;

function warnings(stack: Stack): Array<{ id: string; message: string }> {
  return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => ({ id: w.id, message: String(w.entry.data) }));
}

describe('acceptIn with the member stack in another Stage', () => {
  test.each([
    ['OrgInvitation', (s: Stack) => new OrgInvitation(s, 'Invite', { target: InvitationTarget.account(MEMBER) })],
    ['MacieInvitations', (s: Stack) => new MacieInvitations(s, 'Invite', { members: [{ accountId: MEMBER, email: 'owner@example.com' }] })],
    ['WorkSpacesAccountLink', (s: Stack) => new WorkSpacesAccountLink(s, 'Invite', { targetAccountId: MEMBER })],
  ])('%s: synthesizes without a dependency and warns on the accepter, naming both stacks, both stages and the order', (_kind, make) => {
    const app = new App();
    const mgmt = new Stack(new Stage(app, 'Inviting', { env: env(MGMT) }), 'Mgmt');
    const member = new Stack(new Stage(app, 'Members', { env: env(MEMBER) }), 'Member');
    const accepter = make(mgmt).acceptIn(member);

    expect(member.dependencies).toEqual([]);
    expect(() => app.synth()).not.toThrow();
    const found = warnings(member);
    expect(found).toHaveLength(1);
    expect(found[0].id).toBe(`/${accepter.node.path}`);
    const message = found[0].message;
    expect(message).toMatch(STAGES_WARNING);
    for (const named of [accepter.node.path, 'Inviting/Mgmt/Invite', 'Members/Member', 'stage Members', 'stage Inviting']) {
      expect(message).toContain(named);
    }
    expect(message).toMatch(/Deploy stage Inviting first \(in CDK Pipelines: add it to an earlier wave/);
    // the accepter still expects the inviting account, as a literal
    expect(JSON.stringify(Template.fromStack(member).toJSON())).toContain(MGMT);
  });

  test('the inviting stack in a Stage, the member stack directly in the app: also no dependency, and the app is named', () => {
    const app = new App();
    const mgmt = new Stack(new Stage(app, 'Inviting', { env: env(MGMT) }), 'Mgmt');
    const member = new Stack(app, 'Member', { env: env(MEMBER) });
    new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) }).acceptIn(member);
    expect(() => app.synth()).not.toThrow();
    const [warning] = warnings(member);
    expect(warning.message).toContain('Member is in the app (no stage) and the inviting stack Inviting/Mgmt in stage Inviting');
  });

  test('both stacks in one Stage: the dependency as before, no warning', () => {
    const app = new App();
    const stage = new Stage(app, 'LandingZone');
    const mgmt = new Stack(stage, 'Mgmt', { env: env(MGMT) });
    const member = new Stack(stage, 'Member', { env: env(MEMBER) });
    new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) }).acceptIn(member);
    expect(member.dependencies).toEqual([mgmt]);
    app.synth();
    expect(warnings(member)).toEqual([]);
  });

  test('the control: aws-cdk-lib itself refuses the dependency across stages (why acceptIn skips it)', () => {
    const app = new App();
    const mgmt = new Stack(new Stage(app, 'Inviting', { env: env(MGMT) }), 'Mgmt');
    const member = new Stack(new Stage(app, 'Members', { env: env(MEMBER) }), 'Member');
    expect(() => member.addStackDependency(mgmt)).toThrow(/dependency cannot cross stage boundaries/);
  });
});

describe('CDK Pipelines', () => {
  class Inviting extends Stage {
    public readonly invitation: OrgInvitation;
    constructor(scope: Construct, id: string) {
      super(scope, id, { env: env(MGMT) });
      this.invitation = new OrgInvitation(new Stack(this, 'Mgmt'), 'Invite', { target: InvitationTarget.account(MEMBER) });
    }
  }
  class Members extends Stage {
    public readonly member: Stack;
    constructor(scope: Construct, id: string, inviting: Inviting) {
      super(scope, id, { env: env(MEMBER) });
      this.member = new Stack(this, 'Member');
      inviting.invitation.acceptIn(this.member);
    }
  }

  test('a CodePipeline with the inviting stage in an earlier wave than the member stage synthesizes, in that order', () => {
    const app = new App();
    const pipelineStack = new Stack(app, 'Pipeline', { env: env('999999999999') });
    const pipeline = new pipelines.CodePipeline(pipelineStack, 'Pipeline', {
      crossAccountKeys: true,
      synth: new pipelines.ShellStep('Synth', {
        input: pipelines.CodePipelineSource.connection('example/landing-zone', 'main', {
          connectionArn: 'arn:aws:codeconnections:us-east-1:999999999999:connection/00000000-0000-0000-0000-000000000000',
        }),
        commands: ['npm ci', 'npx cdk synth'],
      }),
    });
    const inviting = new Inviting(app, 'Inviting');
    const members = new Members(app, 'Members', inviting);
    pipeline.addWave('Invite').addStage(inviting);
    pipeline.addWave('Accept').addStage(members);

    expect(() => app.synth()).not.toThrow();
    // the pipeline deploys the waves in order: the inviting stage's stack before the member stage's
    // (read from the cloud assembly, not Template.fromStack: the pipeline stack is aws-cdk-lib's own template, with
    // nothing of this library's in it, and is kept out of the templates cfn-lint checks (test/setup/record-templates.ts))
    const resources = app.synth().getStackArtifact(pipelineStack.artifactId).template.Resources as Record<string, any>;
    const pipelineResource = Object.values(resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    const names = (pipelineResource.Properties.Stages as Array<{ Name: string }>).map((s) => s.Name);
    // (a wave of one stage becomes a pipeline stage named after it)
    expect(names.indexOf('Inviting')).toBeGreaterThan(-1);
    expect(names.indexOf('Inviting')).toBeLessThan(names.indexOf('Members'));
    expect(warnings(members.member).map((w) => w.message).join('\n')).toMatch(STAGES_WARNING);
  });
});
