/**
 * OrgInvitation's two ways to accept in the same deployment: `acceptIn` (an accepter in the invited account's
 * stack) and `acceptance` (a role in the invited account, assumed by the inviter's handler).
 */
import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { Acceptance, AcceptanceConfig, InvitationTarget, OrgInvitation, OrgInvitationAccepter } from '../src';
import { providerStatements } from './util/provider';

const MGMT = '111111111111';
const MEMBER = '222222222222';

/** `null`: an environment-agnostic stack. */
function stacks(memberAccount: string | null = MEMBER, mgmtAccount: string | null = MGMT) {
  const app = new App();
  const mgmt = new Stack(app, 'Mgmt', { env: mgmtAccount ? { account: mgmtAccount, region: 'us-east-1' } : undefined });
  const member = new Stack(app, 'Member', { env: memberAccount ? { account: memberAccount, region: 'us-east-1' } : undefined });
  return { app, mgmt, member };
}

describe('acceptIn', () => {
  test('declares an OrgInvitationAccepter in the member stack, expecting the inviting account, and adds the stack dependency', () => {
    const { mgmt, member } = stacks();
    const invitation = new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) });
    const accepter = invitation.acceptIn(member, { waitTimeout: Duration.minutes(10), organizationId: 'o-exampleorg11' });

    expect(accepter).toBeInstanceOf(OrgInvitationAccepter);
    expect(accepter.node.scope).toBe(member);
    expect(accepter.waitTimeout.toMinutes()).toBe(10);
    expect([accepter.managementAccountId, accepter.organizationId]).toEqual([MGMT, 'o-exampleorg11']);
    expect(member.dependencies).toEqual([mgmt]);
    expect(mgmt.dependencies).toEqual([]);
    const t = Template.fromStack(member);
    t.resourceCountIs('Custom::OrgInvitationAccepter', 1);
    // literal values only: no cross-stack reference (CloudFormation cannot resolve one across accounts)
    const [resource] = Object.values(t.findResources('Custom::OrgInvitationAccepter'));
    const { ServiceToken: _token, ...properties } = resource.Properties;
    expect(properties).toEqual({ ManagementAccountId: MGMT, OrganizationId: 'o-exampleorg11', WaitTimeoutSeconds: 600, ServiceTimeout: expect.any(String) });
    expect(JSON.stringify(t.toJSON())).not.toMatch(/Fn::ImportValue/);
    expect(Object.keys(Template.fromStack(mgmt).toJSON().Outputs ?? {}).some((k) => /ExportsOutput/.test(k))).toBe(false);
    // the function's timeout follows the wait (10 + 1 minutes)
    t.hasResourceProperties('AWS::Lambda::Function', { Timeout: 660 });
  });

  test('defaults: a 5-minute wait, any organization of the management account; the construct ID derives from the inviter path', () => {
    const { mgmt, member } = stacks();
    const accepter = new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) }).acceptIn(member);
    expect(accepter.waitTimeout.toMinutes()).toBe(5);
    expect(accepter.node.id).toMatch(/^OrgInvitationAccepter-MgmtInvite[0-9A-F]{8}$/);
    const [resource] = Object.values(Template.fromStack(member).findResources('Custom::OrgInvitationAccepter'));
    expect(resource.Properties.OrganizationId).toBeUndefined();
    expect(resource.Properties.ManagementAccountId).toBe(MGMT);
    expect(accepter.organizationId).toBeUndefined();
    // the accepter's output is on by default
    expect(Object.keys(Template.fromStack(member).findOutputs('*'))).toHaveLength(1);
  });

  test('emitOutputs: false reaches the accepter: the member stack has no output', () => {
    const { mgmt, member } = stacks();
    new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) }).acceptIn(member, { emitOutputs: false });
    expect(Template.fromStack(member).findOutputs('*')).toEqual({});
    // the inviter's own output is its own prop
    expect(Object.keys(Template.fromStack(mgmt).findOutputs('*'))).toHaveLength(1);
  });

  test('two invitations accepted in one stack get two accepters with distinct IDs', () => {
    const { app, mgmt, member } = stacks();
    const a = new OrgInvitation(mgmt, 'A', { target: InvitationTarget.account(MEMBER) }).acceptIn(member);
    const other = new Stack(app, 'Other', { env: { account: MGMT, region: 'us-east-1' } });
    const b = new OrgInvitation(other, 'A', { target: InvitationTarget.account(MEMBER) }).acceptIn(member);
    expect(a.node.id).not.toBe(b.node.id);
    expect(member.dependencies.map((s) => s.stackName).sort()).toEqual(['Mgmt', 'Other']);
  });

  test.each([
    ['an email target', { target: InvitationTarget.email('owner@example.com') }, MEMBER],
    ['a token target', 'TOKEN', MEMBER],
    ['an environment-agnostic accepting stack', { target: InvitationTarget.account(MEMBER) }, null],
  ])('allows what only deploy time knows: %s', (_, given, memberAccount) => {
    const { mgmt, member } = stacks(memberAccount);
    const props = typeof given === 'string' ? { target: InvitationTarget.account(new CfnParameter(mgmt, 'Target').valueAsString) } : given;
    expect(() => new OrgInvitation(mgmt, 'Invite', props).acceptIn(member)).not.toThrow();
    expect(member.dependencies).toEqual([mgmt]);
  });

  describe('synth-time errors name the construct and the value', () => {
    test('the accepting stack is not the invited account', () => {
      const { mgmt, member } = stacks('333333333333');
      const invitation = new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) });
      expect(() => invitation.acceptIn(member)).toThrow(/\[Mgmt\/Invite\] acceptIn\(Member\): that stack's account 333333333333 is not the invited account \(222222222222\)/);
    });

    test('the inviting stack is environment-agnostic', () => {
      const { mgmt, member } = stacks(MEMBER, null);
      const invitation = new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) });
      expect(() => invitation.acceptIn(member)).toThrow(/\[Mgmt\/Invite\] acceptIn\(Member\): the inviting stack Mgmt must have a concrete account/);
    });

    test('twice for one stack', () => {
      const { mgmt, member } = stacks();
      const invitation = new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) });
      invitation.acceptIn(member);
      expect(() => invitation.acceptIn(member)).toThrow(/\[Mgmt\/Invite\] acceptIn\(Member\) was already called for this stack/);
    });

    test('the inviting stack itself', () => {
      const { mgmt } = stacks();
      const invitation = new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) });
      expect(() => invitation.acceptIn(mgmt)).toThrow(/\[Mgmt\/Invite\] acceptIn\(Mgmt\): the accepter belongs in a stack of the invited account, not in the inviting stack itself/);
    });

    test('another stack in the inviting account (an email target: any other account passes)', () => {
      const { mgmt, member } = stacks(MGMT);
      const invitation = new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.email('owner@example.com') });
      expect(() => invitation.acceptIn(member)).toThrow(/\[Mgmt\/Invite\] acceptIn\(Member\): that stack is in the inviting account 111111111111 \(the management account\)/);
    });

    test('a bad organization ID is the accepter\'s error', () => {
      const { mgmt, member } = stacks();
      const invitation = new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) });
      expect(() => invitation.acceptIn(member, { organizationId: 'o-BAD' })).toThrow(/organizationId must be 'o-'.*got 'o-BAD'/);
    });

    test('a wait over 14 minutes', () => {
      const { mgmt, member } = stacks();
      const invitation = new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) });
      expect(() => invitation.acceptIn(member, { waitTimeout: Duration.minutes(15) })).toThrow(/waitTimeout must be from 0 seconds up to 14 minutes/);
    });
  });
});

