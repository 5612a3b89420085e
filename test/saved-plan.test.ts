// Saved plans: plan --out FILE, apply FILE. Applied unchanged it sends exactly the saved requests;
// once the live state moved it is stale and sends nothing, naming what moved.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import { CANARY_OTHER_API_KEY } from "./support/canary.js";
import { toRequests } from "../src/plan/batches.js";
import type { SavedPlan } from "../src/reconcile/index.js";
import { runCli, writeFiles } from "./support/cli.js";

const APP = "apDemoApp01";
const FILE = `version: 1
app: ${APP}
changeDescription: Saved plan test
flags:
  dark-mode:
    name: Dark mode (new)
    targeting:
      Staging: { companies: [acme, globex, initech] }
      Production: { companies: [globex, hooli] }
  ai-assistant:
    targeting:
      Staging: { users: [user-1] }
`;

let emulator: RunningEmulator;
let env: Record<string, string>;
let dir: string;

beforeEach(async () => {
  emulator = await startTestEmulator();
  env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
  dir = await writeFiles({ "flags.yaml": FILE });
});
afterEach(async () => {
  await emulator.close();
});

const writes = () => {
  const s = emulator.stats();
  return (s.byMethod.POST ?? 0) + (s.byMethod.PATCH ?? 0);
};

async function savePlan(): Promise<{ path: string; saved: SavedPlan }> {
  const path = join(dir, "plan.json");
  const planned = await runCli(["plan", "-f", "flags.yaml", "--out", "plan.json"], { env, cwd: dir });
  expect(planned.code).toBe(0);
  expect(planned.stderr).toContain("Saved the plan to plan.json");
  return { path, saved: JSON.parse(await readFile(path, "utf8")) as SavedPlan };
}

describe("plan --out", () => {
  it("writes the plan, its basis (targeting versions, compared flag fields), app, batch size and revision", async () => {
    const { saved } = await savePlan();
    const schemas = join(import.meta.dirname, "..", "schemas");
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    ajv.addSchema(JSON.parse(await readFile(join(schemas, "plan.schema.json"), "utf8")), "plan.schema.json");
    const validate = ajv.compile(JSON.parse(await readFile(join(schemas, "saved-plan.schema.json"), "utf8")));
    expect(validate(saved), JSON.stringify(validate.errors)).toBe(true);
    expect(saved).toMatchObject({
      kind: "reflag-sync saved plan",
      formatVersion: 1,
      batchSize: 100,
      changeDescription: expect.stringContaining("Saved plan test"),
      policy: { maxChanges: 500, maxRemovalShare: 0.5 },
      plan: { appId: APP },
    });
    expect(saved.revision).toMatch(/^[0-9a-f]{12}$/);
    // The demo state's versions: what the diff saw.
    expect(saved.basis.targeting).toEqual([
      { flagKey: "ai-assistant", envId: "enStaging", version: 2, targets: 2 },
      { flagKey: "dark-mode", envId: "enProduction", version: 2, targets: 1 },
      { flagKey: "dark-mode", envId: "enStaging", version: 1, targets: 0 },
    ]);
    // Only the fields the file enforces: dark-mode's name; ai-assistant's none.
    expect(saved.basis.flags).toEqual([
      { key: "ai-assistant", id: "flAiAssistant04" },
      { key: "dark-mode", id: "flDarkMode02", name: "Dark mode" },
    ]);
    expect(writes()).toBe(0);
  });
});

