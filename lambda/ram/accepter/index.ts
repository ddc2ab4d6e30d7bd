/** The Lambda entry of ResourceShareAccepter: its lifecycle and clients, wired by lambda/shared/entry.ts. */
import { resourceShareAccepterLifecycle } from './lifecycle';
import { entryPoints } from '../../shared/entry';
import { RAM_CLIENTS } from '../service';

export const { handler, onEvent } = entryPoints(resourceShareAccepterLifecycle, RAM_CLIENTS);
