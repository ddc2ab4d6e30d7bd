import { Names, Stack, Stage } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { hasAcceptance, listIds, warn } from './conflicts';
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
 *
 * Warnings: a stack in another `Stage` (CDK Pipelines) gets no dependency, since aws-cdk-lib refuses one across
 * stages, and a warning naming the order to deploy in; an inviter that also has `acceptance` gets a warning naming
 * both ways of accepting.
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
      invalid(inviter, `${call}: that stack's account ${stack.account} is not the invited account (${listIds(ids)}).`);
    }
  }
  if (spec.regional && isConcrete(stack.region) && isConcrete(inviting.region) && stack.region !== inviting.region) {
    invalid(inviter, `${call}: that stack is in Region ${stack.region}, the invitation in ${inviting.region}; ${spec.regional}`);
  }
  stacks.add(stack);
  declared.set(inviter, stacks);
  const accepter = spec.declare(stack, `${spec.accepterName}-${Names.uniqueId(inviter)}`, inviting.account);
  if (hasAcceptance(inviter)) {
    warn(accepter, 'acceptInWithAcceptance', `${accepter.node.path} and the acceptance of ${inviter.node.path} both accept ` +
      `the same invitation: the acceptance role accepts it while ${inviting.node.path} deploys, so this accepter only finds ` +
      'it accepted and adopts it (and never removes an adopted relationship). ' +
      `Use one of the two: remove acceptance from ${inviter.node.path}, or this acceptIn call.`);
  }
  const invitingStage = Stage.of(inviting);
  const memberStage = Stage.of(stack);
  if (invitingStage === memberStage) {
    stack.addStackDependency(inviting, `${accepter.node.path} accepts the invitation of ${inviter.node.path}`);
  } else {
    // aws-cdk-lib refuses a dependency across stages ("dependency cannot cross stage boundaries"): the pipeline orders them
    warn(accepter, 'acceptInAcrossStages', `${accepter.node.path} accepts the invitation of ${inviter.node.path}, but ` +
      `${stack.node.path} is in ${describeStage(memberStage)} and the inviting stack ${inviting.node.path} in ` +
      `${describeStage(invitingStage)}: no stack dependency can cross stages, so none was added. Deploy ` +
      `${describeStage(invitingStage)} first (in CDK Pipelines: add it to an earlier wave, or with addStage before the ` +
      'other stage; stages of one wave deploy in parallel). Otherwise the accepter waits its waitTimeout for the ' +
      'invitation and then fails the deployment.');
  }
  return accepter;
}

function describeStage(stage: Stage | undefined): string {
  return stage?.node.path ? `stage ${stage.node.path}` : 'the app (no stage)';
}
