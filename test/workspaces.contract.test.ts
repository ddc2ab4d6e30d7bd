/**
 * The two sides of the WorkSpaces contracts cannot drift: the `Properties` each construct synthesizes are fed into
 * the parse of its handler's lifecycle (as CloudFormation sends them: scalars as strings, parameters resolved), and
 * every attribute a construct reads is one its handler writes into Data.
 */
import {
  AcceptAccountLinkInvitationCommand,
  AccountLink,
  CreateAccountLinkInvitationCommand,
  ListAccountLinksCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { App, Aws, CfnParameter, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { captureLogs, createEvent } from './util/events';
import { handler as accepterHandler } from '../lambda/workspaces/accepter';
import { linkAccepterLifecycle } from '../lambda/workspaces/accepter/lifecycle';
import { handler as inviterHandler } from '../lambda/workspaces/inviter';
import { accountLinkLifecycle } from '../lambda/workspaces/inviter/lifecycle';
import { Acceptance } from '../src/acceptance';
import { ACCEPTANCE } from '../src/private/contract/shared';
import { WORKSPACES_ACCEPTER, WORKSPACES_ACCOUNT_LINK } from '../src/private/contract/workspaces';
import { WorkSpacesAccountLink } from '../src/workspaces-account-link';
import { WorkSpacesAccountLinkAccepter } from '../src/workspaces-account-link-accepter';

const SOURCE = '111111111111';
const TARGET = '333333333333';
const LINK = 'link-abcd1234efgh';
const INVITER_TYPE = 'Custom::WorkSpacesAccountLink';
const ACCEPTER_TYPE = 'Custom::WorkSpacesAccountLinkAccepter';

/** What CloudFormation resolves the parameters and imports of these stacks to. */
const DEPLOYED: Record<string, string> = { 'Target': TARGET, 'Source': SOURCE, 'Exported-Link': LINK };

/**
 * The ResourceProperties the handler receives for a synthesized custom resource: without the resource's own
 * ServiceToken and ServiceTimeout, references resolved (`DEPLOYED`), every scalar a string.
 */
function asDeployed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asDeployed);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0] === 'Fn::ImportValue')) {
      const resolved = DEPLOYED[entries[0][1] as string];
      if (resolved === undefined) throw new Error(`no deployed value for ${JSON.stringify(value)}`);
      return resolved;
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, asDeployed(v)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** The one custom resource of `type` in `stack`: its logical ID and its Properties as synthesized (own keys dropped). */
function synthesized(stack: Stack, type: string): { logicalId: string; properties: Record<string, unknown> } {
  const resources = Object.entries(Template.fromStack(stack).findResources(type));
  expect(resources).toHaveLength(1);
  const [logicalId, resource] = resources[0];
  const { ServiceToken: _token, ServiceTimeout: _timeout, ...properties } = resource.Properties;
  return { logicalId, properties };
}

/** The attribute names the template reads of the resource `logicalId` (outputs, other resources). */
function attributesRead(stack: Stack, logicalId: string): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[0] === logicalId) names.add(getAtt[1] as string);
    Object.values(value).forEach(visit);
  };
  visit(Template.fromStack(stack).toJSON());
  return [...names].sort();
}

/** The attribute name behind a construct's attribute token (`Fn::GetAtt` of its custom resource). */
function attributeOf(stack: Stack, token: string, logicalId: string): string {
  const resolved = stack.resolve(token);
  expect(resolved).toEqual({ 'Fn::GetAtt': [logicalId, expect.any(String)] });
  return resolved['Fn::GetAtt'][1];
}

function sourceStack(): Stack {
  return new Stack(new App(), 'Source', { env: { account: SOURCE, region: 'eu-west-1' } });
}

function targetStack(): Stack {
  return new Stack(new App(), 'Target', { env: { account: TARGET, region: 'eu-west-1' } });
}

