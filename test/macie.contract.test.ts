/**
 * The Macie contracts, both sides at once: the `Properties` each construct synthesizes are what its handler's
 * `parse` reads (with the values CloudFormation would send), and every attribute a construct reads is one its
 * handler's `data()` writes. A key renamed on one side only, or a default or limit written twice, fails here.
 */
import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Acceptance, MacieInvitationAccepter, MacieInvitations, MacieMember } from '../src';
import { MACIE_ACCEPTER, MACIE_INVITATIONS } from '../src/private/contract/macie';
import { ACCEPTER, REMOVAL } from '../src/private/contract/shared';

const ADMIN = '111111111111';
const MEMBER = '222222222222';
const TWO: MacieMember[] = [
  { accountId: '222222222222', email: 'owner@example.com' },
  { accountId: '333333333333', email: 'security@example.com' },
];

type Json = unknown;

function adminStack(app = new App()): Stack {
  return new Stack(app, 'Security', { env: { account: ADMIN, region: 'eu-west-1' } });
}

function memberStack(app = new App()): Stack {
  return new Stack(app, 'Member', { env: { account: MEMBER, region: 'eu-west-1' } });
}

/** The one custom resource of `type` in `stack`: its logical ID and its Properties without the resource's own. */
function synthesized(stack: Stack, type: string): { logicalId: string; properties: Record<string, Json> } {
  const resources = Object.entries(Template.fromStack(stack).findResources(type));
  expect(resources).toHaveLength(1);
  const [logicalId, resource] = resources[0];
  const { ServiceToken, ServiceTimeout, ...properties } = resource.Properties as Record<string, Json>;
  expect(ServiceToken).toBeDefined();
  expect(ServiceTimeout).toBeDefined();
  return { logicalId, properties };
}

/**
 * What CloudFormation passes the handler for these template Properties: `Ref`s to parameters resolved to their
 * values, and every scalar as a string (numbers and booleans included).
 */
function asSent(value: Json, parameters: Record<string, string> = {}): Json {
  if (Array.isArray(value)) return value.map((v) => asSent(v, parameters));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, Json>);
    if (entries.length === 1 && entries[0][0] === 'Ref') {
      const name = entries[0][1] as string;
      if (!(name in parameters)) throw new Error(`no value for the parameter ${name}`);
      return parameters[name];
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, asSent(v, parameters)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** The attribute names a template reads from the resource `logicalId` (`Fn::GetAtt`, anywhere in the template). */
function attributesRead(template: Json, logicalId: string): string[] {
  const found = new Set<string>();
  const walk = (value: Json) => {
    if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value !== null && typeof value === 'object') {
      const getAtt = (value as Record<string, Json>)['Fn::GetAtt'];
      if (Array.isArray(getAtt) && getAtt[0] === logicalId) found.add(getAtt[1] as string);
      Object.values(value as Record<string, Json>).forEach(walk);
    }
  };
  walk(template);
  return [...found].sort();
}

