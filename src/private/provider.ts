import * as fs from 'fs';
import * as path from 'path';
import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
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

/**
 * The custom-resource provider of one kind of invitation: one Lambda function, its role, its policy and its log
 * group per stack, created on first use and shared by every invitation of that kind in the stack, so the 2nd..Nth
 * invitation adds only its custom resource.
 *
 * Why a plain `lambda.Function` as the service token, and not aws-cdk-lib's `custom-resources.Provider` or core
 * `CustomResourceProvider`: both wrap the handler in an entry point that logs the whole event, ResourceProperties
 * included (invitees' emails, notes), and put stack traces into the Reason users read. The Provider framework also
 * adds a second Lambda function (and role) per provider and a hop per request. Our handlers carry their own small
 * entry point (`lambda/shared/runtime.ts` `cfnEntryPoint`) that answers CloudFormation with redacted logs, a
 * user-facing Reason, the failed-create marker, and a FAILED answer before the Lambda times out. A plain function
 * also gives arm64, the newest Node.js runtime and a log group with retention, and is visible to cdk-nag.
 *
 */
export class InvitationProvider extends Construct {
  /** The provider of this kind in the stack of `scope`, created on first use. */
  public static of(scope: Construct, options: InvitationProviderOptions): InvitationProvider {
    const stack = Stack.of(scope);
    const id = `CdkAccountInvitations-${options.handler}`;
    const existing = stack.node.tryFindChild(id);
    if (existing) return existing as InvitationProvider;
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

  /** The function CloudFormation invokes. */
  public readonly function: lambda.Function;
  /** The policy holding every permission of the function; custom resources depend on it. */
  public readonly policy: iam.Policy;
  private readonly grants = new Set<string>();

  private constructor(scope: Stack, id: string, options: InvitationProviderOptions) {
    super(scope, id);
    const codeDirectory = InvitationProvider.bundleDirectory(options.handler);

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Role of the cdk-account-invitations ${options.handler} handler`,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.policy = new iam.Policy(this, 'Policy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        ...options.statements(scope),
      ],
    });

    this.function = new lambda.Function(this, 'Handler', {
      code: lambda.Code.fromAsset(codeDirectory),
      handler: 'index.onEvent',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: options.timeout,
      role,
      logGroup,
      description: options.description,
    });
    // the first invocation already needs every permission
    this.function.node.addDependency(this.policy);
  }

  /**
   * Adds a statement to the provider's policy once per `key` (e.g. organizations:TagResource, added only when some
   * invitation of the stack has tags).
   */
  public grant(key: string, statement: () => iam.PolicyStatement): void {
    if (this.grants.has(key)) return;
    this.grants.add(key);
    this.policy.addStatements(statement());
  }

  /**
   * A custom resource served by this provider. It depends on the provider's policy, so that CloudFormation deletes
   * the resource (and calls the handler) before the permissions go away.
   */
  public createResource(
    scope: Construct,
    id: string,
    resourceType: string,
    properties: Record<string, unknown>,
    removalPolicy: RemovalPolicy,
  ): CustomResource {
    const resource = new CustomResource(scope, id, {
      serviceToken: this.function.functionArn,
      resourceType,
      properties,
      removalPolicy,
    });
    resource.node.addDependency(this.policy);
    return resource;
  }
}
