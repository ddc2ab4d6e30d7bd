/**
 * Records every template the tests synthesize through `Template.fromStack`, so that `scripts/cfn-lint-templates.sh`
 * can check them all with cfn-lint after jest. Identical templates are written once (named by content hash).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';

export const TEMPLATE_DIR = path.join(__dirname, '..', '..', '.tmp', 'cfn-templates');

const original = Template.fromStack.bind(Template);
Template.fromStack = (...args: Parameters<typeof Template.fromStack>) => {
  const template = original(...args);
  if (Object.keys(template.toJSON().Resources ?? {}).length === 0) return template; // cfn-lint rejects empty templates
  const json = JSON.stringify(template.toJSON(), undefined, 1);
  const name = createHash('sha256').update(json).digest('hex').slice(0, 16);
  fs.mkdirSync(TEMPLATE_DIR, { recursive: true });
  fs.writeFileSync(path.join(TEMPLATE_DIR, `${name}.json`), json);
  return template;
};