describe('MacieInvitations: the synthesized Properties are what the handler parses', () => {
  test('defaults', () => {
    const stack = adminStack();
    new MacieInvitations(stack, 'Macie', { members: TWO });
    const { properties } = synthesized(stack, 'Custom::MacieInvitations');
    const expected = { members: TWO, message: undefined, disableEmailNotification: false, removalPolicy: 'DESTROY' };
    // as the template holds them (booleans as booleans) and as CloudFormation sends them (strings)
    expect(MACIE_INVITATIONS.parse(properties)).toStrictEqual(expected);
    expect(MACIE_INVITATIONS.parse(asSent(properties) as Record<string, Json>)).toStrictEqual(expected);
    expect(MACIE_INVITATIONS.parse(properties).acceptRoleName).toBeUndefined();
  });

  test('every prop set: message, no email, RETAIN, acceptance through a role', () => {
    const stack = adminStack();
    new MacieInvitations(stack, 'Macie', {
      members: TWO,
      message: 'Please join the central Macie account \u{1F6E1}',
      disableEmailNotification: true,
      removalPolicy: RemovalPolicy.RETAIN,
      acceptance: Acceptance.assumeRole('MacieAccept'),
      emitOutputs: false,
    });
    const { properties } = synthesized(stack, 'Custom::MacieInvitations');
    expect(MACIE_INVITATIONS.parse(asSent(properties) as Record<string, Json>)).toStrictEqual({
      members: TWO,
      message: 'Please join the central Macie account \u{1F6E1}',
      disableEmailNotification: true,
      removalPolicy: 'RETAIN',
      acceptRoleName: 'MacieAccept',
    });
  });

  test(`the limits are the contract's: ${MACIE_INVITATIONS.maxMembers} members and a message of ${MACIE_INVITATIONS.maxMessageLength} characters pass both sides`, () => {
    const stack = adminStack();
    const members = [...Array(MACIE_INVITATIONS.maxMembers).keys()].map((i) => ({ accountId: String(200000000000 + i), email: `o${i}@example.com` }));
    const message = '\u{1F600}'.repeat(MACIE_INVITATIONS.maxMessageLength);
    new MacieInvitations(stack, 'Macie', { members, message, emitOutputs: false });
    const sent = asSent(synthesized(stack, 'Custom::MacieInvitations').properties) as Record<string, Json>;
    const parsed = MACIE_INVITATIONS.parse(sent);
    expect(parsed.members).toHaveLength(MACIE_INVITATIONS.maxMembers);
    expect(parsed.members[999]).toEqual({ accountId: '200000000999', email: 'o999@example.com' });
    expect(parsed.message).toBe(message);
    // one more is refused by both: the construct at synth, the handler at deploy time
    expect(() => new MacieInvitations(adminStack(), 'Macie', { members: [...members, { accountId: '299999999999', email: 'x@example.com' }] }))
      .toThrow(/at most 1000 accounts/);
    expect(() => MACIE_INVITATIONS.parse({ ...sent, [MACIE_INVITATIONS.keys.message]: `${message}x` }))
      .toThrow(/at most 80 characters/);
    expect(() => new MacieInvitations(adminStack(), 'Macie', { members: TWO, message: `${message}x` })).toThrow(/at most 80 characters/);
  });

  test('tokens: member account, email, message and role name from parameters, resolved as CloudFormation does', () => {
    const stack = adminStack();
    const param = (id: string) => new CfnParameter(stack, id).valueAsString;
    new MacieInvitations(stack, 'Macie', {
      members: [{ accountId: param('MemberId'), email: param('MemberEmail') }, TWO[1]],
      message: param('Message'),
      acceptance: Acceptance.assumeRole(param('Role')),
      emitOutputs: false,
    });
    const { properties } = synthesized(stack, 'Custom::MacieInvitations');
    const sent = asSent(properties, { MemberId: '444444444444', MemberEmail: 'lead@example.com', Message: 'Welcome', Role: 'Accept' });
    expect(MACIE_INVITATIONS.parse(sent as Record<string, Json>)).toStrictEqual({
      members: [{ accountId: '444444444444', email: 'lead@example.com' }, TWO[1]],
      message: 'Welcome',
      disableEmailNotification: false,
      removalPolicy: 'DESTROY',
      acceptRoleName: 'Accept',
    });
    // the identifying fields alone (an older version's properties): the same account IDs
    expect(MACIE_INVITATIONS.parseOld(sent as Record<string, Json>).members.map((m) => m.accountId)).toEqual(['444444444444', TWO[1].accountId]);
  });

  test('the attributes the construct reads are ones the handler writes (counts only; with acceptance, the accepted ones)', () => {
    const stack = adminStack();
    const invitations = new MacieInvitations(stack, 'Macie', { members: TWO, acceptance: Acceptance.assumeRole('MacieAccept') });
    const { logicalId } = synthesized(stack, 'Custom::MacieInvitations');
    const read = [invitations.acceptedCount, invitations.enabledCount].map((token) => {
      const [resource, name] = (stack.resolve(token) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      expect(resource).toBe(logicalId);
      return name;
    });
    expect(read).toEqual([MACIE_INVITATIONS.attributes.acceptedCount, MACIE_INVITATIONS.attributes.enabledCount]);
    // without acceptance there is nothing to count: no attribute
    const plain = new MacieInvitations(adminStack(), 'Macie', { members: TWO });
    expect([plain.acceptedCount, plain.enabledCount]).toEqual([undefined, undefined]);
    const written = Object.keys(MACIE_INVITATIONS.data({
      memberCount: 2,
      createdCount: 2,
      invitedCount: 2,
      adoptedCount: 0,
      recreatedCount: 0,
      organizationManagedCount: 0,
      removedCount: 0,
      retainedCount: 0,
      acceptedCount: 2,
      enabledCount: 2,
    }));
    expect(written.sort()).toEqual(Object.values(MACIE_INVITATIONS.attributes).sort());
    for (const name of [...read, ...attributesRead(Template.fromStack(stack).toJSON(), logicalId)]) expect(written).toContain(name);
  });

  test('the sensitive inputs the handler scrubs are read from the synthesized Properties: the message and every email', () => {
    const stack = adminStack();
    new MacieInvitations(stack, 'Macie', { members: TWO, message: 'Please join the central Macie account', emitOutputs: false });
    const sent = asSent(synthesized(stack, 'Custom::MacieInvitations').properties) as Record<string, Json>;
    expect(MACIE_INVITATIONS.sensitive(sent)).toEqual(['Please join the central Macie account', ...TWO.map((m) => m.email)]);
    // properties that do not parse are still scrubbed
    expect(MACIE_INVITATIONS.sensitive({ Message: 'Hello there', Members: 'not a list' })).toEqual(['Hello there']);
  });
});

describe('MacieInvitationAccepter: the synthesized Properties are what the handler parses', () => {
  test('defaults: the contract\'s 5-minute wait, DESTROY', () => {
    const stack = memberStack();
    new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: ADMIN });
    const { properties } = synthesized(stack, 'Custom::MacieInvitationAccepter');
    const expected = { administratorAccountId: ADMIN, waitTimeoutMs: ACCEPTER.defaultWaitSeconds * 1000, removalPolicy: 'DESTROY' };
    expect(MACIE_ACCEPTER.parse(properties)).toStrictEqual(expected);
    expect(MACIE_ACCEPTER.parse(asSent(properties) as Record<string, Json>)).toStrictEqual(expected);
  });

  test.each([
    ['no wait (look once)', Duration.seconds(0), 0],
    ['the longest wait', Duration.seconds(ACCEPTER.maxWaitSeconds), ACCEPTER.maxWaitSeconds * 1000],
    ['90 seconds', Duration.seconds(90), 90_000],
  ])('every prop set: %s, RETAIN', (_name, waitTimeout, waitTimeoutMs) => {
    const stack = memberStack();
    new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: ADMIN, waitTimeout, removalPolicy: RemovalPolicy.RETAIN, emitOutputs: false });
    const { properties } = synthesized(stack, 'Custom::MacieInvitationAccepter');
    expect(MACIE_ACCEPTER.parse(asSent(properties) as Record<string, Json>)).toStrictEqual({ administratorAccountId: ADMIN, waitTimeoutMs, removalPolicy: 'RETAIN' });
  });

  test('tokens: the administrator from a parameter, resolved as CloudFormation does', () => {
    const stack = memberStack();
    new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: new CfnParameter(stack, 'Admin').valueAsString });
    const { properties } = synthesized(stack, 'Custom::MacieInvitationAccepter');
    expect(MACIE_ACCEPTER.parse(asSent(properties, { Admin: '999999999999' }) as Record<string, Json>).administratorAccountId).toBe('999999999999');
  });

  test('declared by acceptIn: the inviting account is the administrator the handler expects', () => {
    const app = new App();
    const member = memberStack(app);
    new MacieInvitations(adminStack(app), 'Macie', { members: TWO }).acceptIn(member, { waitTimeout: Duration.minutes(2) });
    const { properties } = synthesized(member, 'Custom::MacieInvitationAccepter');
    expect(MACIE_ACCEPTER.parse(asSent(properties) as Record<string, Json>)).toStrictEqual({ administratorAccountId: ADMIN, waitTimeoutMs: 120_000, removalPolicy: 'DESTROY' });
  });

  test('every attribute the construct reads is one the handler writes', () => {
    const stack = memberStack();
    const accepter = new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: ADMIN });
    const { logicalId } = synthesized(stack, 'Custom::MacieInvitationAccepter');
    const written = Object.keys(MACIE_ACCEPTER.data({ invitationId: 'x', relationshipStatus: 'Enabled', administratorAccountId: ADMIN }));
    // the construct's attributes, and what the template itself reads (the output)
    const read = [accepter.invitationId, accepter.relationshipStatus].map((token) => {
      const [resource, name] = (stack.resolve(token) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      expect(resource).toBe(logicalId);
      return name;
    });
    const fromTemplate = attributesRead(Template.fromStack(stack).toJSON(), logicalId);
    expect(fromTemplate).toEqual([MACIE_ACCEPTER.attributes.administratorAccountId]);
    for (const name of [...read, ...fromTemplate]) expect(written).toContain(name);
  });

  test('no sensitive input: the synthesized Properties hold account IDs, a wait and a removal policy only', () => {
    const stack = memberStack();
    new MacieInvitationAccepter(stack, 'JoinMacie', { administratorAccountId: ADMIN });
    const sent = asSent(synthesized(stack, 'Custom::MacieInvitationAccepter').properties) as Record<string, Json>;
    expect(Object.keys(sent).sort()).toEqual([MACIE_ACCEPTER.keys.administratorAccountId, ACCEPTER.waitKey, REMOVAL.key].sort());
    expect(MACIE_ACCEPTER.sensitive(sent)).toEqual([]);
  });
});
