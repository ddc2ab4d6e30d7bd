/**
 * Drives the emulator with the real SDK v3 clients, configured the way the handlers are in tests: endpoint from
 * AWS_ENDPOINT_URL_<SERVICE>, credentials and region from the environment.
 */
import {
  ChangeSetNotFoundException,
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateDescribeStackEvents,
} from '@aws-sdk/client-cloudformation';
import {
  AcceptInvitationCommand,
  AccessDeniedException as MacieAccessDeniedException,
  ConflictException as MacieConflictException,
  CreateInvitationsCommand,
  CreateMemberCommand,
  DeleteMemberCommand,
  DisassociateFromAdministratorAccountCommand,
  DisassociateMemberCommand,
  EnableMacieCommand,
  GetAdministratorAccountCommand,
  GetMacieSessionCommand,
  GetMemberCommand,
  ListInvitationsCommand,
  ListMembersCommand,
  Macie2Client,
  paginateListInvitations,
  paginateListMembers,
  ResourceNotFoundException as MacieResourceNotFoundException,
  ValidationException as MacieValidationException,
} from '@aws-sdk/client-macie2';
import {
  AcceptHandshakeCommand,
  AccessDeniedException,
  AccessDeniedForDependencyException,
  AccountNotFoundException,
  AWSOrganizationsNotInUseException,
  CancelHandshakeCommand,
  DeclineHandshakeCommand,
  ConstraintViolationException,
  DescribeAccountCommand,
  DescribeHandshakeCommand,
  DescribeOrganizationCommand,
  DuplicateHandshakeException,
  HandshakeAlreadyInStateException,
  HandshakeConstraintViolationException,
  HandshakeNotFoundException,
  InvalidHandshakeTransitionException,
  InvalidInputException,
  InviteAccountToOrganizationCommand,
  ListAccountsCommand,
  ListHandshakesForAccountCommand,
  ListHandshakesForOrganizationCommand,
  OrganizationsClient,
  paginateListHandshakesForAccount,
  paginateListHandshakesForOrganization,
  ServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  AcceptAccountLinkInvitationCommand,
  AccessDeniedException as WorkSpacesAccessDeniedException,
  ConflictException as WorkSpacesConflictException,
  CreateAccountLinkInvitationCommand,
  DeleteAccountLinkInvitationCommand,
  GetAccountLinkCommand,
  ListAccountLinksCommand,
  paginateListAccountLinks,
  RejectAccountLinkInvitationCommand,
  ResourceNotFoundException as WorkSpacesResourceNotFoundException,
  ValidationException as WorkSpacesValidationException,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { DAY_MS } from './common';
import { credentialsFor, Emulator, ENDPOINT_VARIABLES, startEmulator } from './emulator';
import { loadServiceModels, ServiceModel } from './models';
import { queryInput, restJsonInput, skippedPatterns, validate } from './validate';

interface SdkError extends Error {
  readonly $metadata: { readonly httpStatusCode?: number; readonly attempts?: number };
  readonly [member: string]: unknown;
}

async function rejection(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('expected the call to fail');
}

type ClientConfig = ConstructorParameters<typeof OrganizationsClient>[0];

const ENV = ['AWS_ENDPOINT_URL_ORGANIZATIONS', 'AWS_ENDPOINT_URL_MACIE2', 'AWS_ENDPOINT_URL_WORKSPACES', 'AWS_ENDPOINT_URL_CLOUDFORMATION', 'AWS_ENDPOINT_URL_STS', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'];
const savedEnv = Object.fromEntries(ENV.map(key => [key, process.env[key]]));

let emulator: Emulator;
let openClients: Array<{ destroy(): void }> = [];

function track<T extends { destroy(): void }>(client: T): T {
  openClients.push(client);
  return client;
}

/** Clients without retries (raw errors) unless a config says otherwise. */
const orgClient = (config: ClientConfig = { maxAttempts: 1 }) => track(new OrganizationsClient(config));
const macieClient = (config: ClientConfig = { maxAttempts: 1 }) => track(new Macie2Client(config));
const workspacesClient = (config: ClientConfig = { maxAttempts: 1 }) => track(new WorkSpacesClient(config));
const cfnClient = (config: ClientConfig = { maxAttempts: 1 }) => track(new CloudFormationClient(config));
const stsClient = (config: ClientConfig = { maxAttempts: 1 }) => track(new STSClient(config as never));

beforeEach(async () => {
  emulator = await startEmulator();
  for (const service of ['ORGANIZATIONS', 'MACIE2', 'WORKSPACES', 'CLOUDFORMATION', 'STS']) process.env[`AWS_ENDPOINT_URL_${service}`] = emulator.url;
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS;
});

afterEach(async () => {
  openClients.forEach(c => c.destroy());
  openClients = [];
  await emulator.stop();
});

afterAll(() => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('service-model fixture and validator', () => {
  const models = loadServiceModels();

  test('holds the emulated operations, without documentation, in a small file', () => {
    expect(Object.keys(models.services.organizations.operations)).toHaveLength(10);
    expect(Object.keys(models.services.workspaces.operations)).toHaveLength(6);
    expect(Object.keys(models.services.macie2.operations)).toHaveLength(12);
    expect(Object.keys(models.services.detective.operations)).toHaveLength(8);
    expect(Object.keys(models.services.sts.operations)).toEqual(['AssumeRole', 'GetCallerIdentity']);
    expect(Object.keys(models.services.cloudformation.operations)).toEqual(['DescribeStackEvents', 'DescribeStacks', 'GetTemplate']);
    expect(models.services.cloudformation).toMatchObject({ protocol: 'awsQuery', xmlNamespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/' });
    expect(models.services.macie2.operations.GetMember.http).toEqual({ method: 'GET', requestUri: '/members/{id}', responseCode: 200 });
    expect(models.services.organizations.targetPrefix).toBe('AWSOrganizationsV20161128');
    expect(JSON.stringify(models)).not.toContain('documentation');
    expect(Object.keys(models.services.securityhub.operations)).toHaveLength(12);
    // about 6 KB per service: small enough to read in a diff
    expect(JSON.stringify(models).length).toBeLessThan(64 * 1024);
  });

  test('every pattern of the fixture compiles as a JavaScript RegExp', () => {
    const patterns = Object.values(models.services).flatMap(m => Object.values(m.shapes).flatMap(s => (s.pattern ? [s.pattern] : [])));
    expect(patterns.length).toBeGreaterThan(5);
    for (const pattern of patterns) expect(() => new RegExp(pattern, 'u')).not.toThrow();
  });

  test('reports required members, enums, patterns, lengths and ranges in nested structures', () => {
    const org = models.services.organizations;
    expect(validate(org, 'InviteAccountToOrganizationRequest', { Target: { Id: '222222222222', Type: 'ACCOUNT' } })).toEqual([]);
    const violations = validate(org, 'InviteAccountToOrganizationRequest', {
      Target: { Type: 'PERSON' },
      Notes: 'x'.repeat(1025),
      Tags: [{ Key: 'k'.repeat(129), Value: 'ok' }, { Key: 'bad\u0000key', Value: 'v' }],
    });
    expect(violations.map(v => [v.path, v.rule])).toEqual([
      ['Target.Id', 'required'],
      ['Target.Type', 'enum'],
      ['Notes', 'maxLength'],
      ['Tags[0].Key', 'maxLength'],
      ['Tags[1].Key', 'pattern'],
    ]);
    expect(violations[2].message).toBe("Value at 'Notes' failed to satisfy constraint: Member must have length less than or equal to 1024");
    expect(validate(org, 'ListAccountsRequest', { MaxResults: 0 }).map(v => v.rule)).toEqual(['minValue']);
    expect(validate(org, 'ListAccountsRequest', { MaxResults: '5' }).map(v => v.rule)).toEqual(['type']);
    expect(validate(models.services.macie2, 'CreateMemberRequest', { account: { accountId: '2' }, tags: { k: 1 } }).map(v => v.path))
      .toEqual(['account.email', 'tags.k']);
  });

  test('reads restJson1 URI labels and query members with their modeled types', () => {
    const macie = models.services.macie2;
    const ok = restJsonInput(macie, 'ListMembersRequest', { labels: {}, query: new URLSearchParams('maxResults=25&onlyAssociated=false'), body: {} });
    expect(ok).toEqual({ input: { maxResults: 25, onlyAssociated: 'false' }, violations: [] });
    const bad = restJsonInput(macie, 'ListMembersRequest', { labels: {}, query: new URLSearchParams('maxResults=x'), body: {} });
    expect(bad.violations.map(v => [v.path, v.rule])).toEqual([['maxResults', 'type']]);
    expect(restJsonInput(macie, 'GetMemberRequest', { labels: { id: '222222222222' }, query: new URLSearchParams(), body: {} }).input)
      .toEqual({ id: '222222222222' });
  });

  test('reads awsQuery members with their modeled types: scalars, structures, lists and maps', () => {
    const cfn = models.services.cloudformation;
    expect(queryInput(cfn, 'GetTemplateInput', new URLSearchParams('Action=GetTemplate&Version=2010-05-15&StackName=s&TemplateStage=Processed')))
      .toEqual({ input: { StackName: 's', TemplateStage: 'Processed' }, violations: [], unknown: [] });
    const bad = queryInput(cfn, 'GetTemplateInput', new URLSearchParams('TemplateStage=Final&Parameters.member.1.Key=k'));
    expect(bad.violations.map(v => [v.path, v.rule])).toEqual([['TemplateStage', 'enum']]);
    expect(bad.unknown).toEqual(['Parameters.member.1.Key']);
    // the CloudFormation inputs are flat: a model of their own for the nested forms
    const model: ServiceModel = {
      protocol: 'awsQuery',
      apiVersion: 'test',
      signingName: 'test',
      operations: {},
      shapes: {
        Input: { type: 'structure', members: { Count: { shape: 'Int' }, Flag: { shape: 'Bool' }, Items: { shape: 'Items' }, Empty: { shape: 'Items' }, Map: { shape: 'Map' } } },
        Items: { type: 'list', member: { shape: 'Item' } },
        Item: { type: 'structure', required: ['Key'], members: { Key: { shape: 'Str' }, Value: { shape: 'Str' } } },
        Map: { type: 'map', key: { shape: 'Str' }, value: { shape: 'Str' } },
        Int: { type: 'integer' },
        Bool: { type: 'boolean' },
        Str: { type: 'string' },
      },
    };
    const params = new URLSearchParams('Count=3&Flag=true&Items.member.1.Key=a&Items.member.1.Value=1&Items.member.2.Value=2&Empty=&Map.entry.1.key=k&Map.entry.1.value=v');
    const nested = queryInput(model, 'Input', params);
    expect(nested.input).toEqual({ Count: 3, Flag: true, Items: [{ Key: 'a', Value: '1' }, { Value: '2' }], Empty: [], Map: { k: 'v' } });
    expect(nested.violations.map(v => [v.path, v.rule])).toEqual([['Items[1].Key', 'required']]);
  });

  test('skips (and lists) a pattern that JavaScript cannot compile', () => {
    const model: ServiceModel = {
      protocol: 'awsJson1_1',
      apiVersion: 'test',
      signingName: 'test',
      operations: {},
      shapes: { Input: { type: 'structure', members: { Name: { shape: 'Name' } } }, Name: { type: 'string', pattern: '(?<unclosed' } },
    };
    expect(validate(model, 'Input', { Name: 'anything' })).toEqual([]);
    expect(skippedPatterns()).toEqual(['(?<unclosed']);
  });
});

describe('wire format', () => {
  test('awsJson1_1 errors carry x-amzn-ErrorType and a __type body; restJson1 errors a message body and the modeled status', async () => {
    const org = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSOrganizationsV20161128.DescribeAccount' },
      body: JSON.stringify({ AccountId: '999999999999' }),
    });
    expect(org.status).toBe(400);
    expect(org.headers.get('x-amzn-errortype')).toBe('AccountNotFoundException');
    expect(await org.json()).toEqual({ __type: 'AccountNotFoundException', Message: expect.any(String) });

    const macie = await fetch(`${emulator.url}/members/999999999999`);
    expect(macie.status).toBe(404);
    expect(macie.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await macie.json()).toEqual({ message: expect.any(String) });
  });

  test('unknown operations are answered as such and recorded', async () => {
    const unknownTarget = await fetch(emulator.url, { method: 'POST', headers: { 'x-amz-target': 'AWSOrganizationsV20161128.LeaveOrganization' }, body: '{}' });
    expect(unknownTarget.status).toBe(400);
    const unknownRoute = await fetch(`${emulator.url}/findings`);
    expect(unknownRoute.status).toBe(404);
    expect(emulator.validationErrors.map(v => v.op)).toEqual(['AWSOrganizationsV20161128.LeaveOrganization', 'GET /findings']);
  });

  test('logs each request with its input and signing region', async () => {
    await macieClient().send(new ListMembersCommand({ onlyAssociated: 'false', maxResults: 5 }));
    expect(emulator.requests).toEqual([{ service: 'macie2', op: 'ListMembers', input: { onlyAssociated: 'false', maxResults: 5 }, region: 'us-east-1' }]);
    expect(emulator.calls.ListMembers).toBe(1);
    expect(emulator.calls.GetMember).toBe(0);
  });
});

describe('Organizations', () => {
  test('an invitation is an OPEN handshake that expires in 15 days', async () => {
    const { Handshake: h } = await orgClient().send(new InviteAccountToOrganizationCommand({
      Target: { Id: '222222222222', Type: 'ACCOUNT' },
      Notes: 'welcome',
    }));
    expect(h?.Id).toMatch(/^h-[0-9a-z]{8,32}$/);
    expect(h?.Arn).toBe(`arn:aws:organizations::111111111111:handshake/o-exampleorg11/invite/${h?.Id}`);
    expect(h?.State).toBe('OPEN');
    expect(h?.Parties).toEqual([{ Id: 'o-exampleorg11', Type: 'ORGANIZATION' }, { Id: '222222222222', Type: 'ACCOUNT' }]);
    expect(h?.Resources?.map(r => [r.Type, r.Value])).toEqual([['ORGANIZATION', 'o-exampleorg11'], ['ACCOUNT', '222222222222'], ['NOTES', 'welcome']]);
    expect(h?.Resources?.[0].Resources?.map(r => r.Type)).toEqual(['MASTER_EMAIL', 'MASTER_NAME', 'ORGANIZATION_FEATURE_SET']);
    expect(h?.RequestedTimestamp).toBeInstanceOf(Date);
    expect(h!.ExpirationTimestamp!.getTime() - h!.RequestedTimestamp!.getTime()).toBe(15 * DAY_MS);

    emulator.advanceTime(15 * DAY_MS);
    const described = await orgClient().send(new DescribeHandshakeCommand({ HandshakeId: h?.Id }));
    expect(described.Handshake?.State).toBe('EXPIRED');
    expect(emulator.openHandshakes()).toEqual([]);

    emulator.advanceTime(30 * DAY_MS);
    expect(await rejection(orgClient().send(new DescribeHandshakeCommand({ HandshakeId: h?.Id })))).toBeInstanceOf(HandshakeNotFoundException);
  });

  test('an invitation by account ID to an account with a known email names the email and nests the account', async () => {
    emulator.org.registerAccount('222222222222', 'Owner@Example.com');
    const { Handshake: h } = await orgClient().send(new InviteAccountToOrganizationCommand({ Target: { Id: '222222222222', Type: 'ACCOUNT' } }));
    expect(h?.Parties).toContainEqual({ Id: 'Owner@Example.com', Type: 'EMAIL' });
    expect(h?.Resources?.[1]).toEqual({ Type: 'EMAIL', Value: 'Owner@Example.com', Resources: [{ Type: 'ACCOUNT', Value: '222222222222' }] });

    // The same target by email, in another case, is a duplicate.
    const duplicate = await rejection(orgClient().send(new InviteAccountToOrganizationCommand({ Target: { Id: 'owner@example.COM', Type: 'EMAIL' } })));
    expect(duplicate).toBeInstanceOf(DuplicateHandshakeException);
    expect(duplicate.$metadata.httpStatusCode).toBe(400);
  });

  test('members and accounts of other organizations are ALREADY_IN_AN_ORGANIZATION', async () => {
    emulator.org.addMemberAccount('222222222222', 'member@example.com');
    emulator.org.markInOtherOrganization('other@example.com');
    for (const Target of [{ Id: '222222222222', Type: 'ACCOUNT' as const }, { Id: 'Other@example.com', Type: 'EMAIL' as const }]) {
      const error = await rejection(orgClient().send(new InviteAccountToOrganizationCommand({ Target })));
      expect(error).toBeInstanceOf(HandshakeConstraintViolationException);
      expect(error.Reason).toBe('ALREADY_IN_AN_ORGANIZATION');
    }
    const { Account } = await orgClient().send(new DescribeAccountCommand({ AccountId: '222222222222' }));
    expect(Account).toMatchObject({ Id: '222222222222', Email: 'member@example.com', JoinedMethod: 'INVITED' });
    expect(await rejection(orgClient().send(new DescribeAccountCommand({ AccountId: '333333333333' })))).toBeInstanceOf(AccountNotFoundException);
  });

  test('quota failures: injected reasons, the account quota and 20 invitations per 24 hours', async () => {
    emulator.org.failNextInvite('PAYMENT_INSTRUMENT_REQUIRED');
    emulator.org.failNextInvite('TAG_POLICY_VIOLATION', 'ConstraintViolationException');
    expect(() => emulator.org.failNextInvite('NOT_A_REASON')).toThrow(/not a Reason/);
    const invite = (id: string) => orgClient().send(new InviteAccountToOrganizationCommand({ Target: { Id: id, Type: 'ACCOUNT' } }));

    const first = await rejection(invite('222222222222'));
    expect([first.name, first.Reason]).toEqual(['HandshakeConstraintViolationException', 'PAYMENT_INSTRUMENT_REQUIRED']);
    const second = await rejection(invite('222222222222'));
    expect(second).toBeInstanceOf(ConstraintViolationException);
    expect(second.Reason).toBe('TAG_POLICY_VIOLATION');

    // The management account and 9 pending invitations fill the default quota of 10 accounts.
    for (let i = 0; i < 9; i++) await invite(`2000000000${String(i).padStart(2, '0')}`);
    expect((await rejection(invite('300000000000'))).Reason).toBe('ACCOUNT_NUMBER_LIMIT_EXCEEDED');
  });

  test('more than invitesPer24h invitations in 24 hours are HANDSHAKE_RATE_LIMIT_EXCEEDED', async () => {
    await emulator.stop();
    emulator = await startEmulator({ invitesPer24h: 2 });
    process.env.AWS_ENDPOINT_URL_ORGANIZATIONS = emulator.url;
    const invite = (id: string) => orgClient().send(new InviteAccountToOrganizationCommand({ Target: { Id: id, Type: 'ACCOUNT' } }));
    await invite('222222222221');
    await invite('222222222222');
    expect((await rejection(invite('222222222223'))).Reason).toBe('HANDSHAKE_RATE_LIMIT_EXCEEDED');
    emulator.advanceTime(DAY_MS);
    expect((await invite('222222222223')).Handshake?.State).toBe('OPEN');
  });

  test('invalid requests are InvalidInputException with a Reason, and recorded', async () => {
    const client = orgClient();
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => client.send(new InviteAccountToOrganizationCommand({ Target: { Id: '222222222222', Type: 'ACCOUNT' }, Notes: 'n'.repeat(1025) })), 'MAX_LENGTH_EXCEEDED'],
      [() => client.send(new InviteAccountToOrganizationCommand({ Target: { Id: '2222', Type: 'ACCOUNT' } })), 'INVALID_PATTERN_TARGET_ID'],
      [() => client.send(new InviteAccountToOrganizationCommand({ Target: { Id: 'not-an-email', Type: 'EMAIL' } })), 'INVALID_EMAIL_ADDRESS_TARGET'],
      [() => client.send(new DescribeAccountCommand({ AccountId: '12345' })), 'INVALID_PATTERN'],
      [() => client.send(new ListAccountsCommand({ MaxResults: 50 })), 'MAX_VALUE_EXCEEDED'],
      [() => client.send(new ListAccountsCommand({ NextToken: 'forged' })), 'INVALID_NEXT_TOKEN'],
    ];
    for (const [call, reason] of cases) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(InvalidInputException);
      expect([error.Reason, error.$metadata.httpStatusCode]).toEqual([reason, 400]);
    }
    expect(emulator.validationErrors.map(v => v.op)).toEqual([
      'InviteAccountToOrganization', 'InviteAccountToOrganization', 'InviteAccountToOrganization',
      'DescribeAccount', 'ListAccounts', 'ListAccounts',
    ]);
    expect(emulator.validationErrors[0].messages).toEqual(["Value at 'Notes' failed to satisfy constraint: Member must have length less than or equal to 1024"]);
    expect(emulator.openHandshakes()).toEqual([]);
  });

  test('ListHandshakesForOrganization pages through empty pages to every handshake', async () => {
    const client = orgClient();
    for (let i = 1; i <= 5; i++) {
      await client.send(new InviteAccountToOrganizationCommand({ Target: { Id: `20000000000${i}`, Type: 'ACCOUNT' } }));
    }
    const pages = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListHandshakesForOrganizationCommand({ Filter: { ActionType: 'INVITE' }, MaxResults: 20, NextToken }));
      pages.push(page.Handshakes?.length);
      NextToken = page.NextToken;
    } while (NextToken);
    expect(pages).toEqual([0, 2, 2, 1, 0]);

    const ids = [];
    for await (const page of paginateListHandshakesForOrganization({ client }, { Filter: { ActionType: 'INVITE' } })) {
      ids.push(...(page.Handshakes ?? []).map(h => h.Id));
    }
    expect(ids).toHaveLength(5);
    expect((await client.send(new ListHandshakesForOrganizationCommand({ Filter: { ActionType: 'ENABLE_ALL_FEATURES' } }))).Handshakes).toEqual([]);

    // A token belongs to its listing (operation and filter).
    const first = await client.send(new ListHandshakesForOrganizationCommand({ Filter: { ActionType: 'INVITE' } }));
    const reused = await rejection(client.send(new ListHandshakesForOrganizationCommand({ NextToken: first.NextToken })));
    expect(reused.Reason).toBe('INVALID_NEXT_TOKEN');
  });

  test('CancelHandshake: OPEN → CANCELED, then already in state; accepted → invalid transition; unknown → not found', async () => {
    const client = orgClient();
    const invite = async (id: string) => (await client.send(new InviteAccountToOrganizationCommand({ Target: { Id: id, Type: 'ACCOUNT' } }))).Handshake!.Id!;
    const canceled = await invite('222222222222');
    expect((await client.send(new CancelHandshakeCommand({ HandshakeId: canceled }))).Handshake?.State).toBe('CANCELED');
    expect(await rejection(client.send(new CancelHandshakeCommand({ HandshakeId: canceled })))).toBeInstanceOf(HandshakeAlreadyInStateException);

    const accepted = await invite('333333333333');
    emulator.org.accept(accepted);
    expect(await rejection(client.send(new CancelHandshakeCommand({ HandshakeId: accepted })))).toBeInstanceOf(InvalidHandshakeTransitionException);
    expect((await client.send(new DescribeAccountCommand({ AccountId: '333333333333' }))).Account?.JoinedMethod).toBe('INVITED');

    const declined = await invite('444444444444');
    emulator.org.decline(declined);
    expect(await rejection(client.send(new CancelHandshakeCommand({ HandshakeId: declined })))).toBeInstanceOf(InvalidHandshakeTransitionException);

    expect(await rejection(client.send(new CancelHandshakeCommand({ HandshakeId: 'h-0000000000' })))).toBeInstanceOf(HandshakeNotFoundException);
    const accounts = await client.send(new ListAccountsCommand({}));
    expect(accounts.Accounts).toEqual([]); // first page empty, NextToken set
    expect(accounts.NextToken).toBeDefined();
  });

  test('outside the management account: AccessDeniedException, or AWSOrganizationsNotInUseException without an organization', async () => {
    emulator.org.setNotManagementAccount();
    const invite = () => orgClient().send(new InviteAccountToOrganizationCommand({ Target: { Id: '222222222222', Type: 'ACCOUNT' } }));
    expect(await rejection(invite())).toBeInstanceOf(AccessDeniedException);
    expect((await orgClient().send(new DescribeOrganizationCommand({}))).Organization).toMatchObject({
      Id: 'o-exampleorg11',
      MasterAccountId: '111111111111',
      FeatureSet: 'ALL',
    });
    emulator.org.setNotManagementAccount('standalone');
    expect(await rejection(orgClient().send(new DescribeOrganizationCommand({})))).toBeInstanceOf(AWSOrganizationsNotInUseException);
  });
});

