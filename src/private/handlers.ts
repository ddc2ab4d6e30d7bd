/**
 * The registry of custom-resource handlers: one entry per kind of construct, and the only place that names a
 * handler's folder, custom resource type, Lambda timeout and description.
 *
 * Plain data without imports, so that every consumer can read it:
 * - `.projenrc.ts` (ts-node) declares one esbuild bundle per entry;
 * - `src/private/provider.ts` builds the shared provider of a kind from its entry;
 * - `scripts/check-tarball.sh` reads the compiled `lib/private/handlers.js` with `node -e`;
 * - the tests (`test/bundle-determinism.test.ts`, `test/integ/cfn.ts`) and `bench/` import it.
 *
 * Adding a construct kind = one entry here, plus its construct file and its `lambda/<name>/` folder.
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
