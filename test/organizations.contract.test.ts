/**
 * The AWS Organizations contract, both sides at once: what the constructs synthesize is what the handlers parse, and
 * every attribute the constructs read is one the handlers write. The properties go through the handler's parse as
 * CloudFormation sends them: template values resolved (parameters), every scalar a string.
 */
import { App, CfnOutput, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ORG_ACCEPTER_SPEC, orgInvitationAccepterLifecycle } from '../lambda/organizations/accepter/lifecycle';
import { orgInvitationLifecycle, toResponse as toInvitationResponse } from '../lambda/organizations/inviter/lifecycle';
import { Acceptance, InvitationTarget, OrgInvitation, OrgInvitationAccepter, OrgInvitationAccepterProps, OrgInvitationProps } from '../src';
import { ORG_ACCEPTER, ORG_INVITATION } from '../src/private/contract/organizations';

const MGMT = '111111111111';
const MEMBER = '222222222222';
const ORG = 'o-exampleorg11';

/** What CloudFormation makes of a template value at deploy time: parameters resolved, scalars as strings. */
function asSent(value: unknown, parameters: Record<string, string>): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => asSent(v, parameters));
  if (value && typeof value === 'object') {
    const ref = (value as { Ref?: string }).Ref;
    if (ref !== undefined) {
      if (!(ref in parameters)) throw new Error(`no deploy-time value for ${ref}`);
      return parameters[ref];
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asSent(v, parameters)]));
  }
  return value;
}

/** The one custom resource of `type` in the stack: its logical ID and the properties its handler receives. */
function synthesized(stack: Stack, type: string, parameters: Record<string, string> = {}) {
  const resources = Template.fromStack(stack).findResources(type);
  expect(Object.keys(resources)).toHaveLength(1);
  const [[logicalId, resource]] = Object.entries(resources);
  const { ServiceToken: _token, ServiceTimeout: _timeout, ...properties } = resource.Properties;
  return { logicalId, raw: asSent(properties, parameters) as Record<string, unknown> };
}

/** The attribute names read from the resource anywhere in the template (outputs, other resources). */
function attributesRead(stack: Stack, logicalId: string): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value && typeof value === 'object') {
      const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt && getAtt[0] === logicalId) names.add(getAtt[1]);
      Object.values(value).forEach(visit);
    }
  };
  visit(Template.fromStack(stack).toJSON());
  return [...names].sort();
}

/** The construct reads exactly `expected` of its resource, and the handler's answer (`data`) holds each of them. */
function expectReadIsWritten(stack: Stack, type: string, data: Record<string, unknown> | undefined, expected: string[]): void {
  const read = attributesRead(stack, synthesized(stack, type).logicalId);
  expect(read).toEqual(expected);
  expect(Object.keys(data ?? {})).toEqual(expect.arrayContaining(read));
}

function mgmtStack(): Stack {
  return new Stack(new App(), 'Mgmt', { env: { account: MGMT, region: 'us-east-1' } });
}

function memberStack(): Stack {
  return new Stack(new App(), 'Member', { env: { account: MEMBER, region: 'us-east-1' } });
}

