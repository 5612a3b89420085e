// The one error the API client throws: what the service said, where, and whether retrying may help.
import type { ApiErrorCode } from "../api/types.js";
import type { ErrorCode } from "../errors.js";

/** Codes the client makes up when the service did not give one. */
export type ClientErrorCode =
  | "network_error" // connection refused, reset or lost before a full answer arrived
  | "timeout" // no full answer within timeoutMs
  | "deadline_exceeded" // the run's deadline passed before this attempt could start
  | "rate_limited" // the API asked for a pause longer than the client waits, or past the deadline
  | "invalid_response" // a 2xx answer that is not JSON or lacks the fields we need
  | "inconsistent_pagination" // the collection kept changing while it was being read
  | "http_error" // a non-2xx answer without the documented error body
  | "redirect" // the API answered 3xx: the base URL is probably wrong
  | "invalid_argument" // an id that cannot be sent in a URL path ("", ".", "..")
  | "aborted"; // the caller's AbortSignal fired

export interface ApiErrorInit {
  method: string;
  /** The path below the base URL, ids encoded, query included; never the key. */
  path: string;
  /** Absent when no HTTP answer arrived (network error, timeout, abort). */
  status?: number;
  // `string & {}` keeps editor completion for the known codes while tolerating new ones.
  code: ApiErrorCode | ClientErrorCode | (string & {});
  apiMessage: string;
  issues?: Record<string, string[]>;
  attempts: number;
  transient: boolean;
  retryAfterMs?: number;
}

const MAX_ISSUES_SHOWN = 10;

export class ApiError extends Error {
  override readonly name = "ApiError";
  /** The CLI prints these without a stack trace. */
  readonly userFacing = true;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly code: ApiErrorInit["code"];
  readonly apiMessage: string;
  readonly issues: Record<string, string[]> | undefined;
  readonly attempts: number;
  /** True when retrying later may succeed (429, 5xx, network, timeout); the client already did. */
  readonly transient: boolean;
  readonly retryAfterMs: number | undefined;
  /** The reflag-sync error code the CLI maps to an exit code. */
  readonly rsCode: Extract<ErrorCode, "RS_API" | "RS_API_TRANSIENT">;

  constructor(init: ApiErrorInit) {
    super(formatMessage(init));
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.code = init.code;
    this.apiMessage = init.apiMessage;
    this.issues = init.issues;
    this.attempts = init.attempts;
    this.transient = init.transient;
    this.retryAfterMs = init.retryAfterMs;
    this.rsCode = init.transient ? "RS_API_TRANSIENT" : "RS_API";
  }

  /** Loggers (pino) serialize errors with JSON: keep the message, which is not an own enumerable field. */
  toJSON(): ApiErrorInit & { name: string; message: string } {
    return { ...this, message: this.message };
  }
}

function formatMessage(init: ApiErrorInit): string {
  const status = init.status === undefined ? "" : `${init.status} `;
  let text = `${init.method} ${init.path}: ${status}${init.code}: ${init.apiMessage}`;
  const issues = Object.entries(init.issues ?? {});
  if (issues.length > 0) {
    const shown = issues.slice(0, MAX_ISSUES_SHOWN).map(([where, what]) => `${where}: ${what.join(", ")}`);
    if (issues.length > MAX_ISSUES_SHOWN) shown.push(`and ${issues.length - MAX_ISSUES_SHOWN} more`);
    text += ` (${shown.join("; ")})`;
  }
  if (init.attempts > 1) text += `; after ${init.attempts} attempts`;
  return text;
}
