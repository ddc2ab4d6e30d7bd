/**
 * What every construct shares: the removal-policy rule, tags and permissions boundaries on the provider's resources,
 * and the provider registry (one function per stack and kind, the timeout raised by the constructs that need more).
 */
import { App, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  DetectiveInvitationAccepter,
  InvitationRemovalProps,
  InvitationTarget,
  MacieInvitationAccepter,
  MacieInvitations,
  OrgInvitation,
  OrgInvitationAccepter,
  ResourceShareAccepter,
  SecurityHubInvitationAccepter,
  SecurityHubInvitations,
  WorkSpacesAccountLink,
  WorkSpacesAccountLinkAccepter,
} from '../src';
import { HANDLER_NAMES, HANDLERS } from '../src/private/handlers';
import { InvitationProvider } from '../src/private/provider';

const DETECTIVE_GRAPH = `arn:aws:detective:eu-west-1:333333333333:graph:${'a'.repeat(32)}`;

function newStack() {
  return new Stack(new App(), 'Shared', { env: { account: '111111111111', region: 'eu-west-1' } });
}

const CONSTRUCTS: Array<[string, (scope: Construct, id: string, base: InvitationRemovalProps) => Construct]> = [
  ['OrgInvitation', (scope, id, base) => new OrgInvitation(scope, id, { target: InvitationTarget.account('222222222222'), ...base })],
  ['MacieInvitations', (scope, id, base) => new MacieInvitations(scope, id, { members: [{ accountId: '222222222222', email: 'a@example.com' }], ...base })],
  ['WorkSpacesAccountLink', (scope, id, base) => new WorkSpacesAccountLink(scope, id, { targetAccountId: '222222222222', ...base })],
  ['SecurityHubInvitations', (scope, id, base) => new SecurityHubInvitations(scope, id, { members: [{ accountId: '222222222222' }], ...base })],
  // the accepters with a removal policy (they can leave on delete)
  ['MacieInvitationAccepter', (scope, id, base) => new MacieInvitationAccepter(scope, id, { administratorAccountId: '222222222222', ...base })],
  ['SecurityHubInvitationAccepter', (scope, id, base) => new SecurityHubInvitationAccepter(scope, id, { administratorAccountId: '222222222222', ...base })],
  ['DetectiveInvitationAccepter', (scope, id, base) => new DetectiveInvitationAccepter(scope, id, { graphArn: DETECTIVE_GRAPH, ...base })],
  ['ResourceShareAccepter', (scope, id, base) => new ResourceShareAccepter(scope, id, { ownerAccountId: '222222222222', resourceShareName: 'shared', ...base })],
];

/** A stack with every construct of the library. */
function everyConstruct(scope: Construct): void {
  // the inviters; the accepters below, with their own props
  for (const [name, make] of CONSTRUCTS.filter(([n]) => !n.endsWith('Accepter'))) make(scope, name, {});
  // the accepters, looking once (waitTimeout 0): their functions keep the registry's floor timeout
  const once = { waitTimeout: Duration.seconds(0) };
  new OrgInvitationAccepter(scope, 'OrgInvitationAccepter', { managementAccountId: '333333333333', ...once });
  new MacieInvitationAccepter(scope, 'MacieInvitationAccepter', { administratorAccountId: '333333333333', ...once });
  new WorkSpacesAccountLinkAccepter(scope, 'WorkSpacesAccountLinkAccepter', { sourceAccountId: '333333333333', ...once });
  new SecurityHubInvitationAccepter(scope, 'SecurityHubInvitationAccepter', { administratorAccountId: '333333333333', ...once });
  new DetectiveInvitationAccepter(scope, 'DetectiveInvitationAccepter', { graphArn: DETECTIVE_GRAPH, ...once });
  new ResourceShareAccepter(scope, 'ResourceShareAccepter', { ownerAccountId: '333333333333', resourceShareName: 'shared', ...once });
}

describe('removalPolicy: one rule for every construct', () => {
  test.each(CONSTRUCTS)('%s accepts DESTROY (the default) and RETAIN', (_name, make) => {
    for (const [policy, deletion] of [[undefined, 'Delete'], [RemovalPolicy.DESTROY, 'Delete'], [RemovalPolicy.RETAIN, 'Retain']] as const) {
      const stack = newStack();
      make(stack, 'Invitation', { removalPolicy: policy });
      const resources = Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>)
        .filter((r) => r.Type.startsWith('Custom::'));
      expect(resources.map((r) => r.DeletionPolicy)).toEqual([deletion]);
    }
  });

  test.each(CONSTRUCTS.flatMap(([name, make]) => [
    [name, 'SNAPSHOT', make, RemovalPolicy.SNAPSHOT],
    [name, 'RETAIN_ON_UPDATE_OR_DELETE', make, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE],
  ] as const))('%s rejects %s at synth, naming the construct path and the value', (_name, shown, make, policy) => {
    const stack = newStack();
    expect(() => make(stack, 'Invitation', { removalPolicy: policy }))
      .toThrow(`[Shared/Invitation] removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got RemovalPolicy.${shown}.`);
  });

  test.each(CONSTRUCTS)('%s: emitOutputs false adds no output', (_name, make) => {
    const stack = newStack();
    make(stack, 'Invitation', { emitOutputs: false });
    expect(Template.fromStack(stack).toJSON().Outputs ?? {}).toEqual({});
  });
});

