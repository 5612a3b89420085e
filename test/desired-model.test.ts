// The desired state that loading produces: merge, aliases, anchors, positions, defaults, expiry.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { countTargets, loadDesired, validateDocuments } from "../src/desired/index.js";
import type { DesiredState } from "../src/desired/model.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const FIXTURES = join(import.meta.dirname, "fixtures/desired");
const yaml = (...lines: string[]): string => `${lines.join("\n")}\n`;

function validState(text: string, now = NOW): DesiredState {
  const { state, diagnostics } = validateDocuments([{ file: "f.yaml", text }], { now });
  expect(diagnostics).toEqual([]);
  if (!state) throw new Error("no state");
  return state;
}

describe("desired state", () => {
  it("keeps every field with its position, resolves aliases and applies policy defaults", () => {
    const state = validState(
      yaml(
        "version: 1",
        "app: ap123456789",
        "changeDescription: Synced from git",
        "notifications: []",
        "environments:",
        "  prod: Production",
        "flags:",
        "  new-checkout-flow:",
        "    name: New checkout flow",
        "    description: null",
        "    stage: Beta",
        "    archived: false",
        "    targeting:",
        "      prod:",
        "        companies: [acme-corp, { id: globex, until: 2026-12-31 }]",
        "      Staging: {}",
      ),
    );
    expect(state).toEqual({
      app: "ap123456789",
      appAt: { file: "f.yaml", line: 2, col: 6 },
      changeDescription: "Synced from git",
      notifications: [],
      policy: { prune: true, maxChanges: 500, maxRemovalShare: 0.5 },
      environments: { prod: { ref: "Production", at: { file: "f.yaml", line: 6, col: 9 } } },
      flags: [
        {
          key: "new-checkout-flow",
          at: { file: "f.yaml", line: 8, col: 3 },
          name: "New checkout flow",
          description: null,
          stage: { ref: "Beta", at: { file: "f.yaml", line: 11, col: 12 } },
          archived: false,
          targeting: [
            {
              key: "prod",
              ref: "Production",
              at: { file: "f.yaml", line: 14, col: 7 },
              companies: [
                { id: "acme-corp", at: { file: "f.yaml", line: 15, col: 21 } },
                {
                  id: "globex",
                  until: "2027-01-01T00:00:00.000Z",
                  untilText: "2026-12-31",
                  at: { file: "f.yaml", line: 15, col: 38 },
                },
              ],
              users: [],
            },
            {
              key: "Staging",
              ref: "Staging",
              at: { file: "f.yaml", line: 16, col: 7 },
              companies: [],
              users: [],
            },
          ],
        },
      ],
      files: ["f.yaml"],
    });
    expect(Object.getPrototypeOf(state.environments)).toBeNull();
  });

  it("leaves out what the file does not say, and sorts flags by key", () => {
    const state = validState(
      yaml("version: 1", "app: ap1", "flags:", "  zeta: {}", "  alpha:", "    stage: Beta"),
    );
    expect(state.flags).toEqual([
      {
        key: "alpha",
        at: { file: "f.yaml", line: 5, col: 3 },
        stage: { ref: "Beta", at: { file: "f.yaml", line: 6, col: 12 } },
        targeting: [],
      },
      { key: "zeta", at: { file: "f.yaml", line: 4, col: 3 }, targeting: [] },
    ]);
    expect(state.changeDescription).toBeUndefined();
    expect(state.notifications).toBeUndefined();
  });

  it("expands anchors and aliases, pointing at the anchored list", () => {
    const state = validState(
      yaml(
        "version: 1",
        "app: ap1",
        "anchors:",
        "  beta: &beta [acme-corp, globex]",
        "flags:",
        "  a:",
        "    targeting:",
        "      Production: { companies: *beta }",
        "      Staging: { companies: *beta, users: [u1] }",
      ),
    );
    const [flag] = state.flags;
    expect(flag?.targeting.map((t) => t.companies.map((c) => `${c.id}@${c.at.line}:${c.at.col}`))).toEqual([
      ["acme-corp@4:16", "globex@4:27"],
      ["acme-corp@4:16", "globex@4:27"],
    ]);
    expect(countTargets(state)).toBe(5);
  });

  it("warns about a plainly repeated target and ignores the repeat", () => {
    const { state, diagnostics } = validateDocuments(
      [
        {
          file: "f.yaml",
          text: yaml(
            "version: 1",
            "app: ap1",
            "flags:",
            "  a:",
            "    targeting:",
            "      P:",
            "        users: [u1, u2, u1]",
          ),
        },
      ],
      { now: NOW },
    );
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} ${d.code}`)).toEqual([
      "7:25 warning duplicate-target",
    ]);
    expect(state?.flags[0]?.targeting[0]?.users.map((u) => u.id)).toEqual(["u1", "u2"]);
  });

  it("merges a directory: sorted *.yaml and *.yml files, no dot-files, no sub-directories", async () => {
    const { state, diagnostics } = await loadDesired(["split"], { cwd: FIXTURES, now: NOW });
    expect(diagnostics).toEqual([]);
    expect(state?.files).toEqual(["split/10-settings.yaml", "split/20-checkout.yaml", "split/30-search.yml"]);
    expect(state?.app).toBe("ap123456789");
    expect(state?.appAt).toEqual({ file: "split/10-settings.yaml", line: 2, col: 6 });
    expect(state?.policy).toEqual({ prune: false, maxChanges: 50, maxRemovalShare: 0.5 });
    expect(state?.changeDescription).toBe("From the split fixture");
    expect(state?.flags.map((f) => [f.key, f.targeting.map((t) => t.ref)])).toEqual([
      ["beta-search", ["Staging"]],
      ["new-checkout-flow", ["Production"]],
    ]);
  });

  it("reads a file given twice once", async () => {
    const { state, diagnostics } = await loadDesired(
      ["split", "split/20-checkout.yaml", "./split/20-checkout.yaml"],
      {
        cwd: FIXTURES,
        now: NOW,
      },
    );
    expect(diagnostics).toEqual([]);
    expect(state?.files).toHaveLength(3);
  });

  it("sorts diagnostics by file, line and col", async () => {
    const { diagnostics } = validateDocuments(
      [
        { file: "b.yaml", text: yaml("version: 1", "flags:", '  "": {}', "  x:", "    bad: 1") },
        { file: "a.yaml", text: yaml("version: 1", "app: ap1", "nope: 1") },
      ],
      { now: NOW },
    );
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.col}`)).toEqual([
      "a.yaml:3:1",
      "b.yaml:3:3",
      "b.yaml:5:5",
    ]);
  });

  it("treats string keys that look like numbers or booleans as text", () => {
    const state = validState(
      yaml("version: 1", "app: ap1", "flags:", "  404:", "    targeting:", "      true: { users: ['42'] }"),
    );
    expect(state.flags[0]?.key).toBe("404");
    expect(state.flags[0]?.targeting[0]?.ref).toBe("true");
  });
});

