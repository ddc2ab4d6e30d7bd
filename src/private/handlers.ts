/**
 * The registry of custom-resource handlers: one entry per kind of construct, and the only place that names a
 * handler's service folder, side, custom resource type, Lambda timeout, description and SDK client.
 *
 * Plain data without imports, so that every consumer can read it:
 * - `.projenrc.ts` (ts-node) declares one esbuild bundle per entry;
 * - `src/private/provider.ts` builds the shared provider of a kind from its entry;
 * - `scripts/check-tarball.sh` reads the compiled `lib/private/handlers.js` with `node -e`;
 * - the tests (`test/bundle-determinism.test.ts`, `test/integ/cfn.ts`, `test/util/events.ts`, the contract suites
 *   under `test/contract/`) and `bench/` (bundle size and cold load of every entry) import it.
 *
 * Adding a service (an inviter and its accepter, e.g. `securityhub`) on the one model: the files below, and nothing
 * else in src/, lambda/ or the build.
 * 1. Contract, `src/private/contract/<service>.ts`: for each side, the wire property keys and attribute names (written
 *    here only), defaults and limits, `properties(input)`, `parse(raw)` and `data(...)`, built from `./read`
 *    (readers that throw `PropertyError`) and `./shared` (`ACCEPTER`: the accepter's wait; `ACCEPTANCE`: the role
 *    of an inviter's `acceptance`; `REMOVAL`). Dependency-free (only `./read`, `./shared`, `../patterns`): esbuild
 *    bundles it into the handlers. An accepter that joins an administrator spreads `ADMINISTRATOR_ACCEPTER`, an
 *    inviter of a member list reads it with `MEMBER_LIST` (both in `./shared`).
 * 2. Constructs, `src/<kind>.ts` for each side, one line each in `src/index.ts`: props documented with `@default`
 *    (an inviter's extend `InvitationRemovalProps`, an accepter's `AccepterCommonProps`, `../invitation-base.ts`;
 *    its `acceptIn` options extend `AcceptInOptions`), synth-time validation with `./patterns`, the custom
 *    resource's properties from the contract's `properties()`, attributes read by the contract's `attributes` names,
 *    the provider from `InvitationProvider.of(scope, '<entry>', statements)` (`./provider.ts`) with the IAM
 *    statements of the handler's calls. An inviter's `acceptIn` is one call to `declareAccepter`
 *    (`./accept-in.ts`) and its `acceptance` goes through `bindAcceptance` (`./acceptance.ts`); an accepter checks
 *    its wait and sizes its provider's timeout with `./accepter.ts`.
 * 3. Service module, `lambda/<service>/service.ts` (split into a few modules of `lambda/<service>/` past 500 lines):
 *    the service's API knowledge that both sides use (client creation, describe/list helpers, transient errors,
 *    status vocabularies, hint tables), and the accept step an inviter's `acceptance` borrows. The mechanisms every
 *    service shares come from `lambda/shared/` (runtime and entry points, the accept flow and accepting through a
 *    role, concurrency, errors, the failures of many accounts in one message, redacted logging): a service adds its
 *    words and API calls to them, not a copy.
 * 4. Handlers, `lambda/<service>/<side>/lifecycle.ts` (create/update/delete over injected clients, parsing with the
 *    contract's `parse`, answering with its `data()`) and `lambda/<service>/<side>/index.ts`, one line of wiring:
 *    `export const { handler, onEvent } = entryPoints(lifecycle, clients);` (`lambda/shared/entry.ts`). A folder
 *    imports only its own service's modules (`../service`, `../<module>`) and `../../shared/*`, never the other side.
 * 5. One entry per side in `HANDLERS` below: the bundle (`assets/lambda/<service>/<side>/index/index.js`), the
 *    provider, the tarball check, the integration harness, the bench and the tests pick it up from here.
 * 6. Tests: `test/<service>.contract.test.ts` (the synthesized properties of each construct go through the handler
 *    contract's `parse`; the attributes read are the ones `data()` writes); one row per contract suite
 *    (`test/contract/`: the accepter and inviter suites and the fault matrix run every kind from its row); the
 *    kind's own construct and handler tests for what only it does (`test/<kind>.construct.test.ts`,
 *    `test/<kind>.handler.test.ts`). A service whose inviting side is CloudFormation's own resource (Detective's
 *    `AWS::Detective::MemberInvitation`) registers its accepter only; its row says `cloudFormationInviter` (the suites
 *    play that resource's API calls, the inviter-only suites skip the row), and its accepter's static method
 *    (`DetectiveInvitationAccepter.acceptInvitation`) wires it to that resource through `declareAccepter`.
 * 7. Emulator service, `test/emulator/<service>.ts`, registered in `test/emulator/emulator.ts`, its operations added
 *    to `scripts/extract-service-models.py` (which regenerates `test/emulator/service-models.json`).
 * 8. Docs and examples: a README section per construct (and a row of the table at its top), the service's facts in
 *    `../shared/aws-semantics.md`, and a use in `examples/example-stack.ts` or `examples/cross-account.ts` (the
 *    language apps under `examples/` mirror `example-stack.ts`), then `npx projen docgen` for API.md. The bench
 *    measures the new bundles from the entries; its synth figures take the inviter once it is added to
 *    `bench/synth-app.ts` (with its AwsCustomResource equivalent).
 */

