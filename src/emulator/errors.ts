// API failures as data: a stable code, a message and per-field issues; the server turns them into answers.
import type { ApiErrorBody, ApiErrorCode } from "../api/types.js";

/** Problems by dotted path into the request ("updates.0.flagKey"). */
export type Issues = Record<string, string[]>;

const STATUS_OF_CODE: Record<ApiErrorCode, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  unauthorized: 403,
  not_allowed: 403,
  not_found: 404,
  not_possible: 409,
  unknown_error: 500,
  not_available: 503,
};

export class ApiProblem extends Error {
  override readonly name = "ApiProblem";
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: Issues,
    options: { status?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = options.status ?? STATUS_OF_CODE[code];
    this.headers = options.headers ?? {};
  }

  toBody(): ApiErrorBody {
    return this.issues
      ? { error: { code: this.code, message: this.message }, issues: this.issues }
      : { error: { code: this.code, message: this.message } };
  }
}

export function notFound(message: string): ApiProblem {
  return new ApiProblem("not_found", message);
}

/** A 405 naming the methods that `where` does allow. */
export function methodNotAllowed(method: string, where: string, allow: readonly string[]): ApiProblem {
  const allowed = allow.join(", ");
  return new ApiProblem(
    "not_found",
    `Method ${method} is not allowed on ${where} (allowed: ${allowed})`,
    undefined,
    { status: 405, headers: { allow: allowed } },
  );
}

/** The answer that reports a problem: its status, its documented error body and its headers. */
export function problemAnswer(problem: ApiProblem): {
  status: number;
  body: ApiErrorBody;
  headers: Record<string, string>;
} {
  return { status: problem.status, body: problem.toBody(), headers: problem.headers };
}

/** A 400 whose message names the first few issues, so a human reading only the message still learns why. */
export function invalidRequest(issues: Issues, message?: string): ApiProblem {
  const entries = Object.entries(issues);
  const summary = entries
    .slice(0, 3)
    .map(([path, messages]) => `${path}: ${messages.join(", ")}`)
    .join("; ");
  const more = entries.length > 3 ? ` (and ${entries.length - 3} more)` : "";
  return new ApiProblem("invalid_request", message ?? `Invalid request: ${summary}${more}`, issues);
}
