/** Lambda entry of MacieInvitationAccepter (`index.onEvent`; `handler` is the custom-resource contract). */
import { macieInvitationAccepterLifecycle } from './lifecycle';
import { entryPoints } from '../../shared/entry';
import { MACIE_CLIENTS } from '../service';

export const { handler, onEvent } = entryPoints(macieInvitationAccepterLifecycle, MACIE_CLIENTS);
