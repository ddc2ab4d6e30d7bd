/**
 * The benchmark (`npx projen bench`, after `npx projen bundle`): this library side by side with AwsCustomResource.
 * Prints one markdown report and writes it to bench/results.md. Figures are reported, never asserted.
 *
 *   1. floor: `node -e 0`, loading aws-cdk-lib, an empty app's synth (and an empty stack's);
 *   2. largest deployable N, by bisection on in-process synths (cheap; CloudFormation and IAM limits judged here);
 *   3. whole-process synth of N invitations of each kind in one stack, fresh `node` per run, A B A B;
 *   4. handler bundles, every entry of the registry (src/private/handlers.ts): bytes and cold load, against
 *      AwsCustomResource's handler plus the SDK client it loads;
 *   5. MacieInvitations with 1,000 members against the local emulator, and the sequential baseline.
 *
 * `BENCH_CDK_DIR=.tmp/newest npx projen bench` synthesizes with the newest aws-cdk-lib (see CDK_DIR below).
 *
 * `npx projen bench --compare <checkout> [<checkout>]` instead measures two checkouts side by side in one run
 * (bench/compare.ts): by default the given one (e.g. the commit before a change) against this one.
 */
/* eslint-disable import/no-extraneous-dependencies */ // bench/ is not shipped: devDependencies are its dependencies
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { acrTargetName, BundleTarget, coldLoad, coldLoadTargets, spawnTimed } from './cold-load';
import { compare } from './compare';
import { Stats, int, ms, ratio, stats, table } from './format';
import { declaredConcurrency, macieLoad, MacieLoadResult } from './macie-load';
import { Impl, Kind, KINDS, LIMITS, Metrics, synthesize, SynthOptions } from './synth-app';
import { bundleFile, HANDLER_NAMES, HANDLERS } from '../src/private/handlers';

const ROOT = path.resolve(__dirname, '..');
/**
 * Where the whole-process synths and the floor find aws-cdk-lib and constructs: the project's own node_modules (the
 * dependency floor) by default; `BENCH_CDK_DIR=<dir>` (inside the project, e.g. `.tmp/newest`, which
 * `npx projen test:newest` installs) takes `<dir>/node_modules` instead. The children run from there, so Node resolves
 * those two there first and everything else from the project. Why: the floor, 2.262, validates every template with a
 * WebAssembly module that cannot be switched off, which adds about 2.5 s to any synth.
 */
const CDK_DIR = process.env.BENCH_CDK_DIR ? path.resolve(ROOT, process.env.BENCH_CDK_DIR) : ROOT;
// (two levels below CDK_DIR, as bench/.build is below the project: the library finds its bundles at ../../assets)
const BUILD = path.join(CDK_DIR, 'bench', '.build');
const SYNTH_APP = path.join(BUILD, 'synth-app.js');
const started = performance.now();
const loadAtStart = os.loadavg()[0];

// Run counts: the whole `npx projen bench` must stay under 10 minutes on 2 cores. A synth with aws-cdk-lib's
// built-in template validation takes 2 to 10 s (more when the machine is busy), so the default column is measured
// last, in order of priority (the N of the targets first), and the rest is skipped when the time budget runs out.
const SYNTH_RUNS = 5;
const FLOOR_RUNS = 5;
const COLD_RUNS = 10;
const N_VALUES = [1, 10, 20, 50, 150];
const VALIDATED_N = [20, 150, 1, 10, 50];
/** Seconds bench/run.ts may take (`npx projen bundle` and ts-node come on top), and what cold load and Macie need. */
const BUDGET_S = 510;
const RESERVE_S = 75;
const MAX_N = 1000;
const MACIE_MEMBERS = 1000;
const MACIE_LATENCY_MS = 20;
/** Every handler bundle the registry lists, inviters and accepters. */
type RegistryBundle = BundleTarget & { readonly side: string };
const BUNDLES: RegistryBundle[] = HANDLER_NAMES.map((name) => ({
  name, file: path.join(ROOT, bundleFile(name)), sdkClient: HANDLERS[name].sdkClient, side: HANDLERS[name].side,
}));
/** The registry entry the Macie load runs: the Macie inviter. */
const MACIE_INVITER = HANDLER_NAMES.find((name) => HANDLERS[name].service === 'macie' && HANDLERS[name].side === 'inviter');

