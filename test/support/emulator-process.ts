// Runs `reflag-sync emulator` (the built CLI) as a child process and reads its URL and key from stdout.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { CANARY_API_KEY, mask } from "./canary.js";
import { CLI } from "./cli.js";

export interface EmulatorProcess {
  url: string;
  origin: string;
  apiKey: string;
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the emulator CLI (pass --port 0 for a free port) and waits until it prints its export
 * lines. Its key is the canary unless `args` give --api-key or `demoKey` keeps the built-in one.
 * Its output is not checked for secrets: printing its own local key is its job.
 */
export function spawnEmulator(
  args: string[],
  options: { cwd?: string; timeoutMs?: number; demoKey?: boolean } = {},
): Promise<EmulatorProcess> {
  const keyed = options.demoKey === true || args.some((a) => a === "--api-key" || a.startsWith("--api-key="));
  const argv = keyed ? args : ["--api-key", CANARY_API_KEY, ...args];
  const child = spawn(process.execPath, [CLI, "emulator", ...argv], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1" },
  });
  let out = "";
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(mask(`the emulator did not start in time\nstdout: ${out}\nstderr: ${err}`)));
    }, options.timeoutMs ?? 15_000);
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const url = /export REFLAG_API_URL=(\S+)/.exec(out)?.[1];
      const apiKey = /export REFLAG_API_KEY=(\S+)/.exec(out)?.[1];
      if (!url || !apiKey) return;
      clearTimeout(timer);
      resolve({
        url,
        origin: url.replace(/\/api$/, ""),
        apiKey: apiKey.replace(/^'(.*)'$/, "$1"),
        child,
        stdout: () => out,
        stderr: () => err,
        stop: (signal = "SIGTERM") => {
          child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(
          mask(`the emulator exited with ${code} before it was ready\nstdout: ${out}\nstderr: ${err}`),
        ),
      );
    });
  });
}
