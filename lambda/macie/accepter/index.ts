/** Lambda entry of MacieInvitationAccepter (`index.onEvent`; `handler` is the custom-resource contract). */
import { macieInvitationAccepterLifecycle } from './lifecycle';
import { entryPoints } from '../../shared/entry';
import { ACCEPTER_CLIENTS } from '../service';

export const { handler, onEvent } = entryPoints(macieInvitationAccepterLifecycle, ACCEPTER_CLIENTS);
