/**
 * Jest snapshot serializer that masks Lambda asset hashes (64 hex characters, in S3 keys and asset paths), so a
 * snapshot changes with the template's shape, not with every dependency bump that changes a bundle's bytes.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;

export = {
  test: (value: unknown) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value: string) => JSON.stringify(value.replace(ASSET_HASH, '[ASSET-HASH]')),
};
