import * as fs from 'fs';
import * as path from 'path';
import {
  CfnResource,
  CustomResource,
  CustomResourceProvider,
  CustomResourceProviderRuntime,
  Duration,
  Lazy,
  RemovalPolicy,
  Size,
  Stack,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { bundleDirectory, HandlerName, HANDLERS } from './handlers';
import { makeTaggable } from './tags';

/** Statements every provider of a kind needs (more are added with `grant`). */
export type ProviderStatements = (stack: Stack) => iam.PolicyStatement[];

/** Lambda's largest timeout. */
const MAX_LAMBDA_TIMEOUT_SECONDS = 15 * 60;
/** Log retention of the handlers' log groups, in days. */
const LOG_RETENTION_DAYS = 365;

/**
 * The custom-resource provider of one kind of invitation: one Lambda function and its role (and a log group) per
 * stack, created on first use and shared by every invitation of that kind in the stack, so the 2nd..Nth invitation
 * adds only its custom resource.
 *
 * Built on aws-cdk-lib's core `CustomResourceProvider`, chosen over `custom-resources.Provider`:
 * - The Provider framework adds a second Lambda function, role and policy per provider, and a hop per request; its
 *   entry point logs the whole event (invitees' emails, notes) and answers a failed Create's Delete itself.
 * - `CustomResourceProvider` is two raw resources (role with an inline policy, function) built from core only: it
 *   synthesizes several times faster than `lambda.Function`, which matters to stacks with hundreds of invitations.
 *   We turn off its response wrapper (which also logs whole events and puts stack traces into the Reason) and point
 *   the function at our own entry point, `index.onEvent` (`lambda/shared/runtime.ts` `cfnEntryPoint`), which logs
 *   redacted IDs only, answers with a user-facing Reason and never leaves CloudFormation waiting.
 * - Escape hatches add what its props lack: arm64, our entry point, a log group with retention, and a logs
 *   permission scoped to that log group instead of the AWSLambdaBasicExecutionRole managed policy.
 * Trade-off: cdk-nag and `iam.Grant` do not see these raw resources; the policy is tested in this repository instead.
 */
export class InvitationProvider extends Construct {
  /**
   * The provider of handler `name` (an entry of the registry, `./handlers.ts`) in the stack of `scope`, created on
   * first use with `statements`.
   */
  public static of(scope: Construct, name: HandlerName, statements: ProviderStatements): InvitationProvider {
    const stack = Stack.of(scope);
    const id = `CdkAccountInvitations-${name}`;
    const existing = stack.node.tryFindChild(id);
    if (existing) return existing as InvitationProvider;
    return new InvitationProvider(stack, id, name, statements);
  }

  /**
   * The custom resources' ServiceTimeout: a lost answer fails the deployment after this, instead of CloudFormation's
   * default hour. CloudFormation invokes the function asynchronously, and when an invocation fails (the runtime lets
   * it fail when its answer cannot be uploaded, lambda/shared/cfn-response.ts) Lambda retries it twice, one minute
   * and then two minutes later: three full runs plus those three minutes, plus two minutes of slack for queueing,
   * is the longest a deployment can still get an answer. Capped at CloudFormation's 3600 s.
   * 5-minute functions: 3 x 5 + 3 + 2 = 20 minutes; 15-minute functions: 50 minutes.
   */
  public static serviceTimeoutFor(lambdaTimeout: Duration): Duration {
    const seconds = 3 * lambdaTimeout.toSeconds() + 3 * 60 + 2 * 60;
    return Duration.seconds(Math.min(3600, seconds));
  }

  private static bundleDirectory(handler: HandlerName): string {
    // src/private -> ../../assets (ts-jest), lib/private -> ../../assets (published package)
    const dir = path.join(__dirname, '..', '..', bundleDirectory(handler));
    if (!fs.existsSync(path.join(dir, 'index.js'))) {
      throw new Error(
        `cdk-account-invitations: the ${handler} handler bundle is missing at ${dir}. ` +
          'In a clone of the repository, run `npx projen bundle`; in an installed package, reinstall it.',
      );
    }
    return dir;
  }

  /** The ARN of the function CloudFormation invokes. */
  public readonly serviceToken: string;
  /** The custom resource type of this kind (`Custom::...`, from the registry). */
  public readonly resourceType: string;
  private readonly provider: CustomResourceProvider;
  private readonly grants = new Set<string>();
  /** The function's timeout in seconds: the registry's, raised by `requireTimeout`. */
  private timeoutSeconds: number;

  private constructor(scope: Stack, id: string, name: HandlerName, statements: ProviderStatements) {
    super(scope, id);
    const entry = HANDLERS[name];
    this.timeoutSeconds = entry.timeoutSeconds;
    // one per stack and kind: getOrCreateProvider keys it by this unique ID at the stack's root
    const uniqueId = `CdkAccountInvitations${name.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('')}`;
    this.provider = CustomResourceProvider.getOrCreateProvider(this, uniqueId, {
      codeDirectory: InvitationProvider.bundleDirectory(name),
      runtime: CustomResourceProviderRuntime.NODEJS_24_X,
      useCfnResponseWrapper: false,
      timeout: Duration.seconds(entry.timeoutSeconds),
      memorySize: Size.mebibytes(256),
      description: entry.description,
    });
    this.serviceToken = this.provider.serviceToken;
    this.resourceType = entry.resourceType;

    const logGroup = new CfnResource(this, 'Logs', {
      type: 'AWS::Logs::LogGroup',
      properties: { RetentionInDays: LOG_RETENTION_DAYS },
    });
    logGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);

    const fn = this.provider.node.findChild('Handler') as CfnResource;
    fn.addPropertyOverride('Handler', 'index.onEvent');
    fn.addPropertyOverride('Architectures', ['arm64']);
    fn.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.ref });
    // the largest timeout any construct of the stack requires, known once every construct has been added
    fn.addPropertyOverride('Timeout', Lazy.number({ produce: () => this.timeoutSeconds }));
    const role = this.provider.node.findChild('Role') as CfnResource;
    role.addPropertyDeletionOverride('ManagedPolicyArns');

    // core's CustomResourceProvider makes raw CfnResources, which `Tags.of` does not see: give each a tag manager
    makeTaggable(fn);
    makeTaggable(role);
    makeTaggable(logGroup);

    this.addStatement(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.getAtt('Arn').toString()],
    }));
    // before a Delete, the handlers ask whether another resource of this stack still stands for the invitation
    // (lambda/shared/stack.ts), and, after a Create that did not finish, when it began (lambda/shared/stack-events.ts):
    // read-only, on this stack only
    this.addStatement(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
      resources: [scope.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${scope.stackName}/*` })],
    }));
    for (const statement of statements(scope)) this.addStatement(statement);
  }

  /** The function's timeout: the largest one required so far (resolved at synth). */
  public get timeout(): Duration {
    return Duration.seconds(this.timeoutSeconds);
  }

  /**
   * Makes the function's timeout at least `timeout` (e.g. an accepter's `waitTimeout` plus the time to answer
   * CloudFormation). The function keeps the largest value any construct of the stack requires; Lambda allows
   * at most 15 minutes.
   */
  public requireTimeout(timeout: Duration): void {
    const seconds = Math.ceil(timeout.toSeconds({ integral: false }));
    if (seconds > MAX_LAMBDA_TIMEOUT_SECONDS) {
      throw new Error(`cdk-account-invitations: a Lambda function's timeout is at most ${MAX_LAMBDA_TIMEOUT_SECONDS} seconds, ${seconds} were required.`);
    }
    this.timeoutSeconds = Math.max(this.timeoutSeconds, seconds);
  }

  /**
   * Adds a statement to the provider's policy once per `key` (e.g. organizations:TagResource, added only when some
   * invitation of the stack has tags).
   */
  public grant(key: string, statement: () => iam.PolicyStatement): void {
    if (this.grants.has(key)) return;
    this.grants.add(key);
    this.addStatement(statement());
  }

  /**
   * A custom resource served by this provider, of the kind's registered type. Its policy is inline in the function's role, and the resource
   * references the function, which depends on the role: CloudFormation deletes the resource (and calls the handler)
   * before the permissions go away.
   */
  public createResource(
    scope: Construct,
    id: string,
    properties: Record<string, unknown>,
    removalPolicy: RemovalPolicy,
  ): CustomResource {
    const resource = new CustomResource(scope, id, {
      serviceToken: this.serviceToken,
      resourceType: this.resourceType,
      properties,
      removalPolicy,
    });
    // the function's timeout may still rise after this resource (another accepter's waitTimeout): resolved at synth
    (resource.node.defaultChild as CfnResource).addPropertyOverride('ServiceTimeout', Lazy.string({
      produce: () => InvitationProvider.serviceTimeoutFor(this.timeout).toSeconds().toString(),
    }));
    return resource;
  }

  private addStatement(statement: iam.PolicyStatement): void {
    this.provider.addToRolePolicy(statement.toStatementJson());
  }
}
