// The daemon never reads a broken or vanished file as "nothing is desired", never forces a plan
// over policy.maxChanges, and never writes the API key to its log.
import { rm, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { daemonHarness, isReconcile, metricAbove, type Harness } from "./support/daemon.js";
import { darkMode, liveCompanies, writes } from "./support/daemon-files.js";

const CANARY = "rs-canary-Zx81qPwe-key";

async function converged(h: Harness) {
  const d = await h.start(darkMode(["acme-corp", "globex"]), ["--interval", "60s"]);
  await d.waitFor((l) => isReconcile(l) && l.trigger === "start" && l.outcome === "applied");
  return { emulator: h.emulator, daemon: d, file: d.file };
}

const INVALID: [string, string, RegExp][] = [
  ["a YAML syntax error", "version: 1\napp: apDemoApp01\nflags:\n  dark-mode: [\n", /flags\.yaml:\d+:\d+/],
  ["an empty file", "", /flags\.yaml/],
  ["a truncated file", "version: 1\napp: apDemoApp01\nfla", /flags\.yaml:\d+:\d+/],
  ["a schema error", darkMode(["globex"]).replace("companies:", "companys:"), /flags\.yaml:\d+:\d+/],
];

describe("watch: a broken or vanished file", () => {
  const h = daemonHarness();
  it("a syntax error, an empty, a truncated or a schema-invalid file: nothing applied, not ready, config_valid 0, logged once; each fix recovers", async () => {
    const { emulator, daemon: d, file } = await converged(h);
    const wanted = ["acme-corp", "globex"];
    for (const [what, text, at] of INVALID) {
      emulator.resetStats();
      const before = d.lines().length;
      await writeFile(file, text);
      const error = await d.waitFor((l) => l.level === "error" && /flag files invalid/.test(l.msg), {
        from: before,
      });
      expect(error.msg, what).toMatch(at);
      const ready = await d.get("/readyz");
      expect(ready.status, what).toBe(503);
      expect(ready.json()).toMatchObject({ ready: false, reason: "invalid-config", configValid: false });
      expect(await d.metric("reflag_sync_config_valid")).toBe(0);
      expect(await d.metric("reflag_sync_ready")).toBe(0);
      // The same broken content again: no second error line.
      const series = 'reflag_sync_file_checks_total{result="invalid"}';
      const seen = (await d.metric(series)) ?? 0;
      await writeFile(file, text);
      await metricAbove(d, series, seen);
      expect(
        d
          .lines()
          .slice(before)
          .filter((l) => /flag files invalid/.test(l.msg)),
        what,
      ).toHaveLength(1);
      expect(emulator.stats().total, what).toBe(0);
      expect(liveCompanies(emulator)).toEqual([...wanted].sort());

      wanted.push(`fixed-${INVALID.findIndex((c) => c[0] === what)}`);
      await writeFile(file, darkMode(wanted));
      await d.waitFor((l) => isReconcile(l) && l.trigger === "file" && l.outcome === "applied", {
        from: before,
      });
      expect(liveCompanies(emulator)).toEqual([...wanted].sort());
      expect((await d.get("/readyz")).status).toBe(200);
      expect(await d.metric("reflag_sync_config_valid")).toBe(1);
    }
  });

  it("a deleted file prunes nothing and reports not ready until it is back", async () => {
    const { emulator, daemon: d, file } = await converged(h);
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
    const { emulator, daemon: d, file } = await converged(h);
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
  const h = daemonHarness(() => ({ apiKey: CANARY }));
  it("never writes the API key, even when requests fail and are retried", async () => {
    const { emulator, daemon: d, file } = await converged(h);
    emulator.setFaults({ script: [{ method: "PATCH", fault: "503", times: 1 }] });
    const before = d.lines().length;
    await writeFile(file, darkMode(["acme-corp", "globex", "canary-co"]));
    await d.waitFor((l) => /retrying/.test(l.msg), { from: before });
    await d.waitFor((l) => isReconcile(l) && l.outcome === "applied", { from: before });
    d.kill("SIGTERM");
    await d.exited;
    expect(d.output()).not.toContain(CANARY);
    expect(d.output()).not.toContain(CANARY.slice(3, 16));
  });
});