describe("apply PLAN", () => {
  it("applied unchanged: re-reads the basis and sends exactly the saved requests", async () => {
    const { saved } = await savePlan();
    // Edits to the file after planning do not change what the saved plan applies.
    await writeFile(join(dir, "flags.yaml"), FILE.replace("hooli", "other"));
    emulator.resetStats();
    const applied = await runCli(["apply", "plan.json", "--yes"], { env, cwd: dir });
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Apply complete");

    const expected = toRequests(saved.plan, saved.batchSize);
    expect(writes()).toBe(expected.length);
    const audit = emulator.store.audit(APP);
    const targetWrites = audit.filter((e) => e.action === "specificTargets");
    const sent = targetWrites.map((e) => ({ envId: e.envId, updates: e.updates }));
    const want = expected.flatMap((r) =>
      r.kind === "targets"
        ? [
            {
              envId: r.envId,
              updates: r.changes.map((c) => ({
                flagKey: c.flagKey,
                value: c.op === "add" ? true : null,
                ...(c.kind === "company" ? { companyId: c.id } : { userId: c.id }),
              })),
            },
          ]
        : [],
    );
    expect(sent).toEqual(expect.arrayContaining(want));
    expect(sent).toHaveLength(want.length);
    expect(audit.filter((e) => e.action === "updateFlag").map((e) => e.fields)).toEqual([
      { name: "Dark mode (new)" },
    ]);
    expect(emulator.store.getTargets(APP, "dark-mode", "enProduction").companyIds).toEqual([
      "globex",
      "hooli",
    ]);
    // The basis (app, flags, 3 targetings) then the verification of the 3 targetings written.
    expect(emulator.stats().byMethod.GET).toBe(2 + 3 + 3);
  });

  it("refuses a plan whose targeting moved since, sends nothing, and names the flag", async () => {
    await savePlan();
    emulator.store.setTargets(APP, "dark-mode", "enStaging", { companyIds: ["someone-else"] });
    emulator.resetStats();
    const refused = await runCli(["apply", "plan.json", "--yes"], { env, cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "error: saved plan is stale: 1 flag changed in Reflag since plan.json was made; nothing was applied",
    );
    expect(refused.stderr).toContain("  dark-mode: targeting in Staging changed (version 1 -> 2)\n");
    expect(refused.stdout).toBe("");
    expect(writes()).toBe(0);
    expect(emulator.store.getTargets(APP, "dark-mode", "enStaging").companyIds).toEqual(["someone-else"]);
  });

  it("refuses a plan whose compared flag fields moved, or whose new flag now exists", async () => {
    const file = FILE.replace("flags:", "flags:\n  brand-new:\n    name: Brand new");
    await writeFile(join(dir, "flags.yaml"), file);
    await savePlan();
    emulator.store.updateFlag(APP, "flDarkMode02", { name: "Renamed by hand" });
    emulator.store.addFlag(APP, { key: "brand-new" });
    emulator.resetStats();
    const refused = await runCli(["apply", "plan.json", "--yes"], { env, cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("2 flags changed in Reflag since plan.json was made");
    expect(refused.stderr).toContain("  brand-new: was created\n");
    expect(refused.stderr).toContain("  dark-mode: name changed\n");
    expect(writes()).toBe(0);
  });

  it("a saved plan that breaks the saved policy is refused without --force", async () => {
    await writeFile(join(dir, "flags.yaml"), FILE.replace("flags:", "policy: { maxChanges: 2 }\nflags:"));
    await savePlan();
    const refused = await runCli(["apply", "plan.json", "--yes"], { env, cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("more than policy.maxChanges (2); nothing was applied");
    expect(writes()).toBe(0);
    const forced = await runCli(["apply", "plan.json", "--yes", "--force"], { env, cwd: dir });
    expect(forced.code).toBe(0);
  });

  it.each([
    {
      name: "another app's key",
      make: (saved: string) => saved,
      key: CANARY_OTHER_API_KEY,
      message: `error: bad.json is a plan for app '${APP}' (Acme (demo)), which is not accessible with this API key: nothing was applied`,
    },
    {
      name: "a corrupt file",
      make: (saved: string) => saved.slice(0, saved.length / 2),
      message: "error: bad.json is not a saved plan: it is not JSON (",
    },
    {
      name: "an edited file",
      make: (saved: string) => saved.replace('"batchSize": 100', '"batchSize": "100"'),
      message:
        "error: bad.json is not a valid saved plan (damaged or edited): nothing was applied\n  /batchSize must be integer",
    },
    {
      name: "plan --output json",
      make: (_saved: string, json: string) => json,
      message: "error: bad.json is the output of plan --output json, not a saved plan: nothing was applied",
    },
    {
      name: "a foreign JSON file",
      make: () => '{"name": "some-package", "version": "1.0.0"}',
      message: "error: bad.json is not a reflag-sync saved plan: nothing was applied",
    },
    {
      name: "a newer format",
      make: (saved: string) => saved.replace('"formatVersion": 1', '"formatVersion": 7'),
      message:
        "error: bad.json was saved by a newer reflag-sync (saved plan format 7; this one reads format 1)",
    },
  ])("$name: a clear error, exit 1, nothing sent", async ({ make, key, message }) => {
    const { path } = await savePlan();
    const json = await runCli(["plan", "-f", "flags.yaml", "-o", "json"], { env, cwd: dir });
    await writeFile(join(dir, "bad.json"), make(await readFile(path, "utf8"), json.stdout));
    emulator.resetStats();
    const r = await runCli(["apply", "bad.json", "--yes"], {
      env: { ...env, ...(key ? { REFLAG_API_KEY: key } : {}) },
      cwd: dir,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(writes()).toBe(0);
  });

  it("refuses options a saved plan fixes, and a missing file", async () => {
    await savePlan();
    const mixed = await runCli(["apply", "plan.json", "-f", "flags.yaml", "--batch-size", "5", "--yes"], {
      env,
      cwd: dir,
    });
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toContain("a saved plan cannot be combined with -f");
    expect(mixed.stderr).toContain("--batch-size");
    const missing = await runCli(["apply", "nope.json", "--yes"], { env, cwd: dir });
    expect(missing.stderr).toContain(
      "error: cannot read the saved plan nope.json: no such file; nothing was applied",
    );
    expect(emulator.stats().total).toBe(2 + 3); // only the plan that saved it
  });
});