describe('Tags.of and PermissionsBoundary.of reach the resources the library creates', () => {
  const TAGGABLE = ['AWS::Lambda::Function', 'AWS::IAM::Role', 'AWS::Logs::LogGroup'];

  test('every function, role and log group carries the tags of Tags.of(stack)', () => {
    const stack = newStack();
    everyConstruct(stack);
    Tags.of(stack).add('cost-center', 'platform');
    Tags.of(stack).add('owner', 'landing-zone');
    const t = Template.fromStack(stack);
    for (const type of TAGGABLE) {
      const resources = t.findResources(type);
      // one per kind of handler
      expect({ type, count: Object.keys(resources).length }).toEqual({ type, count: HANDLER_NAMES.length });
      for (const [id, resource] of Object.entries(resources)) {
        expect({ id, tags: resource.Properties.Tags }).toEqual({
          id,
          tags: [{ Key: 'cost-center', Value: 'platform' }, { Key: 'owner', Value: 'landing-zone' }],
        });
      }
    }
  });

  test('includeResourceTypes / excludeResourceTypes and Tags.of(...).remove work as for any resource', () => {
    const stack = newStack();
    everyConstruct(stack);
    Tags.of(stack).add('fn-only', 'yes', { includeResourceTypes: ['AWS::Lambda::Function'] });
    Tags.of(stack).add('not-logs', 'yes', { excludeResourceTypes: ['AWS::Logs::LogGroup'] });
    Tags.of(stack).add('removed', 'yes');
    Tags.of(stack).remove('removed');
    const t = Template.fromStack(stack);
    const keys = (type: string) => Object.values(t.findResources(type)).map((r) => (r.Properties.Tags ?? []).map((tag: { Key: string }) => tag.Key));
    expect(keys('AWS::Lambda::Function')).toEqual(Array(HANDLER_NAMES.length).fill(['fn-only', 'not-logs']));
    expect(keys('AWS::IAM::Role')).toEqual(Array(HANDLER_NAMES.length).fill(['not-logs']));
    expect(keys('AWS::Logs::LogGroup')).toEqual(Array(HANDLER_NAMES.length).fill([]));
  });

  test('without tags, the resources have no Tags property', () => {
    const stack = newStack();
    everyConstruct(stack);
    const t = Template.fromStack(stack);
    for (const type of TAGGABLE) {
      for (const resource of Object.values(t.findResources(type))) expect(resource.Properties.Tags).toBeUndefined();
    }
  });

  test('PermissionsBoundary.of(stack) reaches every role', () => {
    const stack = newStack();
    everyConstruct(stack);
    iam.PermissionsBoundary.of(stack).apply(iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'landing-zone-boundary'));
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(HANDLER_NAMES.length);
    for (const role of Object.values(roles)) {
      expect(JSON.stringify(role.Properties.PermissionsBoundary)).toContain(':policy/landing-zone-boundary');
    }
  });
});

describe('the handler registry and the shared providers', () => {
  test('every construct kind has one registry entry, and its resources the registered type and timeout', () => {
    const stack = newStack();
    everyConstruct(stack);
    everyConstruct(new Construct(stack, 'Second'));
    const t = Template.fromStack(stack);
    const functions = t.findResources('AWS::Lambda::Function');
    // one function per kind, whatever the number of constructs
    expect(Object.keys(functions)).toHaveLength(HANDLER_NAMES.length);
    for (const name of HANDLER_NAMES) {
      const entry = HANDLERS[name];
      expect(Object.keys(t.findResources(entry.resourceType))).toHaveLength(2);
      const fn = Object.values(functions).find((f) => f.Properties.Description === entry.description);
      expect({ name, timeout: fn?.Properties.Timeout }).toEqual({ name, timeout: entry.timeoutSeconds });
    }
  });

  test('requireTimeout raises the function timeout to the largest value required, resolved at synth', () => {
    const stack = newStack();
    new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: '222222222222' });
    const provider = InvitationProvider.of(stack, 'workspaces-account-link', () => []);
    provider.requireTimeout(Duration.minutes(11));
    provider.requireTimeout(Duration.minutes(7)); // a smaller one keeps the larger
    provider.requireTimeout(Duration.seconds(610.5));
    expect(provider.timeout.toSeconds()).toBe(660);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Description: HANDLERS['workspaces-account-link'].description,
      Timeout: 660,
    });
  });

  test('requireTimeout never lowers the registered timeout, and refuses more than Lambda allows', () => {
    const stack = newStack();
    const provider = InvitationProvider.of(stack, 'org-invitation', () => []);
    provider.requireTimeout(Duration.seconds(0));
    expect(provider.timeout.toSeconds()).toBe(HANDLERS['org-invitation'].timeoutSeconds);
    expect(() => provider.requireTimeout(Duration.minutes(16))).toThrow(/at most 900 seconds, 960 were required/);
  });
});
