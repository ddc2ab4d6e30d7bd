/** Lambda entry of DetectiveInvitationAccepter (`index.onEvent`; `handler` is the custom-resource contract). */
import { detectiveInvitationAccepterLifecycle } from './lifecycle';
import { entryPoints } from '../../shared/entry';
import { DETECTIVE_CLIENTS } from '../service';

export const { handler, onEvent } = entryPoints(detectiveInvitationAccepterLifecycle, DETECTIVE_CLIENTS);
