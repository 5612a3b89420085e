// What plan and apply share on the command line: the connection options, loading the files with
// their diagnostics printed, and turning a failed reconcile into the error the user sees.
import { DEFAULT_FILE } from "../desired/index.js";
import { formatDiagnostic, type DesiredState, type Diagnostic } from "../desired/model.js";
import { ExitError, UserError, type ErrorCode } from "../errors.js";
import { clientOptionsFromEnv, type ReflagClientOptions } from "../live/client.js";
import { connect, loadRevision, type Connection, type ReconcileResult } from "../reconcile/index.js";
import { count } from "../render/common.js";
import { parseDuration, parsePositiveInt, type OptionSpec } from "./args.js";
import type { CliIO } from "./io.js";

/** How to reach the API: every command that talks to Reflag takes these. */
export const CLIENT_OPTIONS = {
  "api-url": { type: "string" },
  "api-key-file": { type: "string" },
  "insecure-http": { type: "boolean" },
  concurrency: { type: "string" },
  timeout: { type: "string" },
  "max-attempts": { type: "string" },
} satisfies OptionSpec;

/** The files and the client: plan, apply and watch. */
export const CONNECTION_OPTIONS = {
  file: { type: "string", short: "f", multiple: true },
  "batch-size": { type: "string" },
  ...CLIENT_OPTIONS,
} satisfies OptionSpec;

export const CLIENT_HELP = `      --api-url URL      Reflag API base URL (default $REFLAG_API_URL, else
                         https://app.reflag.com/api)
      --api-key-file FILE
                         read the API key from FILE (a mounted secret)
                         instead of $REFLAG_API_KEY
      --insecure-http    allow a plain http:// API URL that is not loopback
                         (the key would travel unencrypted)
      --concurrency N    most API requests in flight at once (default 8)
      --timeout DURATION
                         the run's deadline (default 10m; e.g. 90s)
      --max-attempts N   attempts per request on 5xx and network errors
                         (default 10); a 429 waits its Retry-After instead`;

export const CONNECTION_HELP = `  -f, --file PATH        flag file or directory of *.yaml files (repeatable;
                         default ${DEFAULT_FILE})
      --batch-size N     most target updates in one request (default 100)
${CLIENT_HELP}`;

export const ENVIRONMENT_HELP =
  "Environment: REFLAG_API_KEY or REFLAG_API_KEY_FILE (required), REFLAG_API_URL, NO_COLOR.";

export interface ConnectionValues {
  file?: string[];
  "batch-size"?: string;
  "api-url"?: string;
  "api-key-file"?: string;
  "insecure-http"?: boolean;
  concurrency?: string;
  timeout?: string;
  "max-attempts"?: string;
}

export function batchSizeOf(values: ConnectionValues): number {
  return values["batch-size"] === undefined
    ? 100
    : parsePositiveInt("--batch-size", values["batch-size"], 10_000);
}

/** The run's deadline when --timeout is not given. */
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** `stopRetrying`: once aborted (apply's Ctrl-C), the client stops retrying (see ReflagClientOptions). */
export function connectFrom(values: ConnectionValues, io: CliIO, stopRetrying?: AbortSignal): Connection {
  return connect(clientOptionsFrom(values, io, stopRetrying));
}

/** The API client's options from the environment and the connection flags. */
export function clientOptionsFrom(
  values: ConnectionValues,
  io: CliIO,
  stopRetrying?: AbortSignal,
): ReflagClientOptions {
  const deadlineMs =
    values.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration("--timeout", values.timeout);
  if (!(deadlineMs >= 1))
    throw new UserError("RS_USAGE", `--timeout: '${values.timeout}' must be longer than 0`);
  return clientOptionsFromEnv(
    io.env,
    {
      deadlineMs,
      ...(stopRetrying ? { stopRetrying } : {}),
      ...(values["api-url"] !== undefined ? { baseUrl: values["api-url"] } : {}),
      ...(values["insecure-http"] ? { allowInsecureHttp: true } : {}),
      ...(values.concurrency !== undefined
        ? { concurrency: parsePositiveInt("--concurrency", values.concurrency, 64) }
        : {}),
      ...(values["max-attempts"] !== undefined
        ? { maxAttempts: parsePositiveInt("--max-attempts", values["max-attempts"], 100) }
        : {}),
    },
    {
      ...(values["api-key-file"] !== undefined ? { apiKeyFile: values["api-key-file"] } : {}),
      cwd: io.cwd,
    },
  );
}

/** Loads and validates the files; prints diagnostics; throws ExitError(1) on any error. */
export async function loadOrExit(
  files: string[] | undefined,
  io: CliIO,
): Promise<{ desired: DesiredState; revision: string }> {
  const loaded = await loadRevision(files ?? [], { cwd: io.cwd, now: io.now() });
  printDiagnostics(loaded.diagnostics, io);
  if (!loaded.ok) {
    io.stderr.write(`${countErrors(loaded.diagnostics)}: nothing was sent to Reflag.\n`);
    throw new ExitError(1);
  }
  return { desired: loaded.desired, revision: loaded.revision };
}

export function printDiagnostics(diagnostics: Diagnostic[], io: CliIO): void {
  // Messages already name any other place involved (`related`).
  for (const d of diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
}

/** "1 error", "3 errors" */
function countErrors(diagnostics: Diagnostic[]): string {
  return count(diagnostics.filter((d) => d.severity === "error").length, "error", "errors");
}

/**
 * Prints a result's plan-time diagnostics, and throws what a run that ended before writing
 * anything has to say: the original error (API errors keep their exact wording), else a UserError.
 */
export function throwIfStopped(result: ReconcileResult, io: CliIO): void {
  printDiagnostics(result.diagnostics, io);
  if (result.cause !== undefined) throw result.cause;
  if (result.outcome === "invalid" && result.error) {
    // A usage error (--flag matching nothing) has no diagnostics above to point at.
    if (result.error.code === "RS_USAGE") {
      throw new UserError("RS_USAGE", `${result.error.message}; nothing was changed`, result.error.details);
    }
    throw new UserError("RS_PLAN_INVALID", `${result.error.message} above; nothing was changed`);
  }
  if (result.outcome === "refused" && result.error) {
    throw new UserError(result.error.code as ErrorCode, result.error.message, result.error.details);
  }
}
