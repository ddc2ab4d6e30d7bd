/**
 * test/util/model.ts: the model validation of mocked SDK requests works for every service the handlers call, and
 * catches what the service would reject (so a handler test that uses it cannot pass on a malformed request).
 */
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { CreateInvitationsCommand, CreateMemberCommand, GetMemberCommand, Macie2Client } from '@aws-sdk/client-macie2';
import { InviteAccountToOrganizationCommand, ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateAccountLinkInvitationCommand, ListAccountLinksCommand, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE, requestContext } from './util/events';
import { expectModelValidRequests, modelProblems, recordedRequests } from './util/model';

const region = 'us-east-1';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const bad = (input: Record<string, unknown>) => input as any;

test('Organizations: valid requests pass; a bad enum, a too-long member and a missing member are named', async () => {
  const mock = mockClient(OrganizationsClient);
  mock.onAnyCommand().resolves({});
  const client = new OrganizationsClient({ region, credentials });
  await client.send(new InviteAccountToOrganizationCommand({ Target: { Id: '222222222222', Type: 'ACCOUNT' }, Notes: 'hi', Tags: [{ Key: 'a', Value: 'b' }] }));
  await client.send(new ListAccountsCommand({}));
  expectModelValidRequests(mock, 'organizations');

  await client.send(new InviteAccountToOrganizationCommand(bad({ Target: { Id: '222222222222', Type: 'BOGUS' }, Notes: 'x'.repeat(1025) })));
  await client.send(new InviteAccountToOrganizationCommand(bad({ Notes: 'x' })));
  const problems = modelProblems('organizations', recordedRequests(mock));
  expect(problems.map((p) => [p.operation, p.violations.map((v) => `${v.path}:${v.rule}`).sort()])).toEqual([
    ['InviteAccountToOrganization', ['Notes:maxLength', 'Target.Type:enum']],
    ['InviteAccountToOrganization', ['Target:required']],
  ]);
  mock.restore();
});

test('Macie: valid requests pass (camelCase members, URI labels); an invalid one is named', async () => {
  const mock = mockClient(Macie2Client);
  mock.onAnyCommand().resolves({});
  const client = new Macie2Client({ region, credentials });
  await client.send(new CreateMemberCommand({ account: { accountId: '222222222222', email: 'a@example.com' } }));
  await client.send(new CreateInvitationsCommand({ accountIds: ['222222222222'], message: 'hi' }));
  await client.send(new GetMemberCommand({ id: '222222222222' }));
  expectModelValidRequests(mock, 'macie2');

  await client.send(new CreateMemberCommand(bad({ account: { email: 'a@example.com' } })));
  expect(modelProblems('macie2', recordedRequests(mock)).map((p) => p.violations.map((v) => `${v.path}:${v.rule}`)))
    .toEqual([['account.accountId:required']]);
  mock.restore();
});

test('WorkSpaces: valid requests pass; a malformed account ID is named', async () => {
  const mock = mockClient(WorkSpacesClient);
  mock.onAnyCommand().resolves({});
  const client = new WorkSpacesClient({ region, credentials });
  await client.send(new CreateAccountLinkInvitationCommand({ TargetAccountId: '333333333333', ClientToken: 'token-1' }));
  await client.send(new ListAccountLinksCommand({ MaxResults: 25 }));
  expectModelValidRequests(mock, 'workspaces');

  await client.send(new CreateAccountLinkInvitationCommand({ TargetAccountId: 'nope' }));
  await client.send(new ListAccountLinksCommand({ MaxResults: 26 }));
  expect(modelProblems('workspaces', recordedRequests(mock)).map((p) => [p.operation, p.violations.map((v) => `${v.path}:${v.rule}`)]))
    .toEqual([['CreateAccountLinkInvitation', ['TargetAccountId:pattern']], ['ListAccountLinks', ['MaxResults:maxValue']]]);
  mock.restore();
});

test('CloudFormation: valid requests pass; a bad enum is named', async () => {
  const mock = mockClient(CloudFormationClient);
  mock.onAnyCommand().resolves({});
  const client = new CloudFormationClient({ region, credentials });
  await client.send(new DescribeStacksCommand({ StackName: 'arn:aws:cloudformation:us-east-1:111111111111:stack/S/x' }));
  await client.send(new GetTemplateCommand({ StackName: 'S', TemplateStage: 'Processed' }));
  expectModelValidRequests(mock, 'cloudformation');

  await client.send(new GetTemplateCommand(bad({ StackName: 'S', TemplateStage: 'Bogus' })));
  expect(modelProblems('cloudformation', recordedRequests(mock)).map((p) => p.violations.map((v) => `${v.path}:${v.rule}`)))
    .toEqual([['TemplateStage:enum']]);
  mock.restore();
});

test('an operation the model does not know is a problem, not a silent pass', () => {
  expect(modelProblems('workspaces', [{ operation: 'DeleteEverything', input: {} }]))
    .toEqual([{ operation: 'DeleteEverything', unknownOperation: true, violations: [] }]);
});

test('requestContext: the events\' stack and logical ID, the registered resource type, overrides on top', () => {
  expect(requestContext('org-invitation')).toEqual({
    requestType: 'Create',
    stackId: BASE.StackId,
    logicalResourceId: BASE.LogicalResourceId,
    requestId: BASE.RequestId,
    resourceType: 'Custom::OrgInvitation',
  });
  expect(requestContext('macie-invitations', { requestType: 'Delete' })).toMatchObject({ requestType: 'Delete', resourceType: 'Custom::MacieInvitations' });
});
