/**
 * WorkSpacesAccountLink's cross-account wiring: `acceptIn` (two stacks) and `acceptance` (one stack, through a role).
 */
import { App, CfnParameter, Duration, Names, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { Acceptance } from '../src/acceptance';
import { WorkSpacesAccountLink } from '../src/workspaces-account-link';
import { WorkSpacesAccountLinkAccepter } from '../src/workspaces-account-link-accepter';
import { providerStatements } from './util/provider';

const SOURCE = '111111111111';
const TARGET = '333333333333';
const ACCEPTER_TYPE = 'Custom::WorkSpacesAccountLinkAccepter';

function stacks(member: { account?: string; region?: string } | 'agnostic' = {}) {
  const app = new App();
  const mgmt = new Stack(app, 'Mgmt', { env: { account: SOURCE, region: 'eu-west-1' } });
  const target = member === 'agnostic'
    ? new Stack(app, 'Member')
    : new Stack(app, 'Member', { env: { account: member.account ?? TARGET, region: member.region ?? 'eu-west-1' } });
  const link = new WorkSpacesAccountLink(mgmt, 'Link', { targetAccountId: TARGET });
  return { app, mgmt, target, link };
}

describe('acceptIn', () => {
  test('declares an accepter in the target stack expecting the inviting account, with literal values only, and the stack dependency', () => {
    const { mgmt, target, link } = stacks();
    const accepter = link.acceptIn(target, { waitTimeout: Duration.minutes(10) });

    expect(accepter).toBeInstanceOf(WorkSpacesAccountLinkAccepter);
    // one ID scheme for every inviter: <accepter class>-<unique ID of the inviter>
    expect(accepter.node.path).toBe(`Member/WorkSpacesAccountLinkAccepter-${Names.uniqueId(link)}`);
    expect(accepter.sourceAccountId).toBe(SOURCE);
    expect(accepter.waitTimeout.toMinutes()).toBe(10);
    expect(target.dependencies).toEqual([mgmt]);
    const resources = Object.values(Template.fromStack(target).findResources(ACCEPTER_TYPE));
    expect(resources).toHaveLength(1);
    const { ServiceToken: _token, ServiceTimeout: _timeout, ...props } = resources[0].Properties;
    // no cross-stack reference: no Fn::ImportValue, no link ID token from the other stack
    expect(props).toEqual({ SourceAccountId: SOURCE, WaitTimeoutSeconds: 600 });
    expect(JSON.stringify(Template.fromStack(target).toJSON())).not.toContain('Fn::ImportValue');
    Template.fromStack(target).hasResourceProperties('AWS::Lambda::Function', { Timeout: 660 });
  });

  test('emitOutputs: false reaches the accepter: the target stack has no output (on by default)', () => {
    const { app, link, target } = stacks();
    link.acceptIn(target, { emitOutputs: false });
    const other = new WorkSpacesAccountLink(new Stack(app, 'Other', { env: { account: SOURCE, region: 'eu-west-1' } }), 'Link', { targetAccountId: TARGET });
    const withOutputs = new Stack(app, 'Member2', { env: { account: TARGET, region: 'eu-west-1' } });
    other.acceptIn(withOutputs);
    expect(Template.fromStack(target).findOutputs('*')).toEqual({});
    expect(Object.keys(Template.fromStack(withOutputs).findOutputs('*'))).toHaveLength(1);
  });

  test('default wait of 5 minutes; an environment-agnostic accepting stack is allowed (checked at deploy)', () => {
    const { target, link } = stacks('agnostic');
    link.acceptIn(target);
    Template.fromStack(target).hasResourceProperties(ACCEPTER_TYPE, { SourceAccountId: SOURCE, WaitTimeoutSeconds: 300 });
  });

  test('a target account from a parameter is allowed: only what is known is checked', () => {
    const app = new App();
    const mgmt = new Stack(app, 'Mgmt', { env: { account: SOURCE, region: 'eu-west-1' } });
    const member = new Stack(app, 'Member', { env: { account: '444444444444', region: 'eu-west-1' } });
    const link = new WorkSpacesAccountLink(mgmt, 'Link', { targetAccountId: new CfnParameter(mgmt, 'Target').valueAsString });
    expect(() => link.acceptIn(member)).not.toThrow();
  });

  test('the accepting stack of another account than the target: error naming both', () => {
    const { target, link } = stacks({ account: '444444444444' });
    expect(() => link.acceptIn(target)).toThrow(
      "[Mgmt/Link] acceptIn(Member): that stack's account 444444444444 is not the invited account (333333333333).");
  });

  test('an accepting stack in the inviting account: error', () => {
    const { target, link } = stacks({ account: SOURCE });
    expect(() => link.acceptIn(target)).toThrow(
      '[Mgmt/Link] acceptIn(Member): that stack is in the inviting account 111111111111 (the source account); the accepter belongs in a stack of the invited account.');
  });

  test('another region: error naming both', () => {
    const { target, link } = stacks({ region: 'us-east-1' });
    expect(() => link.acceptIn(target)).toThrow(
      '[Mgmt/Link] acceptIn(Member): that stack is in Region us-east-1, the invitation in eu-west-1; an account link exists in one Region, so both stacks must deploy there.');
  });

  test('an inviting stack without a concrete account: error', () => {
    const app = new App();
    const mgmt = new Stack(app, 'Mgmt');
    const member = new Stack(app, 'Member', { env: { account: TARGET, region: 'eu-west-1' } });
    const link = new WorkSpacesAccountLink(mgmt, 'Link', { targetAccountId: TARGET });
    expect(() => link.acceptIn(member)).toThrow(/^\[Mgmt\/Link\] acceptIn\(Member\): the inviting stack Mgmt must have a concrete account/);
  });

  test('the inviting stack itself: error', () => {
    const { mgmt, link } = stacks();
    expect(() => link.acceptIn(mgmt)).toThrow(/^\[Mgmt\/Link\] acceptIn\(Mgmt\): the accepter belongs in a stack of the invited account, not in the inviting stack itself/);
  });

  test('twice for one stack: error; another link may accept in the same stack', () => {
    const { mgmt, target, link } = stacks();
    link.acceptIn(target);
    expect(() => link.acceptIn(target)).toThrow('[Mgmt/Link] acceptIn(Member) was already called for this stack: one accepter per invitation and stack.');
    const other = new WorkSpacesAccountLink(mgmt, 'Other', { targetAccountId: TARGET });
    expect(other.acceptIn(target).node.path).toBe(`Member/WorkSpacesAccountLinkAccepter-${Names.uniqueId(other)}`);
  });
});

describe('acceptIn: one accepter ID per inviter', () => {
  // issue 17 item 12: the IDs were the inviter's path with '/' turned into '-', so these two collided
  test('Byol/A-Link and Byol-A/Link in one app: two accepters in the member stack, each expecting the source', () => {
    const { mgmt, target } = stacks();
    const first = new WorkSpacesAccountLink(new Construct(mgmt, 'Byol'), 'A-Link', { targetAccountId: TARGET });
    const second = new WorkSpacesAccountLink(new Construct(mgmt, 'Byol-A'), 'Link', { targetAccountId: TARGET });

    const accepters = [first.acceptIn(target), second.acceptIn(target)];

    expect(accepters.map((a) => a.node.id)).toEqual([
      `WorkSpacesAccountLinkAccepter-${Names.uniqueId(first)}`,
      `WorkSpacesAccountLinkAccepter-${Names.uniqueId(second)}`,
    ]);
    expect(accepters[0].node.id).not.toBe(accepters[1].node.id);
    const resources = Object.values(Template.fromStack(target).findResources(ACCEPTER_TYPE));
    expect(resources.map((r) => r.Properties.SourceAccountId)).toEqual([SOURCE, SOURCE]);
  });

  test('links whose paths differ only where a separator stands get their own accepters (no collision)', () => {
    const { mgmt, target } = stacks();
    const flat = new WorkSpacesAccountLink(mgmt, 'Team-Link', { targetAccountId: TARGET });
    const nested = new WorkSpacesAccountLink(new Construct(mgmt, 'Team'), 'Link', { targetAccountId: TARGET });
    const ids = [flat.acceptIn(target), nested.acceptIn(target)].map((a) => a.node.id);
    expect(new Set(ids).size).toBe(2);
    expect(Object.keys(Template.fromStack(target).findResources(ACCEPTER_TYPE))).toHaveLength(2);
  });
});

describe('acceptance', () => {
  test('grants sts:AssumeRole on the role in the target account only, and passes the role name', () => {
    const stack = new Stack(new App(), 'Mgmt', { env: { account: SOURCE, region: 'eu-west-1' } });
    new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: TARGET, acceptance: Acceptance.assumeRole('LinkAccepter') });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('Custom::WorkSpacesAccountLink', { TargetAccountId: TARGET, AcceptRoleName: 'LinkAccepter' });
    const assume = providerStatements(template).filter((s) => s.Action === 'sts:AssumeRole');
    expect(assume).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TARGET}:role/LinkAccepter`]] },
    }]);
  });

  test('without acceptance: no AssumeRole, no AcceptRoleName', () => {
    const stack = new Stack(new App(), 'Mgmt', { env: { account: SOURCE, region: 'eu-west-1' } });
    new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: TARGET });
    const template = Template.fromStack(stack);
    expect(JSON.stringify(providerStatements(template))).not.toContain('sts:AssumeRole');
    expect(Object.values(template.findResources('Custom::WorkSpacesAccountLink'))[0].Properties.AcceptRoleName).toBeUndefined();
  });

  test('a role name that is not an IAM role name: synth error naming the value', () => {
    const stack = new Stack(new App(), 'Mgmt', { env: { account: SOURCE, region: 'eu-west-1' } });
    expect(() => new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: TARGET, acceptance: Acceptance.assumeRole('path/Role') }))
      .toThrow("[Mgmt/Link] acceptance role name must be an IAM role name (1 to 64 letters, digits and +=,.@_-, no path), got 'path/Role'.");
  });

  test('a target from a parameter: AssumeRole on the role name in any account', () => {
    const stack = new Stack(new App(), 'Mgmt', { env: { account: SOURCE, region: 'eu-west-1' } });
    const target = new CfnParameter(stack, 'Target').valueAsString;
    new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: target, acceptance: Acceptance.assumeRole('LinkAccepter') });
    const assume = providerStatements(Template.fromStack(stack)).filter((s) => s.Action === 'sts:AssumeRole');
    expect(assume).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/LinkAccepter']] },
    }]);
  });
});
