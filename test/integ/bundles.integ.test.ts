/**
 * What the integration tier assumes about the package: it runs the bundles built from the current handler sources,
 * through the entry point and with the Lambda timeout the constructs configure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { bundlePath, HandlerName, LAMBDA_TIMEOUT_MS, ROOT } from './cfn';
import { InvitationTarget, MacieInvitations, OrgInvitation, WorkSpacesAccountLink } from '../../src';
import { HANDLER_NAMES, HANDLERS as REGISTRY } from '../../src/private/handlers';

const HANDLERS: readonly HandlerName[] = HANDLER_NAMES;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

test.each(HANDLERS)('the %s bundle is newer than every handler source (else run `npx projen bundle`)', (name) => {
  const bundle = bundlePath(name);
  expect(fs.existsSync(bundle)).toBe(true);
  const built = fs.statSync(bundle).mtimeMs;
  // what esbuild bundles: the service folder (both sides and the service module), the shared runtime, and the
  // contracts and patterns of src/private
  const inputs = [
    ...sources(path.join(ROOT, 'lambda', REGISTRY[name].service)),
    ...sources(path.join(ROOT, 'lambda', 'shared')),
    ...sources(path.join(ROOT, 'src', 'private', 'contract')),
    path.join(ROOT, 'src', 'private', 'patterns.ts'),
  ];
  const newer = inputs
    .filter((file) => fs.statSync(file).mtimeMs > built)
    .map((file) => path.relative(ROOT, file));
  expect(newer).toEqual([]);
});

test('each construct configures the handler entry point and the Lambda timeout the tier plays with', () => {
  const app = new App();
  const stack = (id: string) => new Stack(app, id, { env: { account: '111111111111', region: 'us-east-1' } });
  const org = stack('Org');
  new OrgInvitation(org, 'Invitation', { target: InvitationTarget.account('222222222222') });
  const macie = stack('Macie');
  new MacieInvitations(macie, 'Invitations', { members: [{ accountId: '222222222222', email: 'owner@example.com' }] });
  const workspaces = stack('WorkSpaces');
  new WorkSpacesAccountLink(workspaces, 'Link', { targetAccountId: '222222222222' });

  const functions = (s: Stack) => Object.values(Template.fromStack(s).findResources('AWS::Lambda::Function'))
    .map((f) => ({ Handler: f.Properties.Handler, Timeout: f.Properties.Timeout }));
  const expected = (name: HandlerName) => [{ Handler: 'index.onEvent', Timeout: LAMBDA_TIMEOUT_MS[name] / 1000 }];
  expect(functions(org)).toEqual(expected('org-invitation'));
  expect(functions(macie)).toEqual(expected('macie-invitations'));
  expect(functions(workspaces)).toEqual(expected('workspaces-account-link'));
});
