// The daemon's periodic check and time triggers: drift undone (or only reported), the cost of a
// steady state, and a time-bound target removed when it expires.
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { eventually } from "./support/cli.js";
import { daemonHarness, isReconcile, metricAbove, type DaemonProcess } from "./support/daemon.js";
import { darkMode, liveCompanies, writes } from "./support/daemon-files.js";

const h = daemonHarness();
const ENVIRONMENTS = "GET /apps/:appId/environments";

/** Waits until the daemon's start reconcile succeeded and a poll found nothing moved since. */
async function steady(d: DaemonProcess): Promise<void> {
  await d.waitFor((l) => isReconcile(l) && (l.outcome === "in-sync" || l.outcome === "applied"));
  await metricAbove(d, 'reflag_sync_polls_total{result="unchanged"}', 0);
}

describe("watch: periodic check", () => {
  it("undoes drift made in the UI within one interval", async () => {
    const d = await h.start(darkMode(["acme-corp", "globex"]), ["--interval", "1s"]);
    await steady(d);
    const before = d.lines().length;
    const drifted = Date.now();
    h.emulator.store.setTargets(h.emulator.appId, "dark-mode", "enProduction", {
      companyIds: ["globex", "intruder"],
    });
    const line = await d.waitFor((l) => isReconcile(l) && l.outcome === "applied", { from: before });
    expect(Date.now() - drifted).toBeLessThan(2000);
    expect(line).toMatchObject({ trigger: "interval", counts: { targetsToAdd: 1, targetsToRemove: 1 } });
    expect(liveCompanies(h.emulator)).toEqual(["acme-corp", "globex"]);
    expect(await d.metric("reflag_sync_drifted_targets")).toBe(0);
  });

  it("with --no-self-heal only reports drift: a log line, a metric, a /readyz detail, zero writes", async () => {
    const d = await h.start(darkMode(["globex"]), ["--interval", "500ms", "--no-self-heal"]);
    await steady(d);
    h.emulator.resetStats();
    const before = d.lines().length;
    h.emulator.store.setTargets(h.emulator.appId, "dark-mode", "enProduction", {
      companyIds: ["globex", "intruder"],
    });
    const line = await d.waitFor((l) => isReconcile(l) && l.outcome === "planned", { from: before });
    expect(line.level).toBe("warn");
    expect(line.msg).toBe("drift left alone (--no-self-heal): 1 change differs from the file");
    expect(await d.metric("reflag_sync_drifted_targets")).toBe(1);
    const ready = await d.get("/readyz");
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ ready: true, selfHeal: false, drift: { targetsToRemove: 1 } });
    // Reported once: the next polls find nothing new.
    const series = 'reflag_sync_polls_total{result="unchanged"}';
    await metricAbove(d, series, (await d.metric(series)) ?? 0);
    expect(d.lines().filter((l) => isReconcile(l) && l.outcome === "planned")).toHaveLength(1);
    expect(writes(h.emulator)).toBe(0);
    expect(liveCompanies(h.emulator)).toEqual(["globex", "intruder"]);
  });

  it("in a steady state costs one environments read per poll and no writes, over ten intervals", async () => {
    const d = await h.start(darkMode(["acme-corp", "globex"]), ["--interval", "200ms"]);
    await steady(d);
    h.emulator.resetStats();
    await eventually(() => (h.emulator.stats().byRoute[ENVIRONMENTS]?.["200"] ?? 0) >= 10, 5000);
    const stats = h.emulator.stats();
    const polls = stats.byRoute[ENVIRONMENTS]?.["200"] ?? 0;
    // A request may be in flight while the counters are read.
    expect(stats.total).toBeGreaterThanOrEqual(polls);
    expect(stats.total).toBeLessThanOrEqual(polls + 1);
    expect(Object.keys(stats.byRoute)).toEqual([ENVIRONMENTS]);
    expect(writes(h.emulator)).toBe(0);
    expect(
      d.lines().filter((l) => isReconcile(l) && l.trigger === "interval" && l.outcome !== "in-sync"),
    ).toEqual([]);
  });

  it("after its own apply, the next poll costs one request: the versions its writes moved to are expected", async () => {
    const d = await h.start(darkMode(["acme-corp", "globex"]), ["--interval", "300ms"]);
    await d.waitFor((l) => isReconcile(l) && l.trigger === "start" && l.outcome === "applied");
    h.emulator.resetStats();
    await metricAbove(d, 'reflag_sync_polls_total{result="unchanged"}', 0);
    const stats = h.emulator.stats();
    // The first poll found nothing moved; the second may be in flight while the counters are read.
    expect(stats.byRoute).toEqual({ [ENVIRONMENTS]: { "200": stats.total } });
    expect(stats.total).toBeGreaterThanOrEqual(1);
    expect(stats.total).toBeLessThanOrEqual(2);
    expect((await d.metric('reflag_sync_polls_total{result="moved"}')) ?? 0).toBe(0);
    expect(d.lines().filter((l) => isReconcile(l) && l.trigger !== "start")).toEqual([]);
  });

  it("removes a time-bound target when its `until` passes, not an interval later", async () => {
    const d = await h.start(darkMode(["globex"]), ["--interval", "60s"]);
    await d.waitFor((l) => isReconcile(l) && l.trigger === "start");
    const until = new Date(Date.now() + 2000);
    await writeFile(d.file, darkMode(["globex", `{ id: short-trial, until: "${until.toISOString()}" }`]));
    await d.waitFor((l) => isReconcile(l) && l.trigger === "file" && l.outcome === "applied");
    expect(liveCompanies(h.emulator)).toEqual(["globex", "short-trial"]);
    const line = await d.waitFor((l) => isReconcile(l) && l.trigger === "expiry", { timeoutMs: 5000 });
    expect(line).toMatchObject({ outcome: "applied", counts: { targetsToRemove: 1 } });
    expect(Date.now()).toBeLessThan(until.getTime() + 1000);
    expect(liveCompanies(h.emulator)).toEqual(["globex"]);
  });

  it("backs off while the API fails and recovers by itself", async () => {
    h.emulator.setFaults({ errorRate: 1 });
    // Few client attempts: this is about the daemon's own backoff between reconciles.
    const d = await h.start(darkMode(["acme-corp", "globex"]), ["--interval", "60s", "--max-attempts", "2"]);
    const failed = await d.waitFor((l) => l.level === "error" && typeof l.retryInMs === "number", {
      timeoutMs: 15_000,
    });
    expect(failed.msg).toMatch(/503|500|unavailable|error/i);
    expect((await d.get("/readyz")).json()).toMatchObject({ ready: false, reason: "reconcile-failed" });
    h.emulator.setFaults({});
    const recovered = await d.waitFor((l) => isReconcile(l) && l.outcome === "applied", {
      timeoutMs: 15_000,
    });
    expect(recovered.trigger).toBe("retry");
    expect((await d.get("/readyz")).status).toBe(200);
    expect(await d.metric("reflag_sync_api_retries_total")).toBeGreaterThan(0);
  });
});
