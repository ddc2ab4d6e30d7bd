/**
 * The Security Hub contracts, both sides at once: the `Properties` each construct synthesizes are what its handler's
 * `parse` reads (with the values CloudFormation would send), and every attribute a construct reads is one its
 * handler's `data()` writes.
 */
import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Acceptance, SecurityHubInvitationAccepter, SecurityHubInvitations, SecurityHubMember } from '../src';
import { asSent, attributesRead, Json, synthesized } from './util/contract';
import { SECURITYHUB_ACCEPTER, SECURITYHUB_INVITATIONS } from '../src/private/contract/securityhub';
import { ACCEPTER, REMOVAL } from '../src/private/contract/shared';

const ADMIN = '111111111111';
const MEMBER = '222222222222';
const TWO: SecurityHubMember[] = [
  { accountId: '222222222222', email: 'owner@example.com' },
  { accountId: '333333333333' },
];

const adminStack = (app = new App()) => new Stack(app, 'Security', { env: { account: ADMIN, region: 'eu-west-1' } });
const memberStack = (app = new App()) => new Stack(app, 'Member', { env: { account: MEMBER, region: 'eu-west-1' } });
const INVITER_TYPE = 'Custom::SecurityHubInvitations';
const ACCEPTER_TYPE = 'Custom::SecurityHubInvitationAccepter';

