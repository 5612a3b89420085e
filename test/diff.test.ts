import { describe, expect, it } from "vitest";
import { diff } from "../src/plan/diff.js";
import { targetingKey } from "../src/plan/live-state.js";
import type { Plan } from "../src/plan/model.js";
import { STAGES, desired, live, type FlagSpec, type LiveFlagSpec } from "./support/plan-builders.js";

const NOW = new Date("2026-11-26T12:00:00Z");

/** One line per change, in plan order: "Production +company acme (expired)". */
function lines(plan: Plan): string[] {
  return plan.environments.flatMap((env) =>
    env.changes.map(
      (c) =>
        `${env.envName} ${c.op === "add" ? "+" : "-"}${c.kind} ${c.flagKey}/${c.id}${c.reason === "expired" ? " (expired)" : ""}`,
    ),
  );
}

interface Case {
  name: string;
  flags: FlagSpec[];
  live: Record<string, LiveFlagSpec>;
  prune?: boolean;
  now?: Date;
  changes?: string[];
  creates?: string[];
  updates?: Array<{ key: string; body: object }>;
  unmanaged?: string[];
}

const many = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);

const cases: Case[] = [
  { name: "nothing managed, nothing to do", flags: [], live: { a: {} }, changes: [], unmanaged: ["a"] },
  {
    name: "in sync",
    flags: [{ key: "a", targeting: { enProd: { companies: ["x"] } } }],
    live: { a: { targeting: { enProd: { companies: ["x"] } } } },
    changes: [],
  },
  {
    name: "adds a missing company",
    flags: [{ key: "a", targeting: { enProd: { companies: ["x", "y"] } } }],
    live: { a: { targeting: { enProd: { companies: ["x"] } } } },
    changes: ["Production +company a/y"],
  },
  {
    name: "adds a missing user",
    flags: [{ key: "a", targeting: { enProd: { users: ["u1"] } } }],
    live: { a: {} },
    changes: ["Production +user a/u1"],
  },
  {
    name: "prunes a company not in the file",
    flags: [{ key: "a", targeting: { enProd: { companies: ["x"] } } }],
    live: { a: { targeting: { enProd: { companies: ["x", "z"] } } } },
    changes: ["Production -company a/z"],
  },
  {
    name: "without prune keeps extra targets",
    prune: false,
    flags: [{ key: "a", targeting: { enProd: { companies: ["x"] } } }],
    live: { a: { targeting: { enProd: { companies: ["x", "z"] } } } },
    changes: [],
  },
  {
    name: "without prune still adds",
    prune: false,
    flags: [{ key: "a", targeting: { enProd: { companies: ["y"] } } }],
    live: { a: { targeting: { enProd: { companies: ["z"] } } } },
    changes: ["Production +company a/y"],
  },
  {
    name: "an omitted list in a listed environment means none",
    flags: [{ key: "a", targeting: { enProd: { companies: ["x"] } } }],
    live: { a: { targeting: { enProd: { companies: ["x"], users: ["u1"] } } } },
    changes: ["Production -user a/u1"],
  },
  {
    name: "an environment not listed is left alone",
    flags: [{ key: "a", targeting: { enProd: { companies: ["x"] } } }],
    live: { a: { targeting: { enProd: { companies: ["x"] }, enStaging: { companies: ["q"] } } } },
    changes: [],
  },
  {
    name: "a flag not in the file is left alone",
    flags: [{ key: "a" }],
    live: { a: {}, b: { targeting: { enProd: { companies: ["q"] } } } },
    changes: [],
    unmanaged: ["b"],
  },
  {
    name: "an empty list prunes everything in that environment",
    flags: [{ key: "a", targeting: { enProd: { companies: [] } } }],
    live: { a: { targeting: { enProd: { companies: ["x", "y"] } } } },
    changes: ["Production -company a/x", "Production -company a/y"],
  },
  {
    name: "a flag missing live is created, then targeted",
    flags: [{ key: "new", name: "New", targeting: { enStaging: { companies: ["x"] } } }],
    live: {},
    creates: ["new"],
    changes: ["Staging +company new/x"],
  },
  {
    name: "a flag created archived is updated after its create",
    flags: [{ key: "new", name: "New", archived: true }],
    live: {},
    creates: ["new"],
    updates: [{ key: "new", body: { isArchived: true } }],
  },
  {
    name: "archives a live flag",
    flags: [{ key: "a", archived: true }],
    live: { a: {} },
    updates: [{ key: "a", body: { isArchived: true } }],
  },
  {
    name: "unarchives a live flag",
    flags: [{ key: "a", archived: false }],
    live: { a: { header: { archived: true } } },
    updates: [{ key: "a", body: { isArchived: false } }],
  },
  {
    name: "archived absent in the file is not enforced",
    flags: [{ key: "a" }],
    live: { a: { header: { archived: true } } },
    updates: [],
  },
  {
    name: "only metadata given is enforced",
    flags: [{ key: "a", name: "Renamed" }],
    live: { a: { header: { name: "Old", description: "kept" } } },
    updates: [{ key: "a", body: { name: "Renamed" } }],
  },
  {
    name: "description set and cleared",
    flags: [
      { key: "a", description: "New text" },
      { key: "b", description: null },
    ],
    live: { a: { header: { description: "Old" } }, b: { header: { description: "Gone" } } },
    updates: [
      { key: "a", body: { description: "New text" } },
      { key: "b", body: { description: null } },
    ],
  },
  {
    name: "clearing an absent description is a no-op",
    flags: [
      { key: "a", description: null },
      { key: "b", description: "" },
    ],
    live: { a: {}, b: {} },
    updates: [],
  },
  {
    name: "stage moves by id",
    flags: [{ key: "a", stage: { id: "stGA", name: "General availability" } }],
    live: { a: { header: { stage: STAGES[0] } } },
    updates: [{ key: "a", body: { stageId: "stGA" } }],
  },
  {
    name: "same stage is no change",
    flags: [{ key: "a", stage: { id: "stBeta", name: "Beta" } }],
    live: { a: { header: { stage: STAGES[0] } } },
    updates: [],
  },
  {
    name: "duplicate targets in the file count once",
    flags: [{ key: "a", targeting: { enProd: { companies: ["x", "x"] } } }],
    live: { a: {} },
    changes: ["Production +company a/x"],
  },
  {
    name: "ids are case-sensitive",
    flags: [{ key: "a", targeting: { enProd: { companies: ["Acme"] } } }],
    live: { a: { targeting: { enProd: { companies: ["acme"] } } } },
    changes: ["Production +company a/Acme", "Production -company a/acme"],
  },
  {
    name: "a company and a user may share an id",
    flags: [{ key: "a", targeting: { enProd: { companies: ["same"] } } }],
    live: { a: { targeting: { enProd: { users: ["same"] } } } },
    changes: ["Production +company a/same", "Production -user a/same"],
  },
  {
    name: "an expired target is removed and says why",
    flags: [
      { key: "a", targeting: { enProd: { companies: [{ id: "x", until: "2026-11-01T00:00:00.000Z" }] } } },
    ],
    live: { a: { targeting: { enProd: { companies: ["x"] } } } },
    changes: ["Production -company a/x (expired)"],
  },
  {
    name: "an expired target is not removed without prune, like any absent target",
    prune: false,
    flags: [
      { key: "a", targeting: { enProd: { companies: [{ id: "x", until: "2026-11-01T00:00:00.000Z" }] } } },
    ],
    live: { a: { targeting: { enProd: { companies: ["x"] } } } },
    changes: [],
  },
  {
    name: "an expired target absent live is not added",
    flags: [
      { key: "a", targeting: { enProd: { companies: [{ id: "x", until: "2026-11-01T00:00:00.000Z" }] } } },
    ],
    live: { a: {} },
    changes: [],
  },
  {
    name: "a future time-bound target is added",
    flags: [{ key: "a", targeting: { enProd: { users: [{ id: "u", until: "2027-01-01T00:00:00.000Z" }] } } }],
    live: { a: {} },
    changes: ["Production +user a/u"],
  },
  {
    name: "expiry is exclusive: at `until` the target is gone",
    now: new Date("2027-01-01T00:00:00.000Z"),
    flags: [{ key: "a", targeting: { enProd: { users: [{ id: "u", until: "2027-01-01T00:00:00.000Z" }] } } }],
    live: { a: { targeting: { enProd: { users: ["u"] } } } },
    changes: ["Production -user a/u (expired)"],
  },
  {
    name: "a plain and an expired entry of one id: the plain one wins",
    flags: [
      {
        key: "a",
        targeting: { enProd: { companies: ["x", { id: "x", until: "2020-01-01T00:00:00.000Z" }] } },
      },
    ],
    live: { a: { targeting: { enProd: { companies: ["x"] } } } },
    changes: [],
  },
  {
    name: "changes are sorted by environment, flag, kind and id",
    flags: [
      { key: "b", targeting: { enStaging: { users: ["u2", "u1"] }, enProd: { companies: ["c"] } } },
      { key: "a", targeting: { enStaging: { companies: ["z", "m"] } } },
    ],
    live: { a: {}, b: {} },
    changes: [
      "Production +company b/c",
      "Staging +company a/m",
      "Staging +company a/z",
      "Staging +user b/u1",
      "Staging +user b/u2",
    ],
  },
  {
    name: "huge lists diff in both directions",
    flags: [{ key: "a", targeting: { enProd: { companies: many("c", 3000) } } }],
    live: {
      a: { targeting: { enProd: { companies: [...many("c", 3000).slice(1000), ...many("old", 2)] } } },
    },
    changes: [
      ...many("c", 1000).map((id) => `Production +company a/${id}`),
      "Production -company a/old-0000",
      "Production -company a/old-0001",
    ],
  },
];

