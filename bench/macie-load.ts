/**
 * MacieInvitations under load: the shipped bundle's `handler` creates 1,000 members against the local emulator
 * (test/emulator, 127.0.0.1 only) answering with a fixed latency; then the same requests are replayed one after
 * another with a plain SDK client against a fresh emulator: the sequential baseline.
 */
/* eslint-disable import/no-extraneous-dependencies, @typescript-eslint/no-require-imports */ // not shipped; the bundle is loaded as Lambda does
import * as macie from '@aws-sdk/client-macie2';
import { HANDLERS } from '../src/private/handlers';
import { Emulator, startEmulator } from '../test/emulator/emulator';
import { createEvent } from '../test/util/events';

export interface LoadRun {
  readonly wallMs: number;
  /** HTTP requests per operation (retries included). */
  readonly calls: Record<string, number>;
  readonly maxInFlight: number;
}

export interface MacieLoadResult {
  readonly members: number;
  readonly latencyMs: number;
  readonly handler: LoadRun & { readonly data?: Record<string, unknown>; readonly error?: string };
  readonly sequential: LoadRun;
  /** The handler's own limit of calls in flight (lambda/macie-invitations `CONCURRENCY`), when it exports one. */
  readonly concurrency?: number;
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

/** Runs the bundle's Create for `members` new members, then the sequential replay of the same requests. */
export async function macieLoad(bundle: string, members = 1000, latencyMs = 20): Promise<MacieLoadResult> {
  const properties = {
    Members: Array.from({ length: members }, (_, i) => ({ AccountId: String(300_000_000_000 + i), Email: `member${i}@example.com` })),
    // CloudFormation passes scalars as strings
    DisableEmailNotification: 'false',
    RemovalPolicy: 'DESTROY',
  };
  const event = createEvent(properties, { ResourceType: HANDLERS['macie-invitations'].resourceType, LogicalResourceId: 'MacieC0FFEE00' });

  let requests: Emulator['requests'] = [];
  const handler = await withEmulator(latencyMs, async (emulator) => {
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
    requests = [...emulator.requests];
    return { wallMs, calls: usedCalls(emulator.calls), maxInFlight: emulator.maxInFlight, data, error };
  });

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

  const concurrency = (require('../lambda/macie/inviter/lifecycle') as { CONCURRENCY?: number }).CONCURRENCY;
  return { members, latencyMs, handler, sequential, concurrency };
}

/** The handler logs a few JSON lines: keep them out of the benchmark's table. */
function silenceConsole(): () => void {
  const saved = { log: console.log, warn: console.warn, error: console.error };
  console.log = console.warn = console.error = () => undefined;
  return () => Object.assign(console, saved);
}
