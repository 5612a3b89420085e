// reflag-sync emulator: run the local Reflag Management API until SIGINT or SIGTERM.
import { resolve } from "node:path";
import { UserError } from "../../errors.js";
import {
  startEmulator,
  StateFileError,
  type FaultOptions,
  type RunningEmulator,
} from "../../emulator/index.js";
import { parseCommandArgs, parseDuration, parsePositiveInt } from "../args.js";
import type { Command } from "../io.js";

const HELP = `Usage: reflag-sync emulator [options]

Runs a local Reflag Management API (under /api) with a demo app, for trying reflag-sync
without a Reflag account and for tests. Stop it with Ctrl-C (SIGINT) or SIGTERM.

Options:
      --port N              port to listen on (default 8787; 0 picks a free one)
      --host HOST           address to listen on (default 127.0.0.1)
      --state FILE          load the state from FILE (the demo state if it does not exist yet)
                            and save every change to it (default: in memory only), e.g.
                            --state .reflag-emulator-state.json (git-ignored)
      --api-key KEY         the demo app's API key (default demo-api-key)
      --max-batch-size N    most updates accepted in one targeting request (default 1000)
  Fault injection, on /api requests only:
      --latency MS          delay every request (e.g. 250, 250ms, 2s)
      --error-rate R        answer this share (0 to 1) of requests with 500 or 503, unapplied
      --rate-limit-rate R   answer this share with 429 and a Retry-After header, unapplied
      --retry-after S       Retry-After of those 429 answers, in seconds (default 1; e.g. 0.05);
                            after a 429, every request with that key is refused until it passes
      --lost-answer-rate R  apply this share of requests, then drop the connection unanswered
      --seed N              seed of the fault randomness, for reproducible runs (default 1)
  -h, --help                show this help

Control endpoints (no API key): GET /_emulator/health, GET /_emulator/stats,
POST /_emulator/stats/reset, GET and PUT /_emulator/faults (JSON body as the fault options).
`;

const DEFAULT_PORT = 8787;