describe("diff", () => {
  it.each(cases)("$name", (c) => {
    const have = live(c.live);
    const plan = diff(desired(c.flags, c.prune ?? true), have, c.now ?? NOW);
    // What a case does not list, it expects none of.
    expect(lines(plan)).toEqual(c.changes ?? []);
    expect(plan.creates.map((f) => f.key)).toEqual(c.creates ?? []);
    expect(plan.updates.map((u) => ({ key: u.key, body: u.body }))).toEqual(c.updates ?? []);
    if (c.unmanaged) expect(plan.unmanaged).toEqual(c.unmanaged);
    // Never a no-op: an environment has changes, an add is absent live, a remove is present live.
    for (const env of plan.environments) {
      expect(env.changes.length).toBeGreaterThan(0);
      for (const change of env.changes) {
        const t = have.targeting.get(targetingKey(change.flagKey, env.envId)) ?? { companies: [], users: [] };
        expect((change.kind === "company" ? t.companies : t.users).includes(change.id)).toBe(
          change.op === "remove",
        );
      }
    }
  });

  it("is deterministic: the same input gives the same plan", () => {
    const d = desired([
      { key: "a", targeting: { enProd: { companies: ["x", "y"] }, enStaging: { users: ["u"] } } },
    ]);
    const l = live({ a: { targeting: { enProd: { companies: ["z"] } } } });
    expect(diff(d, l, NOW)).toEqual(diff(d, l, NOW));
  });

  it("creates carry name, description and stage", () => {
    const plan = diff(
      desired([{ key: "n", name: "N", description: "D", stage: { id: "stBeta", name: "Beta" } }]),
      live({}),
      NOW,
    );
    expect(plan.creates).toEqual([
      { key: "n", name: "N", description: "D", stage: { id: "stBeta", name: "Beta" } },
    ]);
  });

  it("a metadata update names what changes, readably", () => {
    const plan = diff(
      desired([{ key: "a", stage: { id: "stGA", name: "General availability" }, archived: true }]),
      live({ a: { header: { stage: STAGES[0] } } }),
      NOW,
    );
    expect(plan.updates[0]?.changes).toEqual([
      { field: "stage", from: "Beta", to: "General availability" },
      { field: "archived", from: false, to: true },
    ]);
    expect(plan.updates[0]?.flagId).toBe("fl_a");
  });
});
