import { readFileSync } from "node:fs";
import { Ajv, type AnySchemaObject } from "ajv";
import { describe, expect, it } from "vitest";
import type { ApplyResult, RequestOutcome } from "../src/apply/model.js";
import { toRequests } from "../src/plan/batches.js";
import type {
  EnvironmentPlan,
  FlagCreate,
  FlagUpdate,
  Plan,
  TargetChange,
  TargetKind,
} from "../src/plan/model.js";
import {
  renderApplyJson,
  renderApplyText,
  renderPlan,
  renderPlanJson,
  renderPlanMarkdown,
  renderPlanText,
  type PlanFormat,
} from "../src/render/index.js";

// Builders: plans as the pure diff would produce them, without running it.

function plan(parts: Partial<Plan> = {}): Plan {
  return {
    appId: "ap123456789",
    appName: "Acme",
    creates: [],
    updates: [],
    environments: [],
    unmanaged: [],
    ...parts,
  };
}

function add(flagKey: string, kind: TargetKind, id: string): TargetChange {
  return { flagKey, kind, id, op: "add" };
}

function prune(flagKey: string, kind: TargetKind, id: string): TargetChange {
  return { flagKey, kind, id, op: "remove", reason: "prune" };
}

function expired(flagKey: string, kind: TargetKind, id: string, expiredAt: string): TargetChange {
  return { flagKey, kind, id, op: "remove", reason: "expired", expiredAt };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Changes sorted like the diff sorts them: flag key, then kind, then id. */
function env(envName: string, changes: TargetChange[]): EnvironmentPlan {
  const sorted = [...changes].sort(
    (a, b) => cmp(a.flagKey, b.flagKey) || cmp(a.kind, b.kind) || cmp(a.id, b.id),
  );
  return { envId: `en${envName.replace(/\W/g, "")}`, envName, changes: sorted };
}

function create(key: string, name: string, extra: Partial<FlagCreate> = {}): FlagCreate {
  return { key, name, ...extra };
}

function archiveAtCreate(key: string): FlagUpdate {
  return { key, body: { isArchived: true }, changes: [{ field: "archived", from: false, to: true }] };
}

const STAGE_BETA = { id: "stBeta", name: "Beta" };

const EMPTY = plan({ unmanaged: ["legacy-banner", "old-pricing"] });

const CREATE_ONLY = plan({
  creates: [create("beta-search", "Beta search", { stage: STAGE_BETA })],
  environments: [env("Staging", [add("beta-search", "company", "acme-corp")])],
});

const MIXED = plan({
  creates: [
    create("beta-search", "Beta search", { stage: STAGE_BETA }),
    create("legacy-export", "Legacy export", { description: "Old CSV export" }),
  ],
  updates: [
    archiveAtCreate("legacy-export"),
    {
      key: "new-checkout-flow",
      flagId: "flCheckout",
      body: { stageId: "stBeta" },
      changes: [{ field: "stage", from: "Internal", to: "Beta" }],
    },
    {
      key: "search-v2",
      flagId: "flSearch",
      body: { name: "Search v2", description: null, isArchived: true },
      changes: [
        { field: "name", from: "Search 2", to: "Search v2" },
        { field: "description", from: "Experimental", to: null },
        { field: "archived", from: false, to: true },
      ],
    },
  ],
  environments: [
    env("Production", [
      add("new-checkout-flow", "company", "globex"),
      prune("new-checkout-flow", "user", "user-9"),
      expired("new-checkout-flow", "company", "initech", "2026-01-31"),
      add("dark-mode", "user", "user-1"),
    ]),
    env("Staging", [
      add("beta-search", "company", "acme-corp"),
      add("new-checkout-flow", "company", "globex"),
    ]),
  ],
  unmanaged: ["legacy-banner"],
});

const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(3, "0")}`);

const HUGE = plan({
  environments: [
    env("Production", [
      ...ids("co", 120).map((id) => add("new-checkout-flow", "company", id)),
      ...ids("user", 15).map((id) => prune("new-checkout-flow", "user", id)),
      ...ids("trial", 12).map((id) => expired("new-checkout-flow", "user", id, "2026-01-31")),
      prune("new-checkout-flow", "company", "zeta"),
      add("dark-mode", "user", "user-1"),
    ]),
  ],
});

const HOSTILE = plan({
  appName: "Acme <b>Corp</b>",
  creates: [create("flag_*x*", "Name with `ticks` | pipes", { stage: { id: "st1", name: "Beta @team" } })],
  environments: [
    env("Prod_EU|1", [
      add("flag_*x*", "company", "a|b<script>alert(1)</script>"),
      add("flag_*x*", "user", "@octocat #1 `x` [l](http://e) $m$"),
      add("flag_*x*", "user", "line\nbreak"),
    ]),
  ],
});

const PLANS: [string, Plan][] = [
  ["empty", EMPTY],
  ["create-only", CREATE_ONLY],
  ["mixed", MIXED],
  ["huge", HUGE],
  ["hostile", HOSTILE],
];

const FORMATS: PlanFormat[] = ["text", "json", "markdown"];

describe("renderPlanText", () => {
  it("says there is nothing to do, with the totals", () => {
    expect(renderPlanText(EMPTY, { color: false, batchSize: 100 })).toMatchInlineSnapshot(`
      "app ap123456789 (Acme)
      No changes. The Reflag app matches the file.
      Plan: 0 flags to create, 0 to change, 0 targets to add, 0 to remove, in 0 environments (0 requests).
      "
    `);
  });

  it("shows a created flag with its metadata and targets", () => {
    expect(renderPlanText(CREATE_ONLY, { color: false, batchSize: 100 })).toMatchInlineSnapshot(`
      "app ap123456789 (Acme)
        + flag beta-search  create: name "Beta search", stage Beta
            Staging   + company acme-corp
      Plan: 1 flag to create, 0 to change, 1 target to add, 0 to remove, in 1 environment (2 requests).
      "
    `);
  });

  it("groups by flag, aligns environments, explains expiries and shows a created-archived flag once", () => {
    expect(renderPlanText(MIXED, { color: false, batchSize: 100 })).toMatchInlineSnapshot(`
      "app ap123456789 (Acme)
        + flag beta-search  create: name "Beta search", stage Beta
            Staging      + company acme-corp
        ~ flag dark-mode
            Production   + user user-1
        + flag legacy-export  create: name "Legacy export", description "Old CSV export", archived true
        ~ flag new-checkout-flow  stage Internal → Beta
            Production   + company globex   - company initech (expired 2026-01-31)   - user user-9
            Staging      + company globex
        ~ flag search-v2  name "Search 2" → "Search v2", description cleared, archived false → true
      Plan: 2 flags to create, 3 to change, 4 targets to add, 2 to remove, in 2 environments (7 requests).
      "
    `);
  });

  it("summarises long target lists with counts", () => {
    expect(renderPlanText(HUGE, { color: false, batchSize: 100 })).toMatchInlineSnapshot(`
      "app ap123456789 (Acme)
        ~ flag dark-mode
            Production   + user user-1
        ~ flag new-checkout-flow
            Production   + 120 companies (co-001, co-002, … and 118 more)
                         - 1 company (zeta)
                         - 15 users (user-001, user-002, … and 13 more)
                         - 12 expired users (trial-001, trial-002, … and 10 more)
      Plan: 0 flags to create, 2 to change, 121 targets to add, 28 to remove, in 1 environment (2 requests).
      "
    `);
  });

  it("summarises at the threshold it is given", () => {
    const text = renderPlanText(CREATE_ONLY, { color: false, batchSize: 100, maxTargetsShown: 1 });
    expect(text).toContain("Staging   + company acme-corp\n");
    const two = plan({ environments: [env("Staging", [add("f", "user", "u1"), add("f", "user", "u2")])] });
    expect(renderPlanText(two, { color: false, batchSize: 100, maxTargetsShown: 1 })).toContain(
      "Staging   + 2 users (u1, u2)\n",
    );
  });

  it("lists unmanaged flags only when asked", () => {
    expect(renderPlanText(MIXED, { color: false, batchSize: 100 })).not.toContain("unmanaged");
    expect(renderPlanText(EMPTY, { color: false, batchSize: 100, showUnmanaged: true })).toContain(
      "  2 live flags not in the file, left alone:\n    legacy-banner old-pricing\n",
    );
  });

  it("colours +, - and ~ when asked", () => {
    const text = renderPlanText(MIXED, { color: true, batchSize: 100 });
    expect(text).toContain("\x1b[32m+ flag beta-search\x1b[0m");
    expect(text).toContain("\x1b[33m~ flag new-checkout-flow\x1b[0m");
    expect(text).toContain("\x1b[31m- user user-9\x1b[0m");
  });

  it.each(PLANS)("writes no colour code when colour is off (%s)", (_name, p) => {
    expect(renderPlanText(p, { color: false, batchSize: 100, showUnmanaged: true })).not.toContain("\x1b");
  });

  it("never passes a control character of an id through to the terminal", () => {
    const evil = plan({
      environments: [env("Production", [add("f", "company", "\x1b[2Jwiped"), add("f", "user", "a b")])],
    });
    const text = renderPlanText(evil, { color: false, batchSize: 100 });
    expect(text).not.toContain("\x1b");
    expect(text).toContain(`+ company "\\u001b[2Jwiped"   + user "a b"`);
  });

  it.each([
    [
      plan(),
      "0 flags to create, 0 to change, 0 targets to add, 0 to remove, in 0 environments (0 requests).",
    ],
    [
      CREATE_ONLY,
      "1 flag to create, 0 to change, 1 target to add, 0 to remove, in 1 environment (2 requests).",
    ],
    // ~ marks new-checkout-flow, search-v2 and dark-mode (targets only): 3 to change.
    [MIXED, "2 flags to create, 3 to change, 4 targets to add, 2 to remove, in 2 environments (7 requests)."],
  ])("ends with the totals in plain English (%#)", (p, sentence) => {
    expect(renderPlanText(p, { color: false, batchSize: 100 }).endsWith(`\nPlan: ${sentence}\n`)).toBe(true);
  });

  it("counts requests at the batch size it is given", () => {
    expect(renderPlanText(HUGE, { color: false, batchSize: 50 })).toContain("(3 requests).");
  });

  it.each([0, -1, 1.5])("refuses a bad batch size or threshold (%s)", (n) => {
    expect(() => renderPlanText(MIXED, { color: false, batchSize: n })).toThrow(RangeError);
    expect(() => renderPlanText(MIXED, { color: false, batchSize: 10, maxTargetsShown: n })).toThrow(
      RangeError,
    );
  });
});

const schema = JSON.parse(
  readFileSync(new URL("../schemas/plan.schema.json", import.meta.url), "utf8"),
) as AnySchemaObject;

function validator(pointer: string) {
  const ajv = new Ajv({ strict: true, allErrors: true });
  ajv.addSchema(schema, "plan.schema.json");
  const validate = ajv.getSchema(`plan.schema.json${pointer}`);
  if (!validate) throw new Error(`no schema at ${pointer}`);
  return (value: unknown) => {
    const ok = validate(value);
    return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

describe("renderPlanJson", () => {
  const validatePlan = validator("");

  it.each(PLANS)("matches schemas/plan.schema.json (%s)", (_name, p) => {
    for (const batchSize of [1, 100]) {
      expect(validatePlan(JSON.parse(renderPlanJson(p, { batchSize })))).toEqual([]);
    }
  });

  it.each([
    ["an unknown key", (j: Record<string, unknown>) => ({ ...j, extra: 1 })],
    ["another format version", (j: Record<string, unknown>) => ({ ...j, formatVersion: 2 })],
    ["a request without its kind", (j: Record<string, unknown>) => ({ ...j, requests: [{ flagKey: "x" }] })],
  ])("is strict enough to reject %s", (_name, spoil) => {
    const json = JSON.parse(renderPlanJson(MIXED, { batchSize: 100 })) as Record<string, unknown>;
    expect(validatePlan(spoil(json))).not.toEqual([]);
  });

  it("lists the changes once and the requests by count", () => {
    expect(renderPlanJson(CREATE_ONLY, { batchSize: 100 })).toMatchInlineSnapshot(`
      "{
        "formatVersion": 1,
        "app": {
          "id": "ap123456789",
          "name": "Acme"
        },
        "changes": {
          "creates": [
            {
              "key": "beta-search",
              "name": "Beta search",
              "stage": {
                "id": "stBeta",
                "name": "Beta"
              }
            }
          ],
          "updates": [],
          "environments": [
            {
              "envId": "enStaging",
              "envName": "Staging",
              "changes": [
                {
                  "flagKey": "beta-search",
                  "kind": "company",
                  "id": "acme-corp",
                  "op": "add"
                }
              ]
            }
          ]
        },
        "unmanaged": [],
        "totals": {
          "flagsToCreate": 1,
          "flagsToUpdate": 0,
          "flagsToChange": 0,
          "targetsToAdd": 1,
          "targetsToRemove": 0,
          "environments": 1,
          "requests": 2
        },
        "requests": [
          {
            "kind": "createFlag",
            "flagKey": "beta-search",
            "body": {
              "key": "beta-search",
              "name": "Beta search",
              "stageId": "stBeta"
            }
          },
          {
            "kind": "targets",
            "envId": "enStaging",
            "envName": "Staging",
            "batch": 1,
            "batches": 1,
            "count": 1
          }
        ],
        "warnings": []
      }
      "
    `);
  });

  it("keeps metadata, reasons and batch numbers", () => {
    const json = JSON.parse(renderPlanJson(MIXED, { batchSize: 2 }));
    expect(json.totals).toEqual({
      flagsToCreate: 2,
      flagsToUpdate: 2,
      flagsToChange: 3,
      targetsToAdd: 4,
      targetsToRemove: 2,
      environments: 2,
      requests: 8,
    });
    expect(json.changes.environments[0].changes).toContainEqual({
      flagKey: "new-checkout-flow",
      kind: "company",
      id: "initech",
      op: "remove",
      reason: "expired",
      expiredAt: "2026-01-31",
    });
    expect(json.requests.map((r: { kind: string; batch?: number }) => `${r.kind}${r.batch ?? ""}`)).toEqual([
      "createFlag",
      "createFlag",
      "updateFlag",
      "targets1",
      "targets2",
      "targets1",
      "updateFlag",
      "updateFlag",
    ]);
  });

  it("is deterministic: key order does not depend on the input's", () => {
    const reordered: Plan = {
      unmanaged: MIXED.unmanaged,
      environments: MIXED.environments.map((e) => ({
        changes: e.changes.map(
          (c) => Object.fromEntries(Object.entries(c).reverse()) as unknown as TargetChange,
        ),
        envName: e.envName,
        envId: e.envId,
      })),
      updates: MIXED.updates,
      creates: MIXED.creates.map(
        (c) => Object.fromEntries(Object.entries(c).reverse()) as unknown as FlagCreate,
      ),
      appName: MIXED.appName,
      appId: MIXED.appId,
    };
    expect(renderPlanJson(reordered, { batchSize: 3 })).toBe(renderPlanJson(MIXED, { batchSize: 3 }));
  });

  it("uses a two-space indent and ends with a newline", () => {
    const json = renderPlanJson(EMPTY, { batchSize: 100 });
    expect(json).toMatch(/^\{\n {2}"formatVersion": 1,\n/);
    expect(json.endsWith("}\n")).toBe(true);
  });
});

describe("plan.schema.json", () => {
  it("describes every property", () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}/${i}`));
      else if (node && typeof node === "object") {
        for (const [key, value] of Object.entries(node)) {
          if (key === "properties") {
            for (const [prop, sub] of Object.entries(value as Record<string, { description?: string }>)) {
              if (!sub.description) missing.push(`${path}/properties/${prop}`);
            }
          }
          walk(value, `${path}/${key}`);
        }
      }
    };
    walk(schema, "#");
    expect(missing).toEqual([]);
  });
});

