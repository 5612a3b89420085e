// The daemon's HTTP endpoints, its usage errors, and its shutdown on SIGTERM / SIGINT.
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { eventually, runCli } from "./support/cli.js";
import { daemonHarness, isReconcile } from "./support/daemon.js";
import { darkMode, liveCompanies } from "./support/daemon-files.js";

const h = daemonHarness();

async function start(content: string, args: string[] = []) {
  const d = await h.start(content, ["--interval", "60s", ...args]);
  return { d, file: d.file };
}

const METRICS = [
  "reflag_sync_reconciles_total",
  "reflag_sync_reconcile_duration_seconds",
  "reflag_sync_drifted_targets",
  "reflag_sync_changes_applied_total",
  "reflag_sync_api_requests_total",
  "reflag_sync_api_retries_total",
  "reflag_sync_config_valid",
  "reflag_sync_ready",
  "reflag_sync_last_success_timestamp_seconds",
  "reflag_sync_polls_total",
];

describe("watch: HTTP endpoints", () => {
  it("answers /healthz, /readyz and /metrics as documented", async () => {
    const { d } = await start(darkMode(["acme-corp", "globex"]));
    expect((await d.get("/healthz")).json()).toEqual({ status: "ok" });
    await d.waitFor((l) => isReconcile(l) && l.outcome === "applied");
    const ready = await d.get("/readyz");
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.json() as object).sort()).toEqual([
      "configValid",
      "desiredRevision",
      "lastAppliedRevision",
      "lastAttemptedRevision",
      "lastReconcile",
      "ready",
      "selfHeal",
    ]);
    const metrics = (await d.get("/metrics")).text;
    for (const name of METRICS) expect(metrics).toContain(`# TYPE ${name} `);
    expect(metrics).toContain('reflag_sync_reconciles_total{trigger="start",outcome="applied"} 1');
    expect(metrics).toContain("reflag_sync_changes_applied_total 1");
    expect(metrics).toMatch(
      /reflag_sync_api_requests_total\{method="PATCH",route="\/apps\/:appId\/flags\/specific-targets\/:envId",status="200"\} 1/,
    );
    expect(await d.metric("reflag_sync_last_success_timestamp_seconds")).toBeGreaterThan(
      Date.now() / 1000 - 60,
    );
    expect((await d.get("/nothing")).status).toBe(404);
  });

  it.each([
    [["--interval", "60"], "--interval: '60' is not a duration (use e.g. 500ms, 30s, 10m, 1h, 1d)"],
    [
      ["--interval", "700h"],
      "--full-resync 10m (the default) must not be shorter than --interval 700h: give a --full-resync at least as long",
    ],
    [
      ["--interval", "1m", "--full-resync", "30s"],
      "--full-resync 30s must not be shorter than --interval 1m: give a --full-resync at least as long",
    ],
    [
      ["--full-resync", "30s"],
      "--full-resync 30s must not be shorter than --interval 60s (the default): give a --full-resync at least as long",
    ],
    [["--full-resync", "2w"], "--full-resync: '2w' is not a duration (use e.g. 500ms, 30s, 10m, 1h, 1d)"],
    [["--timeout", "soon"], "--timeout: 'soon' is not a duration (use e.g. 30s, 5m, 2h, 7d)"],
  ])(
    "refuses %j with a usage error naming the option and the value, before reading anything",
    async (args, message) => {
      const result = await runCli(["watch", ...args], {
        env: { REFLAG_API_URL: h.emulator.url, REFLAG_API_KEY: h.emulator.apiKey },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`error: ${message}\n`);
      expect(h.emulator.stats().total).toBe(0);
    },
  );
});

describe("watch: shutdown", () => {
  it("exits 0 at once on SIGTERM when idle", async () => {
    const { d } = await start(darkMode(["globex"]));
    await d.waitFor((l) => isReconcile(l));
    const signalled = Date.now();
    d.kill("SIGTERM");
    expect(await d.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(d.lines().at(-1)?.msg).toBe("stopped");
  });

  it("on SIGTERM during a slow apply, lets the request in flight finish, sends no more, exits 1 with a summary", async () => {
    const { d, file } = await start(darkMode(["globex"]), ["--batch-size", "1", "--concurrency", "1"]);
    await d.waitFor((l) => isReconcile(l));
    h.emulator.setFaults({ script: [{ method: "PATCH", fault: "delay", delayMs: 1500, times: 10 }] });
    await writeFile(file, darkMode(["globex", "a", "b", "c", "d"]));
    await eventually(() => h.emulator.stats().inFlight > 0);
    const signalled = Date.now();
    d.kill("SIGTERM");
    const exit = await d.exited;
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(exit.code).toBe(1);
    const summary = d.lines().find((l) => /^stopped: a reconcile was cut short/.test(l.msg));
    expect(summary).toMatchObject({ interrupted: true, applied: 1, pending: 3 });
    expect(liveCompanies(h.emulator)).toHaveLength(2);
  });

  it("exits at once on a second signal", async () => {
    const { d, file } = await start(darkMode(["globex"]));
    await d.waitFor((l) => isReconcile(l));
    h.emulator.setFaults({ script: [{ method: "PATCH", fault: "delay", delayMs: 30_000 }] });
    await writeFile(file, darkMode(["globex", "slow"]));
    await eventually(() => h.emulator.stats().inFlight > 0);
    d.kill("SIGINT");
    await d.waitFor((l) => /stopping after the request in flight/.test(l.msg));
    const signalled = Date.now();
    d.kill("SIGINT");
    expect((await d.exited).signal).toBe("SIGINT");
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(d.lines().some((l) => /second SIGINT: exiting now/.test(l.msg))).toBe(true);
  });
});
