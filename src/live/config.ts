// The API client's options, their defaults, and reading them from the environment.
import { UserError } from "../errors.js";

/** One HTTP attempt, reported after it ends: for metrics, logs and progress. Never carries the key. */
export interface RequestEvent {
  method: string;
  /** The path below the base URL, ids encoded, query included. */
  path: string;
  /** The path template, for low-cardinality metric labels: "/apps/:appId/flags". */
  route: string;
  /** Absent when no HTTP answer arrived. */
  status?: number;
  /** 1-based. */
  attempt: number;
  durationMs: number;
  /** The error code when the attempt failed: the service's (not_found) or the client's (timeout). */
  error?: string;
  /** Human-readable detail of the failure. */
  message?: string;
  /** Set when the client will try again, after this many milliseconds. */
  retryInMs?: number;
}

export interface ReflagClientOptions {
  apiKey: string;
  /** Default https://app.reflag.com/api. */
  baseUrl?: string;
  /** Requests in flight at once, across all calls of one client. Default 8. */
  concurrency?: number;
  /** Per attempt, until the whole answer is read. Default 30 s. */
  timeoutMs?: number;
  /** Attempts per request, the first included. Default 5. */
  maxAttempts?: number;
  /** Backoff ceiling of the first retry; it doubles per retry. Default 200 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 10 s. */
  maxDelayMs?: number;
  /** The longest Retry-After the client waits for; longer ones fail at once. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Bound on one request's attempts and waits, from its first attempt. Default 120 s. */
  totalTimeoutMs?: number;
  /** Default "reflag-sync". */
  userAgent?: string;
  fetch?: typeof fetch;
  /** Must reject when `signal` aborts. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1). Default Math.random. */
  random?: () => number;
  /** Epoch milliseconds; schedules Retry-After and the total timeout. Default Date.now. */
  now?: () => number;
  onRequest?: (event: RequestEvent) => void;
  /** Aborts every request of this client, and every wait between attempts. */
  signal?: AbortSignal;
  /**
   * Once aborted, no failed attempt is retried and a wait between attempts ends at once, giving up
   * with that attempt's error; requests in flight are not cut off (their answer still counts).
   */
  stopRetrying?: AbortSignal;
}

export const DEFAULT_BASE_URL = "https://app.reflag.com/api";

export const CLIENT_DEFAULTS = {
  baseUrl: DEFAULT_BASE_URL,
  concurrency: 8,
  timeoutMs: 30_000,
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  totalTimeoutMs: 120_000,
  userAgent: "reflag-sync",
} as const;

/**
 * Client options from REFLAG_API_URL, REFLAG_API_KEY and REFLAG_CONCURRENCY; `overrides` (command-line
 * flags, test hooks) win over the environment.
 */
export function clientOptionsFromEnv(
  env: Record<string, string | undefined>,
  overrides: Partial<ReflagClientOptions> = {},
): ReflagClientOptions {
  const apiKey = overrides.apiKey ?? env.REFLAG_API_KEY?.trim();
  if (!apiKey) {
    throw new UserError(
      "RS_USAGE",
      "REFLAG_API_KEY is not set: export the API key of your Reflag app to reach the Management API",
    );
  }
  checkApiKey(apiKey);
  const options: ReflagClientOptions = { ...overrides, apiKey };
  const url = overrides.baseUrl ?? nonEmpty(env.REFLAG_API_URL);
  if (url !== undefined) {
    const name = overrides.baseUrl === undefined ? "REFLAG_API_URL" : "the API URL";
    options.baseUrl = normalizeBaseUrl(url, name);
  }
  const concurrency = nonEmpty(env.REFLAG_CONCURRENCY);
  if (overrides.concurrency === undefined && concurrency !== undefined) {
    options.concurrency = positiveInteger(concurrency, "REFLAG_CONCURRENCY");
  }
  return options;
}

/** An absolute http(s) URL without a trailing slash, so paths can be appended. */
export function normalizeBaseUrl(value: string, name = "the API URL"): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    // The value is not echoed: a mistyped URL may still carry credentials.
    throw new UserError("RS_USAGE", `${name} is not a valid URL; expected one like ${DEFAULT_BASE_URL}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UserError("RS_USAGE", `${name} must be an http or https URL, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new UserError("RS_USAGE", `${name} must not contain credentials; set REFLAG_API_KEY instead`);
  }
  if (url.search || url.hash) {
    throw new UserError("RS_USAGE", `${name} must not have a query or fragment`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** Refuse keys that cannot travel in a header (fetch would throw a TypeError), without quoting the key. */
export function checkApiKey(apiKey: string): void {
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new UserError("RS_USAGE", "REFLAG_API_KEY must be printable ASCII without spaces");
  }
}

function positiveInteger(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UserError("RS_USAGE", `${name} must be a positive integer, got '${value}'`);
  }
  return n;
}

function nonEmpty(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text ? text : undefined;
}
