/**
 * Whole-process timing: spawn `node` with a script, time from spawn to exit. Used for the floor (`node -e 0`,
 * loading aws-cdk-lib, an empty app's synth), the handler cold loads, and (through `spawnTimed`) the synth runs,
 * by run.ts and compare.ts.
 */
import { spawn } from 'child_process';
import * as path from 'path';

export interface TimedRun {
  readonly ms: number;
  readonly stdout: string;
}

/** Runs `node <args>` in `cwd`; rejects with its stderr when it exits non-zero. */
export function spawnTimed(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`node ${args.join(' ').slice(0, 200)} exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

export interface LoadTarget {
  readonly name: string;
  /** Script for `node -e`. */
  readonly script: string;
}

/** A handler bundle to load: its name (a registry entry) and file, and the AWS SDK client it calls. */
export interface BundleTarget {
  readonly name: string;
  readonly file: string;
  readonly sdkClient: string;
}

const req = (p: string) => `require(${JSON.stringify(p)});`;

/** The name of AwsCustomResource's load path with `sdkClient`. */
export const acrTargetName = (sdkClient: string) => `AwsCustomResource + ${sdkClient}`;

/**
 * The scripts whose cold load is compared: `node -e 0`, each handler bundle, and AwsCustomResource's load path (its
 * handler plus the SDK client it requires at run time) once per SDK client: an inviter and its accepter share it.
 */
export function coldLoadTargets(root: string, bundles: readonly BundleTarget[]): LoadTarget[] {
  const acrHandler = path.join(root, 'node_modules/aws-cdk-lib/custom-resource-handlers/dist/custom-resources/aws-custom-resource-handler/index.js');
  const clients = [...new Set(bundles.map((b) => b.sdkClient))];
  return [
    { name: 'node -e 0', script: '0' },
    ...bundles.map((b) => ({ name: b.name, script: req(b.file) })),
    ...clients.map((client) => ({ name: acrTargetName(client), script: req(acrHandler) + req(client) })),
  ];
}

/**
 * Runs every target `runs` times, interleaved (A B C, then C B A, ...: no target always runs first or after the
 * same neighbour); returns the samples per target.
 */
export async function coldLoad(targets: readonly LoadTarget[], runs: number, cwd: string): Promise<Map<string, number[]>> {
  const samples = new Map(targets.map((t) => [t.name, [] as number[]]));
  for (let i = 0; i < runs; i++) {
    for (const t of i % 2 ? [...targets].reverse() : targets) samples.get(t.name)!.push((await spawnTimed(['-e', t.script], cwd)).ms);
  }
  return samples;
}
