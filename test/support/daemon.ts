// Runs `reflag-sync watch` (the built CLI) as a child process, reads its JSON log lines as they
// arrive, and talks to its HTTP endpoints: tests wait for log lines and metrics, never for time.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import type { EmulatorOptions, RunningEmulator } from "../../src/emulator/index.js";
import { assertNoSecret, mask } from "./canary.js";
import { CLI, tempDir } from "./cli.js";
import { startTestEmulator } from "./emulator.js";

/** Every daemon of the running test: its whole output is checked for secrets after the test. */
const spawned: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of spawned.splice(0)) {
    // A daemon the test left running is stopped first, so its last lines are checked too.
    d.kill("SIGKILL");
    await d.exited;
    assertNoSecret(d.output(), "the daemon's log (stdout and stderr)");
  }
});

export interface LogLine {
  level: string;
  msg: string;
  time: string;
  [field: string]: unknown;
}

export interface DaemonProcess {
  child: ChildProcessWithoutNullStreams;
  /** Every JSON log line so far. */
  lines(): LogLine[];
  /** All of stdout and stderr so far, as text. */
  output(): string;
  /** Resolves with the first line (from `from` on) that matches; rejects after `timeoutMs`. */
  waitFor(
    match: (line: LogLine) => boolean,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<LogLine>;
  /** GET on the daemon's HTTP address. */
  get(path: string): Promise<{ status: number; text: string; json: () => unknown }>;
  /** The value of one metric series, e.g. metric('reflag_sync_config_valid'). */
  metric(series: string): Promise<number | undefined>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** `command`: the whole argv after node, instead of the CLI's watch on a free loopback port. */
export async function spawnDaemon(
  args: string[],
  options: { env: Record<string, string>; cwd?: string; command?: string[] },
): Promise<DaemonProcess> {
  const argv = options.command ?? [CLI, "watch", "--listen", "127.0.0.1:0", "--log-format", "json", ...args];
  const child = spawn(process.execPath, argv, {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
  });
  let out = "";
  let partial = "";
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    partial += d;
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) {
      if (!part.trim()) continue;
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        lines.push({ level: "text", msg: part, time: "" });
      }
    }
    notify();
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      notify();
      resolve({ code, signal });
    }),
  );
  let done = false;
  void exited.then(() => (done = true));

  const waitFor: DaemonProcess["waitFor"] = (match, opts = {}) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.slice(opts.from ?? 0).find(match);
        if (found) {
          finish();
          try {
            assertNoSecret(out, "the daemon's log (stdout and stderr)");
          } catch (err) {
            reject(err as Error);
            return;
          }
          resolve(found);
        } else if (done) {
          finish();
          reject(new Error(`the daemon exited before the awaited log line\n${mask(out)}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`log line not seen in time\n${mask(out)}`));
      }, opts.timeoutMs ?? 10_000);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const started = await waitFor((l) => typeof l.listen === "string").catch((err: unknown) => {
    child.kill("SIGKILL");
    throw err;
  });
  const [host, port] = splitAddress(started.listen as string);
  const get: DaemonProcess["get"] = (path) =>
    new Promise((resolve, reject) => {
      const req = request({ host, port, path, method: "GET", agent: false }, (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d: string) => (text += d));
        res.on("end", () => {
          try {
            assertNoSecret(text, `the daemon's answer to GET ${path}`);
          } catch (err) {
            reject(err as Error);
            return;
          }
          resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) as unknown });
        });
      });
      req.on("error", reject);
      req.end();
    });

  const daemon: DaemonProcess = {
    child,
    lines: () => lines,
    output: () => out,
    waitFor,
    get,
    metric: async (series) => {
      const { text } = await get("/metrics");
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    },
    exited,
    kill: (signal = "SIGTERM") => {
      if (!done) child.kill(signal);
    },
  };
  spawned.push(daemon);
  return daemon;
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(":");
  return [address.slice(0, i).replace(/^\[|\]$/g, ""), Number(address.slice(i + 1))];
}

/**
 * The checker's self-test only: stops `d`, asserts that its output holds a planted secret (so the
 * after-test check would fail), and returns that failure's message; then the check skips `d`.
 */
export async function expectPlantedLeak(d: DaemonProcess): Promise<string> {
  d.kill("SIGKILL");
  await d.exited;
  try {
    assertNoSecret(d.output(), "the daemon's log (stdout and stderr)");
  } catch (err) {
    spawned.splice(spawned.indexOf(d), 1);
    return (err as Error).message;
  }
  throw new Error("expected a planted secret in the daemon's output, found none");
}

/** A line of one reconcile (the result record). */
export function isReconcile(line: LogLine): boolean {
  return typeof line.outcome === "string" && typeof line.trigger === "string";
}

export interface Harness {
  readonly emulator: RunningEmulator;
  /** Writes `content` to a new temporary flags.yaml and starts the daemon on it (or on `target`). */
  start(
    content: string,
    args?: string[],
    options?: { target?: (file: string) => string; before?: (file: string) => Promise<void> },
  ): Promise<DaemonProcess & { file: string }>;
}

/** One emulator per test (`emulatorOptions` per file), the daemon killed after each test. */
export function daemonHarness(emulatorOptions: () => EmulatorOptions = () => ({})): Harness {
  let emulator: RunningEmulator | undefined;
  let daemon: DaemonProcess | undefined;
  beforeEach(async () => {
    emulator = await startTestEmulator(emulatorOptions());
  });
  afterEach(async () => {
    daemon?.kill("SIGKILL");
    await daemon?.exited;
    daemon = undefined;
    await emulator?.close();
  });
  return {
    get emulator() {
      if (!emulator) throw new Error("the emulator runs only inside a test");
      return emulator;
    },
    async start(content, args = [], options = {}) {
      const file = join(await tempDir(), "flags.yaml");
      if (options.before) await options.before(file);
      else await writeFile(file, content);
      const emu = this.emulator;
      daemon = await spawnDaemon(["-f", options.target?.(file) ?? file, ...args], {
        env: { REFLAG_API_URL: emu.url, REFLAG_API_KEY: emu.apiKey },
      });
      return Object.assign(daemon, { file });
    },
  };
}

/** Resolves once the metric series is above `value` (a counter moved): an event, not a sleep. */
export async function metricAbove(d: DaemonProcess, series: string, value: number): Promise<number> {
  for (;;) {
    const now = (await d.metric(series)) ?? 0;
    if (now > value) return now;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
