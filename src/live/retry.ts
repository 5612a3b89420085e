// Retry arithmetic for the API client, kept pure: which answers deserve another attempt, how long to wait.

export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Full jitter: a uniform wait in [0, min(maxDelayMs, baseDelayMs * 2^(failedAttempt - 1))).
 * Spreading retries over the whole window keeps parallel clients from retrying in lockstep.
 */
export function backoffDelayMs(failedAttempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
  return Math.floor(clamp01(random()) * ceiling);
}

/**
 * Retry-After as milliseconds from `nowMs`: delta-seconds ("1", "0.5") or an HTTP-date.
 * Undefined when absent or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  // HTTP-dates always name a weekday or month: refuse bare numbers Date.parse would accept ("-1").
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * 408, 429 and 5xx may succeed later. 501 (Not Implemented) never will. Everything else (400,
 * 401, 403, 404, 409, 413, 422, ...) is an answer about the request itself: repeating it changes nothing.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501);
}

// A random() outside [0, 1) (a test double, NaN) must not produce a negative or oversized wait.
function clamp01(x: number): number {
  if (!(x > 0)) return 0;
  return x < 1 ? x : 0.999_999;
}

/**
 * Retries one client may make in all, so that an outage does not multiply traffic: `reserve`, plus
 * `perSuccess` for every request answered well (a flaky but working API earns its retries back).
 */
export class RetryBudget {
  #retries = 0;
  #successes = 0;

  constructor(
    readonly reserve: number,
    readonly perSuccess: number,
  ) {}

  success(): void {
    this.#successes += 1;
  }

  /** Spends one retry if the budget allows it. */
  take(): boolean {
    if (this.#retries >= this.limit()) return false;
    this.#retries += 1;
    return true;
  }

  limit(): number {
    return Math.floor(this.reserve + this.perSuccess * this.#successes);
  }
}

// Node names these in the error's code (fetch, in its cause): retrying cannot fix a wrong host, URL or certificate.
const PERMANENT_CODES = new Set([
  "ENOTFOUND",
  "ERR_INVALID_URL",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
]);

/** A network error that will happen again on every attempt: an unknown host, a bad URL or certificate (or a port an injected fetch refuses). */
export function isPermanentNetworkError(err: unknown): boolean {
  // fetch wraps the cause once or twice; a fixed depth, never a walk of unbounded data.
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const { code } = current as { code?: unknown };
    if (typeof code === "string" && PERMANENT_CODES.has(code)) return true;
    if (/^bad port$|^invalid url$|^failed to parse url/i.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}
