/** Lambda entry of MacieInvitations (`index.onEvent`; `handler` is the custom-resource contract). */
import { macieInvitationsLifecycle } from './lifecycle';
import { entryPoints } from '../../shared/entry';
import { INVITER_CLIENTS } from '../service';

export const { handler, onEvent } = entryPoints(macieInvitationsLifecycle, INVITER_CLIENTS);
