// The sync daemon's public surface: start it from parsed options, stop it on a signal.
import type { ReflagClientOptions } from "../live/client.js";
import { connect, loadRevision, reconcile } from "../reconcile/index.js";
import { startHttp, type HttpEndpoints, type ListenAddress } from "./http.js";
import { createLogger, type LogFormat, type Logger } from "./logger.js";
import { ReconcileLoop, type ShutdownSummary } from "./loop.js";
import { DaemonMetrics } from "./metrics.js";
import { DaemonState } from "./state.js";
import { watchFiles, type FileWatch } from "./watcher.js";

export type { ListenAddress } from "./http.js";
export type { LogFormat } from "./logger.js";
export type { ShutdownSummary } from "./loop.js";

export interface DaemonOptions {
  files: string[];
  cwd: string;
  /** The API client's options (key, URL, concurrency); the daemon adds its own hooks. */
  client: ReflagClientOptions;
  intervalMs: number;
  fullResyncMs: number;
  selfHeal: boolean;
  poll: boolean;
  listen?: ListenAddress;
  batchSize: number;
  changeDescription?: string;
  log: { write: (line: string) => void; format: LogFormat; color: boolean; level?: string };
  now: () => Date;
}

export interface RunningDaemon {
  log: Logger;
  /** Stops watching and timers; resolves once the reconcile in flight (if any) has ended. */
  stop(): Promise<ShutdownSummary>;
  /** What would be reported if the process had to exit now. */
  summary(): ShutdownSummary;
  /** After stop(), when its deadline passed: cuts off the requests in flight and closes the HTTP server. */
  cutOff(): Promise<void>;
}

/** Quiet time after the last file event, and the longest a stream of events may delay a look. */
const DEBOUNCE_MS = 100;
const MAX_DEBOUNCE_MS = 1000;
const SETTLE_MS = 50;

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const metrics = new DaemonMetrics();
  const state = new DaemonState(options.selfHeal);
  const apiKey = options.client.apiKey;
  const log = createLogger({
    write: options.log.write,
    format: options.log.format,
    color: options.log.color,
    secrets: [apiKey],
    now: options.now,
    ...(options.log.level ? { level: options.log.level } : {}),
  });

  const stopSending = new AbortController();
  const cutOff = new AbortController();
  const connection = connect({
    ...options.client,
    stopRetrying: stopSending.signal,
    signal: cutOff.signal,
    onRequest: (event) => {
      metrics.request(event);
      if (event.retryInMs !== undefined) {
        log.warn(
          {
            method: event.method,
            route: event.route,
            status: event.status,
            error: event.error,
            retryInMs: event.retryInMs,
          },
          `API request failed, retrying: ${event.message ?? event.error ?? event.status}`,
        );
      }
    },
  });

  const loop = new ReconcileLoop({
    load: () => loadRevision(options.files, { cwd: options.cwd, now: options.now() }),
    reconcile: (r) =>
      reconcile({
        desired: r.desired,
        revision: r.revision,
        trigger: r.trigger,
        connection,
        cwd: options.cwd,
        mode: r.mode,
        batchSize: options.batchSize,
        now: options.now,
        signal: r.signal,
        onProgress: r.onProgress,
        beforeApply: async () => r.onApplyStart(),
        ...(r.hold ? { hold: r.hold } : {}),
        ...(options.changeDescription !== undefined ? { changeDescription: options.changeDescription } : {}),
      }),
    environmentVersions: async (appId) => {
      // A poll is a run of its own: a fresh retry budget and deadline, not what the last reconcile left.
      connection.client.beginRun();
      return new Map(
        (await connection.client.listEnvironments(appId)).map((e) => [
          e.id,
          typeof e.flagStateVersion === "number" ? e.flagStateVersion : undefined,
        ]),
      );
    },
    log,
    metrics,
    state,
    now: options.now,
    random: Math.random,
    intervalMs: options.intervalMs,
    fullResyncMs: options.fullResyncMs,
    selfHeal: options.selfHeal,
    settleMs: SETTLE_MS,
  });
  metrics.ready(false);

  let http: HttpEndpoints | undefined;
  let watch: FileWatch | undefined;
  try {
    if (options.listen) {
      http = await startHttp(options.listen, { status: () => state.status(), metrics });
    }
    watch = await watchFiles({
      paths: options.files,
      cwd: options.cwd,
      poll: options.poll,
      debounceMs: DEBOUNCE_MS,
      maxWaitMs: MAX_DEBOUNCE_MS,
      onChange: () => loop.wake("file"),
      onError: (err) =>
        log.warn({ err: err.message }, "file watcher error; the periodic check still reads the files"),
    });
  } catch (err) {
    await http?.close();
    throw err;
  }

  log.info(
    {
      files: options.files,
      intervalMs: options.intervalMs,
      fullResyncMs: options.fullResyncMs,
      selfHeal: options.selfHeal,
      poll: options.poll,
      ...(http ? { listen: http.address } : {}),
    },
    `reflag-sync watch started${http ? `; HTTP on ${http.address}` : ""}`,
  );
  loop.start();

  return {
    log,
    summary: () => loop.summary(),
    cutOff: async () => {
      cutOff.abort();
      await http?.close();
    },
    stop: async () => {
      await watch?.close();
      stopSending.abort();
      const summary = await loop.stop();
      await http?.close();
      return summary;
    },
  };
}
