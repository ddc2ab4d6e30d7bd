/**
 * Benchmark app: one stack with N invitations of one kind (or of each kind), built with this library or with
 * aws-cdk-lib's AwsCustomResource, synthesized, and measured against CloudFormation's and IAM's limits.
 *
 * As a child process (what the timed runs spawn, after run.ts bundled this file into bench/.build/synth-app.js):
 *   node bench/.build/synth-app.js <org|macie|workspaces|all> <N> <lib|acr> <outputs:on|off> <validation:on|off> <outdir>
 * prints one line of JSON metrics. run.ts also calls `synthesize` in-process for the deployability bisection.
 *
 * The AwsCustomResource equivalents (installLatestAwsSdk: false, policy from the SDK calls on any resource):
 * - org: inviteAccountToOrganization on create, cancelHandshake on delete, physical ID from Handshake.Id;
 * - macie: one resource per member, createMember on create and deleteMember on delete (physical ID: the account ID).
 *   It sends no invitation (AwsCustomResource makes one call per event), so it flatters AwsCustomResource;
 * - workspaces: createAccountLinkInvitation on create, deleteAccountLinkInvitation on delete, physical ID from
 *   AccountLink.AccountLinkId.
 * Outputs: the library's own (`emitOutputs`); for AwsCustomResource the same values (handshake / link ID per
 * invitation, Macie account IDs 300 per output).
 */
// require(): each stack loads only the modules it uses (a library stack never loads custom-resources, nor the reverse)
/* eslint-disable @typescript-eslint/no-require-imports */
import * as fs from 'fs';
import * as path from 'path';
import type { App as AppType, Stack as StackType } from 'aws-cdk-lib';

export type Kind = 'org' | 'macie' | 'workspaces';
export const KINDS: readonly Kind[] = ['org', 'macie', 'workspaces'];
export type Impl = 'lib' | 'acr';

export interface SynthOptions {
  readonly kind: Kind | 'all';
  readonly n: number;
  readonly impl: Impl;
  readonly outputs: boolean;
  /** aws-cdk-lib's built-in CloudFormation template validation (App `builtinCloudFormationValidation`). */
  readonly validation: boolean;
  readonly outdir: string;
  /** Skip construct validation (`node.validate()`): the in-process bisection judges the limits itself. */
  readonly skipConstructValidation?: boolean;
}

/** CloudFormation's and IAM's limits a stack must stay within to deploy. */
export const LIMITS = { resources: 500, outputs: 200, templateBytes: 1024 * 1024, rolePolicyChars: 10_240 };

export interface Metrics {
  /** Kinds whose construct is not in src/ yet (skipped). */
  readonly skipped: Kind[];
  readonly templateBytes: number;
  readonly resources: number;
  readonly outputs: number;
  readonly lambdas: number;
  readonly roles: number;
  readonly policies: number;
  /** Largest aggregate inline-policy size of one role, whitespace excluded, intrinsics resolved to placeholders. */
  readonly maxRolePolicyChars: number;
  /** Limits the stack exceeds; empty when deployable. */
  readonly overLimits: string[];
  /** Building the app and app.synth(), inside this process. */
  readonly inProcessMs: number;
}

const STACK_ACCOUNT = '111111111111';
const accountId = (i: number) => String(200_000_000_000 + i);
const IDS_PER_OUTPUT = 300;

type OrgModule = typeof import('../src/org-invitation') & typeof import('../src/invitation-target');
type MacieModule = typeof import('../src/macie-invitations');
type WorkSpacesModule = typeof import('../src/workspaces-account-link');

/**
 * The construct modules of src/, or undefined for one that is not there yet. The require() calls stay directly
 * inside try: esbuild then leaves a module it cannot find to run time instead of failing the bundle.
 */
function loadConstructs(): { org?: OrgModule; macie?: MacieModule; workspaces?: WorkSpacesModule } {
  const missing = (e: unknown) => {
    if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') throw e;
    return undefined;
  };
  let org: OrgModule | undefined;
  let macie: MacieModule | undefined;
  let workspaces: WorkSpacesModule | undefined;
  try { org = { ...require('../src/org-invitation'), ...require('../src/invitation-target') }; } catch (e) { org = missing(e); }
  try { macie = require('../src/macie-invitations'); } catch (e) { macie = missing(e); }
  try { workspaces = require('../src/workspaces-account-link'); } catch (e) { workspaces = missing(e); }
  return { org, macie, workspaces };
}