export const emulatorCommand: Command = async (argv, io) => {
  const { values } = parseCommandArgs("emulator", argv, {
    port: { type: "string" },
    host: { type: "string" },
    state: { type: "string" },
    "api-key": { type: "string" },
    "max-batch-size": { type: "string" },
    latency: { type: "string" },
    "error-rate": { type: "string" },
    "rate-limit-rate": { type: "string" },
    "retry-after": { type: "string" },
    "lost-answer-rate": { type: "string" },
    seed: { type: "string" },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const port = values.port === undefined ? DEFAULT_PORT : parsePort(values.port);
  const host = values.host ?? "127.0.0.1";
  if (host.trim() === "") throw usage("--host: must not be empty");
  if (values["api-key"] !== undefined && !/^\S+$/.test(values["api-key"])) {
    throw usage("--api-key: must be a non-empty key without spaces");
  }
  const faults: FaultOptions = {};
  if (values.latency !== undefined) faults.latencyMs = parseDuration("--latency", values.latency);
  if (values["error-rate"] !== undefined) faults.errorRate = parseRate("--error-rate", values["error-rate"]);
  if (values["rate-limit-rate"] !== undefined)
    faults.rateLimitRate = parseRate("--rate-limit-rate", values["rate-limit-rate"]);
  if (values["lost-answer-rate"] !== undefined)
    faults.lostAnswerRate = parseRate("--lost-answer-rate", values["lost-answer-rate"]);
  if (values["retry-after"] !== undefined)
    faults.retryAfterSeconds = parseSeconds("--retry-after", values["retry-after"]);
  const statePath = values.state === undefined ? undefined : resolve(io.cwd, values.state);

  // Listen for the signals before starting, so that one sent during start-up still stops cleanly.
  const stopped = waitForStop();
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({
      port,
      host,
      statePath,
      faults,
      now: io.now,
      apiKey: values["api-key"],
      seed:
        values.seed === undefined ? undefined : parseWhole("--seed", values.seed, Number.MIN_SAFE_INTEGER),
      maxBatchSize:
        values["max-batch-size"] === undefined
          ? undefined
          : parsePositiveInt("--max-batch-size", values["max-batch-size"]),
    });
  } catch (err) {
    stopped.cancel();
    throw startError(err, host, port, statePath);
  }
  io.stdout.write(banner(emulator, statePath, faults));
  const signal = await stopped.promise;
  await emulator.close();
  const { total } = emulator.stats();
  io.stdout.write(`Stopped on ${signal} after ${total} API request${total === 1 ? "" : "s"}.\n`);
  return 0;
};

function banner(emulator: RunningEmulator, statePath: string | undefined, faults: FaultOptions): string {
  const active = Object.entries(faults).map(([k, v]) => `${k}=${String(v)}`);
  return [
    `Reflag Management API emulator listening on ${emulator.url}`,
    `  app:     ${emulator.appId}`,
    `  API key: ${emulator.apiKey}  (a local key of the emulator, not a secret)`,
    `  state:   ${statePath ?? "in memory (use --state FILE to keep it)"}`,
    ...(active.length > 0 ? [`  faults:  ${active.join(", ")}`] : []),
    `  stats:   ${emulator.origin}/_emulator/stats`,
    "",
    "Point reflag-sync at it:",
    `  export REFLAG_API_URL=${shellWord(emulator.url)}`,
    `  export REFLAG_API_KEY=${shellWord(emulator.apiKey)}`,
    "",
    "Stop with Ctrl-C.",
    "",
  ].join("\n");
}

/** Resolves with the first SIGINT or SIGTERM; cancel() removes the listeners. */
function waitForStop(): { promise: Promise<NodeJS.Signals>; cancel(): void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const cancel = (): void => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  const promise = new Promise<NodeJS.Signals>((resolvePromise) => {
    onSignal = (signal) => {
      cancel();
      resolvePromise(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  return { promise, cancel };
}

function startError(err: unknown, host: string, port: number, statePath: string | undefined): unknown {
  if (err instanceof StateFileError) {
    return new UserError("RS_USAGE", err.message, ["Fix or delete the file, or pass another --state FILE."]);
  }
  const { code, syscall } = err as NodeJS.ErrnoException;
  if (code === "EADDRINUSE") {
    return new UserError("RS_USAGE", `cannot listen on ${host}:${port}: the port is already in use`, [
      "Stop the other process, or pick another port with --port N (--port 0 picks a free one).",
    ]);
  }
  if (syscall === "listen" || syscall === "getaddrinfo") {
    return new UserError("RS_USAGE", `cannot listen on ${host}:${port} (${code ?? "error"})`, [
      "Check --host and --port.",
    ]);
  }
  if (statePath !== undefined && code !== undefined && syscall !== undefined) {
    return new UserError("RS_USAGE", `cannot write the state file ${statePath} (${code})`, [
      "Check that its folder exists and is writable.",
    ]);
  }
  return err;
}

function usage(message: string): UserError {
  return new UserError("RS_USAGE", `emulator ${message}`, ["Run 'reflag-sync emulator --help' for usage."]);
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw usage(`--port: '${value}' must be a whole number from 0 to 65535`);
  return Number(value);
}

function parseRate(flag: string, value: string): number {
  const rate = value.trim() === "" ? NaN : Number(value);
  if (!(rate >= 0 && rate <= 1))
    throw usage(`${flag}: '${value}' must be a number from 0 to 1 (a share of requests)`);
  return rate;
}

function parseSeconds(flag: string, value: string): number {
  const n = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw usage(`${flag}: '${value}' must be a number of seconds from 0`);
  return n;
}

function parseWhole(flag: string, value: string, min: number): number {
  const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw usage(`${flag}: '${value}' must be a whole number${min === 0 ? " from 0" : ""}`);
  return n;
}

/** Quotes a value for a POSIX shell only when it needs it. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
