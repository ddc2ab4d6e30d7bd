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

/** CloudFormation shows at most this much of a Reason; the whole response body must stay under 4 KB. */
const MAX_REASON_CHARS = 1000;
const ATTEMPTS = 5;

function put(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // CloudFormation always sends an https URL; http is accepted for local tests.
    const transport = url.startsWith('http:') ? http : https;
    const req = transport.request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * PUTs the response. S3 is retried a few times with backoff: this is not an AWS SDK call, so the SDK's retry
 * strategy does not apply.
 */
export async function sendResponse(event: CloudFormationCustomResourceEvent, response: CfnResponse): Promise<void> {
  const reason = response.Reason && response.Reason.length > MAX_REASON_CHARS
    ? `${response.Reason.slice(0, MAX_REASON_CHARS - 3)}...`
    : response.Reason;
  const body = JSON.stringify({
    Status: response.Status,
    Reason: reason ?? '',
    PhysicalResourceId: response.PhysicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: response.Data,
  });
  log(response.Status === 'SUCCESS' ? 'INFO' : 'ERROR', `responding ${response.Status}`, {
    logicalResourceId: event.LogicalResourceId,
    physicalId: response.PhysicalResourceId,
  });
  for (let attempt = 1; ; attempt++) {
    try {
      await put(event.ResponseURL, body);
      return;
    } catch (error) {
      if (attempt >= ATTEMPTS) throw error;
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}
