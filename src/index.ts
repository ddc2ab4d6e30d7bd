export * from './invitation-base';
export * from './org-invitation';
export * from './workspaces-account-link';
export * from './macie-invitations';
export * from './macie-invitation-accepter';
export * from './workspaces-account-link-accepter';
export * from './org-invitation-accepter';
export * from './acceptance';
