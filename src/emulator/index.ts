// The emulator's programmatic entry: start a real HTTP server on loopback over a store and a state file.
import type { AddressInfo } from "node:net";
import { demoState } from "./demo.js";
import { DEFAULT_SEED, FaultInjector, type FaultOptions } from "./faults.js";
import { loadState, StateFile } from "./persistence.js";
import { RateLimitWindows } from "./rate-limit.js";
import { createEmulatorServer } from "./server.js";
import type { EmulatorState } from "./state.js";
import { StatsRecorder, type RequestStats } from "./stats.js";
import { EmulatorStore } from "./store.js";

export interface EmulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Load the state from this file (the demo state if it does not exist) and save every change to it. */
  statePath?: string;
  now?: () => Date;
  faults?: FaultOptions;
  /** Most updates accepted in one targeting request (default 1000). */
  maxBatchSize?: number;
  /** Seed of the random faults when `faults.seed` is not given (default 1). */
  seed?: number;
  /** An initial state instead of the demo state (ignored when statePath exists). */
  state?: EmulatorState;
  /** Replaces the first app's API key (the demo app's "demo-api-key"). */
  apiKey?: string;
  /** The rate limiter's clock in ms (default: a high-resolution wall clock). */
  clock?: () => number;
}

export interface RunningEmulator {
  /** "http://127.0.0.1:PORT/api": the REFLAG_API_URL of a client. */
  url: string;
  /** "http://127.0.0.1:PORT": where /_emulator/... lives. */
  origin: string;
  port: number;
  /** The first (demo) app's API key. */
  apiKey: string;
  /** The first (demo) app's id. */
  appId: string;
  store: EmulatorStore;
  stats(): RequestStats;
  resetStats(): void;
  setFaults(faults: FaultOptions): void;
  /** Stops listening, drops keep-alive connections, and waits for the state file to be written. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const now = options.now ?? (() => new Date());
  const seed = options.seed ?? DEFAULT_SEED;
  const loaded = options.statePath === undefined ? undefined : await loadState(options.statePath);
  if (
    options.maxBatchSize !== undefined &&
    !(Number.isSafeInteger(options.maxBatchSize) && options.maxBatchSize >= 1)
  ) {
    throw new RangeError(`maxBatchSize must be a whole number from 1, not ${options.maxBatchSize}`);
  }
  const store = new EmulatorStore(loaded ?? options.state ?? demoState(), {
    now,
    maxBatchSize: options.maxBatchSize,
  });
  const first = store.state.apps[0];
  if (!first) throw new Error("The emulator state has no app");
  if (options.apiKey !== undefined) store.setApiKey(first.id, options.apiKey);

  const stateFile =
    options.statePath === undefined ? undefined : new StateFile(options.statePath, () => store.state);
  const faults = new FaultInjector(options.faults ?? {}, seed);
  const stats = new StatsRecorder(now);
  const clock = options.clock ?? (() => performance.timeOrigin + performance.now());
  const limiter = new RateLimitWindows(clock);
  const { server, abortDelays } = createEmulatorServer({
    store,
    faults,
    stats,
    limiter,
    clock,
    stateFile,
    seed,
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  if (stateFile) {
    // Failed saves are reported by flush() to the request that waits for them.
    store.onChange(() => void stateFile.requestSave().catch(() => undefined));
    try {
      // Save at once: a new state file exists from the start, an existing one takes this version's shape.
      await stateFile.requestSave();
    } catch (err) {
      server.close();
      throw err;
    }
  }

  const { port } = server.address() as AddressInfo;
  const origin = `http://${urlHost(options.host ?? "127.0.0.1")}:${port}`;
  return {
    url: `${origin}/api`,
    origin,
    port,
    apiKey: first.apiKeys[0] ?? "",
    appId: first.id,
    store,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    setFaults: (f) => faults.set(f, seed),
    close: async () => {
      abortDelays();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await stateFile?.flush();
    },
  };
}

/** The address a client should use: wildcard binds are reached over loopback, IPv6 goes in brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

export { demoState, DEMO_API_KEY, DEMO_APP_ID, OTHER_API_KEY, OTHER_APP_ID } from "./demo.js";
export { EmulatorStore, DEFAULT_MAX_BATCH_SIZE, type NewFlag, type TargetWriteResult } from "./store.js";
export { MAX_BODY_BYTES } from "./server.js";
export {
  StateFileError,
  type AuditEntry,
  type EmulatorState,
  type StoredApp,
  type StoredFlag,
  type StoredTargeting,
} from "./state.js";
export type { FaultKind, FaultOptions, ScriptedFault } from "./faults.js";
export type { RateLimitStats, RequestRecord, RequestStats } from "./stats.js";