/** Adds N invitations of one kind with this library; false when its construct does not exist yet. */
function addLibrary(stack: StackType, kind: Kind, n: number, emitOutputs: boolean): boolean {
  if (n === 0) return true; // the empty stack (compare.ts's floor); a MacieInvitations of no members is refused
  const { org, macie, workspaces } = loadConstructs();
  if (kind === 'org') {
    if (!org?.OrgInvitation) return false;
    for (let i = 0; i < n; i++) new org.OrgInvitation(stack, `Org${i}`, { target: org.InvitationTarget.account(accountId(i)), emitOutputs });
  } else if (kind === 'macie') {
    if (!macie?.MacieInvitations) return false;
    const members = Array.from({ length: n }, (_, i) => ({ accountId: accountId(i), email: `member${i}@example.com` }));
    new macie.MacieInvitations(stack, 'Macie', { members, emitOutputs });
  } else {
    if (!workspaces?.WorkSpacesAccountLink) return false;
    for (let i = 0; i < n; i++) new workspaces.WorkSpacesAccountLink(stack, `Ws${i}`, { targetAccountId: accountId(i), emitOutputs });
  }
  return true;
}

/** Adds the AwsCustomResource equivalent of N invitations of one kind. */
function addAwsCustomResource(stack: StackType, kind: Kind, n: number, emitOutputs: boolean): void {
  const { CfnOutput } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const cr = require('aws-cdk-lib/custom-resources') as typeof import('aws-cdk-lib/custom-resources');
  const common = {
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    installLatestAwsSdk: false,
  };
  for (let i = 0; i < n; i++) {
    if (kind === 'org') {
      const r = new cr.AwsCustomResource(stack, `Org${i}`, {
        ...common,
        onCreate: {
          service: 'Organizations',
          action: 'inviteAccountToOrganization',
          parameters: { Target: { Id: accountId(i), Type: 'ACCOUNT' } },
          physicalResourceId: cr.PhysicalResourceId.fromResponse('Handshake.Id'),
          outputPaths: ['Handshake.Id'],
        },
        onDelete: { service: 'Organizations', action: 'cancelHandshake', parameters: { HandshakeId: new cr.PhysicalResourceIdReference() } },
      });
      if (emitOutputs) new CfnOutput(stack, `Org${i}Output`, { value: r.getResponseField('Handshake.Id') });
    } else if (kind === 'macie') {
      new cr.AwsCustomResource(stack, `Macie${i}`, {
        ...common,
        onCreate: {
          service: 'Macie2',
          action: 'createMember',
          parameters: { account: { accountId: accountId(i), email: `member${i}@example.com` } },
          physicalResourceId: cr.PhysicalResourceId.of(accountId(i)),
        },
        onDelete: { service: 'Macie2', action: 'deleteMember', parameters: { id: accountId(i) } },
      });
    } else {
      const r = new cr.AwsCustomResource(stack, `Ws${i}`, {
        ...common,
        onCreate: {
          service: 'WorkSpaces',
          action: 'createAccountLinkInvitation',
          parameters: { TargetAccountId: accountId(i) },
          physicalResourceId: cr.PhysicalResourceId.fromResponse('AccountLink.AccountLinkId'),
          outputPaths: ['AccountLink.AccountLinkId'],
        },
        onDelete: { service: 'WorkSpaces', action: 'deleteAccountLinkInvitation', parameters: { LinkId: new cr.PhysicalResourceIdReference() } },
      });
      if (emitOutputs) new CfnOutput(stack, `Ws${i}Output`, { value: r.getResponseField('AccountLink.AccountLinkId') });
    }
  }
  if (kind === 'macie' && emitOutputs) {
    for (let i = 0; i < n; i += IDS_PER_OUTPUT) {
      const ids = Array.from({ length: Math.min(IDS_PER_OUTPUT, n - i) }, (_, j) => accountId(i + j));
      new CfnOutput(stack, `MacieOutput${i / IDS_PER_OUTPUT}`, { value: ids.join(',') });
    }
  }
}

