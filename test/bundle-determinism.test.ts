/**
 * The handler bundles must be deterministic: the same sources and lockfile give the same bytes, hence the same
 * Lambda asset hash, so users' snapshots stay stable. Rebuilds each bundle with the exact command of the projen
 * bundle task into a temporary file and compares it with the bundle the test task built.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HANDLER_NAMES, handlerEntrypoint } from '../src/private/handlers';

const ROOT = path.join(__dirname, '..');
const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks as Record<string, { steps?: Array<{ execArgs?: string[] }> }>;
const bundleTasks = Object.entries(tasks).filter(([name]) => /^bundle:lambda\/.*\/index$/.test(name));

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

test('there is a bundle task per handler of the registry', () => {
  expect(bundleTasks.map(([name]) => name).sort()).toEqual(
    HANDLER_NAMES.map((name) => `bundle:${handlerEntrypoint(name).replace(/\.ts$/, '')}`).sort(),
  );
});

test.each(bundleTasks)('%s rebuilds to the same bytes', (_name, task) => {
  const args = task.steps?.[0]?.execArgs ?? [];
  const outfileArg = args.find((a) => a.startsWith('--outfile='))!;
  const shipped = path.join(ROOT, outfileArg.slice('--outfile='.length));
  const rebuilt = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-')), 'index.js');
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [...args.slice(1).filter((a) => a !== outfileArg), `--outfile=${rebuilt}`, '--log-level=warning'], { cwd: ROOT });
  expect(sha256(rebuilt)).toBe(sha256(shipped));
});
