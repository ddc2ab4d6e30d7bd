// Placeholder until the workspaces-account-link-accepter handler lands (replaced by its lifecycle): every request fails clearly.
import { cfnEntryPoint } from '../shared/runtime';

export const handler = async (): Promise<never> => {
  throw new Error('workspaces-account-link-accepter: not implemented yet');
};

export const onEvent = cfnEntryPoint(handler);
