export * from './invitation-base';
export * from './org-invitation';
export * from './workspaces-account-link';
export * from './macie-invitations';
