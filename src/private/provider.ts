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

/**
 * Options of one kind of invitation provider.
 */
export interface InvitationProviderOptions {
  /** Folder of the handler under `lambda/` (and of its bundle under `assets/lambda/`), e.g. `org-invitation`. */
  readonly handler: string;
  /** What the function does, for its description. */
  readonly description: string;
  /** The function's timeout. */
  readonly timeout: Duration;
  /** Statements every provider of this kind needs. More are added with `grant`. */
  readonly statements: (stack: Stack) => iam.PolicyStatement[];
}

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
  /** The provider of this kind in the stack of `scope`, created on first use. */
  public static of(scope: Construct, options: InvitationProviderOptions): InvitationProvider {
    const stack = Stack.of(scope);
    const id = `CdkAccountInvitations-${options.handler}`;
    const existing = stack.node.tryFindChild(id);
    if (existing) {
      (existing as InvitationProvider).requireTimeout(options.timeout);
      return existing as InvitationProvider;
    }
    return new InvitationProvider(stack, id, options);
  }

  private static bundleDirectory(handler: string): string {
    // src/private -> ../../assets (ts-jest), lib/private -> ../../assets (published package)
    const dir = path.join(__dirname, '..', '..', 'assets', 'lambda', handler, 'index');
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
  private readonly provider: CustomResourceProvider;
  private readonly grants = new Set<string>();
  private timeoutSeconds: number;

  private constructor(scope: Stack, id: string, options: InvitationProviderOptions) {
    super(scope, id);
    // one per stack and kind: getOrCreateProvider keys it by this unique ID at the stack's root
    const uniqueId = `CdkAccountInvitations${options.handler.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('')}`;
    this.provider = CustomResourceProvider.getOrCreateProvider(this, uniqueId, {
      codeDirectory: InvitationProvider.bundleDirectory(options.handler),
      runtime: CustomResourceProviderRuntime.NODEJS_24_X,
      useCfnResponseWrapper: false,
      timeout: options.timeout,
      memorySize: Size.mebibytes(256),
      description: options.description,
    });
    this.serviceToken = this.provider.serviceToken;
    this.timeoutSeconds = options.timeout.toSeconds();

    const logGroup = new CfnResource(this, 'Logs', {
      type: 'AWS::Logs::LogGroup',
      properties: { RetentionInDays: LOG_RETENTION_DAYS },
    });
    logGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);

    const fn = this.provider.node.findChild('Handler') as CfnResource;
    fn.addPropertyOverride('Handler', 'index.onEvent');
    // the largest timeout any construct of this kind in the stack needs (accepters wait up to their waitTimeout)
    fn.addPropertyOverride('Timeout', Lazy.number({ produce: () => this.timeoutSeconds }));
    fn.addPropertyOverride('Architectures', ['arm64']);
    fn.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.ref });
    const role = this.provider.node.findChild('Role') as CfnResource;
    role.addPropertyDeletionOverride('ManagedPolicyArns');

    this.addStatement(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.getAtt('Arn').toString()],
    }));
    // before a Delete, the handlers ask whether another resource of this stack still stands for the invitation
    // (lambda/shared/stack.ts): read-only, on this stack only
    this.addStatement(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
      resources: [scope.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${scope.stackName}/*` })],
    }));
    for (const statement of options.statements(scope)) this.addStatement(statement);
  }

  /** Raises the function's timeout to at least `timeout` (never lowers it). */
  public requireTimeout(timeout: Duration): void {
    this.timeoutSeconds = Math.max(this.timeoutSeconds, timeout.toSeconds());
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
   * A custom resource served by this provider. Its policy is inline in the function's role, and the resource
   * references the function, which depends on the role: CloudFormation deletes the resource (and calls the handler)
   * before the permissions go away.
   */
  public createResource(
    scope: Construct,
    id: string,
    resourceType: string,
    properties: Record<string, unknown>,
    removalPolicy: RemovalPolicy,
  ): CustomResource {
    return new CustomResource(scope, id, {
      serviceToken: this.serviceToken,
      resourceType,
      properties,
      removalPolicy,
    });
  }

  private addStatement(statement: iam.PolicyStatement): void {
    this.provider.addToRolePolicy(statement.toStatementJson());
  }
}
