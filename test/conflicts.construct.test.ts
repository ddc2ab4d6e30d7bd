/**
 * Synth-time warnings where a deploy will fail or do nothing (src/private/conflicts.ts): each names both constructs
 * by path; tokens are skipped; constructs in different stacks never conflict.
 */
import { App, CfnParameter, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import {
  Acceptance, InvitationTarget, MacieInvitationAccepter, MacieInvitations, OrgInvitation, OrgInvitationAccepter,
  SecurityHubInvitationAccepter, SecurityHubInvitations, WorkSpacesAccountLink,
} from '../src';

const env = (account: string) => ({ account, region: 'us-east-1' });

function warnings(of: Stack, id?: string): string[] {
  return Annotations.fromStack(of).findWarning('*', Match.anyValue())
    .map((w) => String(w.entry.data))
    .filter((m) => id === undefined || m.includes(`cdk-account-invitations:${id}`));
}

function stack(account = '111111111111', app = new App()): Stack {
  return new Stack(app, `S${account}`, { env: env(account) });
}

const member = (accountId: string) => ({ accountId, email: `owner-${accountId}@example.com` });

/** The services whose member lists join accounts to one administrator per Region, as the warnings name them. */
const MEMBER_SERVICES = [
  {
    service: 'Macie',
    prefix: 'macie',
    inviter: (s: Stack, id: string, ids: string[]) => new MacieInvitations(s, id, { members: ids.map(member) }),
    accepter: (s: Stack, id: string, administratorAccountId: string) => new MacieInvitationAccepter(s, id, { administratorAccountId }),
  },
  {
    service: 'Security Hub',
    prefix: 'securityHub',
    inviter: (s: Stack, id: string, ids: string[]) => new SecurityHubInvitations(s, id, { members: ids.map((accountId) => ({ accountId })) }),
    accepter: (s: Stack, id: string, administratorAccountId: string) => new SecurityHubInvitationAccepter(s, id, { administratorAccountId }),
  },
];

describe.each(MEMBER_SERVICES)('the same account in two $service inviters of one stack', ({ service, prefix, inviter }) => {
  test('warns on the second, naming both constructs and the shared accounts only', () => {
    const s = stack();
    inviter(s, 'First', ['222222222222', '333333333333']);
    inviter(s, 'Second', ['333333333333', '444444444444']);
    const found = warnings(s, `${prefix}MemberTwice`);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`S111111111111/Second and S111111111111/First both invite 333333333333 to the same ${service} administrator`);
    expect(found[0]).not.toContain('222222222222');
    expect(found[0]).not.toContain('444444444444');
  });

  test('many shared accounts: one warning per pair of constructs, the list shortened', () => {
    const s = stack();
    const ids = Array.from({ length: 8 }, (_, i) => `${200000000000 + i}`);
    inviter(s, 'First', ids);
    inviter(s, 'Second', ids);
    const found = warnings(s, `${prefix}MemberTwice`);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('and 3 more');
  });

  test('no warning: different accounts, two stacks, or token account IDs', () => {
    const s = stack();
    inviter(s, 'First', ['222222222222']);
    inviter(s, 'Second', ['333333333333']);
    const other = stack('555555555555', s.node.root as App);
    inviter(other, 'Third', ['222222222222']);
    const p = new CfnParameter(s, 'Account');
    inviter(s, 'Token1', [p.valueAsString]);
    inviter(s, 'Token2', [p.valueAsString]);
    expect(warnings(s)).toEqual([]);
    expect(warnings(other)).toEqual([]);
  });
});

test('the same account in a MacieInvitations and a SecurityHubInvitations of one stack is no conflict (two services)', () => {
  const s = stack();
  new MacieInvitations(s, 'Macie', { members: [member('222222222222')] });
  new SecurityHubInvitations(s, 'SecurityHub', { members: [{ accountId: '222222222222' }] });
  expect(warnings(s)).toEqual([]);
});

describe.each(MEMBER_SERVICES)('two $service accepters for different administrators in one stack', ({ service, prefix, accepter }) => {
  test('warns on the second, naming both constructs and both administrators', () => {
    const s = stack('222222222222');
    accepter(s, 'JoinA', '111111111111');
    accepter(s, 'JoinB', '999999999999');
    const found = warnings(s, `${prefix}TwoAdministrators`);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`S222222222222/JoinB accepts the ${service} invitation of 999999999999, but S222222222222/JoinA`);
    expect(found[0]).toContain('that of 111111111111');
  });

  test('no warning for the same administrator twice (acceptIn of two inviters of one account) or a token', () => {
    const s = stack('222222222222');
    accepter(s, 'JoinA', '111111111111');
    accepter(s, 'JoinAgain', '111111111111');
    accepter(s, 'JoinToken', new CfnParameter(s, 'Admin').valueAsString);
    expect(warnings(s)).toEqual([]);
  });
});

describe('two MacieInvitationAccepters for different administrators in one stack', () => {
  test('warns on the second, naming both constructs and both administrators', () => {
    const s = stack('222222222222');
    new MacieInvitationAccepter(s, 'JoinA', { administratorAccountId: '111111111111' });
    new MacieInvitationAccepter(s, 'JoinB', { administratorAccountId: '999999999999' });
    const found = warnings(s, 'macieTwoAdministrators');
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('S222222222222/JoinB accepts the Macie invitation of 999999999999, but S222222222222/JoinA');
    expect(found[0]).toContain('that of 111111111111');
  });

  test('no warning for the same administrator twice (acceptIn of two inviters of one account) or a token', () => {
    const s = stack('222222222222');
    new MacieInvitationAccepter(s, 'JoinA', { administratorAccountId: '111111111111' });
    new MacieInvitationAccepter(s, 'JoinAgain', { administratorAccountId: '111111111111' });
    new MacieInvitationAccepter(s, 'JoinToken', { administratorAccountId: new CfnParameter(s, 'Admin').valueAsString });
    expect(warnings(s)).toEqual([]);
  });
});

