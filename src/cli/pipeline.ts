// The shared front half of plan, apply (and watch): file -> desired -> live -> plan.
import { loadDesired, DEFAULT_FILE } from "../desired/index.js";
import { formatDiagnostic, type DesiredState, type Diagnostic } from "../desired/model.js";
import { ExitError, UserError } from "../errors.js";
import { ReflagClient, clientOptionsFromEnv } from "../live/client.js";
import { readLive } from "../live/read.js";
import { diff } from "../plan/diff.js";
import { count } from "../render/common.js";
import type { Plan } from "../plan/model.js";
import { parsePositiveInt, type OptionSpec } from "./args.js";
import type { CliIO } from "./io.js";
import { startProgress } from "./progress.js";

export const CONNECTION_OPTIONS = {
  file: { type: "string", short: "f", multiple: true },
  "batch-size": { type: "string" },
  "api-url": { type: "string" },
  concurrency: { type: "string" },
} satisfies OptionSpec;

export const CONNECTION_HELP = `  -f, --file PATH        flag file or directory of *.yaml files (repeatable; default ${DEFAULT_FILE})
      --batch-size N     most target updates in one request (default 100)
      --api-url URL      Reflag API base URL (default $REFLAG_API_URL or https://app.reflag.com/api)
      --concurrency N    most API requests in flight at once (default 8)`;

export const ENVIRONMENT_HELP = "Environment: REFLAG_API_KEY (required), REFLAG_API_URL, NO_COLOR.";

export interface ConnectionValues {
  file?: string[];
  "batch-size"?: string;
  "api-url"?: string;
  concurrency?: string;
}

export interface Prepared {
  desired: DesiredState;
  plan: Plan;
  client: ReflagClient;
  batchSize: number;
}

export function batchSizeOf(values: ConnectionValues): number {
  return values["batch-size"] === undefined
    ? 100
    : parsePositiveInt("--batch-size", values["batch-size"], 10_000);
}

export function clientFrom(values: ConnectionValues, io: CliIO, stopRetrying?: AbortSignal): ReflagClient {
  return new ReflagClient(
    clientOptionsFromEnv(io.env, {
      ...(stopRetrying ? { stopRetrying } : {}),
      ...(values["api-url"] !== undefined ? { baseUrl: values["api-url"] } : {}),
      ...(values.concurrency !== undefined
        ? { concurrency: parsePositiveInt("--concurrency", values.concurrency, 64) }
        : {}),
    }),
  );
}

/** Loads and validates the files; prints diagnostics; throws ExitError(1) on any error. */
export async function loadOrExit(files: string[] | undefined, io: CliIO): Promise<DesiredState> {
  const { state, diagnostics } = await loadDesired(files ?? [], {
    cwd: io.cwd,
    now: io.now(),
  });
  printDiagnostics(diagnostics, io);
  if (!state) {
    io.stderr.write(`${countErrors(diagnostics)}: nothing was sent to Reflag.\n`);
    throw new ExitError(1);
  }
  return state;
}

function printDiagnostics(diagnostics: Diagnostic[], io: CliIO): void {
  // Messages already name any other place involved (`related`).
  for (const d of diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
}

/** "1 error", "3 errors" */
function countErrors(diagnostics: Diagnostic[]): string {
  return count(diagnostics.filter((d) => d.severity === "error").length, "error", "errors");
}

/** `stopRetrying`: once aborted (apply's Ctrl-C), the client stops retrying (see ReflagClientOptions). */
export async function preparePlan(
  values: ConnectionValues,
  io: CliIO,
  stopRetrying?: AbortSignal,
): Promise<Prepared> {
  const batchSize = batchSizeOf(values);
  const desired = await loadOrExit(values.file, io);
  const client = clientFrom(values, io, stopRetrying);
  const progress = startProgress(io);
  let read;
  try {
    read = await readLive(client, desired, (done, total) =>
      progress.update("Reading targeting", done, total),
    );
  } finally {
    progress.done();
  }
  printDiagnostics(read.diagnostics, io);
  if (!read.live || !read.resolved) {
    throw new UserError(
      "RS_PLAN_INVALID",
      `the file does not match app ${desired.app}: ${countErrors(read.diagnostics)} above; nothing was changed`,
    );
  }
  const plan = diff(read.resolved, read.live, io.now());
  return { desired, plan, client, batchSize };
}
