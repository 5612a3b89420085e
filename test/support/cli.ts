// Runs the built CLI as a child process, the way a user or CI does.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../src/emulator/index.js";

export const CLI = resolve(import.meta.dirname, "../../dist/cli.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  options: {
    env?: Record<string, string | undefined>;
    cwd?: string;
    input?: string;
    timeoutMs?: number;
    /** Called once the process runs, e.g. to signal it when something happened. */
    onSpawn?: (child: ChildProcess) => Promise<void> | void;
  } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: "1", ...options.env })) {
      if (v !== undefined) env[k] = v;
    }
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`reflag-sync ${args.join(" ")} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
    void Promise.resolve(options.onSpawn?.(child)).catch(reject);
  });
}

export async function tempDir(prefix = "reflag-sync-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Writes files (name -> content) into a new temporary folder and returns it. */
export async function writeFiles(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

/** Resolves once `condition` holds, checked every few milliseconds: a wait for an event, not a fixed sleep. */
export async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Runs `fn` against a fresh emulator on a free loopback port, and closes it whatever happens. */
export async function withEmulator(
  options: EmulatorOptions,
  fn: (emulator: RunningEmulator) => Promise<void>,
): Promise<void> {
  const emulator = await startEmulator({ port: 0, ...options });
  try {
    await fn(emulator);
  } finally {
    await emulator.close();
  }
}

/** A fresh emulator for every test of the file, with the environment that points the CLI at it. */
export function emulatorPerTest(): { emulator: RunningEmulator; env: Record<string, string> } {
  const current = {} as { emulator: RunningEmulator; env: Record<string, string> };
  beforeEach(async () => {
    current.emulator = await startEmulator({ port: 0 });
    current.env = { REFLAG_API_URL: current.emulator.url, REFLAG_API_KEY: current.emulator.apiKey };
  });
  afterEach(async () => {
    await current.emulator.close();
  });
  return current;
}
