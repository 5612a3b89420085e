// Runs the built CLI as a child process, the way a user or CI does.
import { spawn, type ChildProcess } from "node:child_process";
import { lstat, mkdtemp, readdir, readFile, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { afterEach, beforeEach } from "vitest";
import type { EmulatorOptions, RunningEmulator } from "../../src/emulator/index.js";
import { assertNoSecret, mask } from "./canary.js";
import { startTestEmulator } from "./emulator.js";

export const CLI = resolve(import.meta.dirname, "../../dist/cli.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
  /** Called once the process runs, e.g. to signal it when something happened. */
  onSpawn?: (child: ChildProcess) => Promise<void> | void;
}

/**
 * Runs the CLI and rejects when a canary secret shows in its stdout, its stderr or a file it may
 * have written (see filesToCheck), so no test can read a leak without failing.
 */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const result = await spawnCli(args, options);
  const command = `reflag-sync ${args[0] ?? ""}`.trim();
  assertNoSecret(result.stdout, `the stdout of ${command}`);
  assertNoSecret(result.stderr, `the stderr of ${command}`);
  for (const file of await filesToCheck(args, options)) {
    assertNoSecret(await readFile(file, "utf8"), `${file} after ${command}`);
  }
  return result;
}

function spawnCli(args: string[], options: RunCliOptions): Promise<CliResult> {
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
      reject(
        new Error(mask(`reflag-sync ${args.join(" ")} timed out\nstdout: ${stdout}\nstderr: ${stderr}`)),
      );
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

/** Larger files are not the CLI's output (it writes flag files, plans and reports). */
const MAX_CHECKED_BYTES = 64 * 1024 * 1024;

/**
 * The files a run may have written: those under temporary folders named by an argument (-o FILE,
 * --out FILE, --split DIR, -f FILE) or serving as the working folder, minus the key files that
 * hold the secret on purpose and git's internals.
 */
async function filesToCheck(args: string[], options: RunCliOptions): Promise<string[]> {
  const cwd = options.cwd ?? process.cwd();
  const tmp = await realpath(tmpdir());
  const keyFiles = new Set<string>();
  for (const [i, arg] of args.entries()) {
    const next = args[i + 1];
    if (arg === "--api-key-file" && next !== undefined) keyFiles.add(await real(resolve(cwd, next)));
    if (arg.startsWith("--api-key-file=")) keyFiles.add(await real(resolve(cwd, arg.slice(15))));
  }
  const fromEnv = options.env?.REFLAG_API_KEY_FILE ?? process.env.REFLAG_API_KEY_FILE;
  if (fromEnv) keyFiles.add(await real(resolve(cwd, fromEnv)));

  // The repository itself may be cloned under /tmp (CI does): its README names the canary's prefix.
  const repo = await real(REPO);
  const roots = new Set<string>();
  for (const candidate of [cwd, ...args.map((a) => a.replace(/^--[\w-]+=/, ""))]) {
    const path = await real(resolve(cwd, candidate));
    // Only inside a test's own temporary folder: never the repository, never all of /tmp.
    if (isInside(tmp, path) && !isInside(repo, path) && path !== repo) roots.add(path);
  }
  const files = new Set<string>();
  const visit = async (path: string): Promise<void> => {
    if (keyFiles.has(path)) return;
    const stat = await lstat(path).catch(() => undefined);
    if (!stat) return;
    if (stat.isDirectory()) {
      if (path.endsWith(`${sep}.git`)) return;
      for (const name of await readdir(path)) await visit(join(path, name));
    } else if (stat.isFile() && stat.size <= MAX_CHECKED_BYTES) {
      files.add(path);
    }
  };
  for (const root of roots) await visit(root);
  return [...files].sort();
}

const REPO = resolve(import.meta.dirname, "../..");

/** True when `path` is strictly below `folder`. */
function isInside(folder: string, path: string): boolean {
  const inside = relative(folder, path);
  return inside !== "" && !inside.startsWith("..") && !inside.startsWith(sep);
}

async function real(path: string): Promise<string> {
  return realpath(path).catch(() => path);
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
  const emulator = await startTestEmulator(options);
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
    current.emulator = await startTestEmulator();
    current.env = { REFLAG_API_URL: current.emulator.url, REFLAG_API_KEY: current.emulator.apiKey };
  });
  afterEach(async () => {
    await current.emulator.close();
  });
  return current;
}
