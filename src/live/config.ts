// The API client's options, their defaults, and reading them from the environment.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../errors.js";
import type { Transport } from "./http-transport.js";

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
  /** Default https://app.reflag.com/api. Plain http is refused unless loopback or allowInsecureHttp. */
  baseUrl?: string;
  /** Allow a plain http:// base URL that is not loopback: the key would travel unencrypted. */
  allowInsecureHttp?: boolean;
  /** Requests in flight at once, across all calls of one client. Default 8. */
  concurrency?: number;
  /** Per attempt, until the whole answer is read. Default 30 s. */
  timeoutMs?: number;
  /** Attempts per request, the first included, not counting 429 answers. Default 10. */
  maxAttempts?: number;
  /**
   * 429 answers one request may get before it gives up. They have their own bound because the
   * service refuses every request of the key during a window, whichever request opened it. Default 20.
   */
  maxRateLimitedAttempts?: number;
  /**
   * Retries (429s aside) the whole client may make: this many, plus `retriesPerSuccess` for every
   * request answered well, so that an outage does not multiply traffic. Default 50.
   */
  retryBudget?: number;
  /** Default 0.5. */
  retriesPerSuccess?: number;
  /**
   * The run's deadline, from the client's creation: no attempt starts or runs past it. Default none
   * (each request is still bounded by totalTimeoutMs). Use one client per run.
   */
  deadlineMs?: number;
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
  /** How requests are sent (fetch will do). Default: node:http(s) with kept-alive connections. */
  fetch?: Transport;
  /** Must reject when `signal` aborts. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1). Default Math.random. */
  random?: () => number;
  /** Epoch milliseconds; schedules Retry-After and the deadlines. Default: a sub-millisecond, monotonic wall clock. */
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
  maxAttempts: 10,
  maxRateLimitedAttempts: 20,
  retryBudget: 50,
  retriesPerSuccess: 0.5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  totalTimeoutMs: 120_000,
  userAgent: "reflag-sync",
} as const;

/** Where the CLI found settings that are not plain client options. */
export interface ConnectionSources {
  /** --api-key-file: a file holding the key (a mounted secret); wins over REFLAG_API_KEY. */
  apiKeyFile?: string;
  /** Resolves a relative key file. */
  cwd?: string;
}

/**
 * Client options from REFLAG_API_URL, REFLAG_API_KEY (or REFLAG_API_KEY_FILE, or --api-key-file)
 * and REFLAG_CONCURRENCY; `overrides` (command-line flags, test hooks) win over the environment.
 */
export function clientOptionsFromEnv(
  env: Record<string, string | undefined>,
  overrides: Partial<ReflagClientOptions> = {},
  sources: ConnectionSources = {},
): ReflagClientOptions {
  const apiKey = overrides.apiKey ?? apiKeyFrom(env, sources);
  checkApiKey(apiKey);
  const options: ReflagClientOptions = { ...overrides, apiKey };
  const url = overrides.baseUrl ?? nonEmpty(env.REFLAG_API_URL);
  if (url !== undefined) {
    const name = overrides.baseUrl === undefined ? "REFLAG_API_URL" : "the API URL";
    options.baseUrl = normalizeBaseUrl(url, name, overrides.allowInsecureHttp === true);
  }
  const concurrency = nonEmpty(env.REFLAG_CONCURRENCY);
  if (overrides.concurrency === undefined && concurrency !== undefined) {
    options.concurrency = positiveInteger(concurrency, "REFLAG_CONCURRENCY");
  }
  return options;
}

/** The key: from a file (the flag, then REFLAG_API_KEY_FILE), else REFLAG_API_KEY. Never quoted in errors. */
function apiKeyFrom(env: Record<string, string | undefined>, sources: ConnectionSources): string {
  const fromFlag = sources.apiKeyFile !== undefined;
  const file = sources.apiKeyFile ?? nonEmpty(env.REFLAG_API_KEY_FILE);
  if (file !== undefined)
    return readApiKeyFile(file, fromFlag ? "--api-key-file" : "REFLAG_API_KEY_FILE", sources.cwd);
  const apiKey = env.REFLAG_API_KEY?.trim();
  if (!apiKey) {
    throw new UserError(
      "RS_USAGE",
      "REFLAG_API_KEY is not set: export the API key of your Reflag app, or pass --api-key-file FILE",
    );
  }
  return apiKey;
}

/** A mounted secret: the whole file is the key, its trailing newline (and surrounding blanks) dropped. */
export function readApiKeyFile(file: string, name: string, cwd = process.cwd()): string {
  if (file.trim() === "") throw new UserError("RS_USAGE", `${name} must name a file`);
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a folder, not a file"
            : (code ?? "unreadable");
    throw new UserError("RS_USAGE", `${name} ${file}: cannot read the API key: ${why}`);
  }
  const apiKey = text.trim();
  if (apiKey === "") throw new UserError("RS_USAGE", `${name} ${file} is empty: it must hold the API key`);
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new UserError(
      "RS_USAGE",
      `${name} ${file} must hold only the API key: printable ASCII without spaces`,
    );
  }
  return apiKey;
}

/**
 * An absolute http(s) URL without a trailing slash, so paths can be appended. Plain http only to a
 * loopback address (an emulator, a local proxy) unless `allowInsecureHttp`: elsewhere the key would
 * travel unencrypted.
 */
export function normalizeBaseUrl(value: string, name = "the API URL", allowInsecureHttp = false): string {
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
  if (url.protocol === "http:" && !allowInsecureHttp && !isLoopback(url.hostname)) {
    throw new UserError(
      "RS_USAGE",
      `${name} ${url.origin} is plain http: the API key would travel unencrypted; use https, or pass --insecure-http to allow it`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** Refuse keys that cannot travel in a header (fetch would throw a TypeError), without quoting the key. */
export function checkApiKey(apiKey: string): void {
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new UserError("RS_USAGE", "REFLAG_API_KEY must be printable ASCII without spaces");
  }
}

/** localhost, 127.0.0.0/8 and ::1: traffic that never leaves the machine. */
function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "::1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
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
