/**
 * MacieInvitations under load: the shipped bundle's `handler` creates 1,000 members against the local emulator
 * (test/emulator, 127.0.0.1 only) answering with a fixed latency; then the same requests are replayed one after
 * another with a plain SDK client against a fresh emulator: the sequential baseline (run.ts). compare.ts runs only
 * the handler, once per checkout.
 */
/* eslint-disable import/no-extraneous-dependencies, @typescript-eslint/no-require-imports */ // not shipped; the bundle is loaded as Lambda does
import * as fs from 'fs';
import * as path from 'path';
import * as macie from '@aws-sdk/client-macie2';
import { Emulator, startEmulator } from '../test/emulator/emulator';
import { createEvent } from '../test/util/events';

export interface LoadRun {
  readonly wallMs: number;
  /** HTTP requests per operation (retries included). */
  readonly calls: Record<string, number>;
  readonly maxInFlight: number;
}

/** One run of the handler: its answer's Data or its error, and the requests the emulator received. */
export interface HandlerRun extends LoadRun {
  readonly data?: Record<string, unknown>;
  readonly error?: string;
  readonly requests: Emulator['requests'];
}

export interface MacieLoadResult {
  readonly members: number;
  readonly latencyMs: number;
  readonly handler: Omit<HandlerRun, 'requests'>;
  readonly sequential: LoadRun;
}

const ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIABENCHMARK0000000',
  AWS_SECRET_ACCESS_KEY: 'bench-dummy-secret',
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
};

async function withEmulator<T>(latencyMs: number, fn: (emulator: Emulator) => Promise<T>): Promise<T> {
  // pages of up to 50 members (ListMembers' maximum), no empty pages: a well-behaved service
  const emulator = await startEmulator({ pageSize: 50, emptyPages: false });
  emulator.setLatency(latencyMs);
  const saved = { ...process.env };
  Object.assign(process.env, ENV, { AWS_ENDPOINT_URL_MACIE2: emulator.url });
  for (const [key, value] of Object.entries(ENV)) if (value === undefined) delete process.env[key];
  try {
    return await fn(emulator);
  } finally {
    process.env = saved;
    await emulator.stop();
  }
}

const usedCalls = (calls: Record<string, number>) => Object.fromEntries(Object.entries(calls).filter(([, n]) => n > 0));

/** The Create event of a MacieInvitations with `members` new members (what CloudFormation sends: scalars as strings). */
function createMembersEvent(members: number, resourceType: string) {
  const properties = {
    Members: Array.from({ length: members }, (_, i) => ({ AccountId: String(300_000_000_000 + i), Email: `member${i}@example.com` })),
    DisableEmailNotification: 'false',
    RemovalPolicy: 'DESTROY',
  };
  return createEvent(properties, { ResourceType: resourceType, LogicalResourceId: 'MacieC0FFEE00' });
}

/**
 * Runs the bundle's `handler` on the Create of `members` new members against a fresh emulator. `resourceType` is the
 * registry's for the bundle (the handler checks it).
 */
export async function macieHandlerRun(bundle: string, resourceType: string, members = 1000, latencyMs = 20): Promise<HandlerRun> {
  const event = createMembersEvent(members, resourceType);
  return withEmulator(latencyMs, async (emulator) => {
    const { handler: run } = require(bundle) as { handler: (e: unknown) => Promise<{ Data?: Record<string, unknown> }> };
    const quiet = silenceConsole();
    const start = performance.now();
    let data: Record<string, unknown> | undefined;
    let error: string | undefined;
    try {
      data = (await run(event)).Data;
    } catch (e) {
      error = (e as Error).message;
    } finally {
      quiet();
    }
    const wallMs = performance.now() - start;
    return { wallMs, calls: usedCalls(emulator.calls), maxInFlight: emulator.maxInFlight, data, error, requests: [...emulator.requests] };
  });
}

/** Runs the bundle's Create for `members` new members, then the sequential replay of the same requests. */
export async function macieLoad(bundle: string, resourceType: string, members = 1000, latencyMs = 20): Promise<MacieLoadResult> {
  const { requests, ...handler } = await macieHandlerRun(bundle, resourceType, members, latencyMs);
  const sequential = await withEmulator(latencyMs, async (emulator) => {
    const client = new macie.Macie2Client({ maxAttempts: 1 });
    const commands = macie as unknown as Record<string, new (input: unknown) => Parameters<typeof client.send>[0]>;
    const start = performance.now();
    // the recorded inputs are keyed by wire name, which for Macie is the SDK member name
    for (const r of requests) await client.send(new commands[`${r.op}Command`](r.input));
    const wallMs = performance.now() - start;
    client.destroy();
    return { wallMs, calls: usedCalls(emulator.calls), maxInFlight: emulator.maxInFlight };
  });
  return { members, latencyMs, handler, sequential };
}

/**
 * The limit of calls in flight a service's handlers declare (`export const CONCURRENCY = <n>` in a module of
 * `lambda/<service>/`), read from the source so that the bench does not depend on how the service's modules are split.
 */
export function declaredConcurrency(root: string, service: string): number | undefined {
  const dir = path.join(root, 'lambda', service);
  const files = fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')) : [];
  for (const file of files) {
    const match = /^export const CONCURRENCY = (\d+);/m.exec(fs.readFileSync(path.join(dir, file), 'utf8'));
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** The handler logs a few JSON lines: keep them out of the benchmark's table. */
function silenceConsole(): () => void {
  const saved = { log: console.log, warn: console.warn, error: console.error };
  console.log = console.warn = console.error = () => undefined;
  return () => Object.assign(console, saved);
}

/**
 * As a child process (compare.ts: one fresh process per run, as a Lambda container, so that no client cached by a
 * bundle outlives its emulator): `node -r ts-node/register/transpile-only bench/macie-load.ts <bundle> <resource
 * type> <members> <latency ms>` prints the run as one line of JSON (without the requests).
 */
if (require.main === module) {
  const [bundle, resourceType, members, latencyMs] = process.argv.slice(2);
  macieHandlerRun(bundle, resourceType, Number(members), Number(latencyMs)).then(
    ({ requests, ...run }) => process.stdout.write(`${JSON.stringify(run)}\n`),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
