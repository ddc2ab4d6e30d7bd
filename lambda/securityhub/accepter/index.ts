/** Lambda entry of SecurityHubInvitationAccepter (`index.onEvent`; `handler` is the custom-resource contract). */
import { securityHubInvitationAccepterLifecycle } from './lifecycle';
import { entryPoints } from '../../shared/entry';
import { SECURITYHUB_CLIENTS } from '../service';

export const { handler, onEvent } = entryPoints(securityHubInvitationAccepterLifecycle, SECURITYHUB_CLIENTS);
