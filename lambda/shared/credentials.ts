/**
 * Stand-in for `@aws-sdk/credential-provider-node` in the bundles (esbuild `--alias`, see .projenrc.ts).
 *
 * Lambda hands a function its role's credentials in environment variables (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the SDK's default chain (INI files, SSO, IMDS, ECS, web identity,
 * process) is dead weight: replacing it with the environment provider cuts each bundle by about 140 KB and its cold
 * load accordingly. Tests set the same variables with dummy values.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = () => fromEnv();
