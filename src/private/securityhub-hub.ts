import { Arn, ArnFormat, Stack, aws_securityhub as securityhub } from 'aws-cdk-lib';

/**
 * The account's own hub, `arn:<partition>:securityhub:<region>:<account>:hub/default`: the resource type of every
 * member and invitation action of Security Hub (Service Authorization Reference), on either side.
 */
export function hubArn(stack: Stack): string {
  return Arn.format({ service: 'securityhub', resource: 'hub', resourceName: 'default', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }, stack);
}

/** The construct ID of the hub `declareHub` adds to a stack. */
const HUB_ID = 'SecurityHub';

/**
 * The stack's `AWS::SecurityHub::Hub`, declared once per stack (an account has one hub per Region) when asked for
 * (`acceptIn(stack, { enableSecurityHub: true })`): never implied, Security Hub is a paid service.
 */
export function declareHub(stack: Stack): securityhub.CfnHub {
  const existing = stack.node.tryFindChild(HUB_ID);
  if (existing instanceof securityhub.CfnHub) return existing;
  return new securityhub.CfnHub(stack, HUB_ID, {});
}
