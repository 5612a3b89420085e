// Flapping: a change that another writer undoes after every apply is reported and held back with a
// growing backoff instead of being rewritten on every poll. The pure parts (holding changes back,
// counting flips) table by table, then the daemon against a competing writer over the emulator's API.
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { FLAP_THRESHOLD, FlapTracker } from "../src/daemon/flapping.js";
import { flapBackoff, FLAP_MAX_MS } from "../src/daemon/schedule.js";
import { appliedRefs, changeRefs, holdBack, type ChangeRef } from "../src/plan/hold.js";
import type { Plan, TargetChange } from "../src/plan/model.js";
import { daemonHarness, isReconcile, type DaemonProcess } from "./support/daemon.js";
import { darkMode, liveCompanies } from "./support/daemon-files.js";
import { api } from "./support/emulator-http.js";

const company = (flagKey: string, id: string, op: "add" | "remove" = "add"): TargetChange => ({
  flagKey,
  kind: "company",
  id,
  op,
});

function plan(changes: TargetChange[], archive?: boolean): Plan {
  return {
    appId: "ap1",
    appName: "App",
    creates: [],
    updates:
      archive === undefined
        ? []
        : [
            {
              key: "old-flag",
              flagId: "fl1",
              body: { isArchived: archive, name: "Old" },
              changes: [
                { field: "archived", from: !archive, to: archive },
                { field: "name", from: "old", to: "Old" },
              ],
            },
          ],
    environments: changes.length > 0 ? [{ envId: "en1", envName: "Production", changes }] : [],
    unmanaged: [],
  };
}

describe("holding changes back (pure)", () => {
  it("drops exactly the held target and field changes, keeping the rest and its order", () => {
    const p = plan([company("a", "acme"), company("a", "globex", "remove"), company("b", "acme")], true);
    const refs = changeRefs(p);
    expect(refs.map((r) => r.target)).toEqual([
      "field name",
      "field archived",
      "company acme",
      "company globex",
      "company acme",
    ]);
    const held = new Set([refs[1]!.key, refs[3]!.key]);
    const out = holdBack(p, held);
    expect(out.held.map((r) => `${r.flagKey} ${r.target} -> ${r.to}`)).toEqual([
      "old-flag field archived -> true",
      "a company globex -> remove",
    ]);
    expect(out.plan.updates).toEqual([
      {
        key: "old-flag",
        flagId: "fl1",
        body: { name: "Old" },
        changes: [{ field: "name", from: "old", to: "Old" }],
      },
    ]);
    expect(out.plan.environments[0]!.changes).toEqual([company("a", "acme"), company("b", "acme")]);
    // The input plan is not touched.
    expect(p.environments[0]!.changes).toHaveLength(3);
  });

  it("drops an environment or an update left without changes, and returns the same plan when nothing is held", () => {
    const p = plan([company("a", "acme")], false);
    const out = holdBack(p, new Set(changeRefs(p).map((r) => r.key)));
    expect(out.plan.environments).toEqual([]);
    expect(out.plan.updates).toEqual([]);
    expect(out.held).toHaveLength(3);
    expect(holdBack(p, new Set(["nothing"])).plan).toBe(p);
  });

  it("keys the changes of applied requests like the plan's", () => {
    const change = company("a", "acme");
    const [fromPlan] = changeRefs(plan([change]));
    const applied = appliedRefs([
      {
        request: {
          kind: "targets",
          envId: "en1",
          envName: "Production",
          batch: 1,
          batches: 1,
          changes: [change],
        },
        status: "applied",
      },
      {
        request: {
          kind: "targets",
          envId: "en1",
          envName: "Production",
          batch: 1,
          batches: 1,
          changes: [company("z", "z")],
        },
        status: "failed",
      },
    ]);
    expect(applied).toEqual([fromPlan]);
  });
});

