// Property: for random desired and live states, applying the plan makes the next plan empty,
// and a plan never holds a no-op change (an add of a present target, a remove of an absent one).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diff } from "../src/plan/diff.js";
import { isEmptyPlan } from "../src/plan/batches.js";
import { targetingKey, type LiveState } from "../src/plan/live-state.js";
import type { Plan } from "../src/plan/model.js";
import { ENVS, desired, expectedAfterApply, flagHeader, live } from "./support/plan-builders.js";

const NOW = new Date("2026-11-26T12:00:00Z");
const ids = fc.array(fc.constantFrom("a", "b", "c", "A", "d e", "x/y", "é", "acme"), { maxLength: 6 });
const timeBound = fc.oneof(
  fc.constantFrom("a", "b", "c", "u"),
  fc.record({
    id: fc.constantFrom("a", "b", "u"),
    until: fc.constantFrom("2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"),
  }),
);
const envTargets = fc.record({
  companies: fc.array(timeBound, { maxLength: 5 }),
  users: fc.array(timeBound, { maxLength: 5 }),
});
const keys = ["f1", "f2", "f3"];
const envIds = ENVS.map((e) => e.id);

const desiredFlags = fc.uniqueArray(
  fc.record({
    key: fc.constantFrom(...keys),
    name: fc.constantFrom("One", "Two"),
    archived: fc.option(fc.boolean(), { nil: undefined }),
    targeting: fc.dictionary(fc.constantFrom(...envIds), envTargets, { maxKeys: 3 }),
  }),
  { selector: (f) => f.key },
);
const liveFlags = fc.dictionary(
  fc.constantFrom(...keys),
  fc.record({
    header: fc.record({ archived: fc.boolean(), name: fc.constantFrom("One", "Old") }),
    targeting: fc.dictionary(
      fc.constantFrom(...envIds),
      fc.record({
        companies: fc.uniqueArray(fc.constantFrom("a", "b", "c", "z"), { maxLength: 4 }),
        users: ids.map((l) => [...new Set(l)]),
      }),
      { maxKeys: 3 },
    ),
  }),
);

/** What the emulator does with a plan, in memory. */
function applyInMemory(plan: Plan, state: LiveState): LiveState {
  const next: LiveState = {
    ...state,
    flags: state.flags.map((f) => ({ ...f })),
    targeting: new Map(state.targeting),
  };
  for (const c of plan.creates) next.flags.push(flagHeader(c.key, { name: c.name }));
  for (const u of plan.updates) {
    const flag = next.flags.find((f) => f.key === u.key)!;
    if (u.body.name !== undefined) flag.name = u.body.name;
    if (u.body.isArchived !== undefined) flag.archived = u.body.isArchived;
  }
  for (const env of plan.environments) {
    for (const c of env.changes) {
      const key = targetingKey(c.flagKey, env.envId);
      const t = next.targeting.get(key) ?? { companies: [], users: [] };
      const list = c.kind === "company" ? t.companies : t.users;
      const updated = c.op === "add" ? [...list, c.id] : list.filter((id) => id !== c.id);
      next.targeting.set(key, c.kind === "company" ? { ...t, companies: updated } : { ...t, users: updated });
    }
  }
  return next;
}

describe("diff properties", () => {
  it("apply then plan is empty, and no change is a no-op", () => {
    fc.assert(
      fc.property(desiredFlags, liveFlags, fc.boolean(), (flags, liveSpec, prune) => {
        const want = desired(flags, prune);
        const have = live(liveSpec);
        const plan = diff(want, have, NOW);
        for (const env of plan.environments) {
          for (const c of env.changes) {
            const t = have.targeting.get(targetingKey(c.flagKey, env.envId)) ?? { companies: [], users: [] };
            const present = (c.kind === "company" ? t.companies : t.users).includes(c.id);
            expect(present).toBe(c.op === "remove");
          }
        }
        const after = applyInMemory(plan, have);
        expect(isEmptyPlan(diff(want, after, NOW))).toBe(true);
        // An independent oracle for every managed list.
        for (const f of want.flags) {
          for (const t of f.targeting) {
            const key = targetingKey(f.key, t.envId);
            const before = have.flags.some((h) => h.key === f.key)
              ? (have.targeting.get(key) ?? { companies: [], users: [] })
              : { companies: [], users: [] };
            const now = after.targeting.get(key) ?? { companies: [], users: [] };
            expect([...now.companies].sort()).toEqual(
              expectedAfterApply(t.companies, before.companies, prune, NOW),
            );
            expect([...now.users].sort()).toEqual(expectedAfterApply(t.users, before.users, prune, NOW));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
