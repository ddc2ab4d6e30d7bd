/**
 * Helpers of the per-service contract tests (`test/<service>.contract.test.ts`): the synthesized Properties of a
 * custom resource, what CloudFormation sends the handler for them, and the attributes a template reads.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export type Json = unknown;

/** The one custom resource of `type` in `stack`: its logical ID and its Properties without the resource's own. */
export function synthesized(stack: Stack, type: string): { logicalId: string; properties: Record<string, Json> } {
  const resources = Object.entries(Template.fromStack(stack).findResources(type));
  expect(resources).toHaveLength(1);
  const [logicalId, resource] = resources[0];
  const { ServiceToken, ServiceTimeout, ...properties } = resource.Properties as Record<string, Json>;
  expect(ServiceToken).toBeDefined();
  expect(ServiceTimeout).toBeDefined();
  return { logicalId, properties };
}

/**
 * What CloudFormation passes the handler for these template Properties: `Ref`s to parameters resolved to their
 * values, and every scalar as a string (numbers and booleans included).
 */
export function asSent(value: Json, parameters: Record<string, string> = {}): Json {
  if (Array.isArray(value)) return value.map((v) => asSent(v, parameters));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, Json>);
    if (entries.length === 1 && entries[0][0] === 'Ref') {
      const name = entries[0][1] as string;
      if (!(name in parameters)) throw new Error(`no value for the parameter ${name}`);
      return parameters[name];
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, asSent(v, parameters)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** The attribute names a template reads from the resource `logicalId` (`Fn::GetAtt`, anywhere in the template). */
export function attributesRead(template: Json, logicalId: string): string[] {
  const found = new Set<string>();
  const walk = (value: Json) => {
    if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value !== null && typeof value === 'object') {
      const getAtt = (value as Record<string, Json>)['Fn::GetAtt'];
      if (Array.isArray(getAtt) && getAtt[0] === logicalId) found.add(getAtt[1] as string);
      Object.values(value as Record<string, Json>).forEach(walk);
    }
  };
  walk(template);
  return [...found].sort();
}
