// reflag-sync watch: the sync daemon. Parses options, starts the daemon, and turns SIGTERM/SIGINT
// into a graceful stop within 10 seconds (a second signal ends the process at once).
import { startDaemon, type ListenAddress, type LogFormat } from "../../daemon/index.js";
import { UserError } from "../../errors.js";
import { parseCommandArgs, parseDuration } from "../args.js";
import type { Command } from "../io.js";
import { useColor } from "../io.js";
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  ENVIRONMENT_HELP,
  batchSizeOf,
  clientOptionsFrom,
} from "../pipeline.js";

const HELP = `Usage: reflag-sync watch [options]

The sync daemon: reconciles the Reflag app with the flag files on start, whenever a file changes,
periodically (drift made in the UI is undone, or only reported with --no-self-heal), and when a
time-bound target expires. An invalid file is never applied: the last good state is kept. A change
that another writer undoes after every apply is reported as flapping and re-applied only after a
growing backoff.

Options:
${CONNECTION_HELP}
      --interval DURATION     periodic check: one request that lists the environments'
                              flagStateVersion; a full read only when one moved (default 60s)
      --full-resync DURATION  full read of the live state at least this often (default 10m)
      --listen HOST:PORT      serve /healthz, /readyz and /metrics (':9090' = all interfaces,
                              '127.0.0.1:9090' = loopback only); off unless given
      --no-self-heal          report drift (log, metric, /readyz) without changing anything
      --poll                  poll the files instead of file system events (network volumes)
      --change-description TEXT
                              audit text of the changes (default: the file's changeDescription)
      --log-format FORMAT     json (default when stdout is not a terminal) or pretty
  -h, --help                  show this help

Durations: 500ms, 30s, 10m, 1h, 1d. SIGTERM or SIGINT stops after the request in flight (at most 10 s);
the exit code is 0 when nothing was cut short, 1 when a reconcile was (its summary is logged).

${ENVIRONMENT_HELP}
`;

/** The whole graceful shutdown must fit in Kubernetes' default 30 s grace period, and in 10 s. */
const SHUTDOWN_DEADLINE_MS = 9_000;
const MIN_INTERVAL_MS = 100;
const DEFAULT_INTERVAL = "60s";
const DEFAULT_FULL_RESYNC = "10m";

export const watchCommand: Command = async (argv, io) => {
  const { values } = parseCommandArgs("watch", argv, {
    ...CONNECTION_OPTIONS,
    interval: { type: "string" },
    "full-resync": { type: "string" },
    listen: { type: "string" },
    "no-self-heal": { type: "boolean" },
    poll: { type: "boolean" },
    "change-description": { type: "string" },
    "log-format": { type: "string" },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const interval = values.interval ?? DEFAULT_INTERVAL;
  const fullResync = values["full-resync"] ?? DEFAULT_FULL_RESYNC;
  const intervalMs = parseWatchDuration("--interval", interval);
  const fullResyncMs = parseWatchDuration("--full-resync", fullResync);
  if (fullResyncMs < intervalMs) {
    // Either may be the default: name both as they are in effect.
    const shown = (flag: string, text: string, given: boolean) =>
      `${flag} ${text}${given ? "" : " (the default)"}`;
    throw new UserError(
      "RS_USAGE",
      `${shown("--full-resync", fullResync, values["full-resync"] !== undefined)} must not be shorter than ${shown("--interval", interval, values.interval !== undefined)}: give a --full-resync at least as long`,
    );
  }
  const description = values["change-description"];
  if (description !== undefined && description.trim() === "") {
    throw new UserError(
      "RS_USAGE",
      "--change-description must not be empty: it is the audit text of every change",
    );
  }
  const format = parseLogFormat(values["log-format"], io.stdout.isTTY === true);

  const daemon = await startDaemon({
    files: values.file ?? [],
    cwd: io.cwd,
    client: clientOptionsFrom(values, io),
    intervalMs,
    fullResyncMs,
    selfHeal: values["no-self-heal"] !== true,
    poll: values.poll === true,
    ...(values.listen !== undefined ? { listen: parseListen(values.listen) } : {}),
    batchSize: batchSizeOf(values),
    ...(description !== undefined ? { changeDescription: description } : {}),
    log: {
      write: (line) => io.stdout.write(line),
      format,
      color: format === "pretty" && useColor(io.stdout, io.env),
    },
    now: io.now,
  });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        const summary = daemon.summary();
        daemon.log.error({ signal, ...summary }, `second ${signal}: exiting now; ${summary.message}`);
        process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
        process.kill(process.pid, signal);
        return;
      }
      stopping = true;
      daemon.log.info({ signal }, `${signal}: stopping after the request in flight (again to exit now)`);
      const deadline = setTimeout(() => {
        const summary = daemon.summary();
        daemon.log.error({ ...summary, interrupted: true }, `shutdown deadline passed: ${summary.message}`);
        // Ends the requests still in flight and the HTTP server, so that nothing holds the process open.
        void daemon.cutOff();
        process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
        resolve(1);
      }, SHUTDOWN_DEADLINE_MS);
      void daemon.stop().then((summary) => {
        clearTimeout(deadline);
        process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
        if (summary.interrupted) {
          daemon.log.error(summary, `stopped: ${summary.message}`);
          resolve(1);
        } else {
          daemon.log.info("stopped");
          resolve(0);
        }
      });
    };
    process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  });
};

/** Like parseDuration, but a unit is required (a bare 60 would be 60 ms) and tiny values are refused. */
export function parseWatchDuration(flag: string, value: string): number {
  if (!/^\s*\d+(?:\.\d+)?\s*(ms|s|m|h|d)\s*$/.test(value)) {
    throw new UserError(
      "RS_USAGE",
      `${flag}: '${value}' is not a duration (use e.g. 500ms, 30s, 10m, 1h, 1d)`,
    );
  }
  const ms = parseDuration(flag, value.replace(/\s+/g, ""));
  if (ms < MIN_INTERVAL_MS)
    throw new UserError("RS_USAGE", `${flag}: '${value}' is too short (at least 100ms)`);
  return ms;
}

/** ":9090" (all interfaces), "127.0.0.1:9090", "[::1]:9090", "localhost:9090". */
export function parseListen(value: string): ListenAddress {
  const match = /^(?:\[([^\]\s]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65_535) {
    throw new UserError(
      "RS_USAGE",
      `--listen: '${value}' is not HOST:PORT (use e.g. :9090 for all interfaces or 127.0.0.1:9090)`,
    );
  }
  const host = match[1] ?? match[2];
  return { host: host ? host : undefined, port };
}

function parseLogFormat(value: string | undefined, tty: boolean): LogFormat {
  if (value === undefined) return tty ? "pretty" : "json";
  if (value === "json" || value === "pretty") return value;
  throw new UserError("RS_USAGE", `--log-format: '${value}' is not one of json, pretty`);
}