describe('OrgInvitation: the construct\'s properties are what the handler parses', () => {
  function invitation(props: OrgInvitationProps | ((stack: Stack) => OrgInvitationProps), parameters: Record<string, string> = {}) {
    const stack = mgmtStack();
    new OrgInvitation(stack, 'Invite', typeof props === 'function' ? props(stack) : props);
    return ORG_INVITATION.parse(synthesized(stack, 'Custom::OrgInvitation', parameters).raw);
  }

  test('defaults: an account ID', () => {
    expect(invitation({ target: InvitationTarget.account(MEMBER) })).toEqual({ targetId: MEMBER, targetType: 'ACCOUNT', tags: {} });
  });

  test('an email address', () => {
    expect(invitation({ target: InvitationTarget.email('owner@example.com') })).toEqual({ targetId: 'owner@example.com', targetType: 'EMAIL', tags: {} });
  });

  test('every prop set', () => {
    expect(invitation({
      target: InvitationTarget.account(MEMBER),
      notes: 'Welcome to the landing zone',
      accountTags: { team: 'sandbox', env: 'dev' },
      acceptance: Acceptance.assumeRole('OrganizationAccountAccessRole'),
      emitOutputs: false,
    })).toEqual({
      targetId: MEMBER,
      targetType: 'ACCOUNT',
      notes: 'Welcome to the landing zone',
      tags: { team: 'sandbox', env: 'dev' },
      acceptRoleName: 'OrganizationAccountAccessRole',
    });
  });

  test('tokens: a parameter email target keeps its type', () => {
    const build = (stack: Stack): OrgInvitationProps => ({ target: InvitationTarget.email(new CfnParameter(stack, 'Target').valueAsString) });
    expect(invitation(build, { Target: 'owner@example.com' })).toEqual({ targetId: 'owner@example.com', targetType: 'EMAIL', tags: {} });
  });

  test('a template without TargetType (a token target of a deployment made before InvitationTarget) still parses: the type comes from the value', () => {
    expect(ORG_INVITATION.parse({ TargetId: MEMBER })).toEqual({ targetId: MEMBER, targetType: 'ACCOUNT', tags: {} });
    expect(ORG_INVITATION.parse({ TargetId: 'owner@example.com' })).toEqual({ targetId: 'owner@example.com', targetType: 'EMAIL', tags: {} });
  });

  test('tokens: parameter notes, a parameter role name and a typed parameter target', () => {
    const build = (stack: Stack): OrgInvitationProps => ({
      target: InvitationTarget.account(new CfnParameter(stack, 'Target').valueAsString),
      notes: new CfnParameter(stack, 'Notes').valueAsString,
      acceptance: Acceptance.assumeRole(new CfnParameter(stack, 'Role').valueAsString),
    });
    expect(invitation(build, { Target: MEMBER, Notes: 'hi', Role: 'Accept' }))
      .toEqual({ targetId: MEMBER, targetType: 'ACCOUNT', notes: 'hi', tags: {}, acceptRoleName: 'Accept' });
  });

  test('the lifecycle parses with the contract', () => {
    expect(orgInvitationLifecycle.parse).toBe(ORG_INVITATION.parse);
    expect(orgInvitationLifecycle.parseOld).toBe(ORG_INVITATION.parseOld);
  });

  // issue 17 item 16: what the construct writes is what the handler scrubs
  test('the handler scrubs the notes and the email target the construct synthesizes', () => {
    const stack = mgmtStack();
    new OrgInvitation(stack, 'Invite', { target: InvitationTarget.email('owner@example.com'), notes: 'Welcome to the landing zone' });
    const { raw } = synthesized(stack, 'Custom::OrgInvitation');
    expect(orgInvitationLifecycle.sensitive?.(raw)).toEqual(['Welcome to the landing zone', 'owner@example.com']);
  });

  test('every attribute the construct reads is one the handler writes', () => {
    const stack = mgmtStack();
    const invite = new OrgInvitation(stack, 'Invite', { target: InvitationTarget.account(MEMBER) });
    new CfnOutput(stack, 'Arn', { value: invite.handshakeArn });
    new CfnOutput(stack, 'State', { value: invite.handshakeState });
    const answer = toInvitationResponse({ handshakeId: 'h-abcdef1234', handshakeArn: 'arn', handshakeState: 'OPEN', adopted: false });
    expectReadIsWritten(stack, 'Custom::OrgInvitation', answer.Data, ['HandshakeArn', 'HandshakeId', 'HandshakeState']);
  });
});

