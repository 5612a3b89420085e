// The daemon's file triggers, end to end: the built CLI as a child process, the emulator over
// HTTP on loopback, real files in a temporary folder.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../src/emulator/index.js";
import { eventually, tempDir } from "./support/cli.js";
import { isReconcile, spawnDaemon, type DaemonProcess } from "./support/daemon.js";
import { configMap, darkMode, liveCompanies, save, type SaveStyle } from "./support/daemon-files.js";

let emulator: RunningEmulator;
let env: Record<string, string>;
let daemon: DaemonProcess | undefined;

beforeEach(async () => {
  emulator = await startEmulator({ port: 0 });
  env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
});
afterEach(async () => {
  daemon?.kill("SIGKILL");
  await daemon?.exited;
  daemon = undefined;
  await emulator.close();
});

async function start(args: string[]): Promise<DaemonProcess> {
  daemon = await spawnDaemon(args, { env });
  return daemon;
}

const fileReconciles = (d: DaemonProcess) => d.lines().filter((l) => isReconcile(l) && l.trigger === "file");

describe("watch: triggers", () => {
  it("converges on start and reports ready with the applied revision", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "flags.yaml"), darkMode(["acme-corp", "globex"]));
    const d = await start(["-f", join(dir, "flags.yaml"), "--interval", "60s"]);
    const line = await d.waitFor((l) => isReconcile(l) && l.trigger === "start");
    expect(line).toMatchObject({ outcome: "applied", applied: 1, counts: { targetsToAdd: 1 } });
    expect(liveCompanies(emulator)).toEqual(["acme-corp", "globex"]);
    const ready = await d.get("/readyz");
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({
      ready: true,
      configValid: true,
      lastAppliedRevision: line.revision,
      lastAttemptedRevision: line.revision,
    });
  });

  it("applies each save style within 2 s: in place, rename, editor backup, delete and recreate", async () => {
    const dir = await tempDir();
    const file = join(dir, "flags.yaml");
    await writeFile(file, darkMode(["globex"]));
    const d = await start(["-f", file, "--interval", "60s"]);
    await d.waitFor((l) => isReconcile(l) && l.trigger === "start");
    const companies = ["globex"];
    for (const style of ["in-place", "rename", "backup", "recreate"] satisfies SaveStyle[]) {
      companies.push(`co-${style}`);
      const before = d.lines().length;
      const saved = Date.now();
      await save(file, darkMode(companies), style);
      await d.waitFor((l) => isReconcile(l) && l.outcome === "applied", { from: before, timeoutMs: 2000 });
      expect(Date.now() - saved, style).toBeLessThan(2000);
      expect(liveCompanies(emulator)).toEqual([...companies].sort());
    }
    // A touch without a change of content does nothing.
    const before = d.lines().length;
    const reads = emulator.stats().total;
    const checks = async () => (await d.metric('reflag_sync_file_checks_total{result="unchanged"}')) ?? 0;
    const checked = await checks();
    await writeFile(file, darkMode(companies));
    await writeFile(join(dir, "unrelated.txt"), "x");
    for (let n = checked; n <= checked; n = await checks()) await new Promise((r) => setTimeout(r, 20));
    expect(d.lines().slice(before).filter(isReconcile)).toEqual([]);
    expect(emulator.stats().total).toBe(reads);
  });

  it.each([
    ["the file", (dir: string) => join(dir, "flags.yaml")],
    ["the folder", (dir: string) => dir],
  ])("applies a ConfigMap ..data swap, watching %s, and prunes nothing in between", async (_what, target) => {
    const dir = await tempDir();
    const volume = await configMap(dir, darkMode(["globex", "acme-corp"]));
    const d = await start(["-f", target(dir), "--interval", "60s"]);
    await d.waitFor((l) => isReconcile(l) && l.trigger === "start" && l.outcome === "applied");
    for (const next of [
      ["globex", "acme-corp", "initech"],
      ["globex", "acme-corp", "initech", "umbrella"],
    ]) {
      const before = d.lines().length;
      const swapped = Date.now();
      await volume.swap(darkMode(next));
      await d.waitFor((l) => isReconcile(l) && l.outcome === "applied", { from: before, timeoutMs: 3000 });
      expect(Date.now() - swapped).toBeLessThan(3000);
      expect(liveCompanies(emulator)).toEqual([...next].sort());
    }
    // A late `unlink` of the old generation must not read as "nothing desired": nothing was removed.
    expect(
      d
        .lines()
        .filter(isReconcile)
        .map((l) => (l.counts as { targetsToRemove: number }).targetsToRemove),
    ).toEqual(
      d
        .lines()
        .filter(isReconcile)
        .map(() => 0),
    );
    expect(d.lines().filter((l) => l.level === "error")).toEqual([]);
  });

  it("turns a burst of 50 writes in a second into at most two reconciles of the final content", async () => {
    const dir = await tempDir();
    const file = join(dir, "flags.yaml");
    await writeFile(file, darkMode(["globex"]));
    const d = await start(["-f", file, "--interval", "60s"]);
    await d.waitFor((l) => isReconcile(l) && l.trigger === "start");
    const companies = ["globex"];
    for (let i = 0; i < 50; i++) {
      companies.push(`burst-${String(i).padStart(2, "0")}`);
      await save(file, darkMode(companies), "rename");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await eventually(() => liveCompanies(emulator).length === companies.length, 5000);
    // The last reconcile read the final content: no later one can find anything new.
    expect(fileReconciles(d).length).toBeGreaterThanOrEqual(1);
    expect(fileReconciles(d).length).toBeLessThanOrEqual(2);
    expect(liveCompanies(emulator)).toEqual([...companies].sort());
  });

  it("--poll picks up a save on a file system without events", async () => {
    const dir = await tempDir();
    const file = join(dir, "flags.yaml");
    await writeFile(file, darkMode(["globex"]));
    const d = await start(["-f", file, "--interval", "60s", "--poll"]);
    await d.waitFor((l) => isReconcile(l) && l.trigger === "start");
    const saved = Date.now();
    await save(file, darkMode(["globex", "polled"]), "in-place");
    await d.waitFor((l) => isReconcile(l) && l.trigger === "file" && l.outcome === "applied", {
      timeoutMs: 2000,
    });
    expect(Date.now() - saved).toBeLessThan(2000);
    expect(liveCompanies(emulator)).toEqual(["globex", "polled"]);
  });
});
