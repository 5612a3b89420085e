// The daemon never reads a broken or vanished file as "nothing is desired", never forces a plan
// over policy.maxChanges, and never writes the API key to its log.
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../src/emulator/index.js";
import { tempDir } from "./support/cli.js";
import { isReconcile, spawnDaemon, type DaemonProcess } from "./support/daemon.js";
import { darkMode, liveCompanies, writes } from "./support/daemon-files.js";

let emulator: RunningEmulator | undefined;
let daemon: DaemonProcess | undefined;

afterEach(async () => {
  daemon?.kill("SIGKILL");
  await daemon?.exited;
  daemon = undefined;
  await emulator?.close();
});

async function converged(file: string, args: string[] = [], apiKey?: string) {
  emulator = await startEmulator({ port: 0, ...(apiKey ? { apiKey } : {}) });
  await writeFile(file, darkMode(["acme-corp", "globex"]));
  daemon = await spawnDaemon(["-f", file, "--interval", "60s", ...args], {
    env: { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey },
  });
  await daemon.waitFor((l) => isReconcile(l) && l.trigger === "start" && l.outcome === "applied");
  return { emulator, daemon };
}

const INVALID: [string, string, RegExp][] = [
  ["a YAML syntax error", "version: 1\napp: apDemoApp01\nflags:\n  dark-mode: [\n", /flags\.yaml:\d+:\d+/],
  ["an empty file", "", /flags\.yaml/],
  ["a truncated file", "version: 1\napp: apDemoApp01\nfla", /flags\.yaml:\d+:\d+/],
  ["a schema error", darkMode(["globex"]).replace("companies:", "companys:"), /flags\.yaml:\d+:\d+/],
];

describe("watch: a broken or vanished file", () => {
  it.each(INVALID)(
    "%s: nothing applied, not ready, config_valid 0, logged once; the fix recovers",
    async (_what, text, at) => {
      const dir = await tempDir();
      const file = join(dir, "flags.yaml");
      const { emulator, daemon: d } = await converged(file);
      emulator.resetStats();
      const before = d.lines().length;
      await writeFile(file, text);
      const error = await d.waitFor((l) => l.level === "error" && /flag files invalid/.test(l.msg), {
        from: before,
      });
      expect(error.msg).toMatch(at);
      const ready = await d.get("/readyz");
      expect(ready.status).toBe(503);
      expect(ready.json()).toMatchObject({ ready: false, reason: "invalid-config", configValid: false });
      expect(await d.metric("reflag_sync_config_valid")).toBe(0);
      expect(await d.metric("reflag_sync_ready")).toBe(0);
      // The same broken content again: no second error line.
      const checks = async () => (await d.metric('reflag_sync_file_checks_total{result="invalid"}')) ?? 0;
      const seen = await checks();
      await writeFile(file, text);
      for (let n = seen; n <= seen; n = await checks()) await new Promise((r) => setTimeout(r, 20));
      expect(d.lines().filter((l) => /flag files invalid/.test(l.msg))).toHaveLength(1);
      expect(writes(emulator)).toBe(0);
      expect(emulator.stats().total).toBe(0);
      expect(liveCompanies(emulator)).toEqual(["acme-corp", "globex"]);

      await writeFile(file, darkMode(["acme-corp", "globex", "fixed"]));
      await d.waitFor((l) => isReconcile(l) && l.trigger === "file" && l.outcome === "applied", {
        from: before,
      });
      expect(liveCompanies(emulator)).toEqual(["acme-corp", "fixed", "globex"]);
      expect((await d.get("/readyz")).status).toBe(200);
      expect(await d.metric("reflag_sync_config_valid")).toBe(1);
    },
  );

  it("a deleted file prunes nothing and reports not ready until it is back", async () => {
    const dir = await tempDir();
    const file = join(dir, "flags.yaml");
    const { emulator, daemon: d } = await converged(file);
    emulator.resetStats();
    const before = d.lines().length;
    await rm(file);
    const error = await d.waitFor((l) => /flag files invalid/.test(l.msg), { from: before });
    expect(error.msg).toContain("flags.yaml");
    expect((await d.get("/readyz")).json()).toMatchObject({ ready: false, reason: "invalid-config" });
    expect(emulator.stats().total).toBe(0);
    expect(liveCompanies(emulator)).toEqual(["acme-corp", "globex"]);

    await writeFile(file, darkMode(["acme-corp", "globex"]));
    await d.waitFor((l) => /flag files valid again/.test(l.msg), { from: before });
    expect((await d.get("/readyz")).status).toBe(200);
    expect(writes(emulator)).toBe(0);
  });

  it("never forces: a plan over policy.maxChanges is refused until a new revision", async () => {
    const dir = await tempDir();
    const file = join(dir, "flags.yaml");
    const { emulator, daemon: d } = await converged(file);
    emulator.resetStats();
    const before = d.lines().length;
    const many = Array.from({ length: 5 }, (_, i) => `co-${i}`);
    await writeFile(file, darkMode(["acme-corp", "globex", ...many], "policy:\n  maxChanges: 3\n"));
    const refused = await d.waitFor((l) => isReconcile(l) && l.outcome === "refused", { from: before });
    expect(refused.msg).toMatch(/maxChanges/);
    expect(writes(emulator)).toBe(0);
    expect((await d.get("/readyz")).json()).toMatchObject({ ready: false, reason: "refused" });

    await writeFile(file, darkMode(["acme-corp", "globex", ...many], "policy:\n  maxChanges: 10\n"));
    await d.waitFor((l) => isReconcile(l) && l.outcome === "applied", { from: before });
    expect(liveCompanies(emulator)).toHaveLength(7);
    expect((await d.get("/readyz")).status).toBe(200);
  });
});

describe("watch: secrets", () => {
  it("never writes the API key, even when requests fail and are retried", async () => {
    const canary = "rs-canary-Zx81qPwe-key";
    const dir = await tempDir();
    const file = join(dir, "flags.yaml");
    const { emulator, daemon: d } = await converged(file, [], canary);
    emulator.setFaults({ script: [{ method: "PATCH", fault: "503", times: 1 }] });
    const before = d.lines().length;
    await writeFile(file, darkMode(["acme-corp", "globex", "canary-co"]));
    await d.waitFor((l) => /retrying/.test(l.msg), { from: before });
    await d.waitFor((l) => isReconcile(l) && l.outcome === "applied", { from: before });
    d.kill("SIGTERM");
    await d.exited;
    expect(d.output()).not.toContain(canary);
    expect(d.output()).not.toContain(canary.slice(3, 16));
  });
});