/** One kind of custom-resource handler. */
export interface HandlerEntry {
  /** The kind's name: the key of this entry, and the provider's construct ID (`CdkAccountInvitations-<name>`). */
  readonly name: string;
  /** The service folder under `lambda/`: the service module `lambda/<service>/service.ts` and both sides' handlers. */
  readonly service: string;
  /** Which side of the invitation: the handler is `lambda/<service>/<side>/index.ts`. */
  readonly side: 'inviter' | 'accepter';
  /** The custom resource type the construct declares (`Custom::...`): the events' ResourceType. */
  readonly resourceType: string;
  /** The function's description. */
  readonly description: string;
  /**
   * The function's timeout in seconds, at least. A construct that waits (an accepter's `waitTimeout`) raises its
   * provider's timeout with `InvitationProvider.requireTimeout`; the function gets the largest value of the stack.
   */
  readonly timeoutSeconds: number;
  /** The AWS SDK client package the handler calls (bundled into it). */
  readonly sdkClient: string;
}

/** The registry, keyed by handler name. */
export const HANDLERS = {
  'org-invitation': {
    name: 'org-invitation',
    service: 'organizations',
    side: 'inviter',
    resourceType: 'Custom::OrgInvitation',
    description: 'cdk-account-invitations: AWS Organizations invitations (InviteAccountToOrganization)',
    timeoutSeconds: 5 * 60,
    sdkClient: '@aws-sdk/client-organizations',
  },
  'macie-invitations': {
    name: 'macie-invitations',
    service: 'macie',
    side: 'inviter',
    resourceType: 'Custom::MacieInvitations',
    description: 'cdk-account-invitations: Amazon Macie members and invitations (CreateMember, CreateInvitations)',
    // 1,000 members: 40 ListMembers pages, 1,000 CreateMember calls 10 at a time, 20 CreateInvitations calls
    timeoutSeconds: 15 * 60,
    sdkClient: '@aws-sdk/client-macie2',
  },
  'workspaces-account-link': {
    name: 'workspaces-account-link',
    service: 'workspaces',
    side: 'inviter',
    resourceType: 'Custom::WorkSpacesAccountLink',
    description: 'cdk-account-invitations: Amazon WorkSpaces account links (CreateAccountLinkInvitation)',
    timeoutSeconds: 5 * 60,
    sdkClient: '@aws-sdk/client-workspaces',
  },
  'securityhub-invitations': {
    name: 'securityhub-invitations',
    service: 'securityhub',
    side: 'inviter',
    resourceType: 'Custom::SecurityHubInvitations',
    description: 'cdk-account-invitations: AWS Security Hub members and invitations (CreateMembers, InviteMembers)',
    // 1,000 members: 20 ListMembers pages, 20 CreateMembers and 20 InviteMembers calls (50 accounts each)
    timeoutSeconds: 15 * 60,
    sdkClient: '@aws-sdk/client-securityhub',
  },
  // The accepters wait for their invitation: the timeout here is the floor, each accepter raises it to its
  // waitTimeout plus the time to accept and answer (src/private/accepter.ts)
  'org-invitation-accepter': {
    name: 'org-invitation-accepter',
    service: 'organizations',
    side: 'accepter',
    resourceType: 'Custom::OrgInvitationAccepter',
    description: 'cdk-account-invitations: accept AWS Organizations invitations (AcceptHandshake)',
    timeoutSeconds: 2 * 60,
    sdkClient: '@aws-sdk/client-organizations',
  },
  'macie-invitation-accepter': {
    name: 'macie-invitation-accepter',
    service: 'macie',
    side: 'accepter',
    resourceType: 'Custom::MacieInvitationAccepter',
    description: 'cdk-account-invitations: accept Amazon Macie membership invitations (AcceptInvitation)',
    timeoutSeconds: 2 * 60,
    sdkClient: '@aws-sdk/client-macie2',
  },
  'workspaces-account-link-accepter': {
    name: 'workspaces-account-link-accepter',
    service: 'workspaces',
    side: 'accepter',
    resourceType: 'Custom::WorkSpacesAccountLinkAccepter',
    description: 'cdk-account-invitations: accept Amazon WorkSpaces account links (AcceptAccountLinkInvitation)',
    timeoutSeconds: 2 * 60,
    sdkClient: '@aws-sdk/client-workspaces',
  },
  // no inviter: CloudFormation's AWS::Detective::MemberInvitation invites
  'detective-invitation-accepter': {
    name: 'detective-invitation-accepter',
    service: 'detective',
    side: 'accepter',
    resourceType: 'Custom::DetectiveInvitationAccepter',
    description: 'cdk-account-invitations: accept Amazon Detective behavior graph invitations (AcceptInvitation)',
    timeoutSeconds: 2 * 60,
    sdkClient: '@aws-sdk/client-detective',
  },
  // no inviter: CloudFormation's AWS::RAM::ResourceShare shares
  'resource-share-accepter': {
    name: 'resource-share-accepter',
    service: 'ram',
    side: 'accepter',
    resourceType: 'Custom::ResourceShareAccepter',
    description: 'cdk-account-invitations: accept AWS RAM resource share invitations (AcceptResourceShareInvitation)',
    timeoutSeconds: 2 * 60,
    sdkClient: '@aws-sdk/client-ram',
  },
  'securityhub-invitation-accepter': {
    name: 'securityhub-invitation-accepter',
    service: 'securityhub',
    side: 'accepter',
    resourceType: 'Custom::SecurityHubInvitationAccepter',
    description: 'cdk-account-invitations: accept AWS Security Hub membership invitations (AcceptAdministratorInvitation)',
    timeoutSeconds: 2 * 60,
    sdkClient: '@aws-sdk/client-securityhub',
  },
} as const satisfies Record<string, HandlerEntry>;

/** The name of a registered handler. */
export type HandlerName = keyof typeof HANDLERS;

/** Every registered handler name, in registry order. */
export const HANDLER_NAMES = Object.keys(HANDLERS) as HandlerName[];

/** The handler's entry point, relative to the repository root (what esbuild bundles). */
export function handlerEntrypoint(name: HandlerName): string {
  const entry: HandlerEntry = HANDLERS[name];
  return `lambda/${entry.service}/${entry.side}/index.ts`;
}

/** The bundle's folder, relative to the package root (`assets/lambda/<service>/<side>/index`, where projen's bundler writes it). */
export function bundleDirectory(name: HandlerName): string {
  return `assets/${handlerEntrypoint(name).replace(/\.ts$/, '')}`;
}

/** The bundle's file, relative to the package root. */
export function bundleFile(name: HandlerName): string {
  return `${bundleDirectory(name)}/index.js`;
}
