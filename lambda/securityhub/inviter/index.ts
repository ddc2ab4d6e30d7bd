/** Lambda entry of SecurityHubInvitations (`index.onEvent`; `handler` is the custom-resource contract). */
import { INVITER_CLIENTS } from './acceptance';
import { securityHubInvitationsLifecycle } from './lifecycle';
import { entryPoints } from '../../shared/entry';

export const { handler, onEvent } = entryPoints(securityHubInvitationsLifecycle, INVITER_CLIENTS);