describe("renderPlanMarkdown", () => {
  it("gives a one-line answer for an empty plan", () => {
    expect(renderPlanMarkdown(EMPTY, { batchSize: 100 })).toMatchInlineSnapshot(`
      "### reflag-sync plan for app Acme (ap123456789)

      No changes. The Reflag app matches the file.

      2 live flags not in the file, left alone: <code>legacy-banner</code>, <code>old-pricing</code>.

      **Plan:** 0 flags to create, 0 to change, 0 targets to add, 0 to remove, in 0 environments (0 requests).
      "
    `);
  });

  it("summarises per environment, lists flags, and folds the targets", () => {
    expect(renderPlanMarkdown(MIXED, { batchSize: 100 })).toMatchInlineSnapshot(`
      "### reflag-sync plan for app Acme (ap123456789)

      | Environment | + companies | - companies | + users | - users |
      | --- | ---: | ---: | ---: | ---: |
      | Production | 1 | 1 | 1 | 1 |
      | Staging | 2 | 0 | 0 | 0 |

      #### Flags

      | Flag | Change |
      | --- | --- |
      | <code>beta-search</code> | create: name <code>Beta search</code>, stage <code>Beta</code> |
      | <code>legacy-export</code> | create: name <code>Legacy export</code>, description <code>Old CSV export</code>, archived true |
      | <code>new-checkout-flow</code> | update: stage <code>Internal</code> → <code>Beta</code> |
      | <code>search-v2</code> | update: name <code>Search 2</code> → <code>Search v2</code>, description cleared, archived false → true |

      #### Targets

      <details><summary><b>Production</b>: 2 to add, 2 to remove</summary>

      | Flag | Add | Remove |
      | --- | --- | --- |
      | <code>dark-mode</code> | user <code>user-1</code> |  |
      | <code>new-checkout-flow</code> | company <code>globex</code> | company <code>initech</code> (expired 2026-01-31)<br>user <code>user-9</code> |

      </details>

      <details><summary><b>Staging</b>: 2 to add, 0 to remove</summary>

      | Flag | Add | Remove |
      | --- | --- | --- |
      | <code>beta-search</code> | company <code>acme-corp</code> |  |
      | <code>new-checkout-flow</code> | company <code>globex</code> |  |

      </details>

      1 live flag not in the file, left alone: <code>legacy-banner</code>.

      **Plan:** 2 flags to create, 3 to change, 4 targets to add, 2 to remove, in 2 environments (7 requests).
      "
    `);
  });

  it("escapes ids so that they cannot break a table or inject HTML", () => {
    const md = renderPlanMarkdown(HOSTILE, { batchSize: 100 });
    expect(md).toMatchInlineSnapshot(`
      "### reflag-sync plan for app Acme &#60;b&#62;Corp&#60;/b&#62; (ap123456789)

      | Environment | + companies | - companies | + users | - users |
      | --- | ---: | ---: | ---: | ---: |
      | Prod&#95;EU&#124;1 | 1 | 0 | 2 | 0 |

      #### Flags

      | Flag | Change |
      | --- | --- |
      | <code>flag&#95;&#42;x&#42;</code> | create: name <code>Name with &#96;ticks&#96; &#124; pipes</code>, stage <code>Beta &#64;team</code> |

      #### Targets

      <details><summary><b>Prod&#95;EU&#124;1</b>: 3 to add, 0 to remove</summary>

      | Flag | Add | Remove |
      | --- | --- | --- |
      | <code>flag&#95;&#42;x&#42;</code> | company <code>a&#124;b&#60;script&#62;alert(1)&#60;/script&#62;</code><br>users <code>&#64;octocat &#35;1 &#96;x&#96; &#91;l&#93;(http://e) &#36;m&#36;</code>, <code>line&#92;u000abreak</code> |  |

      </details>

      **Plan:** 1 flag to create, 0 to change, 3 targets to add, 0 to remove, in 1 environment (2 requests).
      "
    `);
    expect(md).not.toMatch(/<(?!\/?(code|details|summary|b|br|pre)>|details open>)/);
    expect(md).not.toContain("@octocat");
    // Every table row keeps its column count: no user data adds a `|`.
    for (const line of md.split("\n").filter((l) => l.startsWith("|"))) {
      expect([3, 4, 6]).toContain(line.split("|").length - 1);
    }
  });

  it("summarises long id lists in the row and gives the full list folded below the table", () => {
    const md = renderPlanMarkdown(HUGE, { batchSize: 100 });
    expect(md).toContain(
      "| <code>new-checkout-flow</code> | 120 companies: <code>co-001</code>, <code>co-002</code>, <code>co-003</code>, <code>co-004</code>, <code>co-005</code>, <code>co-006</code>, <code>co-007</code>, <code>co-008</code>, <code>co-009</code>, <code>co-010</code>, … and 110 more |",
    );
    expect(md).toContain(
      "<details><summary>All 120 companies to add to <code>new-checkout-flow</code> in Production</summary>",
    );
    expect(md).toContain(`<pre>${ids("co", 120).join("\n")}</pre>`);
    expect(md).toContain("<details><summary>All 15 users to remove from");
    expect(md).not.toContain("Cut to fit");
  });

  it("stays under GitHub's comment limit, with whole rows and closed tags, and says what it cut", () => {
    const many = (flag: string, n: number) =>
      Array.from({ length: n }, (_, i) => add(flag, "company", `customer-${"x".repeat(40)}-${i}`));
    const big = plan({
      environments: [
        { ...env("Production", [...many("checkout", 2000), ...many("search", 2000)]), isProduction: true },
        env("Staging", Array.from({ length: 300 }, (_, i) => many(`flag-${i}`, 3)).flat()),
      ],
      unmanaged: ids("legacy", 206),
    });
    const md = renderPlanMarkdown(big, { batchSize: 100 });
    expect(md.length).toBeLessThanOrEqual(65_000);
    expect(md.split("<details").length).toBe(md.split("</details>").length);
    expect(md.split("<pre>").length).toBe(md.split("</pre>").length);
    for (const line of md.split("\n").filter((l) => l.startsWith("|")))
      expect(line.endsWith(" |")).toBe(true);
    expect(md).toMatch(
      /\*\*Cut to fit 65000 characters:\*\* \d+ target changes, \d+ full id lists not shown here\. `reflag-sync plan --output json` lists every change\./,
    );
    expect(
      md.endsWith(
        `**Plan:** 0 flags to create, 302 to change, 4900 targets to add, 0 to remove, in 2 environments (49 requests).\n`,
      ),
    ).toBe(true);
    // Production comes first and expanded; the others are folded.
    expect(md.indexOf("<details open><summary><b>Production</b> (production)")).toBeGreaterThan(0);
    const small = renderPlanMarkdown(big, { batchSize: 100, maxLength: 5_000 });
    expect(small.length).toBeLessThanOrEqual(5_000);
    expect(small).toContain("**Cut to fit 5000 characters:**");
  });

  it("shows unmanaged flags as a count and the first few keys", () => {
    const md = renderPlanMarkdown(plan({ unmanaged: ids("legacy", 206) }), { batchSize: 100 });
    expect(md).toContain(
      "206 live flags not in the file, left alone: <code>legacy-001</code>, <code>legacy-002</code>, <code>legacy-003</code>, <code>legacy-004</code>, <code>legacy-005</code> and 201 more.",
    );
    expect(md).toContain("<details><summary>All 206 unmanaged flags</summary>");
  });
});

