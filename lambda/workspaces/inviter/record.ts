/**
 * What a WorkSpacesAccountLink's physical ID records: the link, its target, and whether this resource made the link
 * (its invitation created it) or adopted one that was there (ConflictException: another stack's, or one made by hand).
 * Delete removes only a pending link this resource made (the safety rule); an adopted link stays, and so does the
 * link of an earlier version's physical ID (the bare link ID), which cannot tell.
 *
 * `workspaces-account-link:<target account>:<made|adopted>:<link ID>[:replaced:<link ID>]`. The optional tail names
 * the link this resource made before an update replaced it (a new target): that update's rollback finds the old link
 * again by its target and, when it is that one, restores it as made, so the first link is not leaked.
 */
import { ACCOUNT_ID } from '../../shared/props';
import { isLinkId } from '../service';

export const PHYSICAL_ID_PREFIX = 'workspaces-account-link';

/** Whether this resource made the link; `unknown` for an earlier version's physical ID. */
export type LinkOrigin = 'made' | 'adopted' | 'unknown';

export interface LinkRecord {
  readonly linkId: string;
  readonly origin: LinkOrigin;
  /** The target account, when the physical ID records it (not in an earlier version's). */
  readonly targetAccountId?: string;
  /** The link this resource made before an update replaced it. */
  readonly replaced?: string;
}

/** The physical ID of a link. */
export function linkPhysicalId(record: { linkId: string; targetAccountId: string; origin: 'made' | 'adopted'; replaced?: string }): string {
  const tail = record.replaced !== undefined ? `:replaced:${record.replaced}` : '';
  return `${PHYSICAL_ID_PREFIX}:${record.targetAccountId}:${record.origin}:${record.linkId}${tail}`;
}

/** What a physical ID records; undefined for an ID this lifecycle did not produce. A bare link ID: origin `unknown`. */
export function parseLinkPhysicalId(physicalId: string): LinkRecord | undefined {
  if (isLinkId(physicalId)) return { linkId: physicalId, origin: 'unknown' };
  const [prefix, target, origin, linkId, replacedWord, replaced, ...rest] = physicalId.split(':');
  if (prefix !== PHYSICAL_ID_PREFIX || rest.length > 0 || !ACCOUNT_ID.test(target ?? '')) return undefined;
  if ((origin !== 'made' && origin !== 'adopted') || !isLinkId(linkId ?? '')) return undefined;
  if (replacedWord === undefined) return { linkId, origin, targetAccountId: target };
  if (replacedWord !== 'replaced' || !isLinkId(replaced ?? '')) return undefined;
  return { linkId, origin, targetAccountId: target, replaced };
}