describe("counting flips (pure)", () => {
  const ref = (to = "add"): ChangeRef => ({
    key: '["en1","dark-mode","company","acme"]',
    to,
    flagKey: "dark-mode",
    envId: "en1",
    envName: "Production",
    target: "company acme",
  });
  /** One reconcile: judge its plan, then apply what was not held; returns whether it was held. */
  function reconcile(t: FlapTracker, planned: ChangeRef[], now: number) {
    const j = t.judge(planned, now);
    t.applied(planned.filter((r) => !j.hold.has(r.key)));
    return j;
  }

  it(`holds a change undone ${FLAP_THRESHOLD} times in a row, longer after each further flip`, () => {
    const t = new FlapTracker((level) => 1000 * 2 ** level);
    const held: boolean[] = [];
    const started: number[] = [];
    // Every reconcile finds the change undone again, one second apart.
    for (let i = 0; i < 12; i++) {
      const j = reconcile(t, [ref()], i * 1000);
      held.push(j.hold.size > 0);
      started.push(j.started.length);
    }
    // Applied at 0, 1, 2 s; the third flip (3 s) holds it 1 s; let through at 4 s, undone at 5 s:
    // held 2 s; let through at 7 s, undone at 8 s: held 4 s, until 12 s.
    expect(held).toEqual([false, false, false, true, false, true, true, false, true, true, true, true]);
    expect(started).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(t.flapping(11_000)).toEqual([
      {
        environment: "Production",
        flag: "dark-mode",
        target: "company acme",
        flips: 5,
        retryAt: new Date(12_000).toISOString(),
      },
    ]);
    expect(t.nextRelease(11_000)).toBe(12_000);
  });

  it("forgets a change that stayed applied, is wanted differently, or after a new revision", () => {
    const t = new FlapTracker(() => 1000);
    for (let i = 0; i <= FLAP_THRESHOLD; i++) reconcile(t, [ref()], i);
    expect(t.flapping(10)).toHaveLength(1);
    // The other writer gave up: the next plan (after the hold) no longer has it.
    const j = reconcile(t, [], 5000);
    expect(j.stopped.map((f) => f.target)).toEqual(["company acme"]);
    expect(t.flapping(5000)).toEqual([]);
    // Two flips, then it holds: the count starts over.
    for (let i = 0; i < 3; i++) reconcile(t, [ref()], 6000 + i);
    reconcile(t, [], 6010);
    for (let i = 0; i < FLAP_THRESHOLD; i++) expect(reconcile(t, [ref()], 7000 + i).hold.size).toBe(0);
    // A flip to another value is not the same change.
    expect(reconcile(t, [ref("remove")], 8000).hold.size).toBe(0);
    t.reset();
    expect(t.flapping(9000)).toEqual([]);
    expect(t.nextRelease(9000)).toBeUndefined();
  });

  it("backs off from two intervals, doubling, capped at an hour (or one interval)", () => {
    expect([0, 1, 2, 3].map((k) => flapBackoff(k, 60_000, 0.5))).toEqual([
      120_000, 240_000, 480_000, 960_000,
    ]);
    expect(flapBackoff(20, 60_000, 0.5)).toBe(FLAP_MAX_MS);
    expect(flapBackoff(20, 2 * FLAP_MAX_MS, 0.5)).toBe(2 * FLAP_MAX_MS);
  });
});

const h = daemonHarness();
const TARGETS_PATCH = "PATCH /apps/:appId/flags/specific-targets/:envId";

/**
 * Another writer that wants acme-corp out of dark-mode in Production: after every apply the daemon
 * logs, it removes it again through the API. It ends when stopped or when the daemon exits.
 */
function competitor(d: DaemonProcess) {
  let from = 0;
  let stopped = false;
  let sent = 0;
  void (async () => {
    while (!stopped) {
      const line = await d
        .waitFor((l) => isReconcile(l) && l.outcome === "applied", { from, timeoutMs: 60_000 })
        .catch(() => undefined);
      if (!line || stopped) return;
      from = d.lines().indexOf(line) + 1;
      const answer = await api(
        h.emulator,
        "PATCH",
        `/apps/${h.emulator.appId}/flags/specific-targets/enProduction`,
        {
          json: {
            updates: [{ flagKey: "dark-mode", value: null, companyId: "acme-corp" }],
            changeDescription: "another writer",
          },
        },
      );
      expect(answer.status).toBe(200);
      sent++;
    }
  })();
  return {
    sent: () => sent,
    stop: () => {
      stopped = true;
    },
  };
}

