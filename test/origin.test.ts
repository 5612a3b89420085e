// labelChanges: each change of a plan is the file's change since the base, or reverts drift. Pure.
import { describe, expect, it } from "vitest";
import { diff } from "../src/plan/diff.js";
import { labelChanges } from "../src/plan/origin.js";
import { reviewWarnings } from "../src/plan/warnings.js";
import { desired, live, type FlagSpec, type LiveFlagSpec } from "./support/plan-builders.js";

const NOW = new Date("2026-06-01T00:00:00Z");

/** "origin op flag kind id" for every target change, and "origin field" for every field change. */
function labels(base: FlagSpec[], head: FlagSpec[], liveFlags: Parameters<typeof live>[0], basePrune = true) {
  const headDesired = desired(head);
  const plan = labelChanges(
    desired(base, basePrune),
    headDesired,
    diff(headDesired, live(liveFlags), NOW),
    NOW,
  );
  return [
    ...plan.creates.map((c) => `${c.origin} create ${c.key}`),
    ...plan.updates.flatMap((u) => u.changes.map((f) => `${f.origin} ${f.field} ${u.key}`)),
    ...plan.environments.flatMap((e) =>
      e.changes.map((c) => `${c.origin} ${c.op} ${c.flagKey} ${c.kind} ${c.id}`),
    ),
  ];
}

describe("labelChanges", () => {
  it.each([
    {
      name: "a target the change adds",
      base: [{ key: "f", targeting: { enProd: { companies: ["a"] } } }],
      head: [{ key: "f", targeting: { enProd: { companies: ["a", "b"] } } }],
      live: { f: { targeting: { enProd: { companies: ["a"] } } } },
      want: ["change add f company b"],
    },
    {
      name: "a target added by hand, removed by prune: drift",
      base: [{ key: "f", targeting: { enProd: { companies: ["a"] } } }],
      head: [{ key: "f", targeting: { enProd: { companies: ["a"] } } }],
      live: { f: { targeting: { enProd: { companies: ["a", "x"] } } } },
      want: ["drift remove f company x"],
    },
    {
      name: "the same, but the base did not prune: the change turns pruning on",
      base: [{ key: "f", targeting: { enProd: { companies: ["a"] } } }],
      head: [{ key: "f", targeting: { enProd: { companies: ["a"] } } }],
      live: { f: { targeting: { enProd: { companies: ["a", "x"] } } } },
      basePrune: false,
      want: ["change remove f company x"],
    },
    {
      name: "a target removed by hand, added back: drift",
      base: [{ key: "f", targeting: { enProd: { users: ["u"] } } }],
      head: [{ key: "f", targeting: { enProd: { users: ["u"] } } }],
      live: { f: {} },
      want: ["drift add f user u"],
    },
    {
      name: "an environment the base did not manage: the change starts managing it",
      base: [{ key: "f", targeting: {} }],
      head: [{ key: "f", targeting: { enStaging: { companies: [] } } }],
      live: { f: { targeting: { enStaging: { companies: ["x"] } } } },
      want: ["change remove f company x"],
    },
    {
      name: "a target the change removes from the file",
      base: [{ key: "f", targeting: { enProd: { companies: ["a", "b"] } } }],
      head: [{ key: "f", targeting: { enProd: { companies: ["a"] } } }],
      live: { f: { targeting: { enProd: { companies: ["a", "b"] } } } },
      want: ["change remove f company b"],
    },
    {
      name: "a target that expired in both revisions: they agree",
      base: [
        { key: "f", targeting: { enProd: { companies: [{ id: "t", until: "2026-01-01T00:00:00.000Z" }] } } },
      ],
      head: [
        { key: "f", targeting: { enProd: { companies: [{ id: "t", until: "2026-01-01T00:00:00.000Z" }] } } },
      ],
      live: { f: { targeting: { enProd: { companies: ["t"] } } } },
      want: ["drift remove f company t"],
    },
    {
      name: "a flag deleted by hand is re-created (drift); a new flag is the change",
      base: [{ key: "old", name: "Old" }],
      head: [
        { key: "old", name: "Old" },
        { key: "new", name: "New" },
      ],
      live: {},
      want: ["change create new", "drift create old"],
    },
    {
      name: "a field edited by hand (drift) and a field the change edits",
      base: [{ key: "f", name: "F", description: "d" }],
      head: [{ key: "f", name: "F2", description: "d" }],
      live: { f: { header: { name: "F", description: "edited" } } },
      want: ["change name f", "drift description f"],
    },
    {
      name: "a field the base did not enforce",
      base: [{ key: "f" }],
      head: [{ key: "f", archived: true }],
      live: { f: {} },
      want: ["change archived f"],
    },
  ])("$name", ({ base, head, live: liveFlags, basePrune, want }) => {
    expect(
      labels(base as FlagSpec[], head as FlagSpec[], liveFlags as Record<string, LiveFlagSpec>, basePrune),
    ).toEqual(want);
  });

  it("warns about the drift in one plain sentence, and not about expiries", () => {
    const head = desired([{ key: "f", targeting: { enProd: { companies: ["a", "b"], users: ["u"] } } }]);
    const plan = labelChanges(
      head,
      head,
      diff(head, live({ f: { targeting: { enProd: { companies: ["x", "y", "z"], users: ["u"] } } } }), NOW),
      NOW,
    );
    expect(reviewWarnings(plan)).toEqual([
      {
        code: "drift",
        message:
          "applying this will also remove 3 targets that were added outside git and add back 2 targets that were removed outside git",
      },
    ]);
  });
});
