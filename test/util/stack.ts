import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * CloudFormation for tests that go through a handler's exported entry point (whose client would otherwise fail: no
 * credentials, no endpoint): the stack is in an update's cleanup phase and its template declares no other resource,
 * so the stack keeps none of the targets. When the stack cannot be read, the handlers keep everything
 * (lambda/shared/stack.ts). Call `restore()` on the returned stub afterwards.
 */
export function mockStackKeepingNothing() {
  const cfn = mockClient(CloudFormationClient);
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'LandingZone', StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', CreationTime: new Date() }],
  });
  cfn.on(GetTemplateCommand).resolves({ TemplateBody: '{"Resources":{}}' });
  return cfn;
}
