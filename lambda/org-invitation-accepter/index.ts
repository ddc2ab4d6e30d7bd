// Placeholder until the org-invitation-accepter handler lands (replaced by its lifecycle): every request fails clearly.
import { cfnEntryPoint } from '../shared/runtime';

export const handler = async (): Promise<never> => {
  throw new Error('org-invitation-accepter: not implemented yet');
};

export const onEvent = cfnEntryPoint(handler);