// ---- statistics and formatting ----------------------------------------------------------------------------------

const notes: string[] = [];
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${line}\n`);

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-invitations-bench-'));
}
/** Children get neither the CDK CLI's variables nor CDK_VALIDATION: the default column is aws-cdk-lib's default. */
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CDK_')));

// ---- 1. floor -------------------------------------------------------------------------------------------------------

const emptyApp = (stack: boolean, validation: boolean) =>
  'const { App, Stack } = require("aws-cdk-lib");' +
  `const app = new App({ outdir: process.argv[1], builtinCloudFormationValidation: ${validation} });` +
  (stack ? 'new Stack(app, "Empty");' : '') + 'app.synth();';
const FLOOR = [
  { name: 'node -e 0', script: '0' },
  { name: 'load aws-cdk-lib', script: 'require("aws-cdk-lib")' },
  { name: 'empty app synth, validation off', script: emptyApp(false, false) },
  { name: 'empty app synth, default', script: emptyApp(false, true) },
  { name: 'empty stack synth, validation off', script: emptyApp(true, false) },
  { name: 'empty stack synth, default', script: emptyApp(true, true) },
];

async function measureFloor(): Promise<Map<string, Stats>> {
  const samples = new Map(FLOOR.map((f) => [f.name, [] as number[]]));
  for (let i = 0; i < FLOOR_RUNS; i++) {
    for (const f of FLOOR) {
      const outdir = tempDir();
      samples.get(f.name)!.push((await spawnTimed(['-e', f.script, outdir], CDK_DIR, childEnv)).ms);
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }
  return new Map([...samples].map(([k, v]) => [k, stats(v)]));
}

// ---- 2. deployability: in-process synths, bisection -----------------------------------------------------------------

type Config = Pick<SynthOptions, 'kind' | 'impl' | 'outputs'>;
const cache = new Map<string, Metrics | Error>();

function synthInProcess(config: Config, n: number): Metrics | Error {
  const key = `${config.kind} ${config.impl} ${config.outputs} ${n}`;
  if (!cache.has(key)) {
    const outdir = tempDir();
    try {
      cache.set(key, synthesize({ ...config, n, validation: false, skipConstructValidation: true, outdir }));
    } catch (e) {
      cache.set(key, e as Error); // a construct refusing N (e.g. more than 1,000 Macie members)
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }
  return cache.get(key)!;
}
const deployable = (m: Metrics | Error) => !(m instanceof Error) && m.overLimits.length === 0;
const whyNot = (m: Metrics | Error) =>
  (m instanceof Error ? `construct refuses: ${m.message.replace(/^\[[^\]]*\] /, '').replace(/\s*\([^)]*\)/g, '')}` : m.overLimits.join(', '));

interface Largest { n: number; limitAtNext: string }

/** Largest N that is deployable: a first guess from a linear fit of two small N, then bracketing and bisection. */
function largestDeployable(config: Config): Largest {
  const ok = (n: number) => n === 0 || deployable(synthInProcess(config, n));
  const [a, b] = [10, 20].map((n) => synthInProcess(config, n));
  let guess = MAX_N;
  if (!(a instanceof Error) && !(b instanceof Error)) {
    const pairs: Array<[number, number, number]> = [
      [a.resources, b.resources, LIMITS.resources], [a.outputs, b.outputs, LIMITS.outputs],
      [a.templateBytes, b.templateBytes, LIMITS.templateBytes], [a.maxRolePolicyChars, b.maxRolePolicyChars, LIMITS.rolePolicyChars],
    ];
    for (const [va, vb, limit] of pairs) {
      const slope = (vb - va) / 10;
      if (slope > 0) guess = Math.min(guess, Math.floor(10 + (limit - va) / slope));
    }
  }
  let lo = Math.max(0, Math.min(guess, MAX_N));
  let hi = lo + 1;
  for (let step = 2; !ok(lo); step *= 2) [hi, lo] = [lo, Math.max(0, lo - step)];
  for (let step = 2; hi <= MAX_N && ok(hi); step *= 2) [lo, hi] = [hi, Math.min(MAX_N + 1, hi + step)];
  const describe = (n: number) => (ok(n) ? `deployable (the search stops at ${MAX_N})` : whyNot(synthInProcess(config, n)));
  if (hi > MAX_N) {
    if (ok(MAX_N)) return { n: MAX_N, limitAtNext: describe(MAX_N + 1) };
    hi = MAX_N;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return { n: lo, limitAtNext: describe(hi) };
}

// ---- 3. whole-process synth -------------------------------------------------------------------------------------------

interface SynthRow { n: number; impl: Impl; metrics: Metrics; times: Partial<Record<'off' | 'on', Stats>> }
/** Labels of the N values added because they are the largest deployable ones. */
const nLabels = new Map<number, string>();

const elapsedS = () => (performance.now() - started) / 1000;

async function timedSynth(nValues: number[]): Promise<SynthRow[]> {
  const rows: SynthRow[] = [];
  const plan = [
    ...nValues.map((n) => ({ n, validation: 'off' as const })),
    ...VALIDATED_N.filter((n) => nValues.includes(n)).map((n) => ({ n, validation: 'on' as const })),
  ];
  let slowestOnS = 0;
  for (const { n, validation } of plan) {
    // a validated group costs about as much as the slowest so far, half again for a larger N
    if (validation === 'on' && slowestOnS > 0 && elapsedS() + 1.5 * slowestOnS > BUDGET_S - RESERVE_S) {
      notes.push(`Synth with the default validation at N = ${n} skipped: it would not fit in the 10-minute budget (${elapsedS().toFixed(0)} s used).`);
      continue;
    }
    const groupStart = elapsedS();
    const samples: Record<Impl, number[]> = { lib: [], acr: [] };
    const metrics: Partial<Record<Impl, Metrics>> = {};
    for (let i = 0; i < SYNTH_RUNS; i++) {
      for (const impl of ['lib', 'acr'] as const) {
        const outdir = tempDir();
        const run = await spawnTimed([SYNTH_APP, 'all', String(n), impl, 'off', validation, outdir], ROOT, childEnv);
        fs.rmSync(outdir, { recursive: true, force: true });
        samples[impl].push(run.ms);
        metrics[impl] ??= JSON.parse(run.stdout.trim().split('\n').pop()!) as Metrics;
      }
    }
    for (const impl of ['lib', 'acr'] as const) {
      let row = rows.find((r) => r.n === n && r.impl === impl);
      if (!row) rows.push((row = { n, impl, metrics: metrics[impl]!, times: {} }));
      row.times[validation] = stats(samples[impl]);
    }
    if (validation === 'on') slowestOnS = Math.max(slowestOnS, elapsedS() - groupStart);
    log(`synth N=${n} validation ${validation}: library ${int(stats(samples.lib).median)} ms, AwsCustomResource ${int(stats(samples.acr).median)} ms`);
  }
  return rows;
}

// ---- main -------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const assets = path.join(CDK_DIR, 'assets');
  if (CDK_DIR !== ROOT && !fs.existsSync(assets)) fs.symlinkSync(path.join(ROOT, 'assets'), assets);
  buildSync({
    entryPoints: [path.join(__dirname, 'synth-app.ts')],
    outfile: SYNTH_APP,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external', // aws-cdk-lib and constructs load from node_modules, as in a user's app
    logLevel: 'error',
  });
  const bundles = BUNDLES.filter((b) => fs.existsSync(b.file));
  for (const b of BUNDLES.filter((x) => !bundles.includes(x))) notes.push(`The ${b.name} bundle is missing: skipped.`);

  log('floor');
  const floor = await measureFloor();

  const skipped = (synthInProcess({ kind: 'all', impl: 'lib', outputs: false }, 10) as Metrics).skipped ?? [];
  for (const k of skipped) notes.push(`The ${k} construct is not in src/ yet: skipped in the library's stacks (AwsCustomResource still has it).`);

  log('largest deployable N (in-process bisection)');
  const largest: Array<{ kind: Kind | 'all'; outputs: boolean; lib: Largest; acr: Largest }> = [];
  for (const kind of ['all', ...KINDS] as const) {
    for (const outputs of [false, true]) {
      const lib = kind !== 'all' && skipped.includes(kind)
        ? { n: 0, limitAtNext: 'construct not in src/ yet' }
        : largestDeployable({ kind, impl: 'lib', outputs });
      largest.push({ kind, outputs, lib, acr: largestDeployable({ kind, impl: 'acr', outputs }) });
    }
  }

  const allOff = largest.find((l) => l.kind === 'all' && !l.outputs)!;
  nLabels.set(allOff.acr.n, 'AwsCustomResource\'s largest deployable');
  nLabels.set(allOff.lib.n, 'library\'s largest deployable');
  const nValues = [...new Set([...N_VALUES, allOff.acr.n, allOff.lib.n])].filter((n) => n > 0).sort((a, b) => a - b);
  log(`whole-process synth, N = ${nValues.join(', ')}`);
  const rows = await timedSynth(nValues);

  log(`cold load: ${bundles.map((b) => b.name).join(', ')}`);
  const cold = await coldLoad(coldLoadTargets(ROOT, bundles), COLD_RUNS, ROOT);

  let macie: MacieLoadResult | undefined;
  const macieBundle = bundles.find((b) => b.name === MACIE_INVITER);
  if (MACIE_INVITER && macieBundle) {
    log(`MacieInvitations, ${MACIE_MEMBERS} members, ${MACIE_LATENCY_MS} ms latency`);
    macie = await macieLoad(macieBundle.file, HANDLERS[MACIE_INVITER].resourceType, MACIE_MEMBERS, MACIE_LATENCY_MS);
  }

  const report = render({ floor, largest, rows, cold, bundles, macie });
  process.stdout.write(`${report}\n`);
  fs.writeFileSync(path.join(__dirname, 'results.md'), `${report}\n`);
  log('wrote bench/results.md');
}

