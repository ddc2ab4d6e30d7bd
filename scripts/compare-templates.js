#!/usr/bin/env node
// Compares the cloud assemblies that the example app synthesized in each language with the first one (TypeScript):
// every stack of the reference assembly must exist in each other one with the same template (resources and their
// properties, policies and dependencies, outputs, parameters, conditions, rules) and the same file asset hashes.
//
// Ignored, because it legitimately differs between languages: `AWS::CDK::Metadata` resources and the
// `CDKMetadataAvailable` condition (CDK's analytics: a compressed list of construct types and the jsii runtime's
// language and version; only emitted when the CLI turns version reporting on). Nothing else is ignored: construct
// paths (`aws:cdk:path` metadata) are the same in every language, because the apps use the same construct IDs.
//
// Usage: node scripts/compare-templates.js typescript=DIR python=DIR java=DIR go=DIR
// Prints one line per language and stack; each difference names the stack, the resource (logical ID and type) and
// the property path. Exit code 1 on any difference.
const fs = require('fs');
const path = require('path');

const IGNORED_RESOURCE_TYPES = new Set(['AWS::CDK::Metadata']);
const IGNORED_CONDITIONS = new Set(['CDKMetadataAvailable']);

/** The stacks of a cloud assembly: { stackName: { template, fileAssets: { hash: sourcePath } } }. */
function readAssembly(dir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const stacks = {};
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = artifact.properties?.templateFile;
    const template = JSON.parse(fs.readFileSync(path.join(dir, templateFile), 'utf8'));
    // the asset manifest the stack depends on lists its file assets by hash
    const fileAssets = {};
    for (const dep of artifact.dependencies ?? []) {
      const assetArtifact = manifest.artifacts[dep];
      if (assetArtifact?.type !== 'cdk:asset-manifest') continue;
      const assets = JSON.parse(fs.readFileSync(path.join(dir, assetArtifact.properties.file), 'utf8'));
      for (const [hash, asset] of Object.entries(assets.files ?? {})) {
        // the template itself is an asset too: its hash differs whenever anything differs, which the template diff explains
        if (asset.source?.path === templateFile) continue;
        fileAssets[hash] = asset.source?.path;
      }
    }
    stacks[artifact.displayName ?? id] = { template, fileAssets };
  }
  return stacks;
}

/** Drops what legitimately differs between languages (see the header). */
function normalize(template) {
  const t = JSON.parse(JSON.stringify(template));
  for (const [id, r] of Object.entries(t.Resources ?? {})) {
    if (IGNORED_RESOURCE_TYPES.has(r.Type)) delete t.Resources[id];
  }
  for (const id of IGNORED_CONDITIONS) {
    if (t.Conditions) delete t.Conditions[id];
  }
  if (t.Conditions && Object.keys(t.Conditions).length === 0) delete t.Conditions;
  return t;
}

/** Every difference between two JSON values, as [path, expected, actual]. */
function diffValues(expected, actual, at, out) {
  if (JSON.stringify(expected) === JSON.stringify(actual)) return out;
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(expected) && isObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      diffValues(expected[key], actual[key], at ? `${at}.${key}` : key, out);
    }
  } else if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    expected.forEach((e, i) => diffValues(e, actual[i], `${at}[${i}]`, out));
  } else {
    out.push([at, expected, actual]);
  }
  return out;
}

const show = (v) => (v === undefined ? '(missing)' : JSON.stringify(v).slice(0, 200));

/** The differences of one stack, as sentences that name the resource and the property. */
function compareStack(stackName, ref, other, refLabel, label) {
  const problems = [];
  const a = normalize(ref.template);
  const b = normalize(other.template);
  for (const [logicalId, expected] of Object.entries(a.Resources ?? {})) {
    const actual = (b.Resources ?? {})[logicalId];
    if (!actual) {
      problems.push(`${stackName}: resource ${logicalId} (${expected.Type}) is missing in ${label}`);
      continue;
    }
    for (const [prop, e, v] of diffValues(expected, actual, '', [])) {
      problems.push(`${stackName}: resource ${logicalId} (${expected.Type}) ${prop}: ${refLabel} ${show(e)}, ${label} ${show(v)}`);
    }
  }
  for (const [logicalId, actual] of Object.entries(b.Resources ?? {})) {
    if (!(a.Resources ?? {})[logicalId]) problems.push(`${stackName}: resource ${logicalId} (${actual.Type}) only in ${label}`);
  }
  const { Resources: _ra, ...restA } = a;
  const { Resources: _rb, ...restB } = b;
  for (const [prop, e, v] of diffValues(restA, restB, '', [])) {
    problems.push(`${stackName}: ${prop}: ${refLabel} ${show(e)}, ${label} ${show(v)}`);
  }
  for (const hash of Object.keys(ref.fileAssets)) {
    if (!(hash in other.fileAssets)) problems.push(`${stackName}: file asset ${hash} (${ref.fileAssets[hash]}) is missing in ${label}`);
  }
  for (const hash of Object.keys(other.fileAssets)) {
    if (!(hash in ref.fileAssets)) problems.push(`${stackName}: file asset ${hash} (${other.fileAssets[hash]}) only in ${label}`);
  }
  return problems;
}

/** Compares each assembly with the first; returns { label: problems[] } (an empty list: the same). */
function compareAssemblies(entries) {
  const [[refLabel, refDir], ...others] = entries;
  const ref = readAssembly(refDir);
  if (Object.keys(ref).length === 0) throw new Error(`${refLabel}: no stack in ${refDir}`);
  const result = {};
  for (const [label, dir] of others) {
    const problems = [];
    let assembly;
    try {
      assembly = readAssembly(dir);
    } catch (e) {
      result[label] = [`cannot read the cloud assembly in ${dir}: ${e.message}`];
      continue;
    }
    for (const [stackName, stack] of Object.entries(ref)) {
      if (!assembly[stackName]) problems.push(`${stackName}: stack missing in ${label}`);
      else problems.push(...compareStack(stackName, stack, assembly[stackName], refLabel, label));
    }
    for (const stackName of Object.keys(assembly)) {
      if (!ref[stackName]) problems.push(`${stackName}: stack only in ${label}`);
    }
    result[label] = problems;
  }
  return { stacks: Object.keys(ref), assets: Object.values(ref).reduce((n, s) => n + Object.keys(s.fileAssets).length, 0), result };
}

module.exports = { compareAssemblies, readAssembly, normalize };

if (require.main === module) {
  const entries = process.argv.slice(2).map((arg) => {
    const i = arg.indexOf('=');
    return i > 0 ? [arg.slice(0, i), arg.slice(i + 1)] : [path.basename(arg), arg];
  });
  if (entries.length < 2) {
    console.error('usage: compare-templates.js REF_LABEL=DIR LABEL=DIR...');
    process.exit(2);
  }
  const { stacks, assets, result } = compareAssemblies(entries);
  let failed = 0;
  for (const [label, problems] of Object.entries(result)) {
    if (problems.length === 0) {
      console.log(`${label}: same as ${entries[0][0]} (${stacks.length} stack(s): ${stacks.join(', ')}; ${assets} file asset hash(es))`);
    } else {
      failed++;
      console.log(`${label}: ${problems.length} difference(s) from ${entries[0][0]}:`);
      for (const p of problems) console.log(`  ${p}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