describe('acceptance', () => {
  const assume = (t: Template) => providerStatements(t).filter((s) => s.Action === 'sts:AssumeRole');

  test('passes the role name to the handler and grants sts:AssumeRole on that role in the invited account only', () => {
    const { mgmt } = stacks();
    new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER), acceptance: Acceptance.assumeRole('OrganizationAccountAccessRole') });
    const t = Template.fromStack(mgmt);
    t.hasResourceProperties('Custom::OrgInvitation', { TargetId: MEMBER, TargetType: 'ACCOUNT', AcceptRoleName: 'OrganizationAccountAccessRole' });
    expect(assume(t)).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${MEMBER}:role/OrganizationAccountAccessRole`]] },
    }]);
  });

  test('without acceptance: no AcceptRoleName, no sts:AssumeRole', () => {
    const { mgmt } = stacks();
    new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) });
    const t = Template.fromStack(mgmt);
    const [resource] = Object.values(t.findResources('Custom::OrgInvitation'));
    expect(resource.Properties.AcceptRoleName).toBeUndefined();
    expect(assume(t)).toEqual([]);
  });

  test('a token account target: any account, that role name only', () => {
    const { mgmt } = stacks();
    const target = new CfnParameter(mgmt, 'Target').valueAsString;
    new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(target), acceptance: Acceptance.assumeRole('Accept') });
    expect(assume(Template.fromStack(mgmt))[0].Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/Accept']] });
  });

  test.each([
    ['a literal email target', 'owner@example.com'],
    ['a token email target', 'TOKEN'],
  ])('%s is a synth-time error', (_, email) => {
    const { mgmt } = stacks();
    const address = email === 'TOKEN' ? new CfnParameter(mgmt, 'Owner').valueAsString : email;
    expect(() => new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.email(address), acceptance: Acceptance.assumeRole('Accept') }))
      .toThrow(/\[Mgmt\/Invite\] acceptance needs a target by account ID \(InvitationTarget.account\): the account behind an email address is unknown until it accepts/);
  });

  test('a role name with a path is a synth-time error', () => {
    const { mgmt } = stacks();
    expect(() => new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER), acceptance: Acceptance.assumeRole('team/Accept') }))
      .toThrow(/\[Mgmt\/Invite\] acceptance role name must be an IAM role name.*got 'team\/Accept'/);
  });

  test('the inviter binds its acceptance once, with itself as scope', () => {
    const { mgmt } = stacks();
    const scopes: string[] = [];
    class Recording extends Acceptance {
      public bind(scope: Construct): AcceptanceConfig {
        scopes.push(scope.node.path);
        return { roleName: 'Recorded' };
      }
    }
    new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER), acceptance: new Recording() });
    expect(scopes).toEqual(['Mgmt/Invite']);
    Template.fromStack(mgmt).hasResourceProperties('Custom::OrgInvitation', { AcceptRoleName: 'Recorded' });
  });

  test('an acceptance whose bind gives no role is a synth-time error naming the construct', () => {
    const { mgmt } = stacks();
    class NoRole extends Acceptance {
      public bind(): AcceptanceConfig {
        return {};
      }
    }
    expect(() => new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER), acceptance: new NoRole() }))
      .toThrow(/\[Mgmt\/Invite\] acceptance gave no role to assume \(its bind\(\) returned no roleName\)/);
  });
});
