/**
 * MacieInvitations' two ways to accept in the same `cdk deploy`: `acceptIn(memberStack)` (an accepter in each member
 * account's stack) and `acceptance` (a role in each member account, from the inviting stack).
 */
import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Acceptance, MacieInvitationAccepter, MacieInvitations, MacieMember } from '../src';
import { providerStatements } from './util/provider';

const ADMIN = '111111111111';
const TWO: MacieMember[] = [
  { accountId: '222222222222', email: 'owner@example.com' },
  { accountId: '333333333333', email: 'security@example.com' },
];

function stacks(memberAccount: string | undefined = '222222222222', memberRegion: string | undefined = 'eu-west-1') {
  const app = new App();
  const admin = new Stack(app, 'Security', { env: { account: ADMIN, region: 'eu-west-1' } });
  const member = new Stack(app, 'Member', memberAccount || memberRegion ? { env: { account: memberAccount, region: memberRegion } } : {});
  const invitations = new MacieInvitations(admin, 'Macie', { members: TWO });
  return { app, admin, member, invitations };
}

describe('acceptIn', () => {
  test('declares an accepter in the member stack expecting the inviting account; the member stack depends on the inviting one', () => {
    const { admin, member, invitations } = stacks();
    const accepter = invitations.acceptIn(member, { waitTimeout: Duration.minutes(10), removalPolicy: RemovalPolicy.RETAIN });
    expect(accepter).toBeInstanceOf(MacieInvitationAccepter);
    expect(accepter.node.scope).toBe(member);
    expect(accepter.administratorAccountId).toBe(ADMIN);
    expect(accepter.waitTimeout.toMinutes()).toBe(10);
    expect(accepter.removalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(member.dependencies).toEqual([admin]);
    const t = Template.fromStack(member);
    t.resourceCountIs('Custom::MacieInvitationAccepter', 1);
    const [resource] = Object.values(t.findResources('Custom::MacieInvitationAccepter')) as Array<{ Properties: Record<string, unknown>; DeletionPolicy: string }>;
    // literal values only: no cross-stack reference (CloudFormation cannot resolve one across accounts)
    expect(resource.Properties).toMatchObject({ AdministratorAccountId: ADMIN, WaitTimeoutSeconds: 600, RemovalPolicy: 'RETAIN' });
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(JSON.stringify(t.toJSON())).not.toMatch(/Fn::ImportValue/);
    // the inviting stack gains nothing
    Template.fromStack(admin).resourceCountIs('Custom::MacieInvitationAccepter', 0);
  });

  test('emitOutputs: false reaches the accepter: the member stack has no output (on by default)', () => {
    const { member, invitations } = stacks();
    const other = new Stack(member.node.scope as App, 'Other', { env: { account: '333333333333', region: 'eu-west-1' } });
    invitations.acceptIn(member, { emitOutputs: false });
    invitations.acceptIn(other);
    expect(Template.fromStack(member).findOutputs('*')).toEqual({});
    expect(Object.keys(Template.fromStack(other).findOutputs('*'))).toHaveLength(1);
  });

  test('defaults: 5-minute wait, DESTROY; the construct ID is derived from the inviter path (two inviters, one member stack)', () => {
    const { admin, member, invitations } = stacks();
    const other = new MacieInvitations(admin, 'MoreMacie', { members: [TWO[0]] });
    const a = invitations.acceptIn(member);
    const b = other.acceptIn(member);
    expect(a.node.id).not.toBe(b.node.id);
    expect(a.node.id).toMatch(/^MacieInvitationAccepter-SecurityMacie/);
    const props = Object.values(Template.fromStack(member).findResources('Custom::MacieInvitationAccepter')).map((r) => r.Properties);
    expect(props).toEqual([
      expect.objectContaining({ AdministratorAccountId: ADMIN, WaitTimeoutSeconds: 300, RemovalPolicy: 'DESTROY' }),
      expect.objectContaining({ AdministratorAccountId: ADMIN, WaitTimeoutSeconds: 300, RemovalPolicy: 'DESTROY' }),
    ]);
  });

  test('several member stacks: one accepter each', () => {
    const { app, invitations } = stacks();
    const second = new Stack(app, 'Member2', { env: { account: '333333333333', region: 'eu-west-1' } });
    const first = app.node.findChild('Member') as Stack;
    invitations.acceptIn(first);
    invitations.acceptIn(second);
    Template.fromStack(first).resourceCountIs('Custom::MacieInvitationAccepter', 1);
    Template.fromStack(second).resourceCountIs('Custom::MacieInvitationAccepter', 1);
  });

  test('an environment-agnostic member stack is allowed (the accepter checks at deploy time)', () => {
    const { member, invitations } = stacks('', '');
    expect(() => invitations.acceptIn(member)).not.toThrow();
  });

  test('token member IDs: any member account is allowed', () => {
    const app = new App();
    const admin = new Stack(app, 'Security', { env: { account: ADMIN, region: 'eu-west-1' } });
    const member = new Stack(app, 'Member', { env: { account: '444444444444', region: 'eu-west-1' } });
    const id = new CfnParameter(admin, 'MemberId').valueAsString;
    const invitations = new MacieInvitations(admin, 'Macie', { members: [{ accountId: id, email: 'a@example.com' }] });
    expect(() => invitations.acceptIn(member)).not.toThrow();
  });

  test('errors: calling twice for one stack', () => {
    const { member, invitations } = stacks();
    invitations.acceptIn(member);
    expect(() => invitations.acceptIn(member)).toThrow('[Security/Macie] acceptIn(Member) was already called for this stack: one accepter per invitation and stack.');
  });

  test('errors: the inviting stack itself', () => {
    const { admin, invitations } = stacks();
    expect(() => invitations.acceptIn(admin)).toThrow('[Security/Macie] acceptIn(Security): the accepter belongs in a stack of the invited account, not in the inviting stack itself.');
  });

  test('errors: an account that is not one of the members', () => {
    const { member, invitations } = stacks('444444444444');
    expect(() => invitations.acceptIn(member)).toThrow(
      "[Security/Macie] acceptIn(Member): that stack's account 444444444444 is not the invited account (222222222222, 333333333333).");
  });

  test('errors: the administrator account itself', () => {
    const { member, invitations } = stacks(ADMIN);
    expect(() => invitations.acceptIn(member)).toThrow(/acceptIn\(Member\): that stack is in the inviting account 111111111111 \(the Macie administrator\)/);
  });

  test('errors: another Region (Macie is regional)', () => {
    const { member, invitations } = stacks('222222222222', 'us-east-1');
    expect(() => invitations.acceptIn(member)).toThrow(
      "[Security/Macie] acceptIn(Member): that stack is in Region us-east-1, the invitation in eu-west-1; Macie is regional: a member accepts in the administrator's Region.");
  });

  test('errors: an inviting stack without a concrete account', () => {
    const app = new App();
    const admin = new Stack(app, 'Security');
    const member = new Stack(app, 'Member', { env: { account: '222222222222', region: 'eu-west-1' } });
    const invitations = new MacieInvitations(admin, 'Macie', { members: TWO });
    expect(() => invitations.acceptIn(member)).toThrow(/^\[Security\/Macie\] acceptIn\(Member\): the inviting stack Security must have a concrete account/);
  });

  test('a rejected call declares nothing and adds no dependency', () => {
    const { member, invitations } = stacks('444444444444');
    expect(() => invitations.acceptIn(member)).toThrow();
    expect(member.dependencies).toEqual([]);
    expect(Template.fromStack(member).toJSON().Resources ?? {}).toEqual({});
  });
});

describe('acceptance', () => {
  test('passes the role name and grants sts:AssumeRole on that role in the member accounts only', () => {
    const stack = new Stack(new App(), 'Security', { env: { account: ADMIN, region: 'eu-west-1' } });
    new MacieInvitations(stack, 'Macie', { members: TWO, acceptance: Acceptance.assumeRole('MacieAccept') });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('Custom::MacieInvitations', { AcceptRoleName: 'MacieAccept' });
    const assume = providerStatements(t).filter((s) => s.Action === 'sts:AssumeRole');
    expect(assume).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Resource: ['222222222222', '333333333333'].map((a) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${a}:role/MacieAccept`]] })),
    }]);
  });

  test('without acceptance: no AcceptRoleName, no sts:AssumeRole', () => {
    const stack = new Stack(new App(), 'Security', { env: { account: ADMIN, region: 'eu-west-1' } });
    new MacieInvitations(stack, 'Macie', { members: TWO });
    const t = Template.fromStack(stack);
    const [resource] = Object.values(t.findResources('Custom::MacieInvitations'));
    expect(resource.Properties.AcceptRoleName).toBeUndefined();
    expect(providerStatements(t).filter((s) => JSON.stringify(s.Action).includes('sts:'))).toEqual([]);
  });

  test('more than 20 members: the role name in any account (the policy stays small), never a wildcard action', () => {
    const stack = new Stack(new App(), 'Security', { env: { account: ADMIN, region: 'eu-west-1' } });
    const members = [...Array(25).keys()].map((i) => ({ accountId: String(200000000000 + i), email: `o${i}@example.com` }));
    new MacieInvitations(stack, 'Macie', { members, acceptance: Acceptance.assumeRole('MacieAccept') });
    const assume = providerStatements(Template.fromStack(stack)).filter((s) => s.Action === 'sts:AssumeRole');
    expect(assume).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/MacieAccept']] },
    }]);
  });

  test('rejects a role name with a path, naming the value', () => {
    const stack = new Stack(new App(), 'Security', { env: { account: ADMIN, region: 'eu-west-1' } });
    expect(() => new MacieInvitations(stack, 'Macie', { members: TWO, acceptance: Acceptance.assumeRole('team/MacieAccept') }))
      .toThrow("[Security/Macie] acceptance role name must be an IAM role name (1 to 64 letters, digits and +=,.@_-, no path), got 'team/MacieAccept'.");
  });
});