describe('WorkSpacesAccountLink: synthesized Properties parse in the handler', () => {
  test.each([
    ['defaults', (s: Stack) => new WorkSpacesAccountLink(s, 'Link', { targetAccountId: TARGET }), { targetAccountId: TARGET }],
    ['every prop set', (s: Stack) => new WorkSpacesAccountLink(s, 'Link', {
      targetAccountId: TARGET,
      acceptance: Acceptance.assumeRole('LinkAccepter'),
      removalPolicy: RemovalPolicy.RETAIN,
      emitOutputs: false,
    }), { targetAccountId: TARGET, acceptRoleName: 'LinkAccepter' }],
    ['tokens (the target from a parameter)', (s: Stack) => new WorkSpacesAccountLink(s, 'Link', {
      targetAccountId: new CfnParameter(s, 'Target').valueAsString,
      acceptance: Acceptance.assumeRole('OrganizationAccountAccessRole'),
    }), { targetAccountId: TARGET, acceptRoleName: 'OrganizationAccountAccessRole' }],
  ])('%s', (_, declare, expected) => {
    const stack = sourceStack();
    declare(stack);
    const { properties } = synthesized(stack, INVITER_TYPE);

    expect(accountLinkLifecycle.parse(asDeployed(properties) as Record<string, unknown>)).toEqual(expected);
    // the identifying field alone (old properties of an older version) reads the same target
    expect(accountLinkLifecycle.parseOld!(asDeployed(properties) as Record<string, unknown>)).toEqual({ targetAccountId: expected.targetAccountId });
    // no key the handler would ignore: the inviter's own keys, and the role name only with acceptance
    const keys = [WORKSPACES_ACCOUNT_LINK.keys.targetAccountId, ...('acceptRoleName' in expected ? [ACCEPTANCE.roleNameKey] : [])];
    expect(Object.keys(properties).sort()).toEqual(keys.sort());
  });
});

describe('WorkSpacesAccountLinkAccepter: synthesized Properties parse in the handler', () => {
  test.each([
    ['defaults', (s: Stack) => new WorkSpacesAccountLinkAccepter(s, 'Accept', { sourceAccountId: SOURCE }),
      { sourceAccountId: SOURCE, accountLinkId: undefined, waitTimeoutMs: 300_000 }],
    ['every prop set (the longest wait)', (s: Stack) => new WorkSpacesAccountLinkAccepter(s, 'Accept', {
      sourceAccountId: SOURCE,
      accountLinkId: LINK,
      waitTimeout: Duration.minutes(14),
      emitOutputs: false,
    }), { sourceAccountId: SOURCE, accountLinkId: LINK, waitTimeoutMs: 840_000 }],
    ['look once (waitTimeout 0)', (s: Stack) => new WorkSpacesAccountLinkAccepter(s, 'Accept', {
      sourceAccountId: SOURCE,
      waitTimeout: Duration.seconds(0),
    }), { sourceAccountId: SOURCE, accountLinkId: undefined, waitTimeoutMs: 0 }],
    ['tokens (source from a parameter, link ID from an import)', (s: Stack) => new WorkSpacesAccountLinkAccepter(s, 'Accept', {
      sourceAccountId: new CfnParameter(s, 'Source').valueAsString,
      accountLinkId: Fn.importValue('Exported-Link'),
    }), { sourceAccountId: SOURCE, accountLinkId: LINK, waitTimeoutMs: 300_000 }],
  ])('%s', (_, declare, expected) => {
    const stack = targetStack();
    declare(stack);
    const { properties } = synthesized(stack, ACCEPTER_TYPE);

    expect(linkAccepterLifecycle.parse(asDeployed(properties) as Record<string, unknown>)).toEqual(expected);
    // the synthesized numbers parse too (a template read back, the emulator)
    expect(linkAccepterLifecycle.parse(JSON.parse(JSON.stringify(asDeployed(properties))))).toEqual(expected);
  });

  test('declared by acceptIn: the inviting account as the source, the given wait', () => {
    const app = new App();
    const source = new Stack(app, 'Source', { env: { account: SOURCE, region: 'eu-west-1' } });
    const target = new Stack(app, 'Target', { env: { account: TARGET, region: 'eu-west-1' } });
    new WorkSpacesAccountLink(source, 'Link', { targetAccountId: TARGET }).acceptIn(target, { waitTimeout: Duration.minutes(10) });
    const { properties } = synthesized(target, ACCEPTER_TYPE);

    expect(linkAccepterLifecycle.parse(asDeployed(properties) as Record<string, unknown>))
      .toEqual({ sourceAccountId: SOURCE, accountLinkId: undefined, waitTimeoutMs: 600_000 });
  });
});

