// The three plan forms and the apply report as a user sees them, pinned as inline snapshots.
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import { runCli, writeFiles } from "./support/cli.js";

let emulator: RunningEmulator;
let env: Record<string, string>;
let file: string;

beforeEach(async () => {
  emulator = await startTestEmulator({ now: () => new Date("2026-11-26T12:00:00Z") });
  env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
  const dir = await writeFiles({
    "flags.yaml": `version: 1
app: apDemoApp01
environments:
  prod: Production
flags:
  new-checkout-flow:
    stage: Beta
    targeting:
      prod:
        companies: [acme-corp, globex, { id: initech, until: 2026-01-31 }]
        users: [user-1]
  beta-search:
    name: Beta search
    targeting:
      Staging:
        users: [{ id: user-2, until: 2999-06-30 }]
`,
  });
  file = join(dir, "flags.yaml");
});
afterEach(async () => {
  await emulator.close();
});

describe("plan output forms", () => {
  it("text", async () => {
    const r = await runCli(["plan", "-f", file], { env });
    expect(r.stdout).toMatchInlineSnapshot(`
      "app apDemoApp01 (Acme (demo))
        + flag beta-search  create: name "Beta search"
            Staging      + user user-2 (until 2999-06-30)
        ~ flag new-checkout-flow  stage Internal → Beta
            Production   + company globex   + user user-1   - company initech (expired 2026-01-31)
                         - user user-9
      Plan: 1 flag to create, 1 to change, 3 targets to add, 2 to remove, in 2 environments (4 requests).
      Warning: 1 time-bound target has passed its \`until\` and will be removed; delete it from the file to keep it tidy
      "
    `);
  });

  it("markdown", async () => {
    const r = await runCli(["plan", "-f", file, "-o", "markdown"], { env });
    expect(r.stdout).toMatchInlineSnapshot(`
      "### reflag-sync plan for app Acme (demo) (apDemoApp01)

      > [!WARNING]
      > - 1 time-bound target has passed its &#96;until&#96; and will be removed; delete it from the file to keep it tidy

      | Environment | + companies | - companies | + users | - users |
      | --- | ---: | ---: | ---: | ---: |
      | Production (production) | 1 | 1 | 1 | 1 |
      | Staging | 0 | 0 | 1 | 0 |

      #### Flags

      | Flag | Change |
      | --- | --- |
      | <code>beta-search</code> | create: name <code>Beta search</code> |
      | <code>new-checkout-flow</code> | update: stage <code>Internal</code> → <code>Beta</code> |

      #### Targets

      <details open><summary><b>Production</b> (production): 2 to add, 2 to remove</summary>

      | Flag | Add | Remove |
      | --- | --- | --- |
      | <code>new-checkout-flow</code> | company <code>globex</code><br>user <code>user-1</code> | company <code>initech</code> (expired 2026-01-31)<br>user <code>user-9</code> |

      </details>

      <details><summary><b>Staging</b>: 1 to add, 0 to remove</summary>

      | Flag | Add | Remove |
      | --- | --- | --- |
      | <code>beta-search</code> | user <code>user-2</code> (until 2999-06-30) |  |

      </details>

      4 live flags not in the file, left alone: <code>ai-assistant</code>, <code>dark-mode</code>, <code>legacy-export</code>, <code>search-v2</code>.

      **Plan:** 1 flag to create, 1 to change, 3 targets to add, 2 to remove, in 2 environments (4 requests).
      "
    `);
  });

  it("json", async () => {
    const r = await runCli(["plan", "-f", file, "-o", "json"], { env });
    expect(JSON.parse(r.stdout)).toMatchInlineSnapshot(`
      {
        "app": {
          "id": "apDemoApp01",
          "name": "Acme (demo)",
        },
        "changes": {
          "creates": [
            {
              "key": "beta-search",
              "name": "Beta search",
            },
          ],
          "environments": [
            {
              "changes": [
                {
                  "flagKey": "new-checkout-flow",
                  "id": "globex",
                  "kind": "company",
                  "op": "add",
                },
                {
                  "expiredAt": "2026-01-31",
                  "flagKey": "new-checkout-flow",
                  "id": "initech",
                  "kind": "company",
                  "op": "remove",
                  "reason": "expired",
                },
                {
                  "flagKey": "new-checkout-flow",
                  "id": "user-1",
                  "kind": "user",
                  "op": "add",
                },
                {
                  "flagKey": "new-checkout-flow",
                  "id": "user-9",
                  "kind": "user",
                  "op": "remove",
                  "reason": "prune",
                },
              ],
              "envId": "enProduction",
              "envName": "Production",
              "isProduction": true,
            },
            {
              "changes": [
                {
                  "flagKey": "beta-search",
                  "id": "user-2",
                  "kind": "user",
                  "op": "add",
                  "until": "2999-06-30",
                },
              ],
              "envId": "enStaging",
              "envName": "Staging",
              "isProduction": false,
            },
          ],
          "updates": [
            {
              "changes": [
                {
                  "field": "stage",
                  "from": "Internal",
                  "to": "Beta",
                },
              ],
              "flagId": "flNewCheckout01",
              "key": "new-checkout-flow",
            },
          ],
        },
        "formatVersion": 1,
        "requests": [
          {
            "body": {
              "key": "beta-search",
              "name": "Beta search",
            },
            "flagKey": "beta-search",
            "kind": "createFlag",
          },
          {
            "body": {
              "stageId": "stBeta",
            },
            "flagId": "flNewCheckout01",
            "flagKey": "new-checkout-flow",
            "kind": "updateFlag",
          },
          {
            "batch": 1,
            "batches": 1,
            "count": 4,
            "envId": "enProduction",
            "envName": "Production",
            "kind": "targets",
          },
          {
            "batch": 1,
            "batches": 1,
            "count": 1,
            "envId": "enStaging",
            "envName": "Staging",
            "kind": "targets",
          },
        ],
        "totals": {
          "environments": 2,
          "flagsToChange": 1,
          "flagsToCreate": 1,
          "flagsToUpdate": 1,
          "requests": 4,
          "targetsToAdd": 3,
          "targetsToRemove": 2,
        },
        "unmanaged": [
          "ai-assistant",
          "dark-mode",
          "legacy-export",
          "search-v2",
        ],
        "warnings": [
          {
            "code": "expired-targets",
            "message": "1 time-bound target has passed its \`until\` and will be removed; delete it from the file to keep it tidy",
          },
        ],
      }
    `);
  });

  it("apply report", async () => {
    const r = await runCli(["apply", "-f", file, "--yes"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchInlineSnapshot(`
      "app apDemoApp01 (Acme (demo))
        + flag beta-search  create: name "Beta search"
            Staging      + user user-2 (until 2999-06-30)
        ~ flag new-checkout-flow  stage Internal → Beta
            Production   + company globex   + user user-1   - company initech (expired 2026-01-31)
                         - user user-9
      Plan: 1 flag to create, 1 to change, 3 targets to add, 2 to remove, in 2 environments (4 requests).
      Warning: 1 time-bound target has passed its \`until\` and will be removed; delete it from the file to keep it tidy

      ✓ created flag beta-search
      ✓ updated flag new-checkout-flow (stage)
      ✓ Production batch 1/1: 4 targets (2 added, 2 removed)
          new-checkout-flow   + company globex   + user user-1   - company initech (expired 2026-01-31)
                              - user user-9
      ✓ Staging batch 1/1: 1 target (1 added)
          beta-search   + user user-2 (until 2999-06-30)
      Apply complete: 4 of 4 requests applied (1 flag created; 1 flag updated; 5 targets: 3 added, 2 removed).
      Verified: 5 target changes read back as planned (2 targetings re-read).
      "
    `);
  });
});
