import { awscdk, javascript } from 'projen';
// The handler registry (plain data, no imports): one esbuild bundle per entry, written to
// `assets/lambda/<name>/index/index.js` (shipped in the npm tarball, git-ignored) and referenced by path from
// `src/` / `lib/` by the shared provider helper.
import { HANDLER_NAMES, handlerEntrypoint } from './src/private/handlers';

/** cdk-nag 3: test/nag.test.ts and the README's cdk-nag snippet (compiled by jsii-rosetta). */
const CDK_NAG = 'cdk-nag@^3.0.2';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-account-invitations',
  description:
    'AWS CDK constructs that invite accounts across account boundaries: AWS Organizations handshakes, Amazon Macie member invitations and Amazon WorkSpaces account links.',
  author: 'cdk-account-invitations contributors',
  authorAddress: 'cdk-account-invitations@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk-account-invitations/cdk-account-invitations.git',
  license: 'Apache-2.0',
  stability: 'experimental',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'organizations', 'macie', 'workspaces', 'invitation', 'landing-zone'],
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,

  // The dependency floor: the oldest releases the library needs (the peer dependencies ^2.262.0 / ^10.5.1, and the
  // devDependencies it is built and tested against). aws-cdk-lib 2.262.0 is the first with Stack.addStackDependency
  // (src/private/accept-in.ts); constructs 10.5.1 is what cdk-nag 3 asks for (aws-cdk-lib 2.262 asks for ^10.5.0).
  // A floor at the newest release would make the Python wheel and the Java jar uninstallable with their dependencies
  // (PyPI and Maven Central serve older releases than npm) and force every user to upgrade. `test:newest` tests the
  // newest release.
  cdkVersion: '2.262.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',
  minNodeVersion: '20.16.0',
  workflowNodeVersion: '20.x',

  // the handlers are not in src/: bundles are declared below
  lambdaAutoDiscover: false,

  devDeps: [
    '@aws-sdk/client-organizations',
    '@aws-sdk/client-cloudformation',
    '@aws-sdk/client-macie2',
    '@aws-sdk/client-securityhub',
    '@aws-sdk/client-workspaces',
    '@aws-sdk/client-detective',
    // ResourceShareAccepter (the receiver of an AWS RAM share)
    '@aws-sdk/client-ram',
    // the emulator's STS tests (AssumeRole, GetCallerIdentity) and fromTemporaryCredentials
    '@aws-sdk/client-sts',
    '@aws-sdk/credential-providers',
    '@aws-sdk/credential-provider-env',
    '@smithy/types',
    '@smithy/core',
    '@types/aws-lambda',
    'aws-sdk-client-mock',
    'jsii-pacmak@1.140.0',
    CDK_NAG,
  ],

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      snapshotSerializers: ['<rootDir>/test/asset-hash-serializer.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/record-templates.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
    },
  },

  publishToPypi: {
    distName: 'cdk-account-invitations',
    module: 'cdk_account_invitations',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkaccountinvitations',
    mavenGroupId: 'io.github.cdk-account-invitations',
    mavenArtifactId: 'cdk-account-invitations',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkAccountInvitations',
    packageId: 'CdkAccountInvitations',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-account-invitations/cdk-account-invitations-go',
  },

  gitignore: ['/cdk.out', '/examples/cdk.out', '/.tmp/'],
});

// The registry may serve unrs-resolver builds that lack some platform bindings (see ../shared/toolchain-notes.md).
project.package.addPackageResolutions('unrs-resolver@1.12.2');

// ---------------------------------------------------------------------------------------------------------------
// Handlers: type-checked with their own tsconfig, then bundled with esbuild (SDK clients included).
// `mainFields: module,main` lets esbuild pick the SDK's ES-module build, which tree-shakes far better.
// The bundles are deterministic: the same sources and lockfile give the same bytes, hence the same asset hash.
// ---------------------------------------------------------------------------------------------------------------
for (const name of HANDLER_NAMES) {
  project.bundler.addBundle(handlerEntrypoint(name), {
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    mainFields: ['module', 'main'],
    tsconfigPath: 'lambda/tsconfig.json',
    // Lambda provides credentials in the environment: bundle the environment provider, not the whole default chain
    esbuildArgs: { '--alias:@aws-sdk/credential-provider-node': './lambda/shared/credentials.ts' },
  });
}
const typecheckLambda = project.addTask('typecheck:lambda', {
  description: 'Type-check the custom-resource handlers',
  exec: 'tsc -p lambda/tsconfig.json --noEmit',
});
project.preCompileTask.spawn(typecheckLambda);
// keep the TypeScript handler sources and dev-only folders out of the tarball; the bundles in assets/ ship
project.addPackageIgnore('/lambda/');
project.addPackageIgnore('/examples/');
project.addPackageIgnore('/bench/');
project.addPackageIgnore('/scripts/');
project.addPackageIgnore('/rosetta/');
project.addPackageIgnore('/.ci/');
project.addPackageIgnore('/test-reports/');
project.addPackageIgnore('/.tmp/');
project.addPackageIgnore('/dist/');

// the tests need the bundles (construct tests hash them, integration tests run them)
project.testTask.prependSpawn(project.bundler.bundleTask);

// cfn-lint on every template the tests wrote (when the command exists on the machine)
project.testTask.exec('bash scripts/cfn-lint-templates.sh');