/** Builds the app, synthesizes it into `outdir`, and measures the stack's template. */
export function synthesize(options: SynthOptions): Metrics {
  const start = performance.now();
  const { App, Stack } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  // builtinCloudFormationValidation: a property of aws-cdk-lib releases after the dependency floor; the floor (2.262.0,
  // the devDependency) always validates and ignores it, so "validation off" is measured only with a newer release
  const app: AppType = new App({
    outdir: options.outdir,
    ...{ builtinCloudFormationValidation: options.validation },
    // aws-cdk-lib refuses to write a template over 500 resources: lift that, so that every N is measured
    // (the limits are judged below, with the others)
    context: { '@aws-cdk/core:stackResourceLimit': 0 },
  });
  const stack = new Stack(app, 'Bench', { env: { account: STACK_ACCOUNT, region: 'us-east-1' } });
  const skipped: Kind[] = [];
  for (const kind of options.kind === 'all' ? KINDS : [options.kind]) {
    if (options.impl === 'acr') addAwsCustomResource(stack, kind, options.n, options.outputs);
    else if (!addLibrary(stack, kind, options.n, options.outputs)) skipped.push(kind);
  }
  app.synth({ skipValidation: options.skipConstructValidation });
  const inProcessMs = performance.now() - start;
  const file = path.join(options.outdir, stack.templateFile);
  return { skipped, ...measureTemplate(JSON.parse(fs.readFileSync(file, 'utf8')), fs.statSync(file).size), inProcessMs };
}

interface Template {
  Resources?: Record<string, { Type: string; Properties?: Record<string, any> }>;
  Outputs?: Record<string, unknown>;
}

export function measureTemplate(template: Template, templateBytes: number): Omit<Metrics, 'skipped' | 'inProcessMs'> {
  const resources = template.Resources ?? {};
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const roles = ofType('AWS::IAM::Role');
  const policies = ofType('AWS::IAM::Policy');
  const size = (doc: unknown) => JSON.stringify(resolvePlaceholders(doc, resources)).replace(/\s/g, '').length;
  // IAM counts every inline policy of a role together: the role's own Policies and each AWS::IAM::Policy naming it
  const rolePolicyChars = roles.map(([roleId, role]) =>
    ((role.Properties?.Policies ?? []) as Array<{ PolicyDocument: unknown }>).reduce((sum, p) => sum + size(p.PolicyDocument), 0) +
    policies
      .filter(([, p]) => ((p.Properties?.Roles ?? []) as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
      .reduce((sum, [, p]) => sum + size(p.Properties?.PolicyDocument), 0));
  const metrics = {
    templateBytes,
    resources: Object.keys(resources).length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    lambdas: ofType('AWS::Lambda::Function').length,
    roles: roles.length,
    policies: policies.length,
    maxRolePolicyChars: Math.max(0, ...rolePolicyChars),
  };
  const overLimits = [
    metrics.resources > LIMITS.resources ? `${metrics.resources} resources > ${LIMITS.resources}` : '',
    metrics.outputs > LIMITS.outputs ? `${metrics.outputs} outputs > ${LIMITS.outputs}` : '',
    metrics.templateBytes > LIMITS.templateBytes ? `${metrics.templateBytes} B template > 1 MiB` : '',
    metrics.maxRolePolicyChars > LIMITS.rolePolicyChars ? `IAM ${metrics.maxRolePolicyChars} chars/role > ${LIMITS.rolePolicyChars}` : '',
  ].filter(Boolean);
  return { ...metrics, overLimits };
}

/**
 * Replaces intrinsic functions by strings of their deployed length, roughly: pseudo parameters by their values,
 * `Ref` / `Fn::GetAtt` of a resource by a physical ID / ARN with a CloudFormation-style generated name.
 */
function resolvePlaceholders(value: unknown, resources: Template['Resources'] & object): unknown {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': STACK_ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
  const physicalName = (logicalId: string) => `Bench-${logicalId}-ABCDEFGHIJKL`;
  const arn = (logicalId: string) => {
    const [, service = 'x', type = 'x'] = (resources[logicalId]?.Type ?? '').toLowerCase().split('::');
    return `arn:aws:${service}:us-east-1:${STACK_ACCOUNT}:${type}:${physicalName(logicalId)}`;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v);
    if (entries.length === 1) {
      const [fn, arg] = entries[0] as [string, any];
      if (fn === 'Ref') return pseudo[arg] ?? physicalName(arg);
      if (fn === 'Fn::GetAtt') return arg[1] === 'Arn' ? arn(arg[0]) : physicalName(arg[0]);
      if (fn === 'Fn::Join') return (walk(arg[1]) as unknown[]).join(arg[0]);
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, walk(x)]));
  };
  return walk(value);
}

if (require.main === module) {
  const [kind, n, impl, outputs, validation, outdir] = process.argv.slice(2);
  const metrics = synthesize({
    kind: kind as SynthOptions['kind'],
    n: Number(n),
    impl: impl as Impl,
    outputs: outputs === 'on',
    validation: validation === 'on',
    outdir: path.resolve(outdir),
  });
  process.stdout.write(`${JSON.stringify(metrics)}\n`);
}