describe('OrgInvitationAccepter: the construct\'s properties are what the handler parses', () => {
  function accepter(build: (stack: Stack) => OrgInvitationAccepterProps, parameters: Record<string, string> = {}) {
    const stack = memberStack();
    new OrgInvitationAccepter(stack, 'Accept', build(stack));
    return ORG_ACCEPTER.parse(synthesized(stack, 'Custom::OrgInvitationAccepter', parameters).raw);
  }

  test('defaults: the management account, a 5-minute wait', () => {
    expect(accepter(() => ({ managementAccountId: MGMT }))).toEqual({ managementAccountId: MGMT, waitTimeoutMs: 300_000 });
  });

  test('every prop set', () => {
    expect(accepter(() => ({
      managementAccountId: MGMT,
      organizationId: ORG,
      handshakeId: 'h-abcdef1234',
      waitTimeout: Duration.minutes(14),
      emitOutputs: false,
    }))).toEqual({ managementAccountId: MGMT, organizationId: ORG, handshakeId: 'h-abcdef1234', waitTimeoutMs: 840_000 });
  });

  test('looking once, by organization only', () => {
    expect(accepter(() => ({ organizationId: ORG, waitTimeout: Duration.seconds(0) }))).toEqual({ organizationId: ORG, waitTimeoutMs: 0 });
  });

  test('tokens: parameters for the management account, the organization and the handshake', () => {
    const parsed = accepter((stack) => ({
      managementAccountId: new CfnParameter(stack, 'Mgmt').valueAsString,
      organizationId: new CfnParameter(stack, 'Org').valueAsString,
      handshakeId: new CfnParameter(stack, 'Handshake').valueAsString,
    }), { Mgmt: MGMT, Org: ORG, Handshake: 'h-abcdef1234' });
    expect(parsed).toEqual({ managementAccountId: MGMT, organizationId: ORG, handshakeId: 'h-abcdef1234', waitTimeoutMs: 300_000 });
  });

  test('acceptIn declares what the handler parses: the inviting account and the options', () => {
    const app = new App();
    const mgmt = new Stack(app, 'Mgmt', { env: { account: MGMT, region: 'us-east-1' } });
    const member = new Stack(app, 'Member', { env: { account: MEMBER, region: 'us-east-1' } });
    new OrgInvitation(mgmt, 'Invite', { target: InvitationTarget.account(MEMBER) }).acceptIn(member, { organizationId: ORG, waitTimeout: Duration.minutes(2) });
    expect(ORG_ACCEPTER.parse(synthesized(member, 'Custom::OrgInvitationAccepter').raw))
      .toEqual({ managementAccountId: MGMT, organizationId: ORG, waitTimeoutMs: 120_000 });
  });

  test('the lifecycle parses with the contract', () => {
    expect(ORG_ACCEPTER_SPEC.parse).toBe(ORG_ACCEPTER.parse);
    const raw = { ManagementAccountId: MGMT, WaitTimeoutSeconds: '60' };
    expect(orgInvitationAccepterLifecycle.parse(raw)).toEqual(ORG_ACCEPTER.parse(raw));
  });

  // issue 17 item 11: the IAM grant is built from the same value; '' would match no handshake there
  test('tokens: a parameter with an empty default is refused by the handler, not read as "any organization"', () => {
    const build = (stack: Stack): OrgInvitationAccepterProps => ({
      managementAccountId: MGMT,
      organizationId: new CfnParameter(stack, 'Org', { default: '' }).valueAsString,
      handshakeId: new CfnParameter(stack, 'Handshake', { default: '' }).valueAsString,
    });
    expect(() => accepter(build, { Org: '', Handshake: 'h-abcdef1234' })).toThrow(/The property OrganizationId is empty/);
    expect(() => accepter(build, { Org: ORG, Handshake: '' })).toThrow(/The property HandshakeId is empty/);
    expect(accepter(build, { Org: ORG, Handshake: 'h-abcdef1234' }))
      .toEqual({ managementAccountId: MGMT, organizationId: ORG, handshakeId: 'h-abcdef1234', waitTimeoutMs: 300_000 });
  });

  test('every attribute the construct reads is one the handler writes', () => {
    const stack = memberStack();
    const accept = new OrgInvitationAccepter(stack, 'Accept', { managementAccountId: MGMT });
    new CfnOutput(stack, 'Org', { value: accept.joinedOrganizationId });
    new CfnOutput(stack, 'State', { value: accept.handshakeState });
    const data = ORG_ACCEPTER_SPEC.data({ managementAccountId: MGMT, waitTimeoutMs: 0 },
      { handshakeId: 'h-abcdef1234', organizationId: ORG, handshakeState: 'ACCEPTED', managementAccountId: MGMT }, 'accepted');
    expectReadIsWritten(stack, 'Custom::OrgInvitationAccepter', data, ['HandshakeId', 'HandshakeState', 'OrganizationId']);
  });
});