/** Everything one run measured, for the report. */
interface Results {
  readonly floor: Map<string, Stats>;
  readonly largest: Array<{ kind: Kind | 'all'; outputs: boolean; lib: Largest; acr: Largest }>;
  readonly rows: SynthRow[];
  readonly cold: Map<string, number[]>;
  readonly bundles: readonly RegistryBundle[];
  readonly macie: MacieLoadResult | undefined;
}

// ---- report -----------------------------------------------------------------------------------------------------------

function render(results: Results): string {
  const { floor, largest, rows, cold, bundles, macie } = results;
  const out: string[] = [];
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const cdkVersion = (JSON.parse(fs.readFileSync(path.join(CDK_DIR, 'node_modules/aws-cdk-lib/package.json'), 'utf8')) as { version: string }).version;
  const gitHead = (() => { try { return execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim(); } catch { return '?'; } })();
  out.push('# cdk-account-invitations benchmark', '',
    `${new Date().toISOString()} · ${cpu} · ${os.cpus().length} cores · Node.js ${process.version} · aws-cdk-lib ${cdkVersion} · commit ${gitHead} (plus uncommitted changes, if any)`, '',
    `1-minute load average: ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end` +
      (Math.max(loadAtStart, os.loadavg()[0]) > os.cpus().length / 2 ? ' — other work was running: times are noisy, compare A with B within a row.' : '.'), '',
    (CDK_DIR === ROOT ? 'Regenerate with `npx projen bench`.' : `Regenerate with \`BENCH_CDK_DIR=${path.relative(ROOT, CDK_DIR)} npx projen bench\` ` +
      '(whole-process synths and the floor on that aws-cdk-lib; in-process synths and the rest on the project\'s).') + ' Figures are read, never asserted. Whole-process times: spawn of a fresh `node` to its exit; median (min–max).');
  if (notes.length) out.push('', ...notes.map((n) => `> ${n}`));

  // floor
  const f = (name: string) => floor.get(name)!;
  const node0 = f('node -e 0').median;
  out.push('', `## Floor (${FLOOR_RUNS} runs each, interleaved)`, '',
    table(['process', 'time', '× node -e 0'], FLOOR.map(({ name }) => [name, ms(f(name)), ratio(f(name).median / node0)])));

  // synth
  const emptyOff = f('empty app synth, validation off').median;
  const emptyOn = f('empty app synth, default').median;
  out.push('', `## Synth: N invitations of each kind in one stack (outputs off; ${SYNTH_RUNS} runs each, library and AwsCustomResource interleaved)`, '',
    'N org invitations + one MacieInvitations of N members + N WorkSpaces links; AwsCustomResource: N + N (one per Macie member) + N. ' +
    '"validation off": `new App({ builtinCloudFormationValidation: false })`, what `cdk synth --no-validation` and `CDK_VALIDATION=false` do; ' +
    '"default": aws-cdk-lib\'s built-in CloudFormation template validation, on by default (2–10 s per synth here, so it is not run at the ' +
    'added largest-deployable N). × = ratio to the empty app\'s synth of the same column. Construct validation (`node.validate()`) runs in both. ' +
    'aws-cdk-lib\'s own 500-resource check is lifted (context `@aws-cdk/core:stackResourceLimit: 0`) so that every N synthesizes; the deployable column judges the limits. ' +
    'IAM chars: the largest aggregate inline-policy size of one role, whitespace excluded, intrinsics resolved to values of typical length.', '',
    table(['N', 'impl', 'synth, validation off', '×', 'synth, default', '×', 'template bytes', 'resources', 'Lambda functions', 'IAM roles / policies', 'IAM chars per role', 'deployable'],
      rows.map(({ n, impl, metrics: m, times }) => [
        nLabels.has(n) ? `${n} (${nLabels.get(n)})` : String(n), impl === 'lib' ? 'library' : 'AwsCustomResource',
        times.off ? ms(times.off) : '—', times.off ? ratio(times.off.median / emptyOff) : '—',
        times.on ? ms(times.on) : 'not run', times.on ? ratio(times.on.median / emptyOn) : '—',
        int(m.templateBytes), String(m.resources), String(m.lambdas), `${m.roles} / ${m.policies}`, int(m.maxRolePolicyChars),
        m.overLimits.length ? `no: ${m.overLimits.join(', ')}` : 'yes',
      ])));

  const aboveFloor = (n: number, col: 'off' | 'on') => {
    const t = (impl: Impl) => rows.find((r) => r.n === n && r.impl === impl)?.times[col]?.median;
    const base = col === 'off' ? emptyOff : emptyOn;
    const [lib, acr] = [t('lib'), t('acr')];
    return lib === undefined || acr === undefined ? undefined : { lib: lib - base, acr: acr - base, ratio: (lib - base) / (acr - base) };
  };
  out.push('', '### Synth time above the empty app\'s synth (medians)', '',
    table(['N', 'library, validation off', 'AwsCustomResource, validation off', 'library ÷ AwsCustomResource', 'library, default', 'AwsCustomResource, default', 'library ÷ AwsCustomResource'],
      [...new Set(rows.map((r) => r.n))].map((n) => {
        const [off, on] = [aboveFloor(n, 'off'), aboveFloor(n, 'on')];
        const cells = (a?: { lib: number; acr: number; ratio: number }) => (a ? [`${int(a.lib)} ms`, `${int(a.acr)} ms`, ratio(a.ratio)] : ['—', '—', '—']);
        return [nLabels.has(n) ? `${n} (${nLabels.get(n)})` : String(n), ...cells(off), ...cells(on)];
      })));

  // deployability
  const kindName = (k: Kind | 'all') => (k === 'all' ? 'each kind (N of each)' : k);
  out.push('', '## Largest deployable N (bisection on in-process synths)', '',
    `Limits: ${LIMITS.resources} resources, ${LIMITS.outputs} outputs, 1 MiB template, ${int(LIMITS.rolePolicyChars)} IAM characters of inline policy per role. ` +
    `"Invitations" counts Macie members; the search stops at ${MAX_N}.`, '',
    table(['kind', 'outputs', 'library: largest N (invitations)', 'library at N+1', 'AwsCustomResource: largest N (invitations)', 'AwsCustomResource at N+1'],
      largest.map((l) => {
        const inv = (n: number) => `${n} (${l.kind === 'all' ? n * KINDS.length : n})`;
        return [kindName(l.kind), l.outputs ? 'on' : 'off', inv(l.lib.n), l.lib.limitAtNext, inv(l.acr.n), l.acr.limitAtNext];
      })));

  // marginal cost per invitation, from the N = 10 and N = 20 synths of the bisection
  const marginal: string[][] = [];
  for (const kind of KINDS) {
    for (const impl of ['lib', 'acr'] as const) {
      for (const outputs of [false, true]) {
        const [a, b] = [10, 20].map((n) => synthInProcess({ kind, impl, outputs }, n));
        if (a instanceof Error || b instanceof Error || a.skipped.length) continue;
        const d = (k: keyof Metrics) => ((b[k] as number) - (a[k] as number)) / 10;
        marginal.push([kind, impl === 'lib' ? 'library' : 'AwsCustomResource', outputs ? 'on' : 'off',
          String(d('resources')), String(d('outputs')), int(d('templateBytes')), int(d('maxRolePolicyChars')), String(d('lambdas'))]);
      }
    }
  }
  out.push('', '### Cost of one more invitation (N = 10 → 20, one kind per stack; Macie: one more member)', '',
    table(['kind', 'impl', 'outputs', '+ resources', '+ outputs', '+ template bytes', '+ IAM chars per role', '+ Lambda functions'], marginal));

  // bundles and cold load
  const c = (name: string) => stats(cold.get(name)!);
  const c0 = c('node -e 0').median;
  out.push('', `## Handler bundles: size and cold load (every registry entry; fresh \`node -e "require(...)"\`, ${COLD_RUNS} runs each, interleaved)`, '',
    `\`node -e 0\`: ${ms(c('node -e 0'))}. AwsCustomResource's load path: its handler (aws-cdk-lib/custom-resource-handlers/dist/custom-resources/aws-custom-resource-handler/index.js) plus the SDK client it requires at run time, from node_modules; measured once per SDK client (an inviter and its accepter call the same client).`, '',
    table(['bundle', 'side', 'bytes', 'cold load', '× node -e 0', 'AwsCustomResource load path', '× node -e 0', 'bundle ÷ AwsCustomResource'],
      bundles.map(({ name, file, sdkClient, side }) => {
        const [lib, acr] = [c(name), c(acrTargetName(sdkClient))];
        return [name, side, int(fs.statSync(file).size), ms(lib), ratio(lib.median / c0), `${ms(acr)} (${sdkClient})`, ratio(acr.median / c0), ratio(lib.median / acr.median)];
      })));

  // Macie
  if (macie) {
    const calls = (x: Record<string, number>) => Object.entries(x).map(([op, n]) => `${op} ${n}`).join(', ');
    out.push('', `## MacieInvitations: Create with ${int(macie.members)} new members, local emulator (127.0.0.1) with ${macie.latencyMs} ms latency`, '',
      'The shipped bundle\'s `handler` (AWS_ENDPOINT_URL_MACIE2 → emulator, pages of 50); sequential: the same requests replayed one after another with a plain Macie2Client against a fresh emulator.', '',
      table(['run', 'wall time', 'calls', 'max in flight'], [
        ['handler', `${int(macie.handler.wallMs)} ms${macie.handler.error ? ` (failed: ${macie.handler.error.slice(0, 120)})` : ''}`, calls(macie.handler.calls), String(macie.handler.maxInFlight)],
        ['sequential baseline', `${int(macie.sequential.wallMs)} ms`, calls(macie.sequential.calls), String(macie.sequential.maxInFlight)],
        ['handler ÷ sequential', ratio(macie.handler.wallMs / macie.sequential.wallMs), '', ''],
      ]));
  }

  out.push('', renderTargets(results));
  out.push('', `Total: bench/run.ts took ${((performance.now() - started) / 1000).toFixed(0)} s (plus \`npx projen bundle\` before it).`);
  return out.join('\n');
}

