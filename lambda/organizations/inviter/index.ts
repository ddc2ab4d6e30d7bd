/** Lambda entry for OrgInvitation (`index.onEvent`; `handler` is the custom-resource contract). */
import { CLIENTS, orgInvitationLifecycle } from './lifecycle';
import { entryPoints } from '../../shared/entry';

export const { handler, onEvent } = entryPoints(orgInvitationLifecycle, CLIENTS);
