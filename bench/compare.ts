/**
 * Two checkouts side by side, in one run (`npx projen bench --compare <A> [<B>]`; B defaults to this checkout):
 *   1. handler bundles, every entry of either checkout's registry (matched by name): bytes, and cold load (fresh
 *      `node -e "require(...)"`, A and B interleaved, the order flipped every round);
 *   2. whole-process synth of N invitations of each kind in one stack (validation off), A and B interleaved;
 *   3. MacieInvitations' handler on 1,000 new members against the local emulator, A and B alternating, each run in
 *      a fresh process (the handler's wall time, measured inside it).
 * Printed as markdown; figures are read, never asserted.
 *
 * Each checkout brings its own registry (src/private/handlers.ts, read as plain data), its bundles (built there by
 * `npx projen bundle`: this file warns when they are older than the handler sources, it does not rebuild another
 * checkout), and its src/ (bundled into a synth app with this checkout's bench/synth-app.ts). Both synth apps load
 * aws-cdk-lib and constructs from this checkout's node_modules, and both Macie runs use this checkout's emulator:
 * only the library differs.
 */
/* eslint-disable import/no-extraneous-dependencies, @typescript-eslint/no-require-imports */ // not shipped
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { build, Plugin, transformSync } from 'esbuild';
import { coldLoad, LoadTarget, spawnTimed } from './cold-load';
import type { HandlerRun } from './macie-load';
import type { Metrics } from './synth-app';
import { int, ms, ratio, stats, table } from './format';
import type { HandlerEntry } from '../src/private/handlers';

const COLD_RUNS = 15;
const SYNTH_RUNS = 5;
/** N = 0: the app and its empty stack, the floor the other rows are read against. */
const SYNTH_N = [0, 1, 20, 150];
const MACIE_RUNS = 3;
const MACIE_MEMBERS = 1000;
const MACIE_LATENCY_MS = 20;

/** What compare.ts reads of a checkout's registry (older registries lack `service` and `side`). */
type Entry = Pick<HandlerEntry, 'name' | 'resourceType' | 'sdkClient'> & Partial<Pick<HandlerEntry, 'service' | 'side'>>;

interface Checkout {
  /** A or B. */
  readonly label: string;
  readonly root: string;
  /** Short commit, plus a mark when the work tree has changes. */
  readonly commit: string;
  readonly entries: Record<string, Entry>;
  /** The bundle of a registry entry, absolute. */
  readonly bundle: (name: string) => string;
  /** The checkout's synth app, bundled by `buildSynthApp`. */
  synthApp?: string;
}

/** Reads a checkout's registry: plain data without imports, so it is transpiled and evaluated as it is. */
function loadCheckout(label: string, root: string): Checkout {
  const file = path.join(root, 'src/private/handlers.ts');
  if (!fs.existsSync(file)) throw new Error(`${root}: no src/private/handlers.ts (not a checkout of this project?)`);
  const { code } = transformSync(fs.readFileSync(file, 'utf8'), { loader: 'ts', format: 'cjs', target: 'node20' });
  const module = { exports: {} as { HANDLERS: Record<string, Entry>; bundleFile: (name: string) => string } };
  new Function('module', 'exports', code)(module, module.exports);
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
  let commit = '?';
  try {
    const changed = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' })
      .split('\n').filter(Boolean).map((line) => line.slice(3));
    commit = git('rev-parse', '--short', 'HEAD') +
      (changed.length ? ` + uncommitted changes to ${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ` and ${changed.length - 3} more` : ''}` : '');
  } catch { /* not a git checkout: the path says enough */ }
  const { HANDLERS, bundleFile } = module.exports;
  return { label, root, commit, entries: HANDLERS, bundle: (name) => path.join(root, bundleFile(name)) };
}

/** Files whose change changes a bundle: the handlers and what they import from src/private. */
function newestSource(root: string): number {
  let newest = 0;
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  walk(path.join(root, 'lambda'));
  walk(path.join(root, 'src/private'));
  return newest;
}

/**
 * Bundles this checkout's bench/synth-app.ts over the checkout's src/ (its `../src/...` requires resolve there).
 * `__dirname` is the checkout's bench/.build, where run.ts puts its synth app: the provider finds the handler bundles
 * at `__dirname/../../assets` as it does there. The app is written under this checkout's bench/.build, so that
 * aws-cdk-lib and constructs load from this checkout's node_modules; nothing is written into the other checkout.
 */
async function buildSynthApp(checkout: Checkout, outdir: string): Promise<string> {
  const entry = path.join(__dirname, 'synth-app.ts');
  const toCheckout: Plugin = {
    name: 'src-of-checkout',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/src\// }, async (args) => {
        if (args.importer !== entry) return undefined;
        const resolved = await b.resolve(`./${args.path.slice('../'.length)}`, { resolveDir: checkout.root, kind: args.kind });
        return resolved.errors.length ? { errors: resolved.errors } : { path: resolved.path };
      });
    },
  };
  const outfile = path.join(outdir, checkout.label, 'synth-app.js');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'error',
    define: { __dirname: JSON.stringify(path.join(checkout.root, 'bench', '.build')) },
    plugins: [toCheckout],
  });
  return outfile;
}

