// `reflag-sync emulator` as a user runs it: a child process, read from stdout, stopped by a signal.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AppHeader } from "../src/api/types.js";
import type { RunningEmulator } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import { CLI, runCli, tempDir } from "./support/cli.js";
import { api } from "./support/emulator-http.js";
import { spawnEmulator, type EmulatorProcess } from "./support/emulator-process.js";

const children: EmulatorProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill("SIGKILL");
});

async function spawn(args: string[], options: { demoKey?: boolean } = {}): Promise<EmulatorProcess> {
  const child = await spawnEmulator(args, options);
  children.push(child);
  return child;
}

describe.skipIf(!existsSync(CLI))("reflag-sync emulator", () => {
  it("prints the URL, app id, key and export lines, serves the API, saves state, and exits 0 on SIGTERM", async () => {
    const dir = await tempDir();
    const statePath = join(dir, "state.json");
    const emu = await spawn(["--port", "0", "--state", statePath], { demoKey: true });
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    expect(emu.apiKey).toBe("demo-api-key");
    expect(emu.stdout()).toContain("apDemoApp01");
    expect(emu.stdout()).toMatch(
      /export REFLAG_API_URL=http:\/\/127\.0\.0\.1:\d+\/api\n\s*export REFLAG_API_KEY=demo-api-key/,
    );
    expect(emu.stdout()).not.toMatch(/sec_|pub_/);

    const apps = await api<{ data: AppHeader[] }>(emu, "GET", "/apps");
    expect(apps.body.data[0]?.id).toBe("apDemoApp01");
    const json = { updates: [{ flagKey: "dark-mode", value: true, companyId: "from-cli-test" }] };
    expect(
      (await api(emu, "PATCH", "/apps/apDemoApp01/flags/specific-targets/enProduction", { json })).status,
    ).toBe(200);

    expect(await emu.stop("SIGTERM")).toBe(0);
    expect(emu.stdout()).toMatch(/Stopped on SIGTERM after 2 API requests/);
    expect(await readFile(statePath, "utf8")).toContain("from-cli-test");
  });

  it("takes --api-key and fault flags, and stops on SIGINT too", async () => {
    const emu = await spawn([
      "--port",
      "0",
      "--api-key",
      "my-key",
      "--rate-limit-rate",
      "1",
      "--retry-after",
      "4",
    ]);
    expect(emu.apiKey).toBe("my-key");
    expect(emu.stdout()).toContain("rateLimitRate=1");
    const limited = await api(emu, "GET", "/apps");
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("4");
    expect(await emu.stop("SIGINT")).toBe(0);
  });

  it("prints its help", async () => {
    const { code, stdout } = await runCli(["emulator", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: reflag-sync emulator");
    expect(stdout).toContain("--lost-answer-rate");
  });

  it.each([
    [["--port", "http"], "--port: 'http' must be a whole number from 0 to 65535"],
    [["--error-rate", "2"], "--error-rate: '2' must be a number from 0 to 1"],
    [["--max-batch-size", "0"], "--max-batch-size: '0' must be a whole number"],
    [["--latency", "soon"], "--latency: 'soon' is not a duration"],
    [["--bogus"], "Unknown option '--bogus'"],
  ])("refuses %j with a clear message and exit 1", async (args, message) => {
    const { code, stderr } = await runCli(["emulator", ...args]);
    expect(code).toBe(1);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("says clearly when the port is in use", async () => {
    let taken: RunningEmulator | undefined;
    try {
      taken = await startTestEmulator();
      const { code, stderr } = await runCli(["emulator", "--port", String(taken.port)]);
      expect(code).toBe(1);
      expect(stderr).toContain(`cannot listen on 127.0.0.1:${taken.port}: the port is already in use`);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      await taken?.close();
    }
  });

  it("says clearly when the state file is not one", async () => {
    const { code, stderr } = await runCli(["emulator", "--port", "0", "--state", "package.json"]);
    expect(code).toBe(1);
    expect(stderr).toContain("package.json: not an emulator state file");
  });
});
