/**
 * Shared SDK client configuration.
 *
 * - No endpoint is set, so the standard `AWS_ENDPOINT_URL_<SERVICE>` variables redirect the clients (tests do).
 * - Retries use the SDK's own `StandardRetryStrategy` (exponential backoff with jitter, retry quota). It already
 *   retries throttling, 5xx and network errors; `extraRetryable` names errors that are transient for a service but
 *   modeled as client errors (Organizations' ConcurrentModificationException), which are reclassified as transient
 *   and then handled by the same strategy: no home-made retry loop.
 * - Request and connection timeouts keep one slow call from eating the Lambda's whole timeout.
 */
import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken, StandardRetryToken } from '@smithy/types';
import { errorName } from './errors';

/** Attempts per call (first try included). */
export const MAX_ATTEMPTS = 6;

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

class ReclassifyingRetryStrategy implements RetryStrategyV2 {
  private readonly inner: StandardRetryStrategy;

  constructor(maxAttempts: number, private readonly extraRetryable: ReadonlySet<string>) {
    this.inner = new StandardRetryStrategy(maxAttempts);
  }

  acquireInitialRetryToken(retryTokenScope: string): Promise<RetryToken> {
    return this.inner.acquireInitialRetryToken(retryTokenScope);
  }

  refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const name = errorName(errorInfo.error);
    const info: RetryErrorInfo =
      errorInfo.errorType === 'CLIENT_ERROR' && name !== undefined && this.extraRetryable.has(name)
        ? { ...errorInfo, errorType: 'TRANSIENT' }
        : errorInfo;
    return this.inner.refreshRetryTokenForRetry(token as StandardRetryToken, info);
  }

  recordSuccess(token: RetryToken): void {
    this.inner.recordSuccess(token as StandardRetryToken);
  }
}

/** The configuration every client of the handlers is created with. */
export function clientConfig(extraRetryable: readonly string[] = []) {
  const maxAttempts = numberFromEnv('CDK_ACCOUNT_INVITATIONS_MAX_ATTEMPTS', MAX_ATTEMPTS);
  return {
    maxAttempts,
    retryStrategy: new ReclassifyingRetryStrategy(maxAttempts, new Set(extraRetryable)),
    requestHandler: {
      connectionTimeout: numberFromEnv('CDK_ACCOUNT_INVITATIONS_CONNECTION_TIMEOUT_MS', 5_000),
      requestTimeout: numberFromEnv('CDK_ACCOUNT_INVITATIONS_REQUEST_TIMEOUT_MS', 20_000),
      // without this, the SDK only logs a warning when a request exceeds requestTimeout and keeps waiting
      throwOnRequestTimeout: true,
    },
  };
}

/** What `withSignal` needs of an SDK v3 client. */
interface Sender {
  send(command: unknown, options?: object): Promise<unknown>;
}

/**
 * The client, for one request: every call it sends honours `signal` (SDK v3's `abortSignal` option), so that a request
 * the runtime gave up on at the Lambda deadline stops: an in-flight call is aborted, its retry backoff ends, and every
 * later call fails at once, also in a container Lambda resumes for the next event. Lifecycles use it like the client
 * itself (paginators included: they call `send`); nothing is threaded by hand.
 *
 * A proxy, not a new client: the SDK client underneath is created once per container (cold start) and shared by
 * the requests, each of which gets its own thin view with its own signal.
 */
export function withSignal<C extends Sender>(client: C, signal: AbortSignal | undefined): C {
  if (!signal) return client;
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'send') {
        return async (command: unknown, options?: object) => {
          signal.throwIfAborted();
          return target.send(command, { ...options, abortSignal: signal });
        };
      }
      // the receiver is the proxy: the convenience methods (`client.listMembers()`) call `this.send` and so pass here
      return Reflect.get(target, property, receiver);
    },
  });
}

/** `withSignal` for each client of a set (members that are not clients pass as they are). */
export function withSignals<T extends object>(clients: T, signal: AbortSignal | undefined): T {
  if (!signal) return clients;
  return Object.fromEntries(Object.entries(clients).map(([key, value]) => [
    key,
    value && typeof (value as Partial<Sender>).send === 'function' ? withSignal(value as Sender, signal) : value,
  ])) as T;
}
