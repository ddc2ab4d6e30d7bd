import { Names, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { invalid, isConcrete } from './validation';

/** What one inviter kind tells `declareAccepter` about its invitation. */
export interface AcceptInSpec<A extends Construct> {
  /** The public method's name, for messages (default `acceptIn`; `ResourceShareAccepter.acceptShare`). */
  readonly method?: string;
  /** The accepter's class name: the start of its construct ID in the member stack (`<name>-<unique ID of the inviter>`). */
  readonly accepterName: string;
  /** What the inviting account is to the accepter, for messages: "management account", "Macie administrator". */
  readonly inviterRole: string;
  /**
   * The invited account IDs as given (tokens allowed); empty when the invited account is not known by ID (an
   * invitation by email address). When all are concrete, the member stack's account must be one of them.
   */
  readonly invitedAccounts: readonly string[];
  /** Why both stacks must be in one Region, for a regional invitation (undefined for a global one). */
  readonly regional?: string;
  /** Declares the accepter in `stack` with construct ID `id`, expecting `invitingAccount` as its inviter. */
  readonly declare: (stack: Stack, id: string, invitingAccount: string) => A;
}

/** The member stacks each inviter already declared an accepter in (one accepter per inviter and stack). */
const declared = new WeakMap<Construct, Set<Stack>>();

/**
 * The one `acceptIn` of every inviter: the same checks in the same order, one construct ID scheme, one bookkeeping,
 * and the stack dependency that makes `cdk deploy --all` invite first.
 *
 * Checks, in order: `stack` is another stack; the inviting stack's account is concrete (the accepter expects it);
 * `acceptIn` was not called for `stack` before; when `stack`'s account is concrete, it is not the inviting account
 * and (when every invited account ID is concrete) it is one of them; for a regional invitation, both Regions match
 * when both are concrete. Environment-agnostic stacks and tokens pass: the accepter checks at deploy time.
 */
export function declareAccepter<A extends Construct>(inviter: Construct, stack: Stack, spec: AcceptInSpec<A>): A {
  const inviting = Stack.of(inviter);
  const call = `${spec.method ?? 'acceptIn'}(${stack.node.path})`;
  if (stack === inviting) {
    invalid(inviter, `${call}: the accepter belongs in a stack of the invited account, not in the inviting stack itself.`);
  }
  if (!isConcrete(inviting.account)) {
    invalid(inviter, `${call}: the inviting stack ${inviting.node.path} must have a concrete account (env: { account: '111111111111' }): ` +
      `the accepter expects that account as its ${spec.inviterRole}.`);
  }
  const stacks = declared.get(inviter) ?? new Set<Stack>();
  if (stacks.has(stack)) {
    invalid(inviter, `${call} was already called for this stack: one accepter per invitation and stack.`);
  }
  if (isConcrete(stack.account)) {
    if (stack.account === inviting.account) {
      invalid(inviter, `${call}: that stack is in the inviting account ${stack.account} (the ${spec.inviterRole}); ` +
        'the accepter belongs in a stack of the invited account.');
    }
    const ids = spec.invitedAccounts;
    if (ids.length > 0 && ids.every((id) => isConcrete(id)) && !ids.includes(stack.account)) {
      const listed = ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
      invalid(inviter, `${call}: that stack's account ${stack.account} is not the invited account (${listed}).`);
    }
  }
  if (spec.regional && isConcrete(stack.region) && isConcrete(inviting.region) && stack.region !== inviting.region) {
    invalid(inviter, `${call}: that stack is in Region ${stack.region}, the invitation in ${inviting.region}; ${spec.regional}`);
  }
  stacks.add(stack);
  declared.set(inviter, stacks);
  const accepter = spec.declare(stack, `${spec.accepterName}-${Names.uniqueId(inviter)}`, inviting.account);
  stack.addStackDependency(inviting, `${accepter.node.path} accepts the invitation of ${inviter.node.path}`);
  return accepter;
}
