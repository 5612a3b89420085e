// The daemon's file triggers, end to end: the built CLI as a child process, the emulator over
// HTTP on loopback, real files in a temporary folder.
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { daemonHarness, isReconcile, metricAbove, type DaemonProcess } from "./support/daemon.js";
import { configMap, darkMode, gitSync, liveCompanies, save, type SaveStyle } from "./support/daemon-files.js";

const h = daemonHarness();
const fileReconciles = (d: DaemonProcess) => d.lines().filter((l) => isReconcile(l) && l.trigger === "file");
const started = (d: DaemonProcess) => d.waitFor((l) => isReconcile(l) && l.trigger === "start");

describe("watch: triggers", () => {
  it("converges on start and reports ready with the applied revision", async () => {
    const d = await h.start(darkMode(["acme-corp", "globex"]), ["--interval", "60s"]);
    const line = await started(d);
    expect(line).toMatchObject({ outcome: "applied", applied: 1, counts: { targetsToAdd: 1 } });
    expect(liveCompanies(h.emulator)).toEqual(["acme-corp", "globex"]);
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
    const d = await h.start(darkMode(["globex"]), ["--interval", "60s"]);
    await started(d);
    const companies = ["globex"];
    for (const style of ["in-place", "rename", "backup", "recreate"] satisfies SaveStyle[]) {
      companies.push(`co-${style}`);
      const before = d.lines().length;
      const saved = Date.now();
      await save(d.file, darkMode(companies), style);
      await d.waitFor((l) => isReconcile(l) && l.outcome === "applied", { from: before, timeoutMs: 2000 });
      expect(Date.now() - saved, style).toBeLessThan(2000);
      expect(liveCompanies(h.emulator)).toEqual([...companies].sort());
    }
    // A touch without a change of content, or a change of another file, does nothing.
    const before = d.lines().length;
    const requests = h.emulator.stats().total;
    const checked = (await d.metric('reflag_sync_file_checks_total{result="unchanged"}')) ?? 0;
    await writeFile(d.file, darkMode(companies));
    await writeFile(join(dirname(d.file), "unrelated.txt"), "x");
    await metricAbove(d, 'reflag_sync_file_checks_total{result="unchanged"}', checked);
    expect(d.lines().slice(before).filter(isReconcile)).toEqual([]);
    expect(h.emulator.stats().total).toBe(requests);
  });

  it.each([
    ["the file", (file: string) => file],
    ["the folder", (file: string) => dirname(file)],
  ])("applies a ConfigMap ..data swap, watching %s, and prunes nothing in between", async (_what, target) => {
    let volume: Awaited<ReturnType<typeof configMap>> | undefined;
    const d = await h.start("", ["--interval", "60s"], {
      target,
      before: async (file) => {
        volume = await configMap(dirname(file), darkMode(["globex", "acme-corp"]));
      },
    });
    await d.waitFor((l) => isReconcile(l) && l.trigger === "start" && l.outcome === "applied");
    for (const next of [
      ["globex", "acme-corp", "initech"],
      ["globex", "acme-corp", "initech", "umbrella"],
    ]) {
      const before = d.lines().length;
      const swapped = Date.now();
      await volume!.swap(darkMode(next));
      await d.waitFor((l) => isReconcile(l) && l.outcome === "applied", { from: before, timeoutMs: 3000 });
      expect(Date.now() - swapped).toBeLessThan(3000);
      expect(liveCompanies(h.emulator)).toEqual([...next].sort());
    }
    // A late `unlink` of the old generation must not read as "nothing desired": nothing was removed.
    const removed = d
      .lines()
      .filter(isReconcile)
      .map((l) => (l.counts as { targetsToRemove: number }).targetsToRemove);
    expect(removed.every((n) => n === 0)).toBe(true);
    expect(d.lines().filter((l) => l.level === "error")).toEqual([]);
  });

  it("applies a git-sync worktree swap (the `current` link moves, the old worktree stays)", async () => {
    let repo: Awaited<ReturnType<typeof gitSync>> | undefined;
    const d = await h.start("", ["--interval", "60s"], {
      target: () => repo!.file,
      before: async (file) => {
        repo = await gitSync(dirname(file), darkMode(["globex"]));
      },
    });
    await started(d);
    const swapped = Date.now();
    await repo!.swap(darkMode(["globex", "synced"]));
    await d.waitFor((l) => isReconcile(l) && l.trigger === "file" && l.outcome === "applied", {
      timeoutMs: 3000,
    });
    expect(Date.now() - swapped).toBeLessThan(3000);
    expect(liveCompanies(h.emulator)).toEqual(["globex", "synced"]);
  });

  it("turns a burst of 50 writes in a second into at most two reconciles of the final content", async () => {
    const d = await h.start(darkMode(["globex"]), ["--interval", "60s"]);
    await started(d);
    const companies = ["globex"];
    for (let i = 0; i < 50; i++) {
      companies.push(`burst-${String(i).padStart(2, "0")}`);
      await save(d.file, darkMode(companies), "rename");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The reconcile of the final content: no later one can find anything new.
    await d.waitFor(
      (l) => isReconcile(l) && l.trigger === "file" && liveCompanies(h.emulator).length === companies.length,
    );
    expect(fileReconciles(d).length).toBeGreaterThanOrEqual(1);
    expect(fileReconciles(d).length).toBeLessThanOrEqual(2);
    expect(liveCompanies(h.emulator)).toEqual([...companies].sort());
  });

  it("--poll picks up a save on a file system without events", async () => {
    const d = await h.start(darkMode(["globex"]), ["--interval", "60s", "--poll"]);
    await started(d);
    const saved = Date.now();
    await save(d.file, darkMode(["globex", "polled"]), "in-place");
    await d.waitFor((l) => isReconcile(l) && l.trigger === "file" && l.outcome === "applied", {
      timeoutMs: 2000,
    });
    expect(Date.now() - saved).toBeLessThan(2000);
    expect(liveCompanies(h.emulator)).toEqual(["globex", "polled"]);
  });
});
