import { CfnOutput, Fn, Stack, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

/** CloudFormation's limit of outputs per stack. */
const MAX_OUTPUTS = 200;
/** CloudFormation's limit for an output's description. */
const MAX_DESCRIPTION = 1024;
/** Account IDs per stack output: 300 × 13 characters stays under CloudFormation's 4,096 characters per value. */
const IDS_PER_OUTPUT = 300;
/** Stacks that already validate their output count. */
const checkedStacks = new WeakSet<Stack>();
/** Outputs created by this library, to name them in the message. */
const libraryOutputs = new WeakSet<IConstruct>();

/**
 * Adds the stack output of an invitation, and (once per stack) a synth-time check that the stack stays within
 * CloudFormation's 200 outputs, with a message that says how to stay within it.
 */
export function addInvitationOutput(scope: Construct, value: string, description: string, id = 'Output'): CfnOutput {
  // CloudFormation allows 1024 characters of description; long construct paths are cut
  const output = new CfnOutput(scope, id, {
    value,
    description: description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 3)}...` : description,
  });
  libraryOutputs.add(output);
  const stack = Stack.of(scope);
  if (!checkedStacks.has(stack)) {
    checkedStacks.add(stack);
    stack.node.addValidation({
      validate: () => {
        const outputs = stack.node.findAll().filter((c) => c instanceof CfnOutput && Stack.of(c) === stack);
        if (outputs.length <= MAX_OUTPUTS) return [];
        const ours = outputs.filter((o) => libraryOutputs.has(o)).length;
        return [
          `Stack ${stack.stackName} declares ${outputs.length} outputs, over CloudFormation's limit of ${MAX_OUTPUTS}; ` +
            `${ours} of them come from cdk-account-invitations constructs. Set \`emitOutputs: false\` on invitations ` +
            'whose IDs you do not need as outputs (their attributes stay available), or split them over several stacks.',
        ];
      },
    });
  }
  return output;
}

/**
 * The outputs of an inviter of a member list: the account IDs, comma-separated, 300 per output (the first one keeps
 * the id every invitation construct uses, `Output`; then `Output2`, ...). `what` completes "Account IDs invited to ...".
 */
export function addAccountListOutputs(scope: Construct, accountIds: readonly string[], what: string): void {
  const chunks: string[][] = [];
  for (let i = 0; i < accountIds.length; i += IDS_PER_OUTPUT) chunks.push(accountIds.slice(i, i + IDS_PER_OUTPUT));
  chunks.forEach((ids, i) => {
    const value = ids.some((v) => Token.isUnresolved(v)) ? Fn.join(',', ids) : ids.join(',');
    const range = chunks.length === 1 ? '' : ` (${i * IDS_PER_OUTPUT + 1} to ${i * IDS_PER_OUTPUT + ids.length} of ${accountIds.length})`;
    addInvitationOutput(scope, value, `Account IDs invited to ${what} by ${scope.node.path}${range}`, i === 0 ? 'Output' : `Output${i + 1}`);
  });
}
