/** The Lambda entry of WorkSpacesAccountLinkAccepter: its lifecycle and clients, wired by lambda/shared/entry.ts. */
import { ACCEPTER_CLIENTS, linkAccepterLifecycle } from './lifecycle';
import { entryPoints } from '../../shared/entry';

export const { handler, onEvent } = entryPoints(linkAccepterLifecycle, ACCEPTER_CLIENTS);
