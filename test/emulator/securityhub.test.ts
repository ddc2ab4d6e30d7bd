/**
 * The emulator's Security Hub with the real SDK v3 client: both sides across accounts, UnprocessedAccounts, the
 * hub-off answer, organization accounts, and the routing of the paths it shares with Macie.
 */
import { CreateMemberCommand, Macie2Client } from '@aws-sdk/client-macie2';
import {
  AcceptAdministratorInvitationCommand,
  CreateMembersCommand,
  DeleteMembersCommand,
  DescribeHubCommand,
  DisassociateFromAdministratorAccountCommand,
  DisassociateMembersCommand,
  EnableSecurityHubCommand,
  GetAdministratorAccountCommand,
  GetMembersCommand,
  InvalidAccessException,
  InviteMembersCommand,
  paginateListInvitations,
  ListMembersCommand,
  paginateListMembers,
  ResourceConflictException,
  ResourceNotFoundException,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { credentialsFor, Emulator, startEmulator } from './emulator';
import { ALREADY_MEMBER, ORGANIZATION_ACCOUNT } from './securityhub';

const ADMIN = '111111111111';
const MEMBER = '222222222222';
const OTHER = '333333333333';

let emulator: Emulator;
const clients: Array<{ destroy(): void }> = [];

function hub(account = ADMIN, maxAttempts = 1): SecurityHubClient {
  const client = new SecurityHubClient({ endpoint: emulator.url, region: 'us-east-1', credentials: credentialsFor(account), maxAttempts });
  clients.push(client);
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (e) {
    return e as never;
  }
  throw new Error('expected the call to fail');
}

beforeEach(async () => {
  emulator = await startEmulator();
});

afterEach(async () => {
  clients.splice(0).forEach((c) => c.destroy());
  expect(emulator.validationErrors).toEqual([]);
  await emulator.stop();
});

describe('Security Hub', () => {
  test('invite, the member lists and accepts, the administrator sees it Enabled; leaving makes it Resigned', async () => {
    emulator.securityhub.enable(MEMBER);
    const created = await hub().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: MEMBER, Email: 'm@example.com' }] }));
    expect(created.UnprocessedAccounts).toEqual([]);
    expect(await hub().send(new InviteMembersCommand({ AccountIds: [MEMBER] }))).toMatchObject({ UnprocessedAccounts: [] });

    // the emulator's default paging answers an empty first page with a NextToken: page to the end
    const Invitations = [];
    for await (const page of paginateListInvitations({ client: hub(MEMBER) }, {})) Invitations.push(...(page.Invitations ?? []));
    expect(Invitations).toEqual([expect.objectContaining({ AccountId: ADMIN, MemberStatus: 'Invited' })]);
    await hub(MEMBER).send(new AcceptAdministratorInvitationCommand({ AdministratorId: ADMIN, InvitationId: Invitations[0].InvitationId }));

    const { Administrator } = await hub(MEMBER).send(new GetAdministratorAccountCommand({}));
    expect(Administrator).toMatchObject({ AccountId: ADMIN, MemberStatus: 'Enabled', InvitationId: Invitations[0].InvitationId });
    // OnlyAssociated defaults to true: only Enabled members
    const listed = [];
    for await (const page of paginateListMembers({ client: hub() }, {})) listed.push(...(page.Members ?? []));
    expect(listed.map((m) => [m.AccountId, m.MemberStatus])).toEqual([[MEMBER, 'Enabled']]);

    await hub(MEMBER).send(new DisassociateFromAdministratorAccountCommand({}));
    expect(emulator.securityhub.membersByStatus()).toEqual({ Resigned: [MEMBER] });
    const again = await rejection(hub(MEMBER).send(new DisassociateFromAdministratorAccountCommand({})));
    expect(again).toBeInstanceOf(ResourceNotFoundException);
    expect(emulator.calls['securityhub:AcceptAdministratorInvitation']).toBe(1);
  });

  test('UnprocessedAccounts: an existing member, an injected refusal; more than 50 details are invalid (model)', async () => {
    await hub().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: MEMBER }] }));
    emulator.securityhub.failCreateFor(OTHER, 'Maximum number of results exceeded', 1);
    const again = await hub().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: MEMBER }, { AccountId: OTHER }] }));
    expect(again.UnprocessedAccounts).toEqual([
      { AccountId: MEMBER, ProcessingResult: ALREADY_MEMBER },
      { AccountId: OTHER, ProcessingResult: 'Maximum number of results exceeded' },
    ]);
    const details = [...Array(51).keys()].map((i) => ({ AccountId: String(500000000000 + i) }));
    await rejection(hub().send(new CreateMembersCommand({ AccountDetails: details })));
    expect(emulator.validationErrors).toHaveLength(1);
    emulator.validationErrors.length = 0;
  });

  test('InviteMembers: unknown member is ResourceNotFoundException; an account of the organization is unprocessed', async () => {
    expect(await rejection(hub().send(new InviteMembersCommand({ AccountIds: [MEMBER] })))).toBeInstanceOf(ResourceNotFoundException);
    emulator.org.addMemberAccount(OTHER, 'other@example.com');
    await hub().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: OTHER }] }));
    const out = await hub().send(new InviteMembersCommand({ AccountIds: [OTHER] }));
    expect(out.UnprocessedAccounts).toEqual([{ AccountId: OTHER, ProcessingResult: ORGANIZATION_ACCOUNT }]);
  });

  test('hub off: InvalidAccessException (401); EnableSecurityHub turns it on, twice is a conflict', async () => {
    const off = await rejection(hub(MEMBER).send(new DescribeHubCommand({})));
    expect(off).toBeInstanceOf(InvalidAccessException);
    expect(off.$metadata.httpStatusCode).toBe(401);
    expect(off.message).toContain(`Account ${MEMBER} is not subscribed to AWS Security Hub`);
    await hub(MEMBER).send(new EnableSecurityHubCommand({ EnableDefaultStandards: false }));
    expect((await hub(MEMBER).send(new DescribeHubCommand({}))).HubArn).toBe(`arn:aws:securityhub:us-east-1:${MEMBER}:hub/default`);
    expect(await rejection(hub(MEMBER).send(new EnableSecurityHubCommand({})))).toBeInstanceOf(ResourceConflictException);
  });

  test('remove: DisassociateMembers then DeleteMembers; an Enabled member cannot be deleted first', async () => {
    await hub().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: MEMBER }] }));
    await hub().send(new InviteMembersCommand({ AccountIds: [MEMBER] }));
    emulator.securityhub.accept(MEMBER);
    const refused = await hub().send(new DeleteMembersCommand({ AccountIds: [MEMBER] }));
    expect(refused.UnprocessedAccounts).toHaveLength(1);
    await hub().send(new DisassociateMembersCommand({ AccountIds: [MEMBER] }));
    expect((await hub().send(new DeleteMembersCommand({ AccountIds: [MEMBER] }))).UnprocessedAccounts).toEqual([]);
    const got = await hub().send(new GetMembersCommand({ AccountIds: [MEMBER] }));
    expect(got.Members).toEqual([]);
    expect(got.UnprocessedAccounts?.map((u) => u.AccountId)).toEqual([MEMBER]);
  });

  test('ListMembers pages (OnlyAssociated=false lists every status); throttling is LimitExceededException, retried', async () => {
    const ids = [...Array(5).keys()].map((i) => String(600000000000 + i));
    await hub().send(new CreateMembersCommand({ AccountDetails: ids.map((AccountId) => ({ AccountId })) }));
    const seen: string[] = [];
    for await (const page of paginateListMembers({ client: hub() }, { OnlyAssociated: false, MaxResults: 50 })) {
      seen.push(...(page.Members ?? []).map((m) => m.AccountId!));
    }
    expect(seen).toEqual(ids);
    emulator.faults.throttle('securityhub:ListMembers', 2);
    await hub(ADMIN, 3).send(new ListMembersCommand({ OnlyAssociated: false }));
    expect(emulator.calls['securityhub:ListMembers']).toBeGreaterThanOrEqual(3);
  });

  test('POST /members reaches Macie or Security Hub by the signing name', async () => {
    const macie = new Macie2Client({ endpoint: emulator.url, region: 'us-east-1', credentials: credentialsFor(ADMIN) });
    clients.push(macie);
    await macie.send(new CreateMemberCommand({ account: { accountId: MEMBER, email: 'm@example.com' } }));
    await hub().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: OTHER }] }));
    expect(emulator.calls.CreateMember).toBe(1);
    expect(emulator.calls['securityhub:CreateMembers']).toBe(1);
    expect(emulator.macie.members().map((m) => m.accountId)).toEqual([MEMBER]);
    expect(emulator.securityhub.members().map((m) => m.AccountId)).toEqual([OTHER]);
  });
});
