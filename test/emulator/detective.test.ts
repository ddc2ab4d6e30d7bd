/**
 * The emulator's Amazon Detective (restJson1, validated against the extracted service model) through the real SDK
 * client, as CloudFormation's AWS::Detective::Graph / MemberInvitation handlers and the member account call it.
 */
import {
  AcceptInvitationCommand,
  CreateGraphCommand,
  CreateMembersCommand,
  DeleteMembersCommand,
  DetectiveClient,
  DisassociateMembershipCommand,
  GetMembersCommand,
  ListInvitationsCommand,
  MemberDetail,
  RejectInvitationCommand,
} from '@aws-sdk/client-detective';
import { AcceptInvitationCommand as MacieAcceptInvitationCommand, Macie2Client } from '@aws-sdk/client-macie2';
import { credentialsFor, Emulator, startEmulator } from './emulator';

const ADMIN = '111111111111';
const MEMBER = '222222222222';
const OTHER_ADMIN = '444444444444';
const EMAIL = 'root-222@example.com';

let emulator: Emulator;
const clients: Array<{ destroy(): void }> = [];

function detectiveAs(accountId: string): DetectiveClient {
  const client = new DetectiveClient({ endpoint: emulator.url, region: 'us-east-1', credentials: credentialsFor(accountId), maxAttempts: 1 });
  clients.push(client);
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (e) {
    return e as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

async function invitationsOf(client: DetectiveClient): Promise<MemberDetail[]> {
  const all: MemberDetail[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListInvitationsCommand({ NextToken }));
    all.push(...(page.Invitations ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

beforeEach(async () => {
  emulator = await startEmulator();
});

afterEach(async () => {
  clients.splice(0).forEach((c) => c.destroy());
  expect(emulator.validationErrors).toEqual([]);
  await emulator.stop();
});

test('CreateGraph is idempotent per account; CreateMembers waits in VERIFICATION_IN_PROGRESS, then INVITED; accept makes ENABLED', async () => {
  const admin = detectiveAs(ADMIN);
  const member = detectiveAs(MEMBER);
  const { GraphArn } = await admin.send(new CreateGraphCommand({}));
  expect(GraphArn).toMatch(/^arn:aws:detective:us-east-1:111111111111:graph:[a-f\d]{32}$/);
  expect((await admin.send(new CreateGraphCommand({}))).GraphArn).toBe(GraphArn);

  emulator.setInvitationDelay({ listCalls: 2 }, ['detective']);
  const created = await admin.send(new CreateMembersCommand({ GraphArn, Accounts: [{ AccountId: MEMBER, EmailAddress: EMAIL }] }));
  expect(created.Members?.map((m) => [m.AccountId, m.Status])).toEqual([[MEMBER, 'VERIFICATION_IN_PROGRESS']]);
  expect(created.UnprocessedAccounts).toEqual([]);
  const again = await admin.send(new CreateMembersCommand({ GraphArn, Accounts: [{ AccountId: MEMBER, EmailAddress: EMAIL }] }));
  expect(again.UnprocessedAccounts?.map((u) => u.AccountId)).toEqual([MEMBER]);

  // the member sees the entry while it is verified, and cannot accept it yet
  expect((await invitationsOf(member)).map((m) => m.Status)).toEqual(['VERIFICATION_IN_PROGRESS']);
  expect((await rejection(member.send(new AcceptInvitationCommand({ GraphArn })))).name).toBe('ValidationException');
  expect((await invitationsOf(member)).map((m) => m.Status)).toEqual(['VERIFICATION_IN_PROGRESS']);
  const [invited] = await invitationsOf(member);
  expect(invited).toMatchObject({ GraphArn, AdministratorId: ADMIN, Status: 'INVITED', InvitationType: 'INVITATION' });
  expect(invited.InvitedTime).toBeInstanceOf(Date);

  await member.send(new AcceptInvitationCommand({ GraphArn }));
  expect((await invitationsOf(member)).map((m) => m.Status)).toEqual(['ENABLED']);
  const conflict = await rejection(member.send(new AcceptInvitationCommand({ GraphArn })));
  expect([conflict.name, conflict.$metadata.httpStatusCode]).toEqual(['ConflictException', 409]);
  const got = await admin.send(new GetMembersCommand({ GraphArn, AccountIds: [MEMBER, '333333333333'] }));
  expect(got.MemberDetails?.map((m) => m.Status)).toEqual(['ENABLED']);
  expect(got.UnprocessedAccounts?.map((u) => u.AccountId)).toEqual(['333333333333']);
  expect(emulator.detective.membersByStatus(ADMIN)).toEqual({ ENABLED: [MEMBER] });
});

test('VERIFICATION_FAILED when the email is not the root user\'s; ACCEPTED_BUT_DISABLED with its DisabledReason', async () => {
  const admin = detectiveAs(ADMIN);
  const member = detectiveAs(MEMBER);
  emulator.detective.setRootEmail(MEMBER, EMAIL);
  const graph = emulator.detective.createGraph(ADMIN);
  await admin.send(new CreateMembersCommand({ GraphArn: graph, Accounts: [{ AccountId: MEMBER, EmailAddress: 'wrong@example.com' }] }));
  expect((await invitationsOf(member)).map((m) => m.Status)).toEqual(['VERIFICATION_FAILED']);
  expect((await rejection(member.send(new AcceptInvitationCommand({ GraphArn: graph })))).name).toBe('ValidationException');

  await admin.send(new DeleteMembersCommand({ GraphArn: graph, AccountIds: [MEMBER] }));
  expect(await invitationsOf(member)).toEqual([]);
  emulator.detective.disableOnAccept(MEMBER, 'VOLUME_UNKNOWN');
  await admin.send(new CreateMembersCommand({ GraphArn: graph, Accounts: [{ AccountId: MEMBER, EmailAddress: EMAIL }] }));
  await member.send(new AcceptInvitationCommand({ GraphArn: graph }));
  expect(await invitationsOf(member)).toEqual([expect.objectContaining({ Status: 'ACCEPTED_BUT_DISABLED', DisabledReason: 'VOLUME_UNKNOWN' })]);
});

test('a member of several graphs; DisassociateMembership leaves one, RejectInvitation declines another; unknown graphs are ResourceNotFoundException', async () => {
  const member = detectiveAs(MEMBER);
  const graph = emulator.detective.createGraph(ADMIN);
  const other = emulator.detective.createGraph(OTHER_ADMIN, 'a'.repeat(32));
  expect(other).toBe(`arn:aws:detective:us-east-1:${OTHER_ADMIN}:graph:${'a'.repeat(32)}`);
  await detectiveAs(ADMIN).send(new CreateMembersCommand({ GraphArn: graph, Accounts: [{ AccountId: MEMBER, EmailAddress: EMAIL }] }));
  await detectiveAs(OTHER_ADMIN).send(new CreateMembersCommand({ GraphArn: other, Accounts: [{ AccountId: MEMBER, EmailAddress: EMAIL }] }));
  // another administrator cannot add members to a graph that is not its own
  expect((await rejection(detectiveAs(OTHER_ADMIN).send(new GetMembersCommand({ GraphArn: graph, AccountIds: [MEMBER] })))).name)
    .toBe('ResourceNotFoundException');

  await member.send(new AcceptInvitationCommand({ GraphArn: graph }));
  expect((await invitationsOf(member)).map((m) => [m.AdministratorId, m.Status]).sort()).toEqual([[ADMIN, 'ENABLED'], [OTHER_ADMIN, 'INVITED']]);
  expect((await rejection(member.send(new DisassociateMembershipCommand({ GraphArn: other })))).name).toBe('ValidationException');
  await member.send(new DisassociateMembershipCommand({ GraphArn: graph }));
  await member.send(new RejectInvitationCommand({ GraphArn: other }));
  expect(await invitationsOf(member)).toEqual([]);
  expect(emulator.state().detective).toEqual({ [graph]: {}, [other]: {} });
  const gone = await rejection(member.send(new DisassociateMembershipCommand({ GraphArn: graph })));
  expect([gone.name, gone.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', 404]);
});

test('requests the model refuses are refused and recorded; Macie\'s operation of the same name still routes to Macie', async () => {
  const member = detectiveAs(MEMBER);
  const bad = await rejection(member.send(new AcceptInvitationCommand({ GraphArn: 'arn:aws:detective:us-east-1:111111111111:graph:nothex' })));
  expect(bad.name).toBe('ValidationException');
  expect(emulator.validationErrors.map((v) => [v.service, v.op])).toEqual([['detective', 'detective:AcceptInvitation']]);
  emulator.validationErrors.length = 0;

  emulator.denyAction(MEMBER, 'detective:ListInvitations');
  expect((await rejection(member.send(new ListInvitationsCommand({})))).name).toBe('AccessDeniedException');
  emulator.faults.throttle('detective:ListInvitations', 1, { accountId: MEMBER });
  emulator.allowAllActions();
  const throttled = await rejection(member.send(new ListInvitationsCommand({})));
  expect([throttled.name, throttled.$metadata.httpStatusCode]).toEqual(['TooManyRequestsException', 429]);

  const macie = new Macie2Client({ endpoint: emulator.url, region: 'us-east-1', credentials: credentialsFor(MEMBER), maxAttempts: 1 });
  clients.push(macie);
  emulator.macie.enable(MEMBER);
  expect((await rejection(macie.send(new MacieAcceptInvitationCommand({ administratorAccountId: ADMIN, invitationId: 'x' })))).name)
    .toBe('ValidationException');
  expect(emulator.requests.filter((r) => ['detective:AcceptInvitation', 'AcceptInvitation'].includes(r.op)).map((r) => r.service)).toEqual(['detective', 'macie2']);
});