describe('two OrgInvitationAccepters for different organizations in one stack', () => {
  test.each([
    ['management accounts', { managementAccountId: '111111111111' }, { managementAccountId: '999999999999' }, 'management account 999999999999', 'management account 111111111111'],
    ['organizations', { organizationId: 'o-aaaaaaaaaa' }, { organizationId: 'o-bbbbbbbbbb' }, 'organization o-bbbbbbbbbb', 'organization o-aaaaaaaaaa'],
  ])('different %s: one warning on the second, naming both', (_what, first, second, mine, theirs) => {
    const s = stack('222222222222');
    new OrgInvitationAccepter(s, 'JoinA', first);
    new OrgInvitationAccepter(s, 'JoinB', second);
    const found = warnings(s, 'orgTwoOrganizations');
    expect(found).toEqual([expect.stringContaining(`S222222222222/JoinB expects ${mine}, but S222222222222/JoinA in the same stack expects ${theirs}`)]);
  });

  test('both differ: still one warning per pair', () => {
    const s = stack('222222222222');
    new OrgInvitationAccepter(s, 'JoinA', { managementAccountId: '111111111111', organizationId: 'o-aaaaaaaaaa' });
    new OrgInvitationAccepter(s, 'JoinB', { managementAccountId: '999999999999', organizationId: 'o-bbbbbbbbbb' });
    expect(warnings(s, 'orgTwoOrganizations')).toHaveLength(1);
  });

  test('no warning: the same organization by another field, the same values, or tokens', () => {
    const s = stack('222222222222');
    new OrgInvitationAccepter(s, 'ByAccount', { managementAccountId: '111111111111' });
    new OrgInvitationAccepter(s, 'ByOrg', { organizationId: 'o-aaaaaaaaaa', waitTimeout: Duration.minutes(1) });
    new OrgInvitationAccepter(s, 'Both', { managementAccountId: '111111111111', organizationId: 'o-aaaaaaaaaa' });
    new OrgInvitationAccepter(s, 'Token', { managementAccountId: new CfnParameter(s, 'Mgmt').valueAsString });
    expect(warnings(s)).toEqual([]);
  });
});

describe('acceptance and acceptIn on the same invitation', () => {
  const role = Acceptance.assumeRole('AcceptRole');
  test.each([
    ['OrgInvitation', (s: Stack) => new OrgInvitation(s, 'Invite', { target: InvitationTarget.account('222222222222'), acceptance: role })],
    ['MacieInvitations', (s: Stack) => new MacieInvitations(s, 'Invite', { members: [member('222222222222')], acceptance: role })],
    ['WorkSpacesAccountLink', (s: Stack) => new WorkSpacesAccountLink(s, 'Invite', { targetAccountId: '222222222222', acceptance: role })],
  ])('%s: warns on the accepter, naming the accepter and the inviter', (_kind, make) => {
    const app = new App();
    const mgmt = stack('111111111111', app);
    const memberStack = stack('222222222222', app);
    const accepter = make(mgmt).acceptIn(memberStack);
    const found = warnings(memberStack, 'acceptInWithAcceptance');
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`${accepter.node.path} and the acceptance of S111111111111/Invite both accept the same invitation`);
  });

  test('no warning without acceptance', () => {
    const app = new App();
    const memberStack = stack('222222222222', app);
    new OrgInvitation(stack('111111111111', app), 'Invite', { target: InvitationTarget.account('222222222222') }).acceptIn(memberStack);
    expect(warnings(memberStack)).toEqual([]);
  });
});

describe('messages that name the construct', () => {
  test('a sub-second waitTimeout', () => {
    const s = stack('222222222222');
    expect(() => new OrgInvitationAccepter(s, 'Join', { organizationId: 'o-aaaaaaaaaa', waitTimeout: Duration.millis(1500) }))
      .toThrow('[S222222222222/Join] waitTimeout must be a whole number of seconds (the handler waits in seconds), got 1 second 500 millis.');
  });

  test.each([
    ['OrgInvitation targetId', (s: Stack, v: string) => new OrgInvitation(s, 'X', { target: InvitationTarget.account(v) }), 'target'],
    ['MacieInvitations accountId', (s: Stack, v: string) => new MacieInvitations(s, 'X', { members: [{ accountId: v, email: 'a@example.com' }] }), 'members[0].accountId'],
    ['MacieInvitations email', (s: Stack, v: string) => new MacieInvitations(s, 'X', { members: [{ accountId: '222222222222', email: v }] }), 'members[0].email'],
    ['OrgInvitationAccepter organizationId', (s: Stack, v: string) => new OrgInvitationAccepter(s, 'X', { organizationId: v }), 'organizationId'],
  ])('%s: an element of a token list hints at Fn.select', (_what, make, prop) => {
    const s = stack();
    const list = new CfnParameter(s, 'List', { type: 'CommaDelimitedList' }).valueAsList;
    expect(() => make(s, list[0])).toThrow(new RegExp(`^\\[S111111111111/X\\] ${prop.replace(/[[\]]/g, '\\$&')} is an element of a token list .* use Fn\\.select\\(0, param\\.valueAsList\\)`));
    // Fn.select is a plain string token: accepted, checked at deploy time
    const fresh = stack('555555555555');
    const freshList = new CfnParameter(fresh, 'List', { type: 'CommaDelimitedList' }).valueAsList;
    expect(() => make(fresh, Fn.select(0, freshList))).not.toThrow();
  });
});