// ---- statistics and formatting (as run.ts) ----------------------------------------------------------------------------

const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${int(Math.abs(x))}`;

export async function compare(args: string[], ownRoot: string): Promise<void> {
  const started = performance.now();
  const log = (line: string) => process.stderr.write(`[compare ${((performance.now() - started) / 1000).toFixed(0)} s] ${line}\n`);
  const loadAtStart = os.loadavg()[0];
  const roots = args.filter((a) => !a.startsWith('--'));
  if (roots.length < 1 || roots.length > 2) throw new Error('usage: npx projen bench --compare <checkout A> [<checkout B>, default: this checkout]');
  const [a, b] = [loadCheckout('A', path.resolve(roots[0])), loadCheckout('B', path.resolve(roots[1] ?? ownRoot))];
  const pair = [a, b];
  const notes: string[] = [];

  // bundles: every name either registry lists, in B's order then A's extras
  const names = [...new Set([...Object.keys(b.entries), ...Object.keys(a.entries)])];
  const bundleOf = (c: Checkout, name: string) => (c.entries[name] && fs.existsSync(c.bundle(name)) ? c.bundle(name) : undefined);
  for (const c of pair) {
    const files = names.map((n) => bundleOf(c, n)).filter((f): f is string => f !== undefined);
    const missing = names.filter((n) => c.entries[n] && !bundleOf(c, n));
    if (missing.length) notes.push(`${c.label}: bundle missing for ${missing.join(', ')} (run \`npx projen bundle\` in ${c.root}).`);
    const oldest = Math.min(...files.map((f) => fs.statSync(f).mtimeMs));
    if (files.length && oldest < newestSource(c.root)) {
      notes.push(`${c.label}: some bundles are older than its lambda/ or src/private/ sources: run \`npx projen bundle\` in ${c.root} for current figures.`);
    }
  }

  log(`cold load, ${COLD_RUNS} runs: ${names.join(', ')}`);
  const target = (c: Checkout, name: string) => `${c.label} ${name}`;
  const targets: LoadTarget[] = [{ name: 'node -e 0', script: '0' }];
  for (const name of names) {
    for (const c of pair) {
      const file = bundleOf(c, name);
      if (file) targets.push({ name: target(c, name), script: `require(${JSON.stringify(file)});` });
    }
  }
  const cold = await coldLoad(targets, COLD_RUNS, ownRoot);
  const c = (name: string) => (cold.has(name) ? stats(cold.get(name)!) : undefined);
  const c0 = c('node -e 0')!;

  // synth
  const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-invitations-compare-'));
  const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CDK_')));
  const synthRows: string[][] = [];
  let floor: { A: number; B: number } | undefined;
  try {
    for (const ch of pair) ch.synthApp = await buildSynthApp(ch, path.join(__dirname, '.build', 'compare'));
    for (const n of SYNTH_N) {
      const samples: Record<string, number[]> = { A: [], B: [] };
      const metrics: Record<string, Metrics | undefined> = {};
      for (let i = 0; i < SYNTH_RUNS; i++) {
        for (const ch of i % 2 ? [b, a] : pair) {
          const outdir = fs.mkdtempSync(path.join(buildDir, 'out-'));
          const run = await spawnTimed([ch.synthApp!, 'all', String(n), 'lib', 'off', 'off', outdir], ownRoot, childEnv);
          fs.rmSync(outdir, { recursive: true, force: true });
          samples[ch.label].push(run.ms);
          metrics[ch.label] ??= JSON.parse(run.stdout.trim().split('\n').pop()!) as Metrics;
        }
      }
      const [sa, sb] = [stats(samples.A), stats(samples.B)];
      const [ma, mb] = [metrics.A!, metrics.B!];
      log(`synth N=${n}: A ${int(sa.median)} ms, B ${int(sb.median)} ms`);
      floor ??= { A: sa.median, B: sb.median };
      const [xa, xb] = [sa.median - floor.A, sb.median - floor.B];
      synthRows.push([String(n), ms(sa), ms(sb), ratio(sb.median / sa.median),
        n === 0 ? '—' : `${int(xa)} ms → ${int(xb)} ms${xa > 0 && xb > 0 ? ` (${ratio(xb / xa)})` : ''}`,
        `${int(ma.templateBytes)} → ${int(mb.templateBytes)} (${signed(mb.templateBytes - ma.templateBytes)})`,
        `${ma.resources} → ${mb.resources}`, `${ma.lambdas} → ${mb.lambdas}`,
        `${int(ma.maxRolePolicyChars)} → ${int(mb.maxRolePolicyChars)}`]);
    }
  } finally {
    fs.rmSync(buildDir, { recursive: true, force: true });
  }

  // Macie: the inviter, found by B's registry (service and side), the same name in A
  const macieName = Object.values(b.entries).find((e) => e.service === 'macie' && e.side === 'inviter')?.name;
  const macieRuns: Record<string, Array<Omit<HandlerRun, 'requests'>>> = { A: [], B: [] };
  if (macieName) {
    log(`${macieName} handler, ${MACIE_MEMBERS} members, ${MACIE_RUNS} runs each`);
    const driver = ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'macie-load.ts')];
    const env = { ...process.env, TS_NODE_PROJECT: path.join(ownRoot, 'test', 'tsconfig.json') };
    for (let i = 0; i < MACIE_RUNS; i++) {
      for (const ch of i % 2 ? [b, a] : pair) {
        const file = bundleOf(ch, macieName);
        if (!file) continue;
        const argv = [file, ch.entries[macieName].resourceType, String(MACIE_MEMBERS), String(MACIE_LATENCY_MS)];
        const run = await spawnTimed([...driver, ...argv], ownRoot, env);
        macieRuns[ch.label].push(JSON.parse(run.stdout.trim().split('\n').pop()!));
      }
    }
  }

  // ---- report ----
  const out: string[] = [];
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const loadAtEnd = os.loadavg()[0];
  out.push('# cdk-account-invitations: two checkouts side by side', '',
    `${new Date().toISOString()} · ${cpu} · ${os.cpus().length} cores · Node.js ${process.version}`, '',
    `- A: ${a.root} (commit ${a.commit})`, `- B: ${b.root} (commit ${b.commit})`, '',
    `1-minute load average: ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end` +
      (Math.max(loadAtStart, loadAtEnd) > os.cpus().length / 2 ? ' — other work was running: times are noisy; A and B ran interleaved, so compare them within a row.' : '.'), '',
    'Figures are read, never asserted. Whole-process times: spawn of a fresh `node` to its exit; median (min–max).');
  if (notes.length) out.push('', ...notes.map((n) => `> ${n}`));

  out.push('', `## Handler bundles (every registry entry of A or B): bytes and cold load (${COLD_RUNS} runs each, interleaved)`, '',
    `\`node -e 0\`: ${ms(c0)}.`, '',
    table(['bundle', 'A bytes', 'B bytes', 'B − A', 'A cold load', 'B cold load', 'B ÷ A', 'B × node -e 0'],
      names.map((name) => {
        const size = (ch: Checkout) => (bundleOf(ch, name) ? fs.statSync(bundleOf(ch, name)!).size : undefined);
        const [ba, bb] = [size(a), size(b)];
        const [la, lb] = [c(target(a, name)), c(target(b, name))];
        return [name, ba === undefined ? '—' : int(ba), bb === undefined ? '—' : int(bb),
          ba !== undefined && bb !== undefined ? `${signed(bb - ba)} (${ratio(bb / ba)})` : '—',
          la ? ms(la) : '—', lb ? ms(lb) : '—', la && lb ? ratio(lb.median / la.median) : '—', lb ? ratio(lb.median / c0.median) : '—'];
      })));

  out.push('', `## Synth: N invitations of each kind in one stack, this library (validation off, outputs off; ${SYNTH_RUNS} runs each, interleaved)`, '',
    'bench/synth-app.ts over each checkout\'s src/; aws-cdk-lib from the same node_modules. N = 0 is the app with its empty stack, the library not loaded: ' +
      '"above N = 0" is the library\'s own cost, loading it included (medians; noisy when small).', '',
    table(['N', 'A synth', 'B synth', 'B ÷ A', 'above N = 0, A → B', 'template bytes A → B', 'resources', 'Lambda functions', 'IAM chars per role'], synthRows));

  if (macieName) {
    const row = (label: string) => {
      const runs = macieRuns[label];
      if (!runs.length) return [label, '—', '—', '—'];
      const wall = stats(runs.map((r) => r.wallMs));
      const last = runs[runs.length - 1];
      const calls = Object.entries(last.calls).map(([op, n]) => `${op} ${n}`).join(', ');
      const failed = runs.find((r) => r.error)?.error;
      return [label, ms(wall) + (failed ? ` (failed: ${failed.slice(0, 120)})` : ''), calls, String(Math.max(...runs.map((r) => r.maxInFlight)))];
    };
    const [wa, wb] = ['A', 'B'].map((l) => (macieRuns[l].length ? stats(macieRuns[l].map((r) => r.wallMs)).median : undefined));
    out.push('', `## ${macieName}: Create with ${int(MACIE_MEMBERS)} new members, local emulator with ${MACIE_LATENCY_MS} ms latency (${MACIE_RUNS} runs each, alternating, a fresh process per run)`, '',
      table(['checkout', 'wall time', 'calls (last run)', 'max in flight'], [
        row('A'), row('B'),
        ['B ÷ A', wa !== undefined && wb !== undefined ? ratio(wb / wa) : '—', '', ''],
      ]));
  }

  out.push('', `Total: the comparison took ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  process.stdout.write(`${out.join('\n')}\n`);
}
