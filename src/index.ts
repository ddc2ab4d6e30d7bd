export * from './org-invitation';
