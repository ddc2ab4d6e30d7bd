/**
 * Whole-process timing: spawn `node` with a script, time from spawn to exit. Used for the floor (`node -e 0`,
 * loading aws-cdk-lib, an empty app's synth), the handler cold loads, and (through `spawnTimed`) the synth runs.
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

/** The scripts whose cold load is compared: `node -e 0`, each handler bundle, and AwsCustomResource's load path. */
export function coldLoadTargets(root: string, bundles: Record<string, string>, sdkClients: Record<string, string>): LoadTarget[] {
  const acrHandler = path.join(root, 'node_modules/aws-cdk-lib/custom-resource-handlers/dist/custom-resources/aws-custom-resource-handler/index.js');
  const req = (p: string) => `require(${JSON.stringify(p)});`;
  return [
    { name: 'node -e 0', script: '0' },
    ...Object.entries(bundles).flatMap(([name, file]) => [
      { name, script: req(file) },
      // AwsCustomResource: its handler, plus the SDK client it requires at run time
      { name: `AwsCustomResource + ${sdkClients[name]}`, script: req(acrHandler) + req(sdkClients[name]) },
    ]),
  ];
}

/** Runs every target `runs` times, interleaved (A B C A B C ...); returns the samples per target. */
export async function coldLoad(targets: readonly LoadTarget[], runs: number, cwd: string): Promise<Map<string, number[]>> {
  const samples = new Map(targets.map((t) => [t.name, [] as number[]]));
  for (let i = 0; i < runs; i++) {
    for (const t of targets) samples.get(t.name)!.push((await spawnTimed(['-e', t.script], cwd)).ms);
  }
  return samples;
}
