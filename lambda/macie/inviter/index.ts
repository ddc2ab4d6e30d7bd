/** Lambda entry of MacieInvitations (`index.onEvent`; `handler` is the custom-resource contract). */
import { INVITER_CLIENTS } from './acceptance';
import { macieInvitationsLifecycle } from './lifecycle';
import { entryPoints } from '../../shared/entry';

export const { handler, onEvent } = entryPoints(macieInvitationsLifecycle, INVITER_CLIENTS);
