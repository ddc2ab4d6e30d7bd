/**
 * Sends a custom-resource response to CloudFormation's pre-signed S3 URL.
 */
import * as http from 'http';
import * as https from 'https';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { log } from './log';

export interface CfnResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly PhysicalResourceId: string;
  readonly Reason?: string;
  readonly Data?: Record<string, unknown>;
}

/** CloudFormation shows at most this much of a Reason (characters). */
export const MAX_REASON_CHARS = 1000;
/** CloudFormation refuses a response body over 4,096 bytes ("Response object is too long"). */
export const MAX_BODY_BYTES = 4096;
const ELLIPSIS = '...';
/** Attempts when there is time for them; fewer when the Lambda deadline is near. */
export const MAX_ATTEMPTS = 5;
/** The longest one attempt may take. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** An attempt given less time than this is not worth starting. */
const MIN_ATTEMPT_MS = 1_000;

export interface SendOptions {
  /**
   * Epoch ms by which the upload must have ended, succeeded or not (the Lambda deadline less a margin). Attempts,
   * their timeouts and the backoff between them are fitted into it. Default: no deadline (5 attempts of 10 s).
   */
  readonly deadline?: number;
}

function put(url: string, body: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // CloudFormation always sends an https URL; http is accepted for local tests.
    const transport = url.startsWith('http:') ? http : https;
    const req = transport.request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        res.on('error', reject);
      },
    );
    // the whole attempt, not only socket idleness: a server that trickles must not hold it past its budget
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/**
 * The longest prefix of `reason` (whole code points, at most MAX_REASON_CHARS) with which `body(reason)` stays within
 * MAX_BODY_BYTES, "..." marking a cut. Counted in the JSON-encoded UTF-8 bytes, so multi-byte text and escapes fit too.
 */
export function fitReason(reason: string, body: (reason: string) => string): string {
  const fits = (r: string) => Buffer.byteLength(body(r)) <= MAX_BODY_BYTES;
  const chars = Array.from(reason);
  if (chars.length <= MAX_REASON_CHARS && fits(reason)) return reason;
  // binary search on the number of code points kept
  let lo = 0;
  let hi = Math.min(chars.length, MAX_REASON_CHARS - ELLIPSIS.length);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(chars.slice(0, mid).join('') + ELLIPSIS)) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('') + ELLIPSIS;
}

/**
 * PUTs the response. S3 is retried a few times with backoff (this is not an AWS SDK call, so the SDK's retry strategy
 * does not apply), within `options.deadline`. Throws when every attempt failed: the caller lets the invocation fail.
 */
export async function sendResponse(event: CloudFormationCustomResourceEvent, response: CfnResponse, options: SendOptions = {}): Promise<void> {
  const body = (reason: string) => JSON.stringify({
    Status: response.Status,
    Reason: reason,
    PhysicalResourceId: response.PhysicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: response.Data,
  });
  const reason = fitReason(response.Reason ?? '', body);
  const text = body(reason);
  log(response.Status === 'SUCCESS' ? 'INFO' : 'ERROR', `responding ${response.Status}`, {
    logicalResourceId: event.LogicalResourceId,
    physicalId: response.PhysicalResourceId,
    // the user-facing Reason (already masked by the handler; log() masks again)
    ...(response.Status === 'FAILED' ? { reason } : {}),
  });
  const deadline = options.deadline ?? Infinity;
  for (let attempt = 1; ; attempt++) {
    const left = deadline - Date.now();
    // each attempt gets at most half the time left (and 10 s), so that a hung one still leaves room for another
    const timeout = Math.min(ATTEMPT_TIMEOUT_MS, Math.max(MIN_ATTEMPT_MS, left / 2));
    try {
      // at least half a second: an answer started just before the margin may still make it
      await put(event.ResponseURL, text, Math.max(500, Math.min(timeout, left)));
      if (attempt > 1) log('INFO', 'response uploaded', { attempt });
      return;
    } catch (error) {
      const backoff = 250 * 2 ** attempt;
      const nextLeft = deadline - Date.now() - backoff;
      log('WARN', 'uploading the response failed', { attempt, error: error instanceof Error ? error.message : String(error) });
      if (attempt >= MAX_ATTEMPTS || nextLeft < MIN_ATTEMPT_MS) {
        throw new Error(`Uploading the ${response.Status} response to CloudFormation failed ${attempt} times; the invocation fails so that Lambda retries it.`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, backoff));
    }
  }
}
