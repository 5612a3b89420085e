import { describe, expect, it } from "vitest";
import { diff } from "../src/plan/diff.js";
import { countRequests, planTotals, toRequests, toUpdates } from "../src/plan/batches.js";
import type { Plan, TargetChange } from "../src/plan/model.js";

function changes(n: number, flagKey = "f"): TargetChange[] {
  return Array.from({ length: n }, (_, i) => ({
    flagKey,
    kind: "company" as const,
    id: `c${String(i).padStart(5, "0")}`,
    op: "add" as const,
  }));
}

function plan(envSizes: number[], creates = 0, updates = 0): Plan {
  return {
    appId: "ap",
    appName: "App",
    creates: Array.from({ length: creates }, (_, i) => ({ key: `new-${i}`, name: `New ${i}` })),
    updates: Array.from({ length: updates }, (_, i) => ({
      key: `upd-${i}`,
      flagId: `id${i}`,
      body: { name: "x" },
      changes: [{ field: "name" as const, from: "a", to: "x" }],
    })),
    environments: envSizes.map((n, i) => ({ envId: `en${i}`, envName: `Env ${i}`, changes: changes(n) })),
    unmanaged: [],
  };
}

describe("toRequests", () => {
  it.each([
    { sizes: [1], batch: 100, expected: 1 },
    { sizes: [99], batch: 100, expected: 1 },
    { sizes: [100], batch: 100, expected: 1 },
    { sizes: [101], batch: 100, expected: 2 },
    { sizes: [200], batch: 100, expected: 2 },
    { sizes: [201], batch: 100, expected: 3 },
    { sizes: [100, 1, 250], batch: 100, expected: 1 + 1 + 3 },
    { sizes: [5, 5], batch: 1, expected: 10 },
    { sizes: [], batch: 100, expected: 0 },
  ])("$sizes targets at batch size $batch -> $expected target requests", ({ sizes, batch, expected }) => {
    const p = plan(sizes);
    const requests = toRequests(p, batch);
    expect(requests).toHaveLength(expected);
    expect(countRequests(p, batch)).toBe(expected);
    for (const r of requests) if (r.kind === "targets") expect(r.changes.length).toBeLessThanOrEqual(batch);
    // Every change is sent exactly once, in order.
    const sent = requests.flatMap((r) => (r.kind === "targets" ? r.changes : []));
    expect(sent).toEqual(p.environments.flatMap((e) => e.changes));
  });

  it("counts creates + updates + Σ ⌈changes / batch⌉", () => {
    const p = plan([150, 30], 3, 2);
    expect(countRequests(p, 100)).toBe(3 + 2 + 2 + 1);
    expect(toRequests(p, 100)).toHaveLength(8);
    expect(planTotals(p, 100)).toMatchObject({
      flagsToCreate: 3,
      flagsToUpdate: 2,
      targetsToAdd: 180,
      environments: 2,
      requests: 8,
    });
  });

  it("batches across flags within one environment", () => {
    const p = plan([]);
    p.environments = [{ envId: "e", envName: "E", changes: [...changes(60, "a"), ...changes(60, "b")] }];
    const requests = toRequests(p, 100);
    expect(
      requests.map((r) => (r.kind === "targets" ? [r.batch, r.batches, r.changes.length] : null)),
    ).toEqual([
      [1, 2, 100],
      [2, 2, 20],
    ]);
  });

  it("sends creates first, archiving updates last", () => {
    const p = plan([1], 1, 0);
    p.updates = [
      { key: "new-0", body: { isArchived: true }, changes: [] },
      { key: "old", flagId: "id-old", body: { name: "n" }, changes: [] },
    ];
    expect(toRequests(p).map((r) => `${r.kind}:${r.kind === "targets" ? r.envId : r.flagKey}`)).toEqual([
      "createFlag:new-0",
      "updateFlag:old",
      "targets:en0",
      "updateFlag:new-0",
    ]);
  });

  it("maps changes to the API's update shape", () => {
    expect(
      toUpdates([
        { flagKey: "f", kind: "company", id: "c", op: "add" },
        { flagKey: "f", kind: "user", id: "u", op: "remove", reason: "prune" },
      ]),
    ).toEqual([
      { flagKey: "f", value: true, companyId: "c" },
      { flagKey: "f", value: null, userId: "u" },
    ]);
  });

  it("refuses a batch size below 1", () => {
    expect(() => toRequests(plan([1]), 0)).toThrow(RangeError);
  });

  it("an empty diff makes no requests", () => {
    const empty = diff(
      { appId: "ap", prune: true, flags: [] },
      {
        app: { id: "ap", name: "A", flagKeyFormat: "custom", environments: [], stages: [] },
        flags: [],
        targeting: new Map(),
      },
      new Date(0),
    );
    expect(toRequests(empty)).toEqual([]);
  });
});
