import * as fs from 'fs';
import * as path from 'path';
import {
  AssetStaging,
  CfnResource,
  CustomResource,
  Duration,
  FileAssetPackaging,
  Lazy,
  RemovalPolicy,
  Stack,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { bundleDirectory, HandlerName, HANDLERS } from './handlers';
import { acknowledgeRuntime, acknowledgeWildcards } from './nag';

/** Statements every provider of a kind needs (more are added with `grant`). */
export type ProviderStatements = (stack: Stack) => iam.PolicyStatement[];

/** Lambda's largest timeout. */
const MAX_LAMBDA_TIMEOUT_SECONDS = 15 * 60;
/** Log retention of the handlers' log groups, in days. */
const LOG_RETENTION_DAYS = 365;
/** The functions' memory, in MiB. */
const MEMORY_MIB = 256;

/**
 * The custom-resource provider of one kind of invitation: one Lambda function and its role (and a log group) per
 * stack, created on first use and shared by every invitation of that kind in the stack, so the 2nd..Nth invitation
 * adds only its custom resource.
 *
 * Typed L1 resources (`iam.CfnRole`, `lambda.CfnFunction`, `logs.CfnLogGroup`), chosen over
 * `custom-resources.Provider`, `lambda.Function` and core's `CustomResourceProvider`:
 * - The Provider framework adds a second Lambda function, role and policy per provider, and a hop per request; its
 *   entry point logs the whole event (invitees' emails, notes) and answers a failed Create's Delete itself.
 * - `lambda.Function` adds a role with the AWSLambdaBasicExecutionRole managed policy and an asset construct, and its
 *   template changes with aws-cdk-lib's feature flags and releases; these L1s give the same template at the
 *   dependency floor and at the newest release, and synthesize faster.
 * - Core's `CustomResourceProvider` makes raw `CfnResource`s, which cdk-nag's rules and `Tags.of` do not see. The
 *   L1s are what cdk-nag checks; the library acknowledges its findings with reasons (`./nag.ts`).
 * The function runs our own entry point, `index.onEvent` (`lambda/shared/runtime.ts` `cfnEntryPoint`), which logs
 * redacted IDs only, answers with a user-facing Reason and never leaves CloudFormation waiting; it logs to its own
 * log group (with retention), and its role may write to that log group only (no managed policy).
 * The construct IDs are those core's `CustomResourceProvider` used, so the logical IDs did not change.
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

  /** The handler bundle as a file asset of `stack` (staged under `scope`), as core's CustomResourceProvider did. */
  private static code(scope: Construct, name: HandlerName, stack: Stack) {
    const staging = new AssetStaging(scope, 'Staging', { sourcePath: InvitationProvider.bundleDirectory(name) });
    const fileName = staging.relativeStagedPath(stack);
    const asset = stack.synthesizer.addFileAsset({
      fileName,
      sourceHash: staging.assetHash,
      packaging: FileAssetPackaging.ZIP_DIRECTORY,
      displayName: `${scope.node.path} Code`,
    });
    const property: lambda.CfnFunction.CodeProperty = { s3Bucket: asset.bucketName, s3Key: asset.objectKey };
    return { property, fileName };
  }

  /** The ARN of the function CloudFormation invokes. */
  public readonly serviceToken: string;
  /** The custom resource type of this kind (`Custom::...`, from the registry). */
  public readonly resourceType: string;
  private readonly role: iam.CfnRole;
  /** The statements of the role's inline policy, in the order they were added. */
  private readonly statements: iam.PolicyStatement[] = [];
  private readonly grants = new Set<string>();
  /** The function's timeout in seconds: the registry's, raised by `requireTimeout`. */
  private timeoutSeconds: number;

  private constructor(scope: Stack, id: string, name: HandlerName, statements: ProviderStatements) {
    super(scope, id);
    const entry = HANDLERS[name];
    this.timeoutSeconds = entry.timeoutSeconds;
    this.resourceType = entry.resourceType;

    const logGroup = new logs.CfnLogGroup(this, 'Logs', { retentionInDays: LOG_RETENTION_DAYS });
    logGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);

    // the role and function sit where core's CustomResourceProvider put them (its unique ID at the stack's root)
    const pascal = name.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
    const home = new Construct(scope, `CdkAccountInvitations${pascal}CustomResourceProvider`);
    this.role = new iam.CfnRole(home, 'Role', {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      },
      // one inline policy, no managed policy: every statement is scoped by this library
      policies: [{
        policyName: 'Inline',
        policyDocument: Lazy.any({
          produce: () => ({ Version: '2012-10-17', Statement: this.statements.map((st) => st.toStatementJson()) }),
        }),
      }],
    });

    const code = InvitationProvider.code(home, name, scope);
    const fn = new lambda.CfnFunction(home, 'Handler', {
      code: code.property,
      handler: 'index.onEvent',
      runtime: lambda.Runtime.NODEJS_24_X.name,
      architectures: ['arm64'],
      memorySize: MEMORY_MIB,
      // the largest timeout any construct of the stack requires, known once every construct has been added
      timeout: Lazy.number({ produce: () => this.timeoutSeconds }),
      role: this.role.attrArn,
      description: entry.description,
      loggingConfig: { logGroup: logGroup.ref },
    });
    fn.addResourceDependency(this.role);
    acknowledgeRuntime(fn);
    if (home.node.tryGetContext(cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT)) {
      // where `sam local` finds the code
      fn.addMetadata(cxapi.ASSET_RESOURCE_METADATA_PATH_KEY, code.fileName);
      fn.addMetadata(cxapi.ASSET_RESOURCE_METADATA_PROPERTY_KEY, 'Code');
    }
    this.serviceToken = fn.attrArn;

    this.addStatement(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.attrArn],
    }));
    // before a Delete, the handlers ask whether another resource of this stack still stands for the invitation
    // (lambda/shared/stack.ts), and, after a Create that did not finish, when it began (lambda/shared/stack-events.ts):
    // read-only, on this stack only
    this.addStatement(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
      resources: [scope.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${scope.stackName}/*` })],
    }));
    for (const statement of statements(scope)) this.addStatement(statement);
    // the findings that depend on references resolved only at synth (e.g. another stack's output) are acknowledged then
    this.role.node.addValidation({ validate: () => { acknowledgeWildcards(this.role, this.statements); return []; } });
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
    this.statements.push(statement);
    acknowledgeWildcards(this.role, [statement]);
  }
}
