// The reconcile loop in process, with fakes for the files, the core and the environments poll: how
// triggers merge, what a refused revision waits for, and what a poll costs.
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/daemon/logger.js";
import { expectedVersions, ReconcileLoop, type ReconcileRequest, type Versions } from "../src/daemon/loop.js";
import type { RequestOutcome } from "../src/apply/model.js";
import type { WriteRequest } from "../src/plan/batches.js";
import { DaemonMetrics } from "../src/daemon/metrics.js";
import { DaemonState } from "../src/daemon/state.js";
import { DEFAULT_POLICY, type DesiredState } from "../src/desired/model.js";
import type { LoadedRevision, Outcome, ReconcileResult } from "../src/reconcile/index.js";

const AT = { file: "flags.yaml", line: 1, col: 1 };
const COUNTS = {
  flagsToCreate: 0,
  flagsToUpdate: 0,
  flagsToChange: 0,
  targetsToAdd: 0,
  targetsToRemove: 0,
  environments: 0,
  requests: 0,
  changes: 0,
};

function desired(): DesiredState {
  return {
    app: "ap1",
    appAt: AT,
    policy: DEFAULT_POLICY,
    environments: {},
    flags: [],
    files: ["flags.yaml"],
  };
}

/** A loop over fakes; `outcome` decides each reconcile's result, `gate` holds a reconcile open. */
function harness(options: { versions?: () => Versions; outcome?: () => Outcome } = {}) {
  let revision = "r1";
  const runs: ReconcileRequest[] = [];
  let polls = 0;
  let gate: Promise<void> | undefined;
  let idle: () => void = () => undefined;
  const loop = new ReconcileLoop({
    load: async (): Promise<LoadedRevision> => ({ ok: true, desired: desired(), revision, diagnostics: [] }),
    reconcile: async (request) => {
      runs.push(request);
      await gate;
      const result: ReconcileResult = {
        trigger: request.trigger,
        revision: request.revision,
        startedAt: new Date().toISOString(),
        durationMs: 1,
        outcome: options.outcome?.() ?? "in-sync",
        counts: COUNTS,
        requests: { reads: 1, writes: 0, retries: 0 },
        diagnostics: [],
        warnings: [],
      };
      setImmediate(() => idle());
      return result;
    },
    environmentVersions: async () => {
      polls++;
      return options.versions?.() ?? new Map([["en1", 1]]);
    },
    log: createLogger({ write: () => undefined, format: "json", secrets: [] }),
    metrics: new DaemonMetrics(),
    state: new DaemonState(true),
    now: () => new Date(),
    random: () => 0,
    intervalMs: 3_600_000,
    fullResyncMs: 36_000_000,
    selfHeal: true,
    settleMs: 0,
  });
  return {
    loop,
    runs,
    polls: () => polls,
    setRevision: (r: string) => (revision = r),
    hold: () => {
      let release: () => void = () => undefined;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
    /** Resolves after the next reconcile has returned and the loop had a turn to act on it. */
    reconciled: () => new Promise<void>((resolve) => (idle = resolve)),
    /** Resolves once the loop has nothing in flight (a wake without a reconcile included). */
    settled: async () => {
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe("reconcile loop", () => {
  it("merges the triggers that arrive during a reconcile into one follow-up", async () => {
    const h = harness();
    const release = h.hold();
    h.loop.start();
    await h.settled();
    expect(h.runs.map((r) => r.trigger)).toEqual(["start"]);
    h.setRevision("r2");
    for (let i = 0; i < 5; i++) h.loop.wake("file");
    h.loop.wake("interval");
    h.loop.wake("expiry");
    const done = h.reconciled();
    release();
    await done;
    await h.reconciled();
    await h.settled();
    expect(h.runs.map((r) => [r.trigger, r.revision])).toEqual([
      ["start", "r1"],
      ["file", "r2"],
    ]);
    await h.loop.stop();
  });

  it("costs one environments request per poll while nothing moves", async () => {
    const h = harness();
    h.loop.start();
    await h.reconciled();
    await h.settled();
    const polls = h.polls();
    for (let i = 0; i < 10; i++) {
      h.loop.wake("interval");
      await h.settled();
    }
    expect(h.polls() - polls).toBe(10);
    expect(h.runs).toHaveLength(1);
    await h.loop.stop();
  });

  it("reads the live state on every poll when the API leaves flagStateVersion out", async () => {
    const h = harness({ versions: () => new Map([["en1", undefined]]) });
    h.loop.start();
    await h.reconciled();
    for (let i = 0; i < 3; i++) {
      const done = h.reconciled();
      h.loop.wake("interval");
      await done;
    }
    expect(h.runs.map((r) => r.trigger)).toEqual(["start", "interval", "interval", "interval"]);
    await h.loop.stop();
  });

  it("does not retry a refused revision on polls or expiries; a new revision is tried at once", async () => {
    let outcome: Outcome = "refused";
    let version = 1;
    const h = harness({ outcome: () => outcome, versions: () => new Map([["en1", version++]]) });
    h.loop.start();
    await h.reconciled();
    h.loop.wake("interval");
    h.loop.wake("expiry");
    await h.settled();
    expect(h.runs).toHaveLength(1);
    outcome = "applied";
    h.setRevision("r2");
    const done = h.reconciled();
    h.loop.wake("file");
    await done;
    expect(h.runs.map((r) => [r.trigger, r.revision])).toEqual([
      ["start", "r1"],
      ["file", "r2"],
    ]);
    await h.loop.stop();
  });

  it.each<[string, RequestOutcome["status"][], Record<string, number> | undefined]>([
    // The flag update moves every environment once.
    ["one target request per environment it wrote", ["applied", "applied"], { en1: 13, en2: 21 }],
    ["nothing for a request not applied", ["applied", "failed"], { en1: 12, en2: 21 }],
    ["no guess when an answer was lost", ["applied", "unknown"], undefined],
  ])("expects the versions after its own apply: %s", (_name, statuses, expected) => {
    const target = (envId: string): WriteRequest => ({
      kind: "targets",
      envId,
      envName: envId,
      batch: 1,
      batches: 1,
      changes: [],
    });
    const outcomes: RequestOutcome[] = [
      {
        request: { kind: "updateFlag", flagKey: "a", flagId: "fl1", body: { name: "A" } },
        status: "applied",
      },
      { request: target("en1"), status: statuses[0]! },
      { request: target("en1"), status: statuses[1]! },
    ];
    const before: Versions = new Map([
      ["en1", 10],
      ["en2", 20],
      ["en3", undefined],
    ]);
    const after = expectedVersions(before, { ok: false, outcomes });
    expect(after && Object.fromEntries([...after].filter(([, v]) => v !== undefined))).toEqual(expected);
    expect(after?.get("en3")).toBeUndefined();
  });
});
