/**
 * The CloudFormation player's own bookkeeping: what DescribeStacks and GetTemplate answer the handler at each step,
 * kept in the emulator the way CloudFormation keeps the stack.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Cfn, OTHER_STACK_ID, RESOURCE_TYPES, STACK_ID, startCfn } from './cfn';

jest.setTimeout(60_000);

const A = '222222222222';
const B = '333333333333';
const C = '444444444444';
const D = '555555555555';
const props = (targetAccountId: string) => ({ TargetAccountId: targetAccountId });
const TYPE = RESOURCE_TYPES['workspaces-account-link'];

let cfn: Cfn;
afterEach(async () => {
  await cfn?.stop();
});

/** The stack as the handler would see it now: status, and the properties of the resources of the handlers' type. */
function seen(stackId = STACK_ID): { status?: string; resources?: Record<string, unknown> } {
  const stack = cfn.emulator.cloudformation.stacks().find((s) => s.StackId === stackId);
  const body = cfn.emulator.cloudformation.templateBody(stackId);
  if (!stack || body === undefined) return {};
  const template = JSON.parse(body) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const resources = Object.fromEntries(Object.entries(template.Resources)
    .filter(([, r]) => r.Type === TYPE)
    .map(([id, r]) => {
      const { ServiceToken, ...rest } = r.Properties;
      expect(ServiceToken).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/CustomResourceProviderHandler/), 'Arn'] });
      return [id, rest];
    }));
  return { status: stack.StackStatus, resources };
}

test('the stack\'s status and template at each step: create, rename, replace, cleanup, whole-stack delete', async () => {
  cfn = await startCfn('workspaces-account-link');
  const types: string[] = [];
  const send = cfn.send.bind(cfn);
  jest.spyOn(cfn, 'send').mockImplementation((event: CloudFormationCustomResourceEvent, ...rest) => {
    types.push(event.ResourceType);
    return send(event, ...rest);
  });

  const old = await cfn.create(props(A), { logicalResourceId: 'Old' });
  expect(seen()).toEqual({ status: 'CREATE_IN_PROGRESS', resources: { Old: props(A) } });
  const renamed = await cfn.create(props(A), { logicalResourceId: 'New' });
  expect(seen()).toEqual({ status: 'UPDATE_IN_PROGRESS', resources: { Old: props(A), New: props(A) } });
  // a Create that fails does not join the template
  cfn.emulator.workspaces.markOutsideOrganization(B);
  expect((await cfn.create(props(B), { logicalResourceId: 'Failed' })).Status).toBe('FAILED');
  expect(seen().resources).toEqual({ Old: props(A), New: props(A) });

  // the update removed Old: gone from the template while its Delete runs
  await cfn.delete(old.PhysicalResourceId, props(A), { logicalResourceId: 'Old' });
  expect(seen()).toEqual({ status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', resources: { New: props(A) } });
  await cfn.delete('cdk-account-invitations:create-failed', props(B), { logicalResourceId: 'Failed', stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
  expect(seen()).toEqual({ status: 'UPDATE_ROLLBACK_IN_PROGRESS', resources: { New: props(A) } });

  // a replacing Update: the logical ID stays, with the new properties, through the cleanup of the old physical ID
  const replaced = await cfn.update(renamed.PhysicalResourceId, props(C), props(A), { logicalResourceId: 'New' });
  expect(replaced.PhysicalResourceId).not.toBe(renamed.PhysicalResourceId);
  expect(seen().resources).toEqual({ New: props(C) });
  await cfn.delete(renamed.PhysicalResourceId, props(A), { logicalResourceId: 'New' });
  expect(seen()).toEqual({ status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', resources: { New: props(C) } });

  // another stack is kept on its own
  const other = await cfn.create(props(A), { logicalResourceId: 'Elsewhere', stackId: OTHER_STACK_ID });
  expect(seen(OTHER_STACK_ID)).toEqual({ status: 'CREATE_IN_PROGRESS', resources: { Elsewhere: props(A) } });
  expect(seen().resources).toEqual({ New: props(C) });

  // a whole-stack delete: the template keeps every resource, later Deletes are part of it, no Create or Update
  const second = await cfn.create(props(D), { logicalResourceId: 'Second' });
  await cfn.delete(replaced.PhysicalResourceId, props(C), { logicalResourceId: 'New', stackStatus: 'DELETE_IN_PROGRESS' });
  expect(seen()).toEqual({ status: 'DELETE_IN_PROGRESS', resources: { New: props(C), Second: props(D) } });
  await expect(cfn.create(props(A), { logicalResourceId: 'Late' })).rejects.toThrow(/being deleted/);
  await cfn.delete(second.PhysicalResourceId, props(D), { logicalResourceId: 'Second' });
  expect(seen()).toEqual({ status: 'DELETE_IN_PROGRESS', resources: { New: props(C), Second: props(D) } });

  // a stack CloudFormation does not know: nothing is published any more (and the handler, unable to tell, keeps)
  cfn.stack(OTHER_STACK_ID).forget();
  await cfn.delete(other.PhysicalResourceId, props(A), { logicalResourceId: 'Elsewhere', stackId: OTHER_STACK_ID });
  expect(seen(OTHER_STACK_ID)).toEqual({});

  expect(new Set(types)).toEqual(new Set([TYPE]));
  // the link 'Elsewhere' adopted: New adopted it on the rename and so kept it on the cleanup Delete
  cfn.expectFinalState({ pendingLinks: [other.Data!.AccountLinkId as string] });
});

test('templateProperties: what the template holds when it differs from the event (intrinsics)', async () => {
  cfn = await startCfn('workspaces-account-link');
  await cfn.create(props(A), { logicalResourceId: 'Link', templateProperties: { TargetAccountId: { Ref: 'Target' } } });
  expect(seen().resources).toEqual({ Link: { TargetAccountId: { Ref: 'Target' } } });
});