// lint the handlers too; they import the SDK clients from devDependencies because esbuild bundles them
project.eslint?.addLintPattern('lambda');
project.eslint?.addOverride({
  files: ['lambda/**/*.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
});

// `package` builds the npm tarball only (jsii-pacmak's other targets need toolchains and registries that are not here;
// the other languages are generated as code, see `package:code`).
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);
project.packageTask.exec('bash scripts/check-tarball.sh', { name: 'the tarball ships the bundles and no sources' });

// ---------------------------------------------------------------------------------------------------------------
// Documentation and the other languages, checked on every build:
// - every TypeScript snippet of README.md compiles (jsii-rosetta reads them from the compiled .jsii);
// - API.md is regenerated by docgen (post-compile); under CI a difference from the committed file fails the build;
// - jsii-pacmak generates the Python, Java, .NET and Go code (code only: their registries and toolchains are not
//   reachable here), warnings fail, and the Python is byte-compiled.
// ---------------------------------------------------------------------------------------------------------------
const rosetta = project.addTask('rosetta', {
  description: 'Compile every TypeScript snippet of the README (strict)',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);
// a snippet may import a package that is not a dependency of the library: rosetta installs it for the snippets
const [nagName, nagRange] = CDK_NAG.split(/(?<=.)@/);
project.package.addField('jsiiRosetta', { exampleDependencies: { [nagName]: nagRange } });
project.postCompileTask.exec('bash scripts/check-api-md.sh', { name: 'API.md is current' });
const packageCode = project.addTask('package:code', {
  description: 'Generate the Python, Java, .NET and Go bindings (code only) and check them',
  exec: 'bash scripts/check-languages.sh',
});
project.packageTask.spawn(packageCode);
project.gitignore.exclude('.jsii.tabl.json', '/dist/');

// ---------------------------------------------------------------------------------------------------------------
// The example app: synthesize it and print what it declared.
// ---------------------------------------------------------------------------------------------------------------
const example = project.addTask('example', {
  description: 'Synthesize the example app and print its custom resources and outputs',
});
example.spawn(project.bundler.bundleTask);
example.exec('ts-node --transpile-only --project test/tsconfig.json examples/app.ts');
// both sides of every invitation: two stacks in two accounts (acceptIn), and one stack through a role (acceptance)
example.exec('ts-node --transpile-only --project test/tsconfig.json examples/cross-account.ts');

// ---------------------------------------------------------------------------------------------------------------
// Benchmark (bench/, not shipped): synth cost, template size and handler cold start, side by side with
// AwsCustomResource. Prints a table; never asserted in unit tests.
// ---------------------------------------------------------------------------------------------------------------
const bench = project.addTask('bench', { description: 'Benchmark the constructs and handlers against AwsCustomResource' });
bench.spawn(project.bundler.bundleTask);
bench.exec('ts-node --transpile-only --project test/tsconfig.json bench/run.ts', { receiveArgs: true });
// Security Hub under load (issue 19): 1,000 members invited (batched vs a serial loop), and invited and accepted
// through roles in one invocation, Security Hub beside Macie; results in bench/securityhub-results.md
const benchSecurityHub = project.addTask('bench:securityhub', {
  description: 'Security Hub with 1,000 members on the local emulator: batched vs serial, and invite + accept through roles',
});
benchSecurityHub.spawn(project.bundler.bundleTask);
benchSecurityHub.exec('ts-node --transpile-only --project test/tsconfig.json bench/securityhub-load.ts', { receiveArgs: true });

// ---------------------------------------------------------------------------------------------------------------
// Language tier (issue 11): jsii-pacmak builds the real Python wheel, Java jar and Go module; the consumer apps in
// examples/python, examples/java and examples/go synthesize the example stack against them and each language's
// aws-cdk-lib; the four templates must be the same; pytest tests the Python user's stack. Needs a compiled library
// (`npx projen build` first, or it compiles unless LANGUAGES_SKIP_BUILD=1). See scripts/languages/run.sh.
// ---------------------------------------------------------------------------------------------------------------
project.addTask('test:languages', {
  description: 'Build the Python, Java and Go packages, synthesize the example stack in each language and compare the templates',
  exec: 'bash scripts/languages/run.sh',
});
project.gitignore.exclude('/examples/java/target/', '__pycache__/', '/examples/python/.pytest_cache/');

// ---------------------------------------------------------------------------------------------------------------
// The newest aws-cdk-lib (the devDependency is the floor, above): scripts/test-newest.sh installs the newest
// aws-cdk-lib, constructs and cdk-nag into .tmp/newest (never into node_modules), runs the construct, contract,
// cdk-nag and snapshot tests with them, and synthesizes the example apps, whose templates must be the ones the floor
// gives. Needs the bundles (`npx projen bundle`). CI runs it after the build (.ci/run).
// ---------------------------------------------------------------------------------------------------------------
const testNewest = project.addTask('test:newest', {
  description: 'Test the constructs and synthesize the examples with the newest aws-cdk-lib release',
});
testNewest.spawn(project.bundler.bundleTask);
testNewest.exec('bash scripts/test-newest.sh', { receiveArgs: true });

project.tsconfigDev.addInclude('../examples/**/*.ts');
project.tsconfigDev.addInclude('../bench/**/*.ts');
project.tsconfigDev.addInclude('../scripts/**/*.ts');

project.synth();