function renderTargets(results: Results): string {
  const { floor, largest, rows, cold, bundles, macie } = results;
  const items: Array<[string, string, boolean | undefined]> = [];
  const mark = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : '**not met**');

  // resources per invitation, Lambda functions constant
  const per = KINDS.map((kind) => {
    const [a, b] = [10, 20].map((n) => synthInProcess({ kind, impl: 'lib', outputs: false }, n));
    return a instanceof Error || b instanceof Error || a.skipped.length ? undefined : { kind, d: (b.resources - a.resources) / 10 };
  }).filter((x) => x !== undefined);
  items.push(['resources per additional invitation exactly 1 (outputs aside)',
    per.map((p) => `${p.kind} ${p.d}${p.kind === 'macie' ? ' per member (all members in one resource)' : ''}`).join(', '),
    per.every((p) => p.d === 1 || (p.kind === 'macie' && p.d <= 1))]);
  const libRows = rows.filter((r) => r.impl === 'lib');
  const lambdas = [...new Set(libRows.map((r) => r.metrics.lambdas))];
  items.push(['Lambda functions constant in N', `library: ${lambdas.join(', ')} for N = ${libRows.map((r) => r.n).join(', ')}`, lambdas.length === 1]);

  // deployability
  for (const outputs of [false, true]) {
    const want = outputs ? 200 : 450;
    const found = largest.filter((l) => l.outputs === outputs);
    const inv = (l: (typeof found)[number]) => (l.kind === 'all' ? l.lib.n * KINDS.length : l.lib.n);
    items.push([`deployable ≥ ${want} invitations per stack, outputs ${outputs ? 'on' : 'off'}`,
      found.map((l) => `${l.kind === 'all' ? 'mixed' : l.kind} ${inv(l)}`).join(', '), found.every((l) => inv(l) >= want)]);
  }

  // synth time
  const empty = (col: 'off' | 'on') => floor.get(col === 'off' ? 'empty app synth, validation off' : 'empty app synth, default')!.median;
  const above = (n: number, impl: Impl, col: 'off' | 'on') => {
    const t = rows.find((r) => r.n === n && r.impl === impl)?.times[col]?.median;
    return t === undefined ? undefined : t - empty(col);
  };
  for (const col of ['off', 'on'] as const) {
    const [lib, acr] = [above(20, 'lib', col), above(20, 'acr', col)];
    const r = lib !== undefined && acr !== undefined ? lib / acr : undefined;
    items.push([`synth above the empty app at N = 20 ≤ 0.25× AwsCustomResource's (validation ${col === 'off' ? 'off' : 'default'})`,
      r === undefined ? 'not measured' : `${int(lib!)} ms vs ${int(acr!)} ms = ${ratio(r)}`, r === undefined ? undefined : r <= 0.25]);
    const at150 = above(150, 'lib', col);
    items.push([`synth above the empty app at N = 150 ≤ 300 ms (validation ${col === 'off' ? 'off' : 'default'})`,
      at150 === undefined ? 'not measured' : `${int(at150)} ms`, at150 === undefined ? undefined : at150 <= 300]);
  }

  // bundles
  const c = (name: string) => stats(cold.get(name)!).median;
  for (const { name, file, sdkClient } of bundles) {
    const bytes = fs.statSync(file).size;
    items.push([`${name} bundle ≤ 350 KB (358,400 bytes)`, `${int(bytes)} bytes`, bytes <= 350 * 1024]);
    const [toNode, toAcr] = [c(name) / c('node -e 0'), c(name) / c(acrTargetName(sdkClient))];
    items.push([`${name} cold load ≤ 1.7× node -e 0 and ≤ 0.85× AwsCustomResource's load path`, `${ratio(toNode)}, ${ratio(toAcr)}`, toNode <= 1.7 && toAcr <= 0.85]);
  }

  // Macie
  if (macie) {
    const h = macie.handler.calls;
    const wantInv = Math.ceil(macie.members / 50);
    items.push([`Macie ${int(macie.members)} members: one CreateMember per new member, ⌈N/50⌉ = ${wantInv} CreateInvitations`,
      `CreateMember ${h.CreateMember ?? 0}, CreateInvitations ${h.CreateInvitations ?? 0}`, h.CreateMember === macie.members && h.CreateInvitations === wantInv]);
    const concurrency = declaredConcurrency(ROOT, 'macie');
    items.push(['Macie: requests in flight bounded', `max ${macie.handler.maxInFlight} for ${int(macie.members)} members (the handler's CONCURRENCY: ${concurrency ?? '?'})`,
      macie.handler.maxInFlight <= (concurrency ?? 10)]);
    const r = macie.handler.wallMs / macie.sequential.wallMs;
    items.push(['Macie: wall time ≤ 0.2× sequential', `${int(macie.handler.wallMs)} ms vs ${int(macie.sequential.wallMs)} ms = ${ratio(r)}`, r <= 0.2]);
  }

  return ['## Targets (read from the figures above)', '', table(['target', 'measured', ''], items.map(([t, m, ok]) => [t, m, mark(ok)]))].join('\n');
}

const args = process.argv.slice(2);
const compareAt = args.indexOf('--compare');
(compareAt >= 0 ? compare(args.slice(compareAt + 1), ROOT) : main()).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
