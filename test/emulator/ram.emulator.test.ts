/**
 * The emulator's AWS RAM with the real SDK v3 client (restJson1): the owner's calls as CloudFormation's
 * AWS::RAM::ResourceShare makes them, and the receiver's (invitations paged with empty pages, accept and its errors,
 * shares by owner, leave); organization sharing associates with no invitation.
 */
import {
  AcceptResourceShareInvitationCommand,
  AssociateResourceShareCommand,
  CreateResourceShareCommand,
  DeleteResourceShareCommand,
  DisassociateResourceShareCommand,
  GetResourceShareInvitationsCommand,
  GetResourceSharesCommand,
  IdempotentParameterMismatchException,
  InvalidParameterException,
  MalformedArnException,
  OperationNotPermittedException,
  paginateGetResourceShareInvitations,
  paginateGetResourceShares,
  RAMClient,
  ResourceShareInvitation,
  ResourceShareInvitationAlreadyAcceptedException,
  ResourceShareInvitationAlreadyRejectedException,
  ResourceShareInvitationArnNotFoundException,
  ResourceShareInvitationExpiredException,
  UnknownResourceException,
} from '@aws-sdk/client-ram';
import { credentialsFor, Emulator, startEmulator } from './emulator';

const OWNER = '111111111111';
const RECEIVER = '222222222222';
const OTHER = '333333333333';

let emulator: Emulator;
let clients: RAMClient[] = [];

/** A RAM client acting as `accountId`, without retries: the raw answers. */
function ram(accountId: string): RAMClient {
  const client = new RAMClient({ endpoint: emulator.url, region: 'us-east-1', credentials: credentialsFor(accountId), maxAttempts: 1 });
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

async function share(name: string, principals: string[], owner = OWNER): Promise<string> {
  const { resourceShare } = await ram(owner).send(new CreateResourceShareCommand({ name, principals, clientToken: `create-${name}-${owner}` }));
  return resourceShare!.resourceShareArn!;
}

async function invitations(accountId: string, input: { resourceShareArns?: string[] } = {}): Promise<ResourceShareInvitation[]> {
  const all: ResourceShareInvitation[] = [];
  for await (const page of paginateGetResourceShareInvitations({ client: ram(accountId) }, input)) all.push(...(page.resourceShareInvitations ?? []));
  return all;
}

async function received(accountId: string): Promise<string[]> {
  const all: string[] = [];
  for await (const page of paginateGetResourceShares({ client: ram(accountId) }, { resourceOwner: 'OTHER-ACCOUNTS' })) {
    all.push(...(page.resourceShares ?? []).map(s => `${s.name}:${s.status}`));
  }
  return all;
}

beforeEach(async () => {
  emulator = await startEmulator();
});

afterEach(async () => {
  clients.forEach(c => c.destroy());
  clients = [];
  await emulator.stop();
});

test('owner shares, the receiver pages through its invitations (empty pages), accepts, sees the share; retries are idempotent', async () => {
  const arn = await share('subnets', [RECEIVER]);
  expect(arn).toMatch(/^arn:aws:ram:us-east-1:111111111111:resource-share\/[0-9a-f-]{36}$/);
  // the same clientToken and input: the same share; another input: a mismatch
  expect(await share('subnets', [RECEIVER])).toBe(arn);
  expect(await rejection(ram(OWNER).send(new CreateResourceShareCommand({ name: 'subnets', principals: [OTHER], clientToken: `create-subnets-${OWNER}` }))))
    .toBeInstanceOf(IdempotentParameterMismatchException);
  await share('other', [RECEIVER]);

  // the first page is empty with a nextToken
  const first = await ram(RECEIVER).send(new GetResourceShareInvitationsCommand({}));
  expect([first.resourceShareInvitations, typeof first.nextToken]).toEqual([[], 'string']);
  const seen = await invitations(RECEIVER);
  expect(seen.map(i => [i.resourceShareName, i.senderAccountId, i.receiverAccountId, i.status])).toEqual([
    ['subnets', OWNER, RECEIVER, 'PENDING'], ['other', OWNER, RECEIVER, 'PENDING'],
  ]);
  expect(seen[0].invitationTimestamp).toBeInstanceOf(Date);
  expect(seen[0].resourceShareInvitationArn).toMatch(/^arn:aws:ram:us-east-1:111111111111:resource-share-invitation\//);
  expect((await invitations(RECEIVER, { resourceShareArns: [arn] })).map(i => i.resourceShareName)).toEqual(['subnets']);
  expect(await invitations(OTHER)).toEqual([]);
  // pending: not listed to the receiver yet
  expect(await received(RECEIVER)).toEqual([]);

  const invitationArn = seen[0].resourceShareInvitationArn!;
  const accepted = await ram(RECEIVER).send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: invitationArn, clientToken: 'a-1' }));
  expect(accepted.resourceShareInvitation?.status).toBe('ACCEPTED');
  // a retry with the same token answers again; another token: AlreadyAccepted
  expect((await ram(RECEIVER).send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: invitationArn, clientToken: 'a-1' })))
    .resourceShareInvitation?.status).toBe('ACCEPTED');
  expect(await rejection(ram(RECEIVER).send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: invitationArn, clientToken: 'a-2' }))))
    .toBeInstanceOf(ResourceShareInvitationAlreadyAcceptedException);
  expect(await received(RECEIVER)).toEqual(['subnets:ACTIVE']);
  const self = await ram(OWNER).send(new GetResourceSharesCommand({ resourceOwner: 'SELF', name: 'subnets', maxResults: 500 }));
  expect([...(self.resourceShares ?? [])]).toEqual([]); // empty first page of a non-empty listing
  expect(emulator.ram.share(arn)?.principals).toEqual({ [RECEIVER]: 'associated' });
  expect(emulator.validationErrors).toEqual([]);
});