describe("renderPlan", () => {
  it.each(FORMATS)("dispatches to the %s renderer, ending with a newline", (format) => {
    const out = renderPlan(MIXED, format, { batchSize: 100, color: false });
    const direct = {
      text: () => renderPlanText(MIXED, { color: false, batchSize: 100 }),
      json: () => renderPlanJson(MIXED, { batchSize: 100 }),
      markdown: () => renderPlanMarkdown(MIXED, { batchSize: 100 }),
    }[format]();
    expect(out).toBe(direct);
    expect(out.endsWith("\n")).toBe(true);
  });

  it.each(FORMATS)("is colourless by default (%s)", (format) => {
    for (const [, p] of PLANS) expect(renderPlan(p, format, { batchSize: 100 })).not.toContain("\x1b");
  });
});

// Apply results: built from the plan's own requests, so that they are what apply would send.

function applyResult(
  p: Plan,
  batchSize: number,
  failAt: number | undefined,
  error?: RequestOutcome["error"],
): ApplyResult {
  const outcomes = toRequests(p, batchSize).map((request, i): RequestOutcome => {
    if (failAt === undefined || i < failAt) return { request, status: "applied" };
    if (i === failAt) return { request, status: "failed", ...(error ? { error } : {}) };
    return { request, status: "not-sent" };
  });
  return { ok: failAt === undefined, outcomes };
}