describe("watch: a change another writer keeps undoing", () => {
  it("is reported as flapping and held back: writes stop growing with the polls, other changes still apply, a new revision starts over", async () => {
    const d = await h.start(darkMode(["acme-corp", "globex"]), ["--interval", "300ms"]);
    const rival = competitor(d);
    const daemonPatches = () => (h.emulator.stats().byRoute[TARGETS_PATCH]?.["200"] ?? 0) - rival.sent();

    // Applied on start, then undone and re-applied until the third flip.
    const warning = await d.waitFor((l) => typeof l.flapping === "object" && l.level === "warn", {
      timeoutMs: 20_000,
    });
    expect(warning.msg).toMatch(
      /^flapping: Production\/dark-mode company acme-corp was undone after each of the last 3 applies/,
    );
    expect(d.lines().filter((l) => l.level === "warn" && typeof l.flapping === "object")).toHaveLength(1);
    expect(daemonPatches()).toBe(FLAP_THRESHOLD);

    // Meanwhile another target drifts: it is restored, acme-corp is held back in the same reconcile.
    const before = d.lines().length;
    h.emulator.store.setTargets(h.emulator.appId, "dark-mode", "enProduction", { companyIds: [] });
    const other = await d.waitFor((l) => isReconcile(l) && l.outcome === "applied", { from: before });
    expect(other).toMatchObject({ trigger: "interval", held: 1, counts: { targetsToAdd: 1 } });
    expect(liveCompanies(h.emulator)).toEqual(["globex"]);
    const ready = await d.get("/readyz");
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({
      ready: true,
      flapping: [{ environment: "Production", flag: "dark-mode", target: "company acme-corp", flips: 3 }],
    });
    expect(await d.metric("reflag_sync_flapping_targets")).toBe(1);
    expect(await d.metric("reflag_sync_drifted_targets")).toBe(1);

    // Over the next 16 polls, a rewrite only when a backoff (2, 4, 8 intervals ...) ends.
    const polls = async () =>
      ((await d.metric('reflag_sync_polls_total{result="moved"}')) ?? 0) +
      ((await d.metric('reflag_sync_polls_total{result="unchanged"}')) ?? 0);
    const patchesBefore = daemonPatches();
    const pollsBefore = await polls();
    let lastRetry = d.lines().length;
    for (;;) {
      // Each rewrite is a reconcile of its own, triggered by the end of the backoff.
      const line = await d.waitFor((l) => isReconcile(l) && l.trigger === "flapping", {
        from: lastRetry,
        timeoutMs: 20_000,
      });
      lastRetry = d.lines().indexOf(line) + 1;
      if ((await polls()) - pollsBefore >= 16) break;
    }
    const rewrites = daemonPatches() - patchesBefore;
    const pollCount = (await polls()) - pollsBefore;
    // Rewriting on every poll would be about one PATCH per poll or two; measured: 4 in 29 polls.
    expect(pollCount).toBeGreaterThanOrEqual(16);
    expect(rewrites).toBeGreaterThanOrEqual(2);
    expect(rewrites).toBeLessThanOrEqual(5);
    expect(rewrites * 4).toBeLessThanOrEqual(pollCount);
    const retried = d.lines().filter((l) => isReconcile(l) && l.trigger === "flapping");
    expect(retried.length).toBe(rewrites);
    // Still one warning: the longer holds are not announced again.
    expect(d.lines().filter((l) => l.level === "warn" && typeof l.flapping === "object")).toHaveLength(1);

    // A new revision that no longer asks for acme-corp ends the fight.
    rival.stop();
    const edit = d.lines().length;
    await writeFile(d.file, darkMode(["globex", "initech"]));
    await d.waitFor((l) => isReconcile(l) && l.trigger === "file" && l.outcome === "applied", { from: edit });
    expect((await d.get("/readyz")).json()).not.toHaveProperty("flapping");
    expect(await d.metric("reflag_sync_flapping_targets")).toBe(0);
  }, 60_000);
});
