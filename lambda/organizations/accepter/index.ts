/** Lambda entry for OrgInvitationAccepter, deployed in the invited account (`index.onEvent`; `handler` is the custom-resource contract). */
import { CLIENTS, orgInvitationAccepterLifecycle } from './lifecycle';
import { entryPoints } from '../../shared/entry';

export const { handler, onEvent } = entryPoints(orgInvitationAccepterLifecycle, CLIENTS);
