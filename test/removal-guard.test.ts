// The removal guard (policy.maxRemovalShare): a plan that removes most of an environment's managed
// targets is a warning in plan and is refused by apply without --force, before anything is sent.
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import type { Plan, TargetChange } from "../src/plan/model.js";
import type { TargetingBasis } from "../src/reconcile/basis.js";
import { policyBreaches } from "../src/reconcile/policy.js";
import { runCli, writeFiles } from "./support/cli.js";

const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);

describe("policyBreaches (pure)", () => {
  const removals = (flagKey: string, n: number): TargetChange[] =>
    ids("co", n).map((id) => ({ flagKey, kind: "company", id, op: "remove", reason: "prune" }));
  const plan = (changes: TargetChange[]): Plan => ({
    appId: "ap1",
    appName: "App",
    creates: [],
    updates: [],
    environments: [{ envId: "enP", envName: "Production", changes }],
    unmanaged: [],
  });
  const live = (targets: number): TargetingBasis[] => [{ flagKey: "f", envId: "enP", version: 1, targets }];

  it.each([
    { removed: 11, live: 20, share: 0.5, breach: true, why: "11 of 20 is over half and over 10" },
    { removed: 10, live: 10, share: 0.5, breach: false, why: "10 targets or fewer are never refused" },
    { removed: 15, live: 30, share: 0.5, breach: false, why: "exactly half is allowed" },
    { removed: 16, live: 30, share: 0.5, breach: true, why: "just over half" },
    { removed: 25, live: 30, share: 0.9, breach: false, why: "the share is tunable" },
    { removed: 30, live: 30, share: 1, breach: false, why: "1 turns the check off" },
    { removed: 11, live: 1000, share: 0, breach: true, why: "0 refuses any removal over 10" },
  ])("$why", ({ removed, live: n, share, breach }) => {
    const breaches = policyBreaches(plan(removals("f", removed)), removed, live(n), {
      maxChanges: 10_000,
      maxRemovalShare: share,
    });
    expect(breaches.map((b) => b.code)).toEqual(breach ? ["removal-share"] : []);
  });

  it("counts the live targets of every managed flag in the environment, and names each flag's removals", () => {
    const changes = [...removals("a", 12), ...removals("b", 3)];
    const targeting: TargetingBasis[] = [
      { flagKey: "a", envId: "enP", version: 4, targets: 12 },
      { flagKey: "b", envId: "enP", version: 1, targets: 10 },
      { flagKey: "c", envId: "enP", version: 1, targets: 6 },
      { flagKey: "a", envId: "enS", version: 1, targets: 100 },
    ];
    const [breach, ...rest] = policyBreaches(plan(changes), 15, targeting, {
      maxChanges: 500,
      maxRemovalShare: 0.5,
    });
    expect(rest).toEqual([]);
    expect(breach).toEqual({
      code: "removal-share",
      message:
        "Production: the plan removes 15 of the 28 live targets of the flags the file manages there (53.6%), more than policy.maxRemovalShare (50%)",
      details: ["a: 12 of 12 removed", "b: 3 of 10 removed"],
    });
  });
});

describe("apply refuses a prune accident", () => {
  let emulator: RunningEmulator;
  let env: Record<string, string>;
  beforeEach(async () => {
    emulator = await startTestEmulator();
    env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
    // 30 companies on dark-mode and 10 users on legacy-export in Production: 40 managed live targets.
    emulator.store.setTargets("apDemoApp01", "dark-mode", "enProduction", { companyIds: ids("co", 30) });
    emulator.store.setTargets("apDemoApp01", "legacy-export", "enProduction", { userIds: ids("us", 10) });
    emulator.resetStats();
  });
  afterEach(async () => {
    await emulator.close();
  });

  const writes = () => {
    const s = emulator.stats();
    return (s.byMethod.POST ?? 0) + (s.byMethod.PATCH ?? 0);
  };
  /** Keeps 5 of dark-mode's 30 companies and all of legacy-export's users: 25 of 40 removed. */
  const file = async (policy = "") =>
    join(
      await writeFiles({
        "flags.yaml": `version: 1
app: apDemoApp01
${policy}flags:
  dark-mode:
    targeting:
      Production: { companies: [${ids("co", 5).join(", ")}] }
      Staging: { companies: [acme] }
  legacy-export:
    targeting:
      Production: { users: [${ids("us", 10).join(", ")}] }
`,
      }),
      "flags.yaml",
    );

  it("plan warns, apply exits 1 with the counts per environment and flag, and sends nothing", async () => {
    const path = await file();
    const planned = await runCli(["plan", "-f", path, "-o", "json"], { env });
    expect(planned.code).toBe(0);
    expect(planned.stderr).toContain(
      "warning: Production: the plan removes 25 of the 40 live targets of the flags the file manages there (62.5%), more than policy.maxRemovalShare (50%): apply refuses it without --force",
    );
    expect(planned.stderr).toContain("  dark-mode: 25 of 30 removed");

    const refused = await runCli(["apply", "-f", path, "--yes"], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "error: Production: the plan removes 25 of the 40 live targets of the flags the file manages there (62.5%), more than policy.maxRemovalShare (50%); nothing was applied",
    );
    expect(refused.stderr).toContain("  dark-mode: 25 of 30 removed\n");
    expect(refused.stderr).toContain("--force, or raise policy.maxRemovalShare in the file");
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(writes()).toBe(0);
    expect(emulator.store.getTargets("apDemoApp01", "dark-mode", "enProduction").companyIds).toHaveLength(30);
  });

  it("--force applies the plan", async () => {
    const forced = await runCli(["apply", "-f", await file(), "--yes", "--force"], { env });
    expect(forced.code).toBe(0);
    expect(writes()).toBe(2); // one batch each for Production and Staging
    expect(emulator.store.getTargets("apDemoApp01", "dark-mode", "enProduction").companyIds).toEqual(
      ids("co", 5),
    );
  });

  it("policy.maxRemovalShare tunes the limit", async () => {
    const allowed = await runCli(["apply", "-f", await file("policy: { maxRemovalShare: 0.7 }\n"), "--yes"], {
      env,
    });
    expect(allowed.stderr).toBe("");
    expect(allowed.code).toBe(0);
    expect(emulator.store.getTargets("apDemoApp01", "dark-mode", "enProduction").companyIds).toHaveLength(5);
  });

  it("both limits broken: one refusal that lists each", async () => {
    const refused = await runCli(["apply", "-f", await file("policy: { maxChanges: 3 }\n"), "--yes"], {
      env,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "error: the plan breaks 2 safety limits of the file's policy; nothing was applied",
    );
    expect(refused.stderr).toContain("  the plan has 26 changes, more than policy.maxChanges (3)\n");
    expect(refused.stderr).toContain("    dark-mode: 25 of 30 removed\n");
    expect(refused.stderr).toContain("raise policy.maxChanges or policy.maxRemovalShare in the file");
    expect(writes()).toBe(0);
  });
});