describe('every attribute a construct reads is one its handler writes', () => {
  const ws = mockClient(WorkSpacesClient);
  let logs: ReturnType<typeof captureLogs>;
  const link = (status: string): AccountLink => ({
    AccountLinkId: LINK,
    AccountLinkStatus: status as AccountLink['AccountLinkStatus'],
    // the handlers' events come from account 111111111111 (test/util/events.ts): the source for the inviter
    SourceAccountId: SOURCE,
    TargetAccountId: TARGET,
  });

  beforeEach(() => {
    ws.reset();
    logs = captureLogs();
  });
  afterEach(() => logs.restore());
  afterAll(() => ws.restore());

  test('WorkSpacesAccountLink', async () => {
    const stack = sourceStack();
    const construct = new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: TARGET });
    const { logicalId, properties } = synthesized(stack, INVITER_TYPE);
    const read = [
      ...attributesRead(stack, logicalId),
      attributeOf(stack, construct.accountLinkId, logicalId),
      attributeOf(stack, construct.accountLinkStatus, logicalId),
    ];

    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link('PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT') });
    const { Data } = await inviterHandler(createEvent(asDeployed(properties) as Record<string, unknown>));

    expect(read.length).toBeGreaterThan(2); // the output reads the link ID
    for (const name of read) expect(Data).toHaveProperty([name], expect.anything());
    expect(Object.keys(Data!).sort()).toEqual(Object.values(WORKSPACES_ACCOUNT_LINK.attributes).sort());
  });

  test('WorkSpacesAccountLinkAccepter', async () => {
    // the handlers' events come from account 111111111111: here the accepting (target) account
    const stack = new Stack(new App(), 'Target', { env: { account: SOURCE, region: 'eu-west-1' } });
    const construct = new WorkSpacesAccountLinkAccepter(stack, 'Accept', { sourceAccountId: TARGET, waitTimeout: Duration.seconds(0) });
    const { logicalId, properties } = synthesized(stack, ACCEPTER_TYPE);
    const read = [
      ...attributesRead(stack, logicalId),
      attributeOf(stack, construct.accountLinkId, logicalId),
      attributeOf(stack, construct.accountLinkStatus, logicalId),
    ];

    const incoming = { ...link('PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT'), SourceAccountId: TARGET, TargetAccountId: SOURCE };
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [incoming] });
    ws.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: { ...incoming, AccountLinkStatus: 'LINKED' } });
    const { Data } = await accepterHandler(createEvent(asDeployed(properties) as Record<string, unknown>));

    expect(read.length).toBeGreaterThan(2); // the output reads the link ID
    for (const name of read) expect(Data).toHaveProperty([name], expect.anything());
    expect(Object.keys(Data!).sort()).toEqual(Object.values(WORKSPACES_ACCEPTER.attributes).sort());
  });

  // issue 17 item 14: synth cannot tell that `Aws.ACCOUNT_ID` is the stack's own account; the handler's check can
  test('an accepter whose source is Aws.ACCOUNT_ID passes synth, and its handler refuses it naming the mix-up, before any call', async () => {
    const stack = targetStack();
    new WorkSpacesAccountLinkAccepter(stack, 'Accept', { sourceAccountId: Aws.ACCOUNT_ID });
    const { properties } = synthesized(stack, ACCEPTER_TYPE);
    expect(properties[WORKSPACES_ACCEPTER.keys.sourceAccountId]).toEqual({ Ref: 'AWS::AccountId' });
    // what CloudFormation passes in the target account's stack
    const deployed = { ...properties, [WORKSPACES_ACCEPTER.keys.sourceAccountId]: TARGET };
    await expect(accepterHandler(createEvent(asDeployed(deployed) as Record<string, unknown>, {
      StackId: `arn:aws:cloudformation:eu-west-1:${TARGET}:stack/Target/5b1c4e10-0000-0000-0000-000000000000`,
    }))).rejects.toThrow(`The expected source account ${TARGET} is this stack's own account`);
    expect(ws.calls()).toHaveLength(0);
  });
});