const PARTIAL_PLAN = plan({
  creates: [create("beta-search", "Beta search", { stage: STAGE_BETA })],
  updates: [archiveAtCreate("beta-search")],
  environments: [
    env("Development", [
      add("beta-search", "user", "dev-1"),
      add("beta-search", "user", "dev-2"),
      add("dark-mode", "user", "dev-1"),
    ]),
    env("Production", [
      ...ids("co", 12).map((id) => add("beta-search", "company", id)),
      prune("dark-mode", "user", "user-9"),
      expired("dark-mode", "company", "initech", "2026-01-31"),
    ]),
  ],
});
const FAILURE = { status: 503, code: "not_available", message: "Service unavailable, try again" };
// Requests: create, Development 1/1, Production 1/2, Production 2/2, archive update.
const PARTIAL = applyResult(PARTIAL_PLAN, 10, 3, FAILURE);

describe("renderApplyText", () => {
  it("says exactly what was applied and what was not after a failure", () => {
    expect(renderApplyText(PARTIAL, { color: false })).toMatchInlineSnapshot(`
      "✓ created flag beta-search
      ✓ Development batch 1/1: 3 targets (3 added)
          beta-search   + user dev-1   + user dev-2
          dark-mode     + user dev-1
      ✓ Production batch 1/2: 10 targets (10 added)
          beta-search   + company co-001   + company co-002   + company co-003   + company co-004
                        + company co-005   + company co-006   + company co-007   + company co-008
                        + company co-009   + company co-010
      ✗ Production batch 2/2: 4 targets (2 to add, 2 to remove): failed: 503 not_available: Service unavailable, try again
          beta-search   + company co-011   + company co-012
          dark-mode     - company initech (expired 2026-01-31)   - user user-9
      · not sent: update flag beta-search (archived)

      Apply stopped after a failure. Applied: 3 of 5 requests (1 flag created; 13 targets added).
        ✓ created flag beta-search
        ✓ Development batch 1/1: 3 targets (3 added)
        ✓ Production batch 1/2: 10 targets (10 added)
      Not applied: 2 requests (1 flag to update; 4 targets: 2 to add, 2 to remove).
        ✗ failed: Production batch 2/2: 4 targets (2 to add, 2 to remove)
        · not sent: update flag beta-search (archived)
      Run \`reflag-sync apply\` again to converge.
      "
    `);
  });

  it("reports a complete apply in one closing line", () => {
    expect(renderApplyText(applyResult(CREATE_ONLY, 100, undefined), { color: false }))
      .toMatchInlineSnapshot(`
        "✓ created flag beta-search
        ✓ Staging batch 1/1: 1 target (1 added)
            beta-search   + company acme-corp
        Apply complete: 2 of 2 requests applied (1 flag created; 1 target added).
        "
      `);
  });

  it("tells an interrupted apply from a failed one", () => {
    const interrupted: ApplyResult = {
      ok: false,
      outcomes: PARTIAL.outcomes.map((o, i) => (i < 2 ? o : { request: o.request, status: "not-sent" })),
    };
    const text = renderApplyText(interrupted, { color: false });
    expect(text).toContain("Apply stopped before every request was sent. Applied: 2 of 5 requests");
    expect(text).not.toContain("✗");
  });

  it("reports a failure without an HTTP answer", () => {
    const text = renderApplyText(
      applyResult(CREATE_ONLY, 100, 0, { code: "network_error", message: "ECONNRESET" }),
      {
        color: false,
      },
    );
    expect(text).toContain("✗ create flag beta-search: failed: network_error: ECONNRESET\n");
  });

  it("colours the marks only when asked", () => {
    expect(renderApplyText(PARTIAL, { color: true })).toContain("\x1b[31m✗\x1b[0m Production batch 2/2");
    expect(renderApplyText(PARTIAL, { color: false })).not.toContain("\x1b");
  });

  it("has nothing to say about nothing", () => {
    expect(renderApplyText({ ok: true, outcomes: [] }, { color: false })).toBe("Nothing to apply.\n");
  });
});

