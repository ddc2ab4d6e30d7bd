/** The Lambda entry of WorkSpacesAccountLink: its lifecycle and clients, wired by lambda/shared/entry.ts. */
import { INVITER_CLIENTS, accountLinkLifecycle } from './lifecycle';
import { entryPoints } from '../../shared/entry';

export const { handler, onEvent } = entryPoints(accountLinkLifecycle, INVITER_CLIENTS);