test('accept errors: not found, another account\'s invitation, rejected, expired (12 hours); a malformed ARN', async () => {
  const arn = await share('tgw', [RECEIVER]);
  const [invitation] = await invitations(RECEIVER);
  const invitationArn = invitation.resourceShareInvitationArn!;
  const accept = (account: string, target = invitationArn) =>
    ram(account).send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: target }));
  expect(await rejection(accept(OTHER))).toBeInstanceOf(ResourceShareInvitationArnNotFoundException);
  expect(await rejection(accept(RECEIVER, 'not-an-arn'))).toBeInstanceOf(MalformedArnException);

  emulator.ram.reject(invitationArn);
  expect(await rejection(accept(RECEIVER))).toBeInstanceOf(ResourceShareInvitationAlreadyRejectedException);

  // the owner shares again: a new invitation, which expires after 12 hours
  await ram(OWNER).send(new AssociateResourceShareCommand({ resourceShareArn: arn, principals: [RECEIVER] }));
  const again = (await invitations(RECEIVER, { resourceShareArns: [arn] })).find(i => i.status === 'PENDING')!;
  emulator.advanceTime(12 * 60 * 60 * 1000);
  expect(await rejection(accept(RECEIVER, again.resourceShareInvitationArn))).toBeInstanceOf(ResourceShareInvitationExpiredException);
  expect((await invitations(RECEIVER)).map(i => i.status)).toEqual(['REJECTED', 'EXPIRED']);
});

test('organization sharing: no invitation, the share is ACTIVE under OTHER-ACCOUNTS, and cannot be left', async () => {
  emulator.ram.enableOrganizationSharing(OWNER, [RECEIVER]);
  const arn = await share('org', [RECEIVER]);
  expect(await invitations(RECEIVER)).toEqual([]);
  expect(await received(RECEIVER)).toEqual(['org:ACTIVE']);
  expect(await rejection(ram(RECEIVER).send(new DisassociateResourceShareCommand({ resourceShareArn: arn, principals: [RECEIVER] }))))
    .toBeInstanceOf(OperationNotPermittedException);
});

test('the receiver leaves only itself; the owner deletes (querystring members); unknown shares; invalid input', async () => {
  const arn = await share('leave', [RECEIVER, OTHER]);
  for (const account of [RECEIVER, OTHER]) {
    const [invitation] = await invitations(account);
    await ram(account).send(new AcceptResourceShareInvitationCommand({ resourceShareInvitationArn: invitation.resourceShareInvitationArn }));
  }
  expect(await rejection(ram(RECEIVER).send(new DisassociateResourceShareCommand({ resourceShareArn: arn, principals: [OTHER] }))))
    .toBeInstanceOf(UnknownResourceException);
  await ram(RECEIVER).send(new DisassociateResourceShareCommand({ resourceShareArn: arn, principals: [RECEIVER], clientToken: 'leave-1' }));
  expect(await received(RECEIVER)).toEqual([]);
  expect(await received(OTHER)).toEqual(['leave:ACTIVE']);

  expect(await rejection(ram(RECEIVER).send(new DeleteResourceShareCommand({ resourceShareArn: arn })))).toBeInstanceOf(UnknownResourceException);
  await ram(OWNER).send(new DeleteResourceShareCommand({ resourceShareArn: arn, clientToken: 'delete-1' }));
  expect(emulator.requests.filter(r => r.op === 'DeleteResourceShare').map(r => r.accountId + ' ' + JSON.stringify(r.input)).pop()).toBe(`${OWNER} ${JSON.stringify({ resourceShareArn: arn, clientToken: 'delete-1' })}`);
  expect(await received(OTHER)).toEqual([]);
  expect(await rejection(ram(OTHER).send(new DisassociateResourceShareCommand({ resourceShareArn: arn, principals: [OTHER] }))))
    .toBeInstanceOf(UnknownResourceException);

  const invalid = await rejection(ram(RECEIVER).send(new GetResourceSharesCommand({ resourceOwner: 'OTHER-ACCOUNTS', maxResults: 501 })));
  expect([invalid, invalid.$metadata.httpStatusCode]).toEqual([expect.any(InvalidParameterException), 400]);
  expect(emulator.validationErrors.map(e => e.op)).toEqual(['GetResourceShares']);
});

test('invitation delay and faults: the receiver\'s first looks miss it; throttling is 429, server errors 500', async () => {
  emulator.setInvitationDelay({ listCalls: 1 }, ['ram']);
  await share('late', [RECEIVER]);
  expect(await invitations(RECEIVER)).toEqual([]);
  expect((await invitations(RECEIVER)).map(i => i.status)).toEqual(['PENDING']);
  emulator.faults.throttle('GetResourceShares');
  emulator.faults.serverError('GetResourceShareInvitations');
  const throttled = await rejection(ram(RECEIVER).send(new GetResourceSharesCommand({ resourceOwner: 'OTHER-ACCOUNTS' })));
  expect([throttled.name, throttled.$metadata.httpStatusCode]).toEqual(['ThrottlingException', 429]);
  const failed = await rejection(ram(RECEIVER).send(new GetResourceShareInvitationsCommand({})));
  expect([failed.name, failed.$metadata.httpStatusCode]).toEqual(['ServerInternalException', 500]);
});