describe('Macie', () => {
  const invite = (client: Macie2Client, accountId: string) =>
    client.send(new CreateMemberCommand({ account: { accountId, email: `${accountId}@example.com` }, tags: { team: 'a' } }));

  test('members go Created → Invited → Enabled → Removed → deleted', async () => {
    const client = macieClient();
    expect((await client.send(new GetMacieSessionCommand({}))).status).toBe('ENABLED');
    const { arn } = await invite(client, '222222222222');
    expect(arn).toBe('arn:aws:macie2:us-east-1:111111111111:member/222222222222');
    expect((await invite(client, '222222222222')).arn).toBe(arn);
    expect(await client.send(new GetMemberCommand({ id: '222222222222' }))).toMatchObject({ relationshipStatus: 'Created', tags: { team: 'a' } });

    const { unprocessedAccounts } = await client.send(new CreateInvitationsCommand({ accountIds: ['222222222222'], message: 'Join us' }));
    expect(unprocessedAccounts).toEqual([]);
    const invited = await client.send(new GetMemberCommand({ id: '222222222222' }));
    expect(invited.relationshipStatus).toBe('Invited');
    expect(invited.invitedAt).toBeInstanceOf(Date);

    await client.send(new AcceptInvitationCommand({ administratorAccountId: '111111111111', invitationId: emulator.macie.invitationId('222222222222') }));
    expect(emulator.macie.membersByStatus()).toEqual({ Enabled: ['222222222222'] });
    expect(await rejection(client.send(new DeleteMemberCommand({ id: '222222222222' })))).toBeInstanceOf(MacieValidationException);

    await client.send(new DisassociateMemberCommand({ id: '222222222222' }));
    expect(emulator.macie.membersByStatus()).toEqual({ Removed: ['222222222222'] });
    await client.send(new DeleteMemberCommand({ id: '222222222222' }));
    const gone = await rejection(client.send(new GetMemberCommand({ id: '222222222222' })));
    expect(gone).toBeInstanceOf(MacieResourceNotFoundException);
    expect(gone.$metadata.httpStatusCode).toBe(404);
    expect(await rejection(client.send(new DisassociateMemberCommand({ id: '222222222222' })))).toBeInstanceOf(MacieResourceNotFoundException);
  });

  test('CreateInvitations reports non-members, established members and configured failures as unprocessed', async () => {
    const client = macieClient();
    await invite(client, '222222222222');
    await invite(client, '333333333333');
    await invite(client, '444444444444');
    emulator.macie.setRelationshipStatus('444444444444', 'Paused');
    emulator.macie.failInvitationFor('333333333333', 'InternalError', 'try again', 1);
    const { unprocessedAccounts } = await client.send(new CreateInvitationsCommand({ accountIds: ['222222222222', '333333333333', '444444444444', '555555555555'] }));
    expect(unprocessedAccounts?.map(u => [u.accountId, u.errorCode])).toEqual([
      ['333333333333', 'InternalError'],
      ['444444444444', 'ClientError'],
      ['555555555555', 'ClientError'],
    ]);
    const retried = await client.send(new CreateInvitationsCommand({ accountIds: ['333333333333'] }));
    expect(retried.unprocessedAccounts).toEqual([]);
    expect(emulator.macie.membersByStatus()).toEqual({ Invited: ['222222222222', '333333333333'], Paused: ['444444444444'] });
    emulator.macie.accept('333333333333');
    expect(emulator.macie.membersByStatus()).toEqual({ Invited: ['222222222222'], Enabled: ['333333333333'], Paused: ['444444444444'] });
  });

  test('ListMembers pages through empty pages; only associated members unless onlyAssociated=false', async () => {
    const client = macieClient();
    for (let i = 1; i <= 3; i++) await invite(client, `20000000000${i}`);
    await client.send(new CreateInvitationsCommand({ accountIds: ['200000000001', '200000000002'] }));
    const list = async (onlyAssociated?: string) => {
      const ids = [];
      for await (const page of paginateListMembers({ client }, { onlyAssociated })) ids.push(...(page.members ?? []).map(m => m.accountId));
      return ids;
    };
    expect(await list()).toEqual(['200000000001', '200000000002']);
    expect(await list('false')).toEqual(['200000000001', '200000000002', '200000000003']);
    expect(emulator.calls.ListMembers).toBe(3 + 4);
  });

  test('members managed through AWS Organizations cannot be disassociated', async () => {
    emulator.macie.addOrganizationMember('222222222222');
    const error = await rejection(macieClient().send(new DisassociateMemberCommand({ id: '222222222222' })));
    expect(error).toBeInstanceOf(MacieValidationException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    const member = await macieClient().send(new GetMemberCommand({ id: '222222222222' }));
    expect([member.relationshipStatus, member.email, member.invitedAt]).toEqual(['Enabled', undefined, undefined]);
    expect(emulator.validationErrors).toEqual([]);
  });

  test('invalid requests are ValidationException (400), and recorded', async () => {
    const client = macieClient();
    const calls = [
      () => client.send(new CreateMemberCommand({ account: { accountId: '222222222222', email: undefined as unknown as string } })),
      () => client.send(new CreateMemberCommand({ account: { accountId: 'abc', email: 'a@example.com' } })),
      () => client.send(new CreateInvitationsCommand({ accountIds: ['222222222222'], message: 'm'.repeat(81) })),
      () => client.send(new ListMembersCommand({ maxResults: 26 })),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(MacieValidationException);
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
    expect(emulator.validationErrors.map(v => v.op)).toEqual(['CreateMember', 'CreateMember', 'CreateInvitations', 'ListMembers']);
  });

  test('every call is AccessDeniedException (403) while Macie is not enabled', async () => {
    emulator.macie.disable();
    const error = await rejection(macieClient().send(new GetMacieSessionCommand({})));
    expect(error).toBeInstanceOf(MacieAccessDeniedException);
    expect([error.message, error.$metadata.httpStatusCode]).toEqual(['Macie is not enabled.', 403]);
  });

  test('errors arrive with their modeled status codes', async () => {
    const expected: Array<[string, number]> = [
      ['ConflictException', 409],
      ['ThrottlingException', 429],
      ['ServiceQuotaExceededException', 402],
      ['InternalServerException', 500],
      ['AccessDeniedException', 403],
    ];
    for (const [name, status] of expected) {
      emulator.faults.failWith('GetMacieSession', name);
      const error = await rejection(macieClient().send(new GetMacieSessionCommand({})));
      expect([error.name, error.$metadata.httpStatusCode]).toEqual([name, status]);
    }
  });
});

describe('WorkSpaces', () => {
  const create = (client: WorkSpacesClient, TargetAccountId: string, ClientToken?: string) =>
    client.send(new CreateAccountLinkInvitationCommand({ TargetAccountId, ClientToken }));

  test('CreateAccountLinkInvitation is idempotent by ClientToken and conflicts otherwise', async () => {
    const client = workspacesClient();
    const { AccountLink: link } = await create(client, '222222222222', 'token-1');
    expect(link).toEqual({
      AccountLinkId: expect.stringMatching(/^link-[0-9a-z]{12}$/),
      AccountLinkStatus: 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT',
      SourceAccountId: '111111111111',
      TargetAccountId: '222222222222',
    });
    expect((await create(client, '222222222222', 'token-1')).AccountLink?.AccountLinkId).toBe(link?.AccountLinkId);
    const conflict = await rejection(create(client, '222222222222', 'token-2'));
    expect(conflict).toBeInstanceOf(WorkSpacesConflictException);
    expect(conflict.$metadata.httpStatusCode).toBe(400);
    expect(await rejection(create(client, '333333333333', 'token-1'))).toBeInstanceOf(WorkSpacesConflictException);

    emulator.workspaces.markOutsideOrganization('444444444444');
    expect(await rejection(create(client, '444444444444'))).toBeInstanceOf(WorkSpacesValidationException);
    expect(await rejection(create(client, '111111111111'))).toBeInstanceOf(WorkSpacesValidationException);
    expect(emulator.workspaces.pendingLinks()).toHaveLength(1);
    expect(emulator.validationErrors).toEqual([]);
  });

  test('links: accept, reject, delete, and not found', async () => {
    const client = workspacesClient();
    const linkId = async (target: string) => (await create(client, target)).AccountLink!.AccountLinkId!;
    const linked = await linkId('222222222222');
    const rejected = await linkId('333333333333');
    const pending = await linkId('444444444444');
    emulator.workspaces.accept(linked);
    await client.send(new RejectAccountLinkInvitationCommand({ LinkId: rejected }));
    expect(await rejection(client.send(new AcceptAccountLinkInvitationCommand({ LinkId: rejected })))).toBeInstanceOf(WorkSpacesConflictException);

    expect((await client.send(new GetAccountLinkCommand({ LinkedAccountId: '222222222222' }))).AccountLink?.AccountLinkStatus).toBe('LINKED');
    expect(await rejection(client.send(new DeleteAccountLinkInvitationCommand({ LinkId: linked })))).toBeInstanceOf(WorkSpacesConflictException);
    await client.send(new DeleteAccountLinkInvitationCommand({ LinkId: pending }));
    const notFound = await rejection(client.send(new GetAccountLinkCommand({ LinkId: pending })));
    expect(notFound).toBeInstanceOf(WorkSpacesResourceNotFoundException);
    expect([notFound.ResourceId, notFound.$metadata.httpStatusCode]).toEqual([pending, 400]);
    const deleteAgain = await rejection(client.send(new DeleteAccountLinkInvitationCommand({ LinkId: pending })));
    expect(deleteAgain).toBeInstanceOf(WorkSpacesResourceNotFoundException);
    expect(emulator.workspaces.links().map(l => l.AccountLinkStatus)).toEqual(['LINKED', 'REJECTED']);
  });

  test('ListAccountLinks filters by status and pages through empty pages', async () => {
    const client = workspacesClient();
    for (let i = 1; i <= 4; i++) await create(client, `20000000000${i}`);
    emulator.workspaces.reject(emulator.workspaces.links()[0].AccountLinkId);
    const ids = [];
    for await (const page of paginateListAccountLinks({ client }, { LinkStatusFilter: ['PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT'] })) {
      ids.push(...(page.AccountLinks ?? []).map(l => l.TargetAccountId));
    }
    expect(ids).toEqual(['200000000002', '200000000003', '200000000004']);
    expect(await rejection(client.send(new ListAccountLinksCommand({ MaxResults: 26 })))).toBeInstanceOf(WorkSpacesValidationException);
    expect(emulator.validationErrors).toHaveLength(1);
  });
});

describe('CloudFormation', () => {
  const STACK_ID = 'arn:aws:cloudformation:us-east-1:111111111111:stack/LandingZone/5b1c4e10-0000-0000-0000-000000000000';
  const UNKNOWN_ID = 'arn:aws:cloudformation:us-east-1:111111111111:stack/Gone/00000000-0000-0000-0000-000000000000';
  const TEMPLATE = {
    Resources: {
      Old: { Type: 'Custom::OrgInvitation', Properties: { ServiceToken: { 'Fn::GetAtt': ['Handler', 'Arn'] }, TargetId: '222222222222' } },
      // characters that XML escapes, and some that it doesn't have to
      New: { Type: 'Custom::OrgInvitation', Properties: { TargetId: '222222222222', Notes: 'a < b && c > "d" \'e\' é 🎉\n' } },
    },
  };

  test('DescribeStacks by stack ID and by name: the status, the IDs and the times', async () => {
    emulator.cloudformation.setStack(STACK_ID, { status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', template: TEMPLATE });
    for (const StackName of [STACK_ID, 'LandingZone']) {
      const { Stacks } = await cfnClient().send(new DescribeStacksCommand({ StackName }));
      expect(Stacks).toEqual([expect.objectContaining({
        StackId: STACK_ID,
        StackName: 'LandingZone',
        StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
        CreationTime: expect.any(Date),
        DisableRollback: false,
        NotificationARNs: [],
        Tags: [],
        DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      })]);
      expect(Math.abs(Stacks![0].CreationTime!.getTime() - Date.now())).toBeLessThan(60_000);
    }
    emulator.cloudformation.setStack(STACK_ID, { status: 'DELETE_IN_PROGRESS', template: TEMPLATE });
    const { Stacks } = await cfnClient().send(new DescribeStacksCommand({ StackName: STACK_ID }));
    expect(Stacks?.[0]).toMatchObject({ StackStatus: 'DELETE_IN_PROGRESS', LastUpdatedTime: expect.any(Date) });
    expect(emulator.requests.map(r => [r.service, r.op, r.input, r.region])).toEqual([
      ['cloudformation', 'DescribeStacks', { StackName: STACK_ID }, 'us-east-1'],
      ['cloudformation', 'DescribeStacks', { StackName: 'LandingZone' }, 'us-east-1'],
      ['cloudformation', 'DescribeStacks', { StackName: STACK_ID }, 'us-east-1'],
    ]);
    expect(emulator.calls.DescribeStacks).toBe(3);
  });

  test('GetTemplate: the template body as set (XML-escaped on the wire), both stages available', async () => {
    emulator.cloudformation.setStack(STACK_ID, { status: 'UPDATE_IN_PROGRESS', template: TEMPLATE });
    const processed = await cfnClient().send(new GetTemplateCommand({ StackName: STACK_ID, TemplateStage: 'Processed' }));
    expect(JSON.parse(processed.TemplateBody!)).toEqual(TEMPLATE);
    expect(processed.StagesAvailable).toEqual(['Original', 'Processed']);
    const original = await cfnClient().send(new GetTemplateCommand({ StackName: 'LandingZone' }));
    expect(original.TemplateBody).toBe(processed.TemplateBody);

    emulator.cloudformation.setStack(STACK_ID, { status: 'UPDATE_IN_PROGRESS', template: 'Resources: {}\n' });
    expect((await cfnClient().send(new GetTemplateCommand({ StackName: STACK_ID }))).TemplateBody).toBe('Resources: {}\n');
    expect(emulator.validationErrors).toEqual([]);
  });

  test('an unknown stack is a ValidationError (HTTP 400) naming it, for both operations; a valid request, not recorded', async () => {
    emulator.cloudformation.setStack(STACK_ID, { status: 'UPDATE_IN_PROGRESS', template: TEMPLATE });
    for (const call of [
      () => cfnClient().send(new DescribeStacksCommand({ StackName: UNKNOWN_ID })),
      () => cfnClient().send(new GetTemplateCommand({ StackName: UNKNOWN_ID, TemplateStage: 'Processed' })),
    ]) {
      const error = await rejection(call());
      expect(error.name).toBe('ValidationError');
      expect(error.message).toBe(`Stack with id ${UNKNOWN_ID} does not exist`);
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.$fault).toBe('client');
    }
    expect(emulator.validationErrors).toEqual([]);

    emulator.cloudformation.removeStack(STACK_ID);
    expect((await rejection(cfnClient().send(new DescribeStacksCommand({ StackName: STACK_ID })))).name).toBe('ValidationError');
    expect(emulator.cloudformation.stacks()).toEqual([]);
  });

  test('DescribeStackEvents: the stack\'s and its resources\' events, newest first, paged with NextToken, stamped by the emulator\'s clock', async () => {
    emulator.advanceTime(-60_000);
    emulator.cloudformation.setStack(STACK_ID, { status: 'CREATE_IN_PROGRESS', template: TEMPLATE });
    const start = emulator.cloudformation.addStackEvent(STACK_ID, { logicalResourceId: 'New', resourceType: 'Custom::OrgInvitation', status: 'CREATE_IN_PROGRESS' });
    emulator.advanceTime(1_000);
    emulator.cloudformation.addStackEvent(STACK_ID, {
      logicalResourceId: 'New',
      resourceType: 'Custom::OrgInvitation',
      status: 'CREATE_FAILED',
      physicalResourceId: 'New-ABC',
      reason: 'Resource creation cancelled <&>',
    });
    emulator.cloudformation.setStack(STACK_ID, { status: 'ROLLBACK_IN_PROGRESS', template: TEMPLATE });
    emulator.cloudformation.eventPageSize = 2;

    const pages = [];
    for await (const page of paginateDescribeStackEvents({ client: cfnClient() }, { StackName: STACK_ID })) pages.push(page);
    expect(pages.map(p => p.StackEvents?.length)).toEqual([2, 2]);
    const events = pages.flatMap(p => p.StackEvents ?? []);
    expect(events.map(e => `${e.LogicalResourceId} ${e.ResourceStatus}`)).toEqual([
      'LandingZone ROLLBACK_IN_PROGRESS', 'New CREATE_FAILED', 'New CREATE_IN_PROGRESS', 'LandingZone CREATE_IN_PROGRESS',
    ]);
    expect(events[1]).toMatchObject({
      StackId: STACK_ID,
      StackName: 'LandingZone',
      PhysicalResourceId: 'New-ABC',
      ResourceType: 'Custom::OrgInvitation',
      ResourceStatusReason: 'Resource creation cancelled <&>',
      EventId: expect.any(String),
    });
    expect(events[2].Timestamp).toEqual(start.Timestamp);
    expect(events[2].PhysicalResourceId).toBeUndefined();
    expect(events[1].Timestamp!.getTime() - events[2].Timestamp!.getTime()).toBe(1_000);
    expect(Math.abs(Date.now() - 59_000 - events[1].Timestamp!.getTime())).toBeLessThan(5_000);
    // by name too; a token of another listing, and an unknown stack, are ValidationError
    expect((await cfnClient().send(new DescribeStackEventsCommand({ StackName: 'LandingZone' }))).StackEvents).toHaveLength(2);
    const token = await rejection(cfnClient().send(new DescribeStackEventsCommand({ StackName: STACK_ID, NextToken: 'bm9wZQ==' })));
    expect([token.name, token.message]).toEqual(['ValidationError', 'Invalid NextToken']);
    const unknown = await rejection(cfnClient().send(new DescribeStackEventsCommand({ StackName: UNKNOWN_ID })));
    expect([unknown.name, unknown.message]).toEqual(['ValidationError', `Stack [${UNKNOWN_ID}] does not exist`]);
    expect(() => emulator.cloudformation.addStackEvent(UNKNOWN_ID, { logicalResourceId: 'X', resourceType: 'T', status: 'CREATE_COMPLETE' }))
      .toThrow(/unknown stack/);
    // denied like any action
    emulator.denyAction('111111111111', 'cloudformation:DescribeStackEvents');
    const denied = await rejection(cfnClient().send(new DescribeStackEventsCommand({ StackName: STACK_ID })));
    expect([denied.name, denied.$metadata.httpStatusCode]).toEqual(['AccessDenied', 403]);
  });

  test('a deleted stack is found by stack ID only; DescribeStacks without a name lists the stacks that are not deleted', async () => {
    const other = 'arn:aws:cloudformation:us-east-1:111111111111:stack/Other/6c2d5f21-0000-0000-0000-000000000000';
    emulator.cloudformation.setStack(STACK_ID, { status: 'CREATE_COMPLETE', template: TEMPLATE });
    emulator.cloudformation.setStack(other, { status: 'CREATE_COMPLETE', template: { Resources: {} } });
    emulator.cloudformation.setStack(STACK_ID, { status: 'DELETE_COMPLETE', template: TEMPLATE });
    const byId = await cfnClient().send(new DescribeStacksCommand({ StackName: STACK_ID }));
    expect(byId.Stacks?.[0]).toMatchObject({ StackStatus: 'DELETE_COMPLETE', DeletionTime: expect.any(Date) });
    expect((await rejection(cfnClient().send(new DescribeStacksCommand({ StackName: 'LandingZone' })))).message)
      .toBe('Stack with id LandingZone does not exist');
    const all = await cfnClient().send(new DescribeStacksCommand({}));
    expect(all.Stacks?.map(s => s.StackId)).toEqual([other]);
    // a new stack of the same name: another stack ID
    expect(() => emulator.cloudformation.setStack(other.replace('6c2d5f21', '7d3e6f32'), { status: 'CREATE_IN_PROGRESS', template: {} }))
      .toThrow(/another stack named Other exists/);
    expect(() => emulator.cloudformation.setStack('LandingZone', { status: 'CREATE_IN_PROGRESS', template: {} })).toThrow(/not a stack ID/);
  });

  test('invalid requests are ValidationError, and recorded; a change set is not found (ChangeSetNotFound, 404)', async () => {
    emulator.cloudformation.setStack(STACK_ID, { status: 'UPDATE_IN_PROGRESS', template: TEMPLATE });
    const stage = await rejection(cfnClient().send(new GetTemplateCommand({ StackName: STACK_ID, TemplateStage: 'Final' as 'Original' })));
    expect([stage.name, stage.$metadata.httpStatusCode]).toEqual(['ValidationError', 400]);
    expect(stage.message).toMatch(/Value at 'TemplateStage' failed to satisfy constraint: Member must satisfy enum value set: \[Original, Processed\]/);
    const noName = await rejection(cfnClient().send(new GetTemplateCommand({})));
    expect(noName.name).toBe('ValidationError');
    const changeSet = await rejection(cfnClient().send(new GetTemplateCommand({ ChangeSetName: 'arn:aws:cloudformation:us-east-1:111111111111:changeSet/x/y' })));
    expect(changeSet).toBeInstanceOf(ChangeSetNotFoundException);
    expect(changeSet.$metadata.httpStatusCode).toBe(404);
    expect(emulator.validationErrors.map(v => [v.service, v.op])).toEqual([['cloudformation', 'GetTemplate'], ['cloudformation', 'GetTemplate']]);
  });

  test('wire format: form-encoded requests, XML answers and ErrorResponse, unknown actions and versions', async () => {
    emulator.cloudformation.setStack(STACK_ID, { status: 'UPDATE_IN_PROGRESS', template: { Resources: {} } });
    const post = (body: string) => fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
    const ok = await post(`Action=DescribeStacks&Version=2010-05-15&StackName=${encodeURIComponent(STACK_ID)}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/xml');
    const requestId = ok.headers.get('x-amzn-requestid');
    const xml = await ok.text();
    expect(xml).toMatch(new RegExp([
      '^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">\\n',
      '  <DescribeStacksResult>\\n    <Stacks>\\n      <member>\\n',
      `        <StackId>${STACK_ID.replace(/[/.]/g, '\\$&')}</StackId>\\n        <StackName>LandingZone</StackName>\\n`,
      '        <CreationTime>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z</CreationTime>\\n',
      '        <StackStatus>UPDATE_IN_PROGRESS</StackStatus>\\n[^]*',
      '        <NotificationARNs/>\\n[^]*',
      `  </DescribeStacksResult>\\n  <ResponseMetadata>\\n    <RequestId>${requestId}</RequestId>\\n  </ResponseMetadata>\\n</DescribeStacksResponse>\\n$`,
    ].join('')));

    const template = await (await post(`Action=GetTemplate&Version=2010-05-15&StackName=${encodeURIComponent(STACK_ID)}`)).text();
    expect(template).toContain('<GetTemplateResult>\n    <TemplateBody>{\n &quot;Resources&quot;: {}\n}</TemplateBody>\n    <StagesAvailable>\n      <member>Original</member>');

    const missing = await post('Action=DescribeStacks&Version=2010-05-15&StackName=Gone');
    expect(missing.status).toBe(400);
    expect(await missing.text()).toBe([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">',
      '  <Error>',
      '    <Type>Sender</Type>',
      '    <Code>ValidationError</Code>',
      '    <Message>Stack with id Gone does not exist</Message>',
      '  </Error>',
      `  <RequestId>${missing.headers.get('x-amzn-requestid')}</RequestId>`,
      '</ErrorResponse>',
      '',
    ].join('\n'));

    expect((await post('Action=DeleteStack&Version=2010-05-15&StackName=Gone')).status).toBe(400);
    expect(await (await post('Action=DescribeStacks&Version=2011-01-01')).text()).toContain('<Code>InvalidAction</Code>');
    expect(await (await post('Action=DescribeStacks&Version=2010-05-15&StackNames.member.1=Gone')).text()).toContain('<Code>ValidationError</Code>');
    expect(emulator.validationErrors.map(v => v.op)).toEqual(['DeleteStack', 'DescribeStacks', 'DescribeStacks']);
    expect(emulator.calls.DescribeStacks).toBe(2);
  });

  test('throttling (Throttling, 400) is retried by the SDK; a server error is InternalFailure (500)', async () => {
    emulator.cloudformation.setStack(STACK_ID, { status: 'UPDATE_IN_PROGRESS', template: TEMPLATE });
    emulator.faults.throttle('DescribeStacks');
    const error = await rejection(cfnClient().send(new DescribeStacksCommand({ StackName: STACK_ID })));
    expect([error.name, error.$metadata.httpStatusCode]).toEqual(['Throttling', 400]);
    emulator.faults.throttle('GetTemplate', 2);
    expect((await cfnClient({}).send(new GetTemplateCommand({ StackName: STACK_ID }))).$metadata.attempts).toBe(3);
    emulator.faults.serverError('GetTemplate');
    const failure = await rejection(cfnClient().send(new GetTemplateCommand({ StackName: STACK_ID })));
    expect([failure.name, failure.$metadata.httpStatusCode, failure.$fault]).toEqual(['InternalFailure', 500, 'server']);
  });
});

describe('faults', () => {
  test('throttling is retried by the standard retry strategy until it succeeds', async () => {
    emulator.faults.throttle('DescribeOrganization', 2);
    const result = await orgClient({}).send(new DescribeOrganizationCommand({}));
    expect([result.$metadata.attempts, emulator.calls.DescribeOrganization]).toEqual([3, 3]);

    emulator.faults.throttle('ListAccountLinks');
    expect((await workspacesClient({}).send(new ListAccountLinksCommand({}))).$metadata.attempts).toBe(2);
    emulator.faults.throttle('GetMacieSession');
    expect((await macieClient({}).send(new GetMacieSessionCommand({}))).$metadata.attempts).toBe(2);
  });

  test('throttling and server errors arrive as each service sends them', async () => {
    const cases: Array<[() => Promise<unknown>, string, string, number]> = [
      [() => orgClient().send(new DescribeOrganizationCommand({})), 'DescribeOrganization', 'TooManyRequestsException', 400],
      [() => workspacesClient().send(new ListAccountLinksCommand({})), 'ListAccountLinks', 'ThrottlingException', 400],
      [() => macieClient().send(new GetMacieSessionCommand({})), 'GetMacieSession', 'ThrottlingException', 429],
    ];
    for (const [call, op, name, status] of cases) {
      emulator.faults.throttle(op);
      const error = await rejection(call());
      expect([error.name, error.$metadata.httpStatusCode]).toEqual([name, status]);
      emulator.faults.serverError(op);
      expect((await rejection(call())).$metadata.httpStatusCode).toBe(500);
    }
    emulator.faults.throttle('DescribeOrganization');
    expect((await rejection(orgClient().send(new DescribeOrganizationCommand({}))))).toBeInstanceOf(TooManyRequestsException);
    emulator.faults.serverError('DescribeOrganization');
    expect((await rejection(orgClient().send(new DescribeOrganizationCommand({}))))).toBeInstanceOf(ServiceException);
  });

  test('failWith answers any error with extra members; the SDK does not retry ConcurrentModificationException', async () => {
    emulator.faults.failWith('InviteAccountToOrganization', 'ConcurrentModificationException', {}, 5);
    const error = await rejection(orgClient({}).send(new InviteAccountToOrganizationCommand({ Target: { Id: '222222222222', Type: 'ACCOUNT' } })));
    expect([error.name, error.$metadata.attempts]).toEqual(['ConcurrentModificationException', 1]);

    emulator.faults.clear();
    emulator.faults.failWith('InviteAccountToOrganization', 'HandshakeConstraintViolationException', { Reason: 'INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES' });
    const withReason = await rejection(orgClient().send(new InviteAccountToOrganizationCommand({ Target: { Id: '222222222222', Type: 'ACCOUNT' } })));
    expect(withReason.Reason).toBe('INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES');
    expect(() => emulator.faults.throttle('NoSuchOperation')).toThrow(/unknown operation/);
  });

  test('a dropped connection is a network error; the request had no effect and the SDK retries it', async () => {
    emulator.faults.dropConnection('CreateAccountLinkInvitation');
    const error = await rejection(workspacesClient().send(new CreateAccountLinkInvitationCommand({ TargetAccountId: '222222222222' })));
    // Under jest, node:http errors come from another realm and the SDK wraps them ("AWS SDK error wrapper for ...").
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
    expect(emulator.workspaces.links()).toEqual([]);

    emulator.faults.dropConnection('CreateAccountLinkInvitation');
    const retried = await workspacesClient({}).send(new CreateAccountLinkInvitationCommand({ TargetAccountId: '222222222222' }));
    expect(retried.$metadata.attempts).toBe(2);
  });

  test('a delay beyond the client timeout is a TimeoutError; the request took effect, so a retry is a duplicate', async () => {
    emulator.faults.delay('InviteAccountToOrganization', 2000);
    // requestTimeout alone only logs a warning in this SDK version: throwOnRequestTimeout makes it an error.
    const client = orgClient({ maxAttempts: 1, requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true } });
    const invite = () => client.send(new InviteAccountToOrganizationCommand({ Target: { Id: '222222222222', Type: 'ACCOUNT' } }));
    const error = await rejection(invite());
    expect(error.name).toBe('TimeoutError');
    expect(emulator.openHandshakes()).toHaveLength(1);
    expect(await rejection(invite())).toBeInstanceOf(DuplicateHandshakeException);
  });

  test('latency applies to every request; maxInFlight counts concurrent requests', async () => {
    emulator.setLatency(50);
    const client = orgClient();
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => client.send(new DescribeOrganizationCommand({}))));
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(emulator.maxInFlight).toBe(5);
  });

  test('stop() ends pending answers and closes every connection', async () => {
    emulator.faults.delay('DescribeOrganization', 10_000);
    const pending = rejection(orgClient().send(new DescribeOrganizationCommand({})));
    while (emulator.calls.DescribeOrganization === 0) await new Promise(resolve => setTimeout(resolve, 5));
    const started = Date.now();
    await emulator.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await pending).message).toMatch(/socket hang up|ECONNRESET/);
    expect((await rejection(fetch(emulator.url))).message).toBe('fetch failed');
  });
});

// ---- several accounts -------------------------------------------------------------------------------------------

const MGMT = '111111111111';
const MEMBER = '222222222222';
const OTHER = '333333333333';

/** A client of `Client` acting as `accountId` (credentials from `credentialsFor`), without retries unless configured. */
function as<C extends { destroy(): void }>(Client: new (config: never) => C, accountId: string, config: ClientConfig = { maxAttempts: 1 }): C {
  return track(new Client({ ...config, credentials: credentialsFor(accountId) } as never));
}

async function inviteToOrg(accountId: string, client = orgClient()): Promise<string> {
  return (await client.send(new InviteAccountToOrganizationCommand({ Target: { Id: accountId, Type: 'ACCOUNT' } }))).Handshake!.Id!;
}

async function listForAccount(client: OrganizationsClient): Promise<Array<{ Id?: string; State?: string; Arn?: string }>> {
  const handshakes = [];
  for await (const page of paginateListHandshakesForAccount({ client }, { Filter: { ActionType: 'INVITE' } })) handshakes.push(...(page.Handshakes ?? []));
  return handshakes;
}

describe('accounts and STS', () => {
  test('the caller is the account its access key names; other keys are the default account', async () => {
    expect(credentialsFor(MEMBER)).toEqual({ accessKeyId: 'AKIA222222222222EMUL', secretAccessKey: expect.any(String) });
    expect(credentialsFor(MEMBER)).toEqual(emulator.credentialsFor(MEMBER));
    expect(() => credentialsFor('2222')).toThrow(/not an account ID/);
    expect(await stsClient().send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: MGMT, Arn: `arn:aws:iam::${MGMT}:user/emulator` });
    expect(await as(STSClient, MEMBER).send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: MEMBER, Arn: `arn:aws:iam::${MEMBER}:user/emulator`, UserId: expect.stringMatching(/^AIDA/) });
    // the log names the account of keys that name one
    expect(emulator.requests.map(r => r.accountId)).toEqual([undefined, MEMBER]);
  });

  test('AssumeRole hands out credentials of the role\'s account; fromTemporaryCredentials clients act as that account', async () => {
    const RoleArn = `arn:aws:iam::${MEMBER}:role/InvitationAccepter`;
    const { Credentials, AssumedRoleUser } = await stsClient().send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'accept' }));
    expect(Credentials).toEqual({ AccessKeyId: expect.stringMatching(/^ASIA/), SecretAccessKey: expect.any(String), SessionToken: expect.any(String), Expiration: expect.any(Date) });
    expect(Math.round((Credentials!.Expiration!.getTime() - Date.now()) / 60_000)).toBe(60);
    expect(AssumedRoleUser).toEqual({ Arn: `arn:aws:sts::${MEMBER}:assumed-role/InvitationAccepter/accept`, AssumedRoleId: expect.stringMatching(/^AROA[0-9A-F]{17}:accept$/) });

    const credentials = fromTemporaryCredentials({ params: { RoleArn, RoleSessionName: 'handler' }, clientConfig: { region: 'us-east-1' } });
    const identity = await track(new STSClient({ credentials, maxAttempts: 1 })).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: MEMBER, Arn: `arn:aws:sts::${MEMBER}:assumed-role/InvitationAccepter/handler` });

    // the member accepts an invitation through the role: the management account sees it ACCEPTED
    const id = await inviteToOrg(MEMBER);
    const roleOrg = track(new OrganizationsClient({ credentials, maxAttempts: 1 }));
    expect((await roleOrg.send(new AcceptHandshakeCommand({ HandshakeId: id }))).Handshake?.State).toBe('ACCEPTED');
    // (each client memoizes the provider on its own: one session per client)
    expect(emulator.sts.sessions()).toEqual(expect.arrayContaining([
      { accountId: MEMBER, roleArn: RoleArn, sessionName: 'accept', assumedBy: MGMT },
      { accountId: MEMBER, roleArn: RoleArn, sessionName: 'handler', assumedBy: MGMT },
    ]));
    expect(JSON.stringify(emulator.state())).not.toContain(Credentials!.SecretAccessKey!);
    expect(emulator.requests.filter(r => r.op === 'AcceptHandshake').map(r => r.accountId)).toEqual([MEMBER]);
  });

  test('a role that cannot be assumed is AccessDenied (403) naming the caller and the role; malformed ARNs are ValidationError', async () => {
    const RoleArn = `arn:aws:iam::${MEMBER}:role/Missing`;
    emulator.sts.denyRole(RoleArn);
    const denied = await rejection(as(STSClient, MGMT).send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'accept' })));
    expect([denied.name, denied.$metadata.httpStatusCode]).toEqual(['AccessDenied', 403]);
    expect(denied.message).toBe(`User: arn:aws:iam::${MGMT}:user/emulator is not authorized to perform: sts:AssumeRole on resource: ${RoleArn}`);
    emulator.sts.allowRole(RoleArn);
    emulator.denyAction(MGMT, 'sts:AssumeRole');
    expect((await rejection(stsClient().send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'accept' })))).message).toContain(`on resource: ${RoleArn}`);
    expect(emulator.validationErrors).toEqual([]);

    emulator.allowAllActions();
    const malformed = await rejection(stsClient().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:user/Someone', RoleSessionName: 'accept' })));
    expect([malformed.name, malformed.$metadata.httpStatusCode]).toEqual(['ValidationError', 400]);
    const badSession = await rejection(stsClient().send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'a b' })));
    expect(badSession.message).toMatch(/Value at 'roleSessionName' failed to satisfy constraint/);
    const tooLong = await rejection(stsClient().send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'accept', DurationSeconds: 7200 })));
    expect(tooLong.message).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    expect(emulator.validationErrors.map(v => [v.service, v.op])).toEqual([['sts', 'AssumeRole'], ['sts', 'AssumeRole']]);
    expect(() => emulator.sts.denyRole('Missing')).toThrow(/not a role ARN/);
  });

  test('STS faults: Throttling (400) is retried, InternalFailure (500); denied actions of one role only', async () => {
    emulator.faults.throttle('AssumeRole', 1);
    const RoleArn = `arn:aws:iam::${MEMBER}:role/InvitationAccepter`;
    expect((await stsClient({}).send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'sess' }))).$metadata.attempts).toBe(2);
    emulator.faults.serverError('GetCallerIdentity');
    const failure = await rejection(stsClient().send(new GetCallerIdentityCommand({})));
    expect([failure.name, failure.$metadata.httpStatusCode]).toEqual(['InternalFailure', 500]);

    emulator.denyAction(MEMBER, 'organizations:*', { roleName: 'InvitationAccepter' });
    const credentials = fromTemporaryCredentials({ params: { RoleArn, RoleSessionName: 'handler' }, clientConfig: { region: 'us-east-1' } });
    const denied = await rejection(track(new OrganizationsClient({ credentials, maxAttempts: 1 })).send(new ListHandshakesForAccountCommand({})));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied.message).toBe(`User: arn:aws:sts::${MEMBER}:assumed-role/InvitationAccepter/handler is not authorized to perform: organizations:ListHandshakesForAccount because no identity-based policy allows the organizations:ListHandshakesForAccount action`);
    // the account's own keys are not that role
    expect((await as(OrganizationsClient, MEMBER).send(new ListHandshakesForAccountCommand({}))).Handshakes).toEqual([]);
    expect(() => emulator.denyAction(MEMBER, 'AcceptHandshake')).toThrow(/not an IAM action/);
  });

  test('denied actions answer each service\'s access-denied error and are listed in the state dump', async () => {
    emulator.denyAction(MEMBER, 'macie2:GetMacieSession');
    emulator.denyAction(MEMBER, 'cloudformation:*');
    emulator.denyAction(MEMBER, 'workspaces:ListAccountLinks');
    const cases: Array<[() => Promise<unknown>, string, number]> = [
      [() => as(Macie2Client, MEMBER).send(new GetMacieSessionCommand({})), 'AccessDeniedException', 403],
      [() => as(CloudFormationClient, MEMBER).send(new DescribeStacksCommand({})), 'AccessDenied', 403],
      [() => as(WorkSpacesClient, MEMBER).send(new ListAccountLinksCommand({})), 'AccessDeniedException', 400],
    ];
    for (const [call, name, status] of cases) {
      const error = await rejection(call());
      expect([error.name, error.$metadata.httpStatusCode]).toEqual([name, status]);
      expect(error.message).toMatch(new RegExp(`^User: arn:aws:iam::${MEMBER}:user/emulator is not authorized to perform: (macie2|cloudformation|workspaces):`));
    }
    // other accounts are not affected
    expect((await macieClient().send(new GetMacieSessionCommand({}))).status).toBe('ENABLED');
    expect(emulator.state().deniedActions).toHaveLength(3);
    expect(emulator.validationErrors).toEqual([]);
  });

  test('envFor gives a child process or a default-configured client the account and every endpoint', async () => {
    const env = emulator.envFor(MEMBER);
    expect(Object.keys(env).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY', ...ENDPOINT_VARIABLES].sort());
    Object.assign(process.env, env);
    expect((await stsClient().send(new GetCallerIdentityCommand({}))).Account).toBe(MEMBER);
    expect(await rejection(orgClient().send(new DescribeOrganizationCommand({})))).toBeInstanceOf(AWSOrganizationsNotInUseException);
  });

  test('unsigned awsQuery requests find their service by Action', async () => {
    const post = (body: string) => fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const answer = await post('Action=GetCallerIdentity&Version=2011-06-15');
    expect(answer.status).toBe(200);
    expect(await answer.text()).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<GetCallerIdentityResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/">\n  <GetCallerIdentityResult>\n    <UserId>AIDA[0-9A-F]+<\/UserId>\n    <Account>111111111111<\/Account>/);
  });
});

describe('Organizations: invitee side', () => {
  test('invite, list, accept: the handshake is ACCEPTED for both sides and the account a member', async () => {
    const member = as(OrganizationsClient, MEMBER);
    expect(await rejection(member.send(new DescribeOrganizationCommand({})))).toBeInstanceOf(AWSOrganizationsNotInUseException);
    const id = await inviteToOrg(MEMBER);
    await inviteToOrg('444444444444');

    // the invitee sees its own handshakes only, through an empty first page and an empty last page
    const pages = [];
    let NextToken: string | undefined;
    do {
      const page = await member.send(new ListHandshakesForAccountCommand({ Filter: { ActionType: 'INVITE' }, NextToken }));
      pages.push(page.Handshakes?.map(h => h.Id));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(pages).toEqual([[], [id], []]);
    expect((await member.send(new ListHandshakesForAccountCommand({ Filter: { ActionType: 'APPROVE_ALL_FEATURES' } }))).Handshakes).toEqual([]);
    expect((await member.send(new DescribeHandshakeCommand({ HandshakeId: id }))).Handshake?.Parties).toEqual([
      { Id: 'o-exampleorg11', Type: 'ORGANIZATION' }, { Id: MEMBER, Type: 'ACCOUNT' },
    ]);

    const { Handshake } = await member.send(new AcceptHandshakeCommand({ HandshakeId: id }));
    expect(Handshake).toMatchObject({ Id: id, State: 'ACCEPTED', Arn: `arn:aws:organizations::${MGMT}:handshake/o-exampleorg11/invite/${id}` });
    expect((await orgClient().send(new DescribeHandshakeCommand({ HandshakeId: id }))).Handshake?.State).toBe('ACCEPTED');
    expect((await orgClient().send(new DescribeAccountCommand({ AccountId: MEMBER }))).Account).toMatchObject({ Id: MEMBER, JoinedMethod: 'INVITED' });
    expect((await member.send(new DescribeOrganizationCommand({}))).Organization).toMatchObject({ Id: 'o-exampleorg11', MasterAccountId: MGMT });
    // a member is no management account
    expect(await rejection(member.send(new InviteAccountToOrganizationCommand({ Target: { Id: OTHER, Type: 'ACCOUNT' } }))))
      .toBeInstanceOf(AccessDeniedException);
    expect(emulator.openHandshakes().map(h => h.Id)).not.toContain(id);
    expect(emulator.org.organizationOf(MEMBER)).toBe('o-exampleorg11');

    // again: already in that state; the handshake stays listed
    expect(await rejection(member.send(new AcceptHandshakeCommand({ HandshakeId: id })))).toBeInstanceOf(HandshakeAlreadyInStateException);
    expect((await listForAccount(member)).map(h => [h.Id, h.State])).toEqual([[id, 'ACCEPTED']]);
    expect(emulator.validationErrors).toEqual([]);
  });

  test('AcceptHandshake errors: another account\'s, unknown, canceled, declined, expired, already in an organization, no service-linked role permission', async () => {
    const member = as(OrganizationsClient, MEMBER);
    const open = await inviteToOrg(MEMBER);
    expect(await rejection(as(OrganizationsClient, OTHER).send(new AcceptHandshakeCommand({ HandshakeId: open }))))
      .toBeInstanceOf(AccessDeniedException);
    expect(await rejection(orgClient().send(new AcceptHandshakeCommand({ HandshakeId: open })))).toBeInstanceOf(AccessDeniedException);
    expect(await rejection(member.send(new AcceptHandshakeCommand({ HandshakeId: 'h-0000000000' })))).toBeInstanceOf(HandshakeNotFoundException);

    await orgClient().send(new CancelHandshakeCommand({ HandshakeId: open }));
    expect(await rejection(member.send(new AcceptHandshakeCommand({ HandshakeId: open })))).toBeInstanceOf(InvalidHandshakeTransitionException);

    const declined = await inviteToOrg(MEMBER);
    expect((await member.send(new DeclineHandshakeCommand({ HandshakeId: declined }))).Handshake?.State).toBe('DECLINED');
    expect(await rejection(member.send(new DeclineHandshakeCommand({ HandshakeId: declined })))).toBeInstanceOf(HandshakeAlreadyInStateException);
    expect(await rejection(member.send(new AcceptHandshakeCommand({ HandshakeId: declined })))).toBeInstanceOf(InvalidHandshakeTransitionException);

    const expiring = await inviteToOrg(MEMBER);
    emulator.advanceTime(15 * DAY_MS);
    expect(await rejection(member.send(new AcceptHandshakeCommand({ HandshakeId: expiring })))).toBeInstanceOf(InvalidHandshakeTransitionException);
    expect((await listForAccount(member)).map(h => h.State)).toEqual(['CANCELED', 'DECLINED', 'EXPIRED']);

    const pending = await inviteToOrg(MEMBER);
    emulator.denyAction(MEMBER, 'iam:CreateServiceLinkedRole');
    const dependency = await rejection(member.send(new AcceptHandshakeCommand({ HandshakeId: pending })));
    expect(dependency).toBeInstanceOf(AccessDeniedForDependencyException);
    expect(dependency.Reason).toBe('ACCESS_DENIED_DURING_CREATE_SERVICE_LINKED_ROLE');
    emulator.allowAllActions();

    emulator.org.markInOtherOrganization(MEMBER);
    const already = await rejection(member.send(new AcceptHandshakeCommand({ HandshakeId: pending })));
    expect([already.name, already.Reason]).toEqual(['HandshakeConstraintViolationException', 'ALREADY_IN_AN_ORGANIZATION']);
    expect((await member.send(new DescribeOrganizationCommand({}))).Organization).toMatchObject({ Id: 'o-otherorg9999', MasterAccountId: '999999999999' });
    expect(emulator.openHandshakes().map(h => h.Id)).toEqual([pending]);

    emulator.org.removeFromOrganization(MEMBER);
    expect((await member.send(new AcceptHandshakeCommand({ HandshakeId: pending }))).Handshake?.State).toBe('ACCEPTED');
    expect(emulator.validationErrors).toEqual([]);
  });

  test('a second organization: its own management account invites; the invitee tells the two apart by ARN and party', async () => {
    const orgId = emulator.org.createOrganization(OTHER);
    expect(orgId).toMatch(/^o-[a-z0-9]{10}$/);
    const ours = await inviteToOrg(MEMBER);
    const theirs = await inviteToOrg(MEMBER, as(OrganizationsClient, OTHER));
    const seen = await listForAccount(as(OrganizationsClient, MEMBER));
    expect(seen.map(h => [h.Id, h.Arn])).toEqual([
      [ours, `arn:aws:organizations::${MGMT}:handshake/o-exampleorg11/invite/${ours}`],
      [theirs, `arn:aws:organizations::${OTHER}:handshake/${orgId}/invite/${theirs}`],
    ]);
    // each management account lists and cancels only its own
    expect((await orgClient().send(new DescribeHandshakeCommand({ HandshakeId: ours }))).Handshake?.Id).toBe(ours);
    expect(await rejection(orgClient().send(new CancelHandshakeCommand({ HandshakeId: theirs })))).toBeInstanceOf(HandshakeNotFoundException);
    expect(await rejection(orgClient().send(new DescribeHandshakeCommand({ HandshakeId: theirs })))).toBeInstanceOf(HandshakeNotFoundException);
    const theirList = [];
    for await (const page of paginateListHandshakesForOrganization({ client: as(OrganizationsClient, OTHER) }, {})) {
      theirList.push(...(page.Handshakes ?? []).map(h => h.Id));
    }
    expect(theirList).toEqual([theirs]);

    await as(OrganizationsClient, MEMBER).send(new AcceptHandshakeCommand({ HandshakeId: theirs }));
    expect(emulator.org.accounts(orgId).map(a => a.Id)).toEqual([OTHER, MEMBER]);
    const [org] = emulator.state().organizations.organizations.filter(o => o.id === orgId);
    expect(org).toEqual({ id: orgId, managementAccountId: OTHER, accounts: [OTHER, MEMBER] });
    // the other invitation can no longer be accepted
    expect((await rejection(as(OrganizationsClient, MEMBER).send(new AcceptHandshakeCommand({ HandshakeId: ours })))).Reason).toBe('ALREADY_IN_AN_ORGANIZATION');
  });

  test('an invitation by email reaches the account whose email the emulator knows', async () => {
    emulator.org.registerAccount(MEMBER, 'Member@Example.com');
    const { Handshake } = await orgClient().send(new InviteAccountToOrganizationCommand({ Target: { Id: 'member@example.com', Type: 'EMAIL' } }));
    const seen = await listForAccount(as(OrganizationsClient, MEMBER));
    expect(seen.map(h => h.Id)).toEqual([Handshake?.Id]);
    expect(await listForAccount(as(OrganizationsClient, OTHER))).toEqual([]);
  });
});

describe('Macie: member side', () => {
  async function invited(administrator = MGMT, accountId = MEMBER): Promise<string> {
    const admin = as(Macie2Client, administrator);
    await admin.send(new CreateMemberCommand({ account: { accountId, email: `${accountId}@example.com` } }));
    await admin.send(new CreateInvitationsCommand({ accountIds: [accountId] }));
    return emulator.macie.invitationId(accountId, administrator)!;
  }

  test('enable, list, accept: the administrator sees the member Enabled; disassociating makes it Resigned', async () => {
    const member = as(Macie2Client, MEMBER);
    const notEnabled = await rejection(member.send(new GetMacieSessionCommand({})));
    expect([notEnabled.name, notEnabled.$metadata.httpStatusCode]).toEqual(['AccessDeniedException', 403]);
    await member.send(new EnableMacieCommand({}));
    expect(await member.send(new GetMacieSessionCommand({}))).toMatchObject({
      status: 'ENABLED',
      serviceRole: `arn:aws:iam::${MEMBER}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
    });
    expect(await rejection(member.send(new EnableMacieCommand({})))).toBeInstanceOf(MacieConflictException);
    expect((await member.send(new GetAdministratorAccountCommand({}))).administrator).toBeUndefined();

    const invitationId = await invited();
    const invitations = [];
    for await (const page of paginateListInvitations({ client: member }, {})) invitations.push(...(page.invitations ?? []));
    expect(invitations).toEqual([{ accountId: MGMT, invitationId, invitedAt: expect.any(Date), relationshipStatus: 'Invited' }]);
    expect((await member.send(new GetAdministratorAccountCommand({}))).administrator).toMatchObject({ accountId: MGMT, invitationId, relationshipStatus: 'Invited' });

    await member.send(new AcceptInvitationCommand({ administratorAccountId: MGMT, invitationId }));
    expect(emulator.macie.membersByStatus()).toEqual({ Enabled: [MEMBER] });
    expect((await macieClient().send(new GetMemberCommand({ id: MEMBER }))).relationshipStatus).toBe('Enabled');
    expect((await member.send(new GetAdministratorAccountCommand({}))).administrator).toMatchObject({ accountId: MGMT, relationshipStatus: 'Enabled' });
    // an accepted invitation is no longer listed
    expect((await member.send(new ListInvitationsCommand({ nextToken: undefined }))).invitations).toEqual([]);
    emulator.macie.setListEndedInvitations(true);
    expect((await member.send(new ListInvitationsCommand({}))).nextToken).toBeDefined();

    await member.send(new DisassociateFromAdministratorAccountCommand({}));
    expect(emulator.macie.membersByStatus()).toEqual({ Resigned: [MEMBER] });
    expect((await member.send(new GetAdministratorAccountCommand({}))).administrator?.relationshipStatus).toBe('Resigned');
    expect(await rejection(member.send(new DisassociateFromAdministratorAccountCommand({})))).toBeInstanceOf(MacieResourceNotFoundException);
    expect(emulator.state().macie).toEqual({ sessions: { [MGMT]: 'ENABLED', [MEMBER]: 'ENABLED' }, members: { [MGMT]: { Resigned: [MEMBER] } } });
    expect(emulator.validationErrors).toEqual([]);
  });

  test('AcceptInvitation: empty invitationId is invalid; no pending invitation is ValidationException; another administrator conflicts; Macie must be enabled', async () => {
    const member = as(Macie2Client, MEMBER);
    const invitationId = await invited();
    expect(await rejection(member.send(new AcceptInvitationCommand({ administratorAccountId: MGMT, invitationId }))))
      .toBeInstanceOf(MacieAccessDeniedException);
    emulator.macie.enable(MEMBER);

    const empty = await rejection(member.send(new AcceptInvitationCommand({ administratorAccountId: MGMT, invitationId: '' })));
    expect([empty.name, empty.$metadata.httpStatusCode]).toEqual(['ValidationException', 400]);
    const missing = await rejection(member.send(new AcceptInvitationCommand({ administratorAccountId: MGMT } as never)));
    expect(missing.message).toMatch(/Value at 'invitationId' failed to satisfy constraint: Member must not be null/);
    expect(emulator.validationErrors.map(v => v.op)).toEqual(['AcceptInvitation', 'AcceptInvitation']);

    for (const input of [{ administratorAccountId: OTHER, invitationId }, { administratorAccountId: MGMT, invitationId: 'f'.repeat(32) }]) {
      expect(await rejection(member.send(new AcceptInvitationCommand(input)))).toBeInstanceOf(MacieValidationException);
    }
    // the invitee of another account cannot accept it
    emulator.macie.enable(OTHER);
    expect(await rejection(as(Macie2Client, OTHER).send(new AcceptInvitationCommand({ administratorAccountId: MGMT, invitationId }))))
      .toBeInstanceOf(MacieValidationException);
    expect(emulator.macie.membersByStatus()).toEqual({ Invited: [MEMBER] });

    // an invitation from a second administrator, once the first is accepted: conflict
    emulator.macie.enable(OTHER);
    const second = await invited(OTHER);
    await member.send(new AcceptInvitationCommand({ invitationId }));
    const conflict = await rejection(member.send(new AcceptInvitationCommand({ administratorAccountId: OTHER, invitationId: second })));
    expect(conflict).toBeInstanceOf(MacieConflictException);
    expect(conflict.message).toContain(MGMT);
    expect(emulator.macie.membersByStatus(OTHER)).toEqual({ Invited: [MEMBER] });
    // again the same: no pending invitation any more
    expect(await rejection(member.send(new AcceptInvitationCommand({ administratorAccountId: MGMT, invitationId }))))
      .toBeInstanceOf(MacieValidationException);
  });

  test('ListInvitations pages through empty pages; members managed through Organizations cannot disassociate themselves', async () => {
    emulator.macie.enable(MEMBER);
    for (const admin of ['444444444444', '555555555555', '666666666666']) {
      emulator.macie.enable(admin);
      await invited(admin);
    }
    const pages = [];
    let nextToken: string | undefined;
    do {
      const page = await as(Macie2Client, MEMBER).send(new ListInvitationsCommand({ nextToken }));
      pages.push(page.invitations?.map(i => i.accountId));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(pages).toEqual([[], ['444444444444', '555555555555'], ['666666666666'], []]);

    emulator.macie.addOrganizationMember(OTHER);
    emulator.macie.enable(OTHER);
    expect((await as(Macie2Client, OTHER).send(new GetAdministratorAccountCommand({}))).administrator).toEqual({ accountId: MGMT, relationshipStatus: 'Enabled' });
    expect(await rejection(as(Macie2Client, OTHER).send(new DisassociateFromAdministratorAccountCommand({}))))
      .toBeInstanceOf(MacieValidationException);
  });
});

describe('WorkSpaces: target side', () => {
  const createLink = async (target = MEMBER, source = MGMT) =>
    (await as(WorkSpacesClient, source).send(new CreateAccountLinkInvitationCommand({ TargetAccountId: target }))).AccountLink!.AccountLinkId!;

  test('the target lists, gets and accepts; the source sees LINKED; a retry with the same ClientToken answers the link', async () => {
    const linkId = await createLink();
    await createLink(OTHER);
    const target = as(WorkSpacesClient, MEMBER);
    const seen = [];
    for await (const page of paginateListAccountLinks({ client: target }, {})) seen.push(...(page.AccountLinks ?? []));
    expect(seen).toEqual([{ AccountLinkId: linkId, AccountLinkStatus: 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT', SourceAccountId: MGMT, TargetAccountId: MEMBER }]);
    expect((await target.send(new GetAccountLinkCommand({ LinkedAccountId: MGMT }))).AccountLink?.AccountLinkId).toBe(linkId);
    expect((await target.send(new GetAccountLinkCommand({ LinkId: linkId }))).AccountLink?.SourceAccountId).toBe(MGMT);

    const accepted = await target.send(new AcceptAccountLinkInvitationCommand({ LinkId: linkId, ClientToken: 'accept-1' }));
    expect(accepted.AccountLink?.AccountLinkStatus).toBe('LINKED');
    expect((await target.send(new AcceptAccountLinkInvitationCommand({ LinkId: linkId, ClientToken: 'accept-1' }))).AccountLink?.AccountLinkStatus).toBe('LINKED');
    expect(await rejection(target.send(new AcceptAccountLinkInvitationCommand({ LinkId: linkId, ClientToken: 'accept-2' }))))
      .toBeInstanceOf(WorkSpacesConflictException);
    expect(await rejection(target.send(new RejectAccountLinkInvitationCommand({ LinkId: linkId })))).toBeInstanceOf(WorkSpacesConflictException);
    expect((await workspacesClient().send(new GetAccountLinkCommand({ LinkId: linkId }))).AccountLink?.AccountLinkStatus).toBe('LINKED');
    expect(emulator.workspaces.pendingLinks().map(l => l.TargetAccountId)).toEqual([OTHER]);
  });

  test('only the target answers (AccessDenied); unknown links and other accounts\' links are not found; reject is REJECTED', async () => {
    const linkId = await createLink();
    const denied = await rejection(as(WorkSpacesClient, MGMT).send(new AcceptAccountLinkInvitationCommand({ LinkId: linkId })));
    expect([denied.name, denied.$metadata.httpStatusCode]).toEqual(['AccessDeniedException', 400]);
    expect(denied).toBeInstanceOf(WorkSpacesAccessDeniedException);
    expect(await rejection(as(WorkSpacesClient, OTHER).send(new AcceptAccountLinkInvitationCommand({ LinkId: linkId }))))
      .toBeInstanceOf(WorkSpacesResourceNotFoundException);
    expect(await rejection(as(WorkSpacesClient, OTHER).send(new GetAccountLinkCommand({ LinkId: linkId }))))
      .toBeInstanceOf(WorkSpacesResourceNotFoundException);
    expect(await rejection(as(WorkSpacesClient, MEMBER).send(new AcceptAccountLinkInvitationCommand({ LinkId: 'link-000000000000' }))))
      .toBeInstanceOf(WorkSpacesResourceNotFoundException);
    expect(await rejection(as(WorkSpacesClient, MEMBER).send(new DeleteAccountLinkInvitationCommand({ LinkId: linkId }))))
      .toBeInstanceOf(WorkSpacesAccessDeniedException);

    expect((await as(WorkSpacesClient, MEMBER).send(new RejectAccountLinkInvitationCommand({ LinkId: linkId }))).AccountLink?.AccountLinkStatus).toBe('REJECTED');
    // two sources may invite the same target: the target sees both
    await createLink();
    await createLink(MEMBER, OTHER);
    const statuses = (await as(WorkSpacesClient, MEMBER).send(new ListAccountLinksCommand({ MaxResults: 25 }))).AccountLinks;
    expect(statuses).toEqual([]); // the empty first page
    const all = [];
    for await (const page of paginateListAccountLinks({ client: as(WorkSpacesClient, MEMBER) }, {})) {
      all.push(...(page.AccountLinks ?? []).map(l => [l.SourceAccountId, l.AccountLinkStatus]));
    }
    expect(all).toEqual([[MGMT, 'REJECTED'], [MGMT, 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT'], [OTHER, 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT']]);
    expect(emulator.validationErrors).toEqual([]);
  });
});

describe('invitation delay and faults on the invitee side', () => {
  test('after N list calls: the invitee\'s first N looks miss the invitation, in each service; the inviter sees it at once', async () => {
    emulator.setInvitationDelay({ listCalls: 2 });
    emulator.macie.enable(MEMBER);
    const handshake = await inviteToOrg(MEMBER);
    await macieClient().send(new CreateMemberCommand({ account: { accountId: MEMBER, email: 'm@example.com' } }));
    await macieClient().send(new CreateInvitationsCommand({ accountIds: [MEMBER] }));
    const link = (await workspacesClient().send(new CreateAccountLinkInvitationCommand({ TargetAccountId: MEMBER }))).AccountLink!.AccountLinkId!;
    expect(emulator.org.handshakes().map(h => h.Id)).toEqual([handshake]);

    const org = as(OrganizationsClient, MEMBER);
    const macie = as(Macie2Client, MEMBER);
    const ws = as(WorkSpacesClient, MEMBER);
    const looks = async () => [
      (await org.send(new ListHandshakesForAccountCommand({}))).NextToken !== undefined,
      (await macie.send(new ListInvitationsCommand({}))).nextToken !== undefined,
      (await ws.send(new ListAccountLinksCommand({}))).NextToken !== undefined,
    ];
    expect(await looks()).toEqual([false, false, false]);
    expect(await rejection(org.send(new AcceptHandshakeCommand({ HandshakeId: handshake })))).toBeInstanceOf(HandshakeNotFoundException);
    expect(await rejection(ws.send(new AcceptAccountLinkInvitationCommand({ LinkId: link })))).toBeInstanceOf(WorkSpacesResourceNotFoundException);
    expect(await looks()).toEqual([false, false, false]);
    expect(await looks()).toEqual([true, true, true]);
    expect(emulator.state().organizations.handshakes.map(h => h.visibleToInvitee)).toEqual([true]);
    expect((await org.send(new AcceptHandshakeCommand({ HandshakeId: handshake }))).Handshake?.State).toBe('ACCEPTED');
  });

  test('after N ms of the emulator\'s clock (advanceTime, or waiting)', async () => {
    emulator.setInvitationDelay({ ms: 60_000 }, ['organizations']);
    const handshake = await inviteToOrg(MEMBER);
    const member = as(OrganizationsClient, MEMBER);
    expect(await listForAccount(member)).toEqual([]);
    expect(await rejection(member.send(new DescribeHandshakeCommand({ HandshakeId: handshake })))).toBeInstanceOf(HandshakeNotFoundException);
    emulator.advanceTime(60_000);
    expect((await listForAccount(member)).map(h => h.Id)).toEqual([handshake]);

    emulator.setInvitationDelay({ ms: 100 });
    const link = (await workspacesClient().send(new CreateAccountLinkInvitationCommand({ TargetAccountId: MEMBER }))).AccountLink!.AccountLinkId!;
    expect(await rejection(as(WorkSpacesClient, MEMBER).send(new GetAccountLinkCommand({ LinkId: link }))))
      .toBeInstanceOf(WorkSpacesResourceNotFoundException);
    await new Promise(resolve => setTimeout(resolve, 120));
    expect((await as(WorkSpacesClient, MEMBER).send(new GetAccountLinkCommand({ LinkId: link }))).AccountLink?.AccountLinkId).toBe(link);
    expect(() => emulator.setInvitationDelay({ ms: -1 })).toThrow(/non-negative integer/);
  });

  test('throttling and server errors apply to the new operations, also for one account only', async () => {
    await inviteToOrg(MEMBER);
    emulator.faults.throttle('ListHandshakesForAccount', 2, { accountId: MEMBER });
    // another account's calls are not affected
    expect((await as(OrganizationsClient, OTHER).send(new ListHandshakesForAccountCommand({}))).$metadata.attempts).toBe(1);
    const retried = await as(OrganizationsClient, MEMBER, {}).send(new ListHandshakesForAccountCommand({}));
    expect(retried.$metadata.attempts).toBe(3);

    const cases: Array<[() => Promise<unknown>, string, string, number]> = [
      [() => as(OrganizationsClient, MEMBER).send(new AcceptHandshakeCommand({ HandshakeId: 'h-0000000000' })), 'AcceptHandshake', 'TooManyRequestsException', 400],
      [() => as(Macie2Client, MEMBER).send(new ListInvitationsCommand({})), 'ListInvitations', 'ThrottlingException', 429],
      [() => as(Macie2Client, MEMBER).send(new GetAdministratorAccountCommand({})), 'GetAdministratorAccount', 'ThrottlingException', 429],
      [() => as(WorkSpacesClient, MEMBER).send(new AcceptAccountLinkInvitationCommand({ LinkId: 'link-000000000000' })), 'AcceptAccountLinkInvitation', 'ThrottlingException', 400],
      [() => stsClient().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/R`, RoleSessionName: 'sess' })), 'AssumeRole', 'Throttling', 400],
    ];
    for (const [call, op, name, status] of cases) {
      emulator.faults.throttle(op);
      const error = await rejection(call());
      expect([error.name, error.$metadata.httpStatusCode]).toEqual([name, status]);
      emulator.faults.serverError(op);
      expect((await rejection(call())).$metadata.httpStatusCode).toBe(500);
    }
  });
});