describe('SecurityHubInvitations: the synthesized Properties are what the handler parses', () => {
  test('defaults: an email is optional', () => {
    const stack = adminStack();
    new SecurityHubInvitations(stack, 'Hub', { members: TWO });
    const { properties } = synthesized(stack, INVITER_TYPE);
    const expected = { members: TWO, removalPolicy: 'DESTROY' };
    expect(SECURITYHUB_INVITATIONS.parse(properties)).toStrictEqual(expected);
    expect(SECURITYHUB_INVITATIONS.parse(asSent(properties) as Record<string, Json>)).toStrictEqual(expected);
  });

  test('every prop set: RETAIN, acceptance through a role', () => {
    const stack = adminStack();
    new SecurityHubInvitations(stack, 'Hub', { members: TWO, removalPolicy: RemovalPolicy.RETAIN, acceptance: Acceptance.assumeRole('HubAccept'), emitOutputs: false });
    const { properties } = synthesized(stack, INVITER_TYPE);
    expect(SECURITYHUB_INVITATIONS.parse(asSent(properties) as Record<string, Json>)).toStrictEqual({
      members: TWO, removalPolicy: 'RETAIN', acceptRoleName: 'HubAccept',
    });
  });

  test(`the limit is the contract's: ${SECURITYHUB_INVITATIONS.maxMembers} members pass both sides, one more neither`, () => {
    const stack = adminStack();
    const members = [...Array(SECURITYHUB_INVITATIONS.maxMembers).keys()].map((i) => ({ accountId: String(200000000000 + i) }));
    new SecurityHubInvitations(stack, 'Hub', { members, emitOutputs: false });
    const sent = asSent(synthesized(stack, INVITER_TYPE).properties) as Record<string, Json>;
    expect(SECURITYHUB_INVITATIONS.parse(sent).members).toHaveLength(1000);
    expect(() => new SecurityHubInvitations(adminStack(), 'Hub', { members: [...members, { accountId: '299999999999' }] })).toThrow(/at most 1000 accounts/);
    const list = sent[SECURITYHUB_INVITATIONS.keys.members] as Json[];
    expect(() => SECURITYHUB_INVITATIONS.parse({ ...sent, [SECURITYHUB_INVITATIONS.keys.members]: [...list, { AccountId: '299999999999' }] }))
      .toThrow(/at most 1000 by invitation/);
  });

  test('tokens: account, email and role name from parameters, resolved as CloudFormation does', () => {
    const stack = adminStack();
    const param = (id: string) => new CfnParameter(stack, id).valueAsString;
    new SecurityHubInvitations(stack, 'Hub', {
      members: [{ accountId: param('MemberId'), email: param('MemberEmail') }, TWO[1]],
      acceptance: Acceptance.assumeRole(param('Role')),
      emitOutputs: false,
    });
    const sent = asSent(synthesized(stack, INVITER_TYPE).properties, { MemberId: '444444444444', MemberEmail: 'lead@example.com', Role: 'Accept' });
    expect(SECURITYHUB_INVITATIONS.parse(sent as Record<string, Json>)).toStrictEqual({
      members: [{ accountId: '444444444444', email: 'lead@example.com' }, TWO[1]], removalPolicy: 'DESTROY', acceptRoleName: 'Accept',
    });
    expect(SECURITYHUB_INVITATIONS.parseOld(sent as Record<string, Json>).members.map((m) => m.accountId)).toEqual(['444444444444', TWO[1].accountId]);
  });

  test('the attributes the construct reads are ones the handler writes (with acceptance, the accepted count)', () => {
    const stack = adminStack();
    const invitations = new SecurityHubInvitations(stack, 'Hub', { members: TWO, acceptance: Acceptance.assumeRole('HubAccept') });
    const { logicalId } = synthesized(stack, INVITER_TYPE);
    const [resource, name] = (stack.resolve(invitations.acceptedCount) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
    expect(resource).toBe(logicalId);
    expect(new SecurityHubInvitations(adminStack(), 'Hub', { members: TWO }).acceptedCount).toBeUndefined();
    const written = Object.keys(SECURITYHUB_INVITATIONS.data({
      memberCount: 2, createdCount: 2, invitedCount: 2, adoptedCount: 0, removedCount: 0, retainedCount: 0, acceptedCount: 2,
    }));
    expect(written.sort()).toEqual(Object.values(SECURITYHUB_INVITATIONS.attributes).sort());
    for (const read of [name, ...attributesRead(Template.fromStack(stack).toJSON(), logicalId)]) expect(written).toContain(read);
  });

  test('the sensitive inputs the handler scrubs are every email of the synthesized Properties', () => {
    const stack = adminStack();
    new SecurityHubInvitations(stack, 'Hub', { members: TWO, emitOutputs: false });
    const sent = asSent(synthesized(stack, INVITER_TYPE).properties) as Record<string, Json>;
    expect(SECURITYHUB_INVITATIONS.sensitive(sent)).toEqual(['owner@example.com']);
    expect(SECURITYHUB_INVITATIONS.sensitive({ Members: 'not a list' })).toEqual([]);
  });
});

describe('SecurityHubInvitationAccepter: the synthesized Properties are what the handler parses', () => {
  test('defaults: the contract\'s 5-minute wait, DESTROY', () => {
    const stack = memberStack();
    new SecurityHubInvitationAccepter(stack, 'Join', { administratorAccountId: ADMIN });
    const { properties } = synthesized(stack, ACCEPTER_TYPE);
    const expected = { administratorAccountId: ADMIN, waitTimeoutMs: ACCEPTER.defaultWaitSeconds * 1000, removalPolicy: 'DESTROY' };
    expect(SECURITYHUB_ACCEPTER.parse(properties)).toStrictEqual(expected);
    expect(SECURITYHUB_ACCEPTER.parse(asSent(properties) as Record<string, Json>)).toStrictEqual(expected);
  });

  test('every prop set, and declared by acceptIn: the inviting account is the administrator the handler expects', () => {
    const stack = memberStack();
    new SecurityHubInvitationAccepter(stack, 'Join', { administratorAccountId: ADMIN, waitTimeout: Duration.seconds(0), removalPolicy: RemovalPolicy.RETAIN, emitOutputs: false });
    expect(SECURITYHUB_ACCEPTER.parse(asSent(synthesized(stack, ACCEPTER_TYPE).properties) as Record<string, Json>))
      .toStrictEqual({ administratorAccountId: ADMIN, waitTimeoutMs: 0, removalPolicy: 'RETAIN' });
    const app = new App();
    const member = memberStack(app);
    new SecurityHubInvitations(adminStack(app), 'Hub', { members: TWO }).acceptIn(member, { waitTimeout: Duration.minutes(2) });
    expect(SECURITYHUB_ACCEPTER.parse(asSent(synthesized(member, ACCEPTER_TYPE).properties) as Record<string, Json>))
      .toStrictEqual({ administratorAccountId: ADMIN, waitTimeoutMs: 120_000, removalPolicy: 'DESTROY' });
  });

  test('every attribute the construct reads is one the handler writes; no sensitive input', () => {
    const stack = memberStack();
    const accepter = new SecurityHubInvitationAccepter(stack, 'Join', { administratorAccountId: ADMIN });
    const { logicalId, properties } = synthesized(stack, ACCEPTER_TYPE);
    const written = Object.keys(SECURITYHUB_ACCEPTER.data({ invitationId: 'x', memberStatus: 'Enabled', administratorAccountId: ADMIN }));
    const read = [accepter.invitationId, accepter.memberStatus].map((token) => {
      const [resource, name] = (stack.resolve(token) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      expect(resource).toBe(logicalId);
      return name;
    });
    const fromTemplate = attributesRead(Template.fromStack(stack).toJSON(), logicalId);
    expect(fromTemplate).toEqual([SECURITYHUB_ACCEPTER.attributes.administratorAccountId]);
    for (const name of [...read, ...fromTemplate]) expect(written).toContain(name);
    expect(Object.keys(properties).sort()).toEqual([SECURITYHUB_ACCEPTER.keys.administratorAccountId, ACCEPTER.waitKey, REMOVAL.key].sort());
    expect(SECURITYHUB_ACCEPTER.sensitive(asSent(properties) as Record<string, Json>)).toEqual([]);
  });
});