describe("renderApplyJson", () => {
  const validateApply = validator("#/definitions/applyResult");

  it.each([
    ["partial failure", PARTIAL],
    ["complete", applyResult(MIXED, 2, undefined)],
    ["failed first", applyResult(MIXED, 2, 0, { code: "network_error", message: "ECONNRESET" })],
    ["nothing", { ok: true, outcomes: [] }],
  ])("matches plan.schema.json#/definitions/applyResult (%s)", (_name, result) => {
    expect(validateApply(JSON.parse(renderApplyJson(result)))).toEqual([]);
  });

  it("gives every target of every request its status", () => {
    const json = JSON.parse(renderApplyJson(PARTIAL));
    expect(json.totals).toEqual({
      requests: 5,
      applied: 3,
      failed: 1,
      unknown: 0,
      notSent: 1,
      targetsApplied: 13,
      targetsNotApplied: 4,
      targetsUnknown: 0,
    });
    const targets = json.requests.flatMap(
      (r: { changes?: { id: string; status: string }[] }) => r.changes ?? [],
    );
    expect(targets).toHaveLength(17);
    expect(targets.find((t: { id: string }) => t.id === "initech")).toEqual({
      flagKey: "dark-mode",
      kind: "company",
      id: "initech",
      op: "remove",
      reason: "expired",
      expiredAt: "2026-01-31",
      status: "failed",
    });
  });

  it("renders a failed request in full", () => {
    const failed = { ok: false, outcomes: [PARTIAL.outcomes[3]!] };
    expect(renderApplyJson(failed)).toMatchInlineSnapshot(`
      "{
        "formatVersion": 1,
        "ok": false,
        "totals": {
          "requests": 1,
          "applied": 0,
          "failed": 1,
          "unknown": 0,
          "notSent": 0,
          "targetsApplied": 0,
          "targetsNotApplied": 4,
          "targetsUnknown": 0
        },
        "requests": [
          {
            "kind": "targets",
            "envId": "enProduction",
            "envName": "Production",
            "batch": 2,
            "batches": 2,
            "status": "failed",
            "error": {
              "status": 503,
              "code": "not_available",
              "message": "Service unavailable, try again"
            },
            "changes": [
              {
                "flagKey": "beta-search",
                "kind": "company",
                "id": "co-011",
                "op": "add",
                "status": "failed"
              },
              {
                "flagKey": "beta-search",
                "kind": "company",
                "id": "co-012",
                "op": "add",
                "status": "failed"
              },
              {
                "flagKey": "dark-mode",
                "kind": "company",
                "id": "initech",
                "op": "remove",
                "reason": "expired",
                "expiredAt": "2026-01-31",
                "status": "failed"
              },
              {
                "flagKey": "dark-mode",
                "kind": "user",
                "id": "user-9",
                "op": "remove",
                "reason": "prune",
                "status": "failed"
              }
            ]
          }
        ]
      }
      "
    `);
  });
});