describe("time-bound targets", () => {
  const file = yaml(
    "version: 1",
    "app: ap1",
    "flags:",
    "  a:",
    "    targeting:",
    "      P:",
    "        companies:",
    "          - { id: past, until: 2026-05-31 }",
    "          - { id: soon, until: 2026-06-03T12:00:00Z }",
    "          - { id: later, until: 2026-07-01 }",
    "          - { id: offset, until: '2026-06-01T14:00:00+02:00' }",
  );

  it("warns about expired targets and those expiring within the window, with the injected clock", () => {
    const { state, diagnostics } = validateDocuments([{ file: "f.yaml", text: file }], { now: NOW });
    expect(state).toBeDefined();
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.code}: ${d.message}`)).toEqual([
      "8:19 expired-target: company 'past' of flag 'a' in 'P' expired (until 2026-05-31): it is no longer desired; delete the entry",
      "9:19 expiring-target: company 'soon' of flag 'a' in 'P' expires in 2 days (until 2026-06-03T12:00:00Z)",
      "11:19 expired-target: company 'offset' of flag 'a' in 'P' expired (until 2026-06-01T14:00:00+02:00): it is no longer desired; delete the entry",
    ]);
    expect(state?.flags[0]?.targeting[0]?.companies.map((c) => c.until)).toEqual([
      "2026-06-01T00:00:00.000Z",
      "2026-06-03T12:00:00.000Z",
      "2026-07-02T00:00:00.000Z",
      "2026-06-01T12:00:00.000Z",
    ]);
  });

  it("takes the warning window as an option", () => {
    const { diagnostics } = validateDocuments([{ file: "f.yaml", text: file }], {
      now: NOW,
      warnExpiringMs: 31 * 86_400_000,
    });
    expect(diagnostics.map((d) => d.code)).toEqual([
      "expired-target",
      "expiring-target",
      "expiring-target",
      "expired-target",
    ]);
  });

  it("lets a date-only until last through that whole UTC day", () => {
    const lastMoment = new Date("2026-05-31T23:59:59.999Z");
    const { diagnostics } = validateDocuments([{ file: "f.yaml", text: file }], {
      now: lastMoment,
      warnExpiringMs: 0,
    });
    expect(diagnostics.filter((d) => d.code === "expired-target")).toEqual([]);
  });

  it("says that an expired target stays in Reflag when prune is off", () => {
    const text = [
      "version: 1",
      "app: ap1",
      "policy: { prune: false }",
      "flags:",
      "  a:",
      "    targeting:",
      "      P:",
      "        users: [{ id: u1, until: 2026-01-01 }]",
    ].join("\n");
    const { diagnostics } = validateDocuments([{ file: "f.yaml", text }], { now: NOW });
    const warning = diagnostics.find((d) => d.code === "expired-target");
    expect(warning).toMatchObject({ severity: "warning", line: 8, col: 23 });
    expect(warning?.message).toContain("with policy.prune off it is not removed from Reflag");
  });
});
