/**
 * Security Hub under load (issue 19), on the local emulator (test/emulator, 127.0.0.1 only) answering every request
 * after a fixed latency:
 * 1. SecurityHubInvitations' shipped bundle invites 1,000 members (CreateMembers and InviteMembers, 50 accounts per
 *    call, a few calls in flight), side by side with a serial loop that makes one call per account (CreateMembers and
 *    InviteMembers for one account at a time, one after another) against a fresh emulator;
 * 2. 1,000 members invited and accepted through a role in each member, in one deploy and one invocation
 *    (`acceptance`), for Security Hub and for Macie: the wall time against Lambda's 15 minutes.
 *
 * Run: `npx projen bench:securityhub [members] [latency ms]` (bundles first). Prints the numbers; asserts nothing.
 */
/* eslint-disable import/no-extraneous-dependencies, @typescript-eslint/no-require-imports */ // not shipped; bundles are loaded as Lambda does
import { CreateMembersCommand, InviteMembersCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import * as path from 'path';
import { bundleFile, HANDLERS, HandlerName } from '../src/private/handlers';
import { Emulator, ENDPOINT_VARIABLES, startEmulator } from '../test/emulator/emulator';
import { createEvent } from '../test/util/events';

const ROOT = path.join(__dirname, '..');
const ROLE = 'BenchAccept';
const ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIABENCHMARK0000000', AWS_SECRET_ACCESS_KEY: 'bench-dummy-secret' };

interface Run {
  readonly wallMs: number;
  readonly calls: number;
  readonly byOperation: Record<string, number>;
  readonly maxInFlight: number;
  readonly data?: Record<string, unknown>;
  readonly error?: string;
}

/** A fresh emulator (pages of 50, no empty pages: a well-behaved service), every SDK endpoint pointed at it. */
async function withEmulator<T>(latencyMs: number, fn: (emulator: Emulator) => Promise<T>): Promise<T> {
  const emulator = await startEmulator({ pageSize: 50, emptyPages: false });
  emulator.setLatency(latencyMs);
  const saved = { ...process.env };
  Object.assign(process.env, ENV, Object.fromEntries(ENDPOINT_VARIABLES.map((name) => [name, emulator.url])));
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  try {
    return await fn(emulator);
  } finally {
    process.env = saved;
    await emulator.stop();
  }
}

function summary(emulator: Emulator, wallMs: number, extra: Pick<Run, 'data' | 'error'> = {}): Run {
  const byOperation = Object.fromEntries(Object.entries(emulator.calls).filter(([, n]) => n > 0));
  return { wallMs, calls: Object.values(byOperation).reduce((a, b) => a + b, 0), byOperation, maxInFlight: emulator.maxInFlight, ...extra };
}

/** Runs a shipped bundle's `handler` on a Create event (scalars as strings, as CloudFormation sends them). */
async function handlerRun(name: HandlerName, properties: Record<string, unknown>, emulator: Emulator): Promise<Run> {
  // a fresh module per run, as a fresh Lambda container: the bundle caches its clients (and their endpoint) per container
  const file = path.join(ROOT, bundleFile(name));
  delete require.cache[require.resolve(file)];
  const { handler } = require(file) as { handler: (e: unknown) => Promise<{ Data?: Record<string, unknown> }> };
  const event = createEvent(properties, { ResourceType: HANDLERS[name].resourceType, LogicalResourceId: 'BenchC0FFEE00' });
  const saved = { log: console.log, warn: console.warn, error: console.error };
  console.log = console.warn = console.error = () => undefined;
  const start = performance.now();
  try {
    const { Data } = await handler(event);
    return summary(emulator, performance.now() - start, { data: Data });
  } catch (e) {
    return summary(emulator, performance.now() - start, { error: (e as Error).message.slice(0, 300) });
  } finally {
    Object.assign(console, saved);
  }
}

const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(300_000_000_000 + i));

async function securityHubInvite(members: number, latencyMs: number): Promise<Run> {
  return withEmulator(latencyMs, (emulator) => handlerRun('securityhub-invitations', {
    Members: accounts(members).map((AccountId) => ({ AccountId })),
    RemovalPolicy: 'DESTROY',
  }, emulator));
}

/** The serial loop: one CreateMembers and one InviteMembers call per account, one after another. */
async function securityHubSerial(members: number, latencyMs: number): Promise<Run> {
  return withEmulator(latencyMs, async (emulator) => {
    const client = new SecurityHubClient({ maxAttempts: 3 });
    const start = performance.now();
    for (const AccountId of accounts(members)) {
      await client.send(new CreateMembersCommand({ AccountDetails: [{ AccountId }] }));
      await client.send(new InviteMembersCommand({ AccountIds: [AccountId] }));
    }
    const run = summary(emulator, performance.now() - start);
    client.destroy();
    return run;
  });
}

async function inviteAndAccept(service: 'securityhub' | 'macie', members: number, latencyMs: number): Promise<Run> {
  return withEmulator(latencyMs, (emulator) => {
    const ids = accounts(members);
    for (const id of ids) (service === 'securityhub' ? emulator.securityhub : emulator.macie).enable(id);
    return service === 'securityhub'
      ? handlerRun('securityhub-invitations', { Members: ids.map((AccountId) => ({ AccountId })), RemovalPolicy: 'DESTROY', AcceptRoleName: ROLE }, emulator)
      : handlerRun('macie-invitations', {
        Members: ids.map((AccountId, i) => ({ AccountId, Email: `member${i}@example.com` })),
        DisableEmailNotification: 'false',
        RemovalPolicy: 'DESTROY',
        AcceptRoleName: ROLE,
      }, emulator);
  });
}

function line(label: string, run: Run): string {
  const outcome = run.error ? `FAILED: ${run.error}` : run.data ? JSON.stringify(run.data) : 'every call answered';
  return `| ${label} | ${(run.wallMs / 1000).toFixed(1)} s | ${run.calls} | ${run.maxInFlight} | ${outcome} |`;
}

async function main(): Promise<void> {
  const members = Number(process.argv[2] ?? 1000);
  const latencyMs = Number(process.argv[3] ?? 20);
  console.log(`Security Hub load: ${members} members, ${latencyMs} ms per request (emulator on 127.0.0.1)\n`);
  console.log('| run | wall | API calls | max in flight | outcome |');
  console.log('|---|---|---|---|---|');
  const handler = await securityHubInvite(members, latencyMs);
  console.log(line(`SecurityHubInvitations bundle: invite ${members}`, handler));
  const serial = await securityHubSerial(members, latencyMs);
  console.log(line(`serial loop: CreateMembers + InviteMembers per account`, serial));
  const sh = await inviteAndAccept('securityhub', members, latencyMs);
  console.log(line(`SecurityHubInvitations bundle: invite and accept ${members} through a role`, sh));
  const macie = await inviteAndAccept('macie', members, latencyMs);
  console.log(line(`MacieInvitations bundle: invite and accept ${members} through a role`, macie));
  console.log(`\nbatched vs serial: ${(serial.wallMs / handler.wallMs).toFixed(1)}x faster, ${serial.calls} vs ${handler.calls} calls; ` +
    `invite and accept within one invocation: Security Hub ${(sh.wallMs / 1000).toFixed(1)} s, Macie ${(macie.wallMs / 1000).toFixed(1)} s of 900 s`);
  console.log(`Security Hub calls (invite and accept): ${JSON.stringify(sh.byOperation)}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
