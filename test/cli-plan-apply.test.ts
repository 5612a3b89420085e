// End to end: the built CLI as a child process against the emulator over real HTTP.
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import { eventually, runCli, withEmulator, writeFiles } from "./support/cli.js";

let emulator: RunningEmulator;
let env: Record<string, string>;

beforeEach(async () => {
  emulator = await startTestEmulator();
  env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
});
afterEach(async () => {
  await emulator.close();
});

const HEADER =
  "# yaml-language-server: $schema=../schemas/flags.reflag.schema.json\nversion: 1\napp: apDemoApp01\n";

/** Writes made to the API, from the emulator's own statistics. */
function writes(): number {
  const s = emulator.stats();
  return (s.byMethod.POST ?? 0) + (s.byMethod.PATCH ?? 0) + (s.byMethod.PUT ?? 0) + (s.byMethod.DELETE ?? 0);
}
function requestsTo(route: string): number {
  return Object.values(emulator.stats().byRoute[route] ?? {}).reduce((a, b) => a + b, 0);
}

describe("plan and apply against the emulator", () => {
  it("plan (2) -> apply -> plan (0) on the repo's flags.reflag.yaml, with the fewest writes", async () => {
    const file = join(import.meta.dirname, "..", "flags.reflag.yaml");
    const planned = await runCli(["plan", "-f", file, "--detailed-exitcode"], { env });
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain("+ flag beta-search");
    expect(writes()).toBe(0);

    const json = await runCli(["plan", "-f", file, "-o", "json"], { env });
    const plan = JSON.parse(json.stdout);
    expect(writes()).toBe(0);

    emulator.resetStats();
    const applied = await runCli(["apply", "-f", file, "--yes"], { env });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Apply complete");
    expect(writes()).toBe(4); // 1 create + 1 update + one batch each for Production and Staging
    expect(plan.totals.requests).toBe(4);
    expect(emulator.store.getTargets("apDemoApp01", "new-checkout-flow", "enProduction")).toEqual({
      companyIds: ["acme-corp", "globex"],
      userIds: ["user-1"],
    });

    const again = await runCli(["plan", "-f", file, "--detailed-exitcode"], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No changes");
  });

  it("batches target changes per environment across flags: ⌈changes / batch size⌉ requests", async () => {
    const companies = Array.from({ length: 250 }, (_, i) => `co-${i}`);
    const dir = await writeFiles({
      "flags.yaml": `${HEADER}flags:
  dark-mode:
    targeting:
      Production: { companies: [${companies.slice(0, 130).join(", ")}] }
      Staging: { companies: [${companies.join(", ")}] }
  legacy-export:
    targeting:
      Production: { users: [${companies.slice(0, 75).join(", ")}] }
`,
    });
    const planned = await runCli(
      ["plan", "-f", join(dir, "flags.yaml"), "-o", "json", "--batch-size", "100"],
      { env },
    );
    const plan = JSON.parse(planned.stdout);
    // Production: 130 adds + 75 adds - globex = 206 changes -> 3; Staging: 250 -> 3.
    expect(plan.totals).toMatchObject({ targetsToAdd: 455, targetsToRemove: 1, requests: 6 });

    const applied = await runCli(["apply", "-f", join(dir, "flags.yaml"), "--yes", "--batch-size", "100"], {
      env,
    });
    expect(applied.code).toBe(0);
    expect(requestsTo("PATCH /apps/:appId/flags/specific-targets/:envId")).toBe(6);
    expect(writes()).toBe(6);
    expect((await runCli(["plan", "-f", join(dir, "flags.yaml"), "--detailed-exitcode"], { env })).code).toBe(
      0,
    );
  });

  it("reads a flag list longer than one page completely", async () => {
    emulator.store.addFlags("apDemoApp01", 230);
    const dir = await writeFiles({
      "flags.yaml": `${HEADER}flags:\n  seeded-flag-0230:\n    targeting:\n      Staging: { companies: [late] }\n`,
    });
    const planned = await runCli(["plan", "-f", join(dir, "flags.yaml"), "--detailed-exitcode"], { env });
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain("~ flag seeded-flag-0230");
    expect(planned.stdout).toContain("0 flags to create");
    expect(requestsTo("GET /apps/:appId/flags")).toBe(3);
  });

  it("prints the plan as JSON that matches schemas/plan.schema.json, and as Markdown", async () => {
    const file = join(import.meta.dirname, "..", "flags.reflag.yaml");
    const json = await runCli(["plan", "-f", file, "--output", "json"], { env });
    const schema = JSON.parse(
      await readFile(join(import.meta.dirname, "..", "schemas", "plan.schema.json"), "utf8"),
    );
    const ajv = new Ajv({ strict: true, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(JSON.parse(json.stdout)), JSON.stringify(validate.errors)).toBe(true);

    const md = await runCli(["plan", "-f", file, "--output", "markdown"], { env });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("### reflag-sync plan for app Acme (demo) (apDemoApp01)");
    expect(md.stdout).toMatch(/\| Production \(production\) \| 1 \| 1 \| 1 \| 1 \|/);
  });

  it("refuses to apply without --yes when not on a terminal, and applies nothing", async () => {
    const file = join(import.meta.dirname, "..", "flags.reflag.yaml");
    const r = await runCli(["apply", "-f", file], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("run with --yes");
    expect(writes()).toBe(0);
  });

  it("refuses a plan larger than policy.maxChanges unless --force", async () => {
    const dir = await writeFiles({
      "flags.yaml": `${HEADER}policy: { maxChanges: 2 }\nflags:\n  dark-mode:\n    targeting:\n      Staging: { companies: [a, b, c] }\n`,
    });
    const planned = await runCli(["plan", "-f", join(dir, "flags.yaml")], { env });
    const warning =
      "the plan has 3 changes, more than policy.maxChanges (2): apply refuses it without --force";
    expect(planned.stdout).toContain(`Warning: ${warning}\n`);
    // A reviewer reading the JSON or Markdown form sees it too, and so does the person who ran it.
    const json = await runCli(["plan", "-f", join(dir, "flags.yaml"), "-o", "json"], { env });
    expect(JSON.parse(json.stdout).warnings).toEqual([{ code: "max-changes", message: warning }]);
    expect(json.stderr).toContain(`warning: ${warning}\n`);
    const md = await runCli(["plan", "-f", join(dir, "flags.yaml"), "-o", "markdown"], { env });
    expect(md.stdout).toContain(`> [!WARNING]\n> - ${warning}\n`);
    const refused = await runCli(["apply", "-f", join(dir, "flags.yaml"), "--yes"], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("more than policy.maxChanges (2)");
    expect(writes()).toBe(0);
    const forced = await runCli(["apply", "-f", join(dir, "flags.yaml"), "--yes", "--force"], { env });
    expect(forced.code).toBe(0);
  });

  it("an invalid file sends nothing: file:line:col and exit 1", async () => {
    const dir = await writeFiles({ "flags.yaml": `${HEADER}flags:\n  dark-mode:\n    targetting: {}\n` });
    for (const command of [["plan"], ["apply", "--yes"]]) {
      const r = await runCli([...command, "-f", join(dir, "flags.yaml")], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/flags\.yaml:6:5: error: .*targetting/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(emulator.stats().total).toBe(0);
  });

  it("names that the live app lacks are plan-time errors at their line, and nothing is written", async () => {
    const dir = await writeFiles({
      "flags.yaml": `${HEADER}flags:\n  dark-mode:\n    stage: Gamma\n    targeting:\n      Prod: { companies: [a] }\n  BadKey:\n    name: Bad\n`,
    });
    const r = await runCli(["apply", "-f", join(dir, "flags.yaml"), "--yes"], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/flags\.yaml:6:12: error: .*stage 'Gamma'/);
    expect(r.stderr).toMatch(/flags\.yaml:8:7: error: .*'Prod' is neither an alias nor an environment/);
    expect(r.stderr).toMatch(/flags\.yaml:9:3: error: .*requires kebabCaseLower keys/);
    expect(writes()).toBe(0);
  });

  it("stops at a batch that fails for good, reports what was and was not applied, and converges on rerun", async () => {
    const companies = Array.from({ length: 30 }, (_, i) => `co-${String(i).padStart(2, "0")}`);
    const dir = await writeFiles({
      "flags.yaml": `${HEADER}flags:\n  dark-mode:\n    targeting:\n      Staging: { companies: [${companies.join(", ")}] }\n      Production: { companies: [globex, extra] }\n`,
    });
    const file = join(dir, "flags.yaml");
    // One request at a time, so that what is left unsent is exact: Staging's first (largest) batch
    // goes first, then Production's; both succeed; Staging's second batch fails on every attempt.
    emulator.setFaults({
      script: [
        {
          method: "PATCH",
          path: "/apps/apDemoApp01/flags/specific-targets/enProduction",
          fault: "delay",
          delayMs: 1,
          times: 1,
        },
        {
          method: "PATCH",
          path: "/apps/apDemoApp01/flags/specific-targets/enStaging",
          fault: "delay",
          delayMs: 1,
          times: 1,
        },
        {
          method: "PATCH",
          path: "/apps/apDemoApp01/flags/specific-targets/enStaging",
          fault: "500",
          times: 20,
        },
      ],
    });
    const r = await runCli(
      [
        "apply",
        "-f",
        file,
        "--yes",
        "--batch-size",
        "10",
        "--concurrency",
        "1",
        "-o",
        "json",
        "--max-attempts",
        "3",
      ],
      { env, timeoutMs: 30_000 },
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    const ajv = new Ajv({ strict: true, allErrors: true });
    ajv.addSchema(
      JSON.parse(await readFile(join(import.meta.dirname, "..", "schemas", "plan.schema.json"), "utf8")),
      "plan",
    );
    const validateApply = ajv.getSchema("plan#/definitions/applyOutput")!;
    expect(validateApply(out), JSON.stringify(validateApply.errors)).toBe(true);
    expect(out.result.ok).toBe(false);
    const statuses = out.result.requests.map(
      (q: { envName: string; batch: number; status: string }) => `${q.envName} ${q.batch} ${q.status}`,
    );
    expect(statuses).toEqual([
      "Production 1 applied",
      "Staging 1 applied",
      "Staging 2 failed",
      "Staging 3 not-sent",
    ]);
    expect(emulator.store.getTargets("apDemoApp01", "dark-mode", "enStaging").companyIds).toHaveLength(10);

    emulator.setFaults({});
    const text = await runCli(["plan", "-f", file], { env });
    expect(text.stdout).toContain("20 targets to add");
    const rerun = await runCli(["apply", "-f", file, "--yes", "--batch-size", "10"], { env });
    expect(rerun.code).toBe(0);
    expect((await runCli(["plan", "-f", file, "--detailed-exitcode"], { env })).code).toBe(0);
  });

  it("sends the change description with the git commit, and the file's notifications", async () => {
    const dir = await writeFiles({
      "flags.yaml": `${HEADER}changeDescription: Roll out dark mode\nnotifications: []\nflags:\n  dark-mode:\n    targeting:\n      Staging: { companies: [acme-corp] }\n`,
    });
    const r = await runCli(["apply", "-f", join(dir, "flags.yaml"), "--yes"], { env });
    expect(r.code).toBe(0);
    const entry = emulator.store.audit("apDemoApp01").at(-1);
    expect(entry?.changeDescription).toBe("Roll out dark mode");
    expect(entry?.notifications).toEqual([]);

    await writeFile(
      join(dir, "flags.yaml"),
      `${HEADER}flags:\n  dark-mode:\n    targeting:\n      Staging: { companies: [] }\n`,
    );
    await runCli(
      ["apply", "-f", join(dir, "flags.yaml"), "--yes", "--change-description", "Manual override"],
      { env },
    );
    expect(emulator.store.audit("apDemoApp01").at(-1)?.changeDescription).toBe("Manual override");
  });

  it("never prints the API key, even when the API refuses it", async () => {
    const file = join(import.meta.dirname, "..", "flags.reflag.yaml");
    const secret = "rfk_live_THIS-IS-SECRET-123";
    const r = await runCli(["plan", "-f", file], { env: { ...env, REFLAG_API_KEY: secret } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("401");
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.stderr).not.toMatch(/\n\s+at /);

    const missing = await runCli(["plan", "-f", file], { env: { ...env, REFLAG_API_KEY: undefined } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("REFLAG_API_KEY");
  });

  it.each([
    // flags.reflag.yaml against the demo app: 1 create, 1 stage update, Production 4 and Staging 2 target changes.
    { batchSize: 1, lowerBound: 1 + 1 + 4 + 2 },
    { batchSize: 3, lowerBound: 1 + 1 + 2 + 1 },
    { batchSize: 100, lowerBound: 1 + 1 + 1 + 1 },
  ])(
    "applies flags.reflag.yaml in exactly $lowerBound writes at batch size $batchSize",
    async ({ batchSize, lowerBound }) => {
      const file = join(import.meta.dirname, "..", "flags.reflag.yaml");
      const planned = await runCli(["plan", "-f", file, "-o", "json", "--batch-size", String(batchSize)], {
        env,
      });
      expect(JSON.parse(planned.stdout).totals.requests).toBe(lowerBound);
      const applied = await runCli(["apply", "-f", file, "--yes", "--batch-size", String(batchSize)], {
        env,
      });
      expect(applied.code).toBe(0);
      expect(writes()).toBe(lowerBound);
    },
  );
});

describe("change description from git", () => {
  it("names the commit of the file's work tree when the file gives no description", async () => {
    await withEmulator({ port: 0 }, async (emulator) => {
      const dir = await writeFiles({
        "flags.yaml": `${HEADER}flags:\n  dark-mode:\n    targeting:\n      Staging: { companies: [acme-corp] }\n`,
      });
      const git = (...args: string[]) =>
        execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args]);
      git("init", "-q");
      git("add", ".");
      git("commit", "-qm", "Enable dark mode for Acme");
      const sha = git("rev-parse", "--short", "HEAD").toString().trim();
      const r = await runCli(["apply", "-f", join(dir, "flags.yaml"), "--yes"], {
        env: { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey },
      });
      expect(r.code).toBe(0);
      expect(emulator.store.audit("apDemoApp01").at(-1)?.changeDescription).toBe(
        `Applied by reflag-sync (git ${sha} Enable dark mode for Acme)`,
      );
    });
  });
});

describe("apply under a hostile API", () => {
  it("re-sends a batch the service finds too large at the size it names, and remembers that size", async () => {
    await withEmulator({ port: 0, maxBatchSize: 30 }, async (small) => {
      const companies = Array.from({ length: 100 }, (_, i) => `co-${i}`);
      const dir = await writeFiles({
        "flags.yaml": `${HEADER}flags:\n  dark-mode:\n    targeting:\n      Staging: { companies: [${companies.join(", ")}] }\n`,
      });
      const env = { REFLAG_API_URL: small.url, REFLAG_API_KEY: small.apiKey };
      const r = await runCli(["apply", "-f", join(dir, "flags.yaml"), "--yes", "--batch-size", "50"], {
        env,
      });
      expect(r.code).toBe(0);
      expect(small.store.getTargets("apDemoApp01", "dark-mode", "enStaging").companyIds).toHaveLength(100);
      const patches = small.stats().byRoute["PATCH /apps/:appId/flags/specific-targets/:envId"] ?? {};
      // Batch 1 (50) is refused ("at most 30"), then sent as 30 + 20; batch 2 goes straight out as 30 + 20.
      expect(patches).toEqual({ "200": 4, "400": 1 });
      expect(r.stdout).toContain("Staging batch 1/2 part 1/2: 30 targets (30 added)");
      expect(r.stdout).toContain("Staging batch 2/2 part 2/2: 20 targets (20 added)");
    });
  });

  it("converges through 5xx, 429 and lost answers", async () => {
    await withEmulator(
      {
        port: 0,
        faults: { errorRate: 0.2, rateLimitRate: 0.1, retryAfterSeconds: 0, lostAnswerRate: 0.15, seed: 7 },
      },
      async (flaky) => {
        const companies = Array.from({ length: 60 }, (_, i) => `co-${i}`);
        const dir = await writeFiles({
          "flags.yaml": `${HEADER}flags:\n  flaky-one:\n    name: Flaky\n    archived: true\n    targeting:\n      Staging: { companies: [${companies.join(", ")}] }\n      Production: { users: [u1, u2] }\n`,
        });
        const env = { REFLAG_API_URL: flaky.url, REFLAG_API_KEY: flaky.apiKey };
        const r = await runCli(["apply", "-f", join(dir, "flags.yaml"), "--yes", "--batch-size", "7"], {
          env,
          timeoutMs: 60_000,
        });
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(flaky.store.getFlag("apDemoApp01", "flaky-one").archived).toBe(true);
        flaky.setFaults({});
        const again = await runCli(["plan", "-f", join(dir, "flags.yaml"), "--detailed-exitcode"], { env });
        expect(again.code).toBe(0);
        // The faults did happen: some requests were answered 5xx or 429, or lost.
        const s = flaky.stats();
        expect(
          (s.byStatus["500"] ?? 0) +
            (s.byStatus["503"] ?? 0) +
            (s.byStatus["429"] ?? 0) +
            (s.byStatus.lost ?? 0),
        ).toBeGreaterThan(0);
      },
    );
  });
});

describe("interrupting an apply", () => {
  it("on SIGINT sends nothing more, lets the request in flight finish, and reports both", async () => {
    await withEmulator({ port: 0 }, async (emulator) => {
      const dir = await writeFiles({
        "flags.yaml": `${HEADER}flags:\n  dark-mode:\n    targeting:\n      Staging: { companies: [a, b, c, d] }\n`,
      });
      // The server holds the first batch long enough for the signal to arrive while it is in flight.
      emulator.setFaults({ script: [{ method: "PATCH", fault: "delay", delayMs: 1500 }] });
      const env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
      const r = await runCli(["apply", "-f", join(dir, "flags.yaml"), "--yes", "--batch-size", "2"], {
        env,
        onSpawn: async (child) => {
          await eventually(() => emulator.stats().inFlight > 0);
          child.kill("SIGINT");
        },
      });
      expect(r.code).toBe(130);
      expect(r.stderr).toContain("Interrupted: sending nothing more");
      expect(r.stdout).toContain("Apply stopped before every request was sent");
      expect(r.stdout).toMatch(/not sent: Staging batch 2\/2/);
      expect(emulator.store.getTargets("apDemoApp01", "dark-mode", "enStaging").companyIds).toEqual([
        "a",
        "b",
      ]);
    });
  });
});

describe("interrupting an apply that waits to retry", () => {
  it("gives up the wait at once and reports the request as failed with its last answer", async () => {
    await withEmulator({ port: 0 }, async (emulator) => {
      const dir = await writeFiles({
        "flags.yaml": `${HEADER}flags:\n  dark-mode:\n    targeting:\n      Staging: { companies: [a] }\n`,
      });
      // The service asks to come back in a minute; the user does not want to wait.
      emulator.setFaults({ script: [{ method: "PATCH", fault: "429", retryAfterSeconds: 55, times: 5 }] });
      const env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
      const r = await runCli(["apply", "-f", join(dir, "flags.yaml"), "--yes"], {
        env,
        timeoutMs: 20_000,
        onSpawn: async (child) => {
          await eventually(() => (emulator.stats().byStatus["429"] ?? 0) > 0);
          child.kill("SIGINT");
        },
      });
      expect(r.code).toBe(130);
      expect(r.stdout).toMatch(/✗ Staging batch 1\/1: 1 target \(1 to add\): failed: 429/);
      expect(emulator.stats().byStatus["429"]).toBe(1);
      expect(emulator.store.getTargets("apDemoApp01", "dark-mode", "enStaging").companyIds).toEqual([]);
    });
  });
});

describe("a read that fails for good", () => {
  it("stops the other reads instead of sending them all first", async () => {
    await withEmulator({ port: 0 }, async (emulator) => {
      const envs = "{ Development: { users: [u] }, Production: { users: [u] }, Staging: { users: [u] } }";
      const flags = ["ai-assistant", "dark-mode", "legacy-export", "new-checkout-flow", "search-v2"];
      const dir = await writeFiles({
        "flags.yaml": `${HEADER}flags:\n${flags.map((f) => `  ${f}:\n    targeting: ${envs}\n`).join("")}`,
      });
      // The first read (ai-assistant in Development) fails on every attempt.
      emulator.setFaults({
        script: [{ method: "GET", path: /targeting\/enDevelopment$/, fault: "500", times: 100 }],
      });
      const env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
      const r = await runCli(
        ["plan", "-f", join(dir, "flags.yaml"), "--concurrency", "1", "--max-attempts", "5"],
        { env },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("500 unknown_error");
      // Five attempts at the failing read, and nothing after it.
      expect(emulator.stats().byRoute["GET /apps/:appId/flags/:flagKey/targeting/:envId"]).toEqual({
        "500": 5,
      });
    });
  });
});

describe("a request that never gets an answer", () => {
  it("is reported as unknown, not as failed, and plan then shows what happened", async () => {
    await withEmulator({ port: 0 }, async (emulator) => {
      const dir = await writeFiles({
        "flags.yaml": `${HEADER}flags:\n  dark-mode:\n    targeting:\n      Staging: { companies: [a, b] }\n`,
      });
      const file = join(dir, "flags.yaml");
      const env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
      // Every attempt is applied, then its answer is lost.
      emulator.setFaults({ script: [{ method: "PATCH", fault: "lost", times: 100 }] });
      const json = await runCli(["apply", "-f", file, "--yes", "-o", "json", "--max-attempts", "3"], {
        env,
        timeoutMs: 30_000,
      });
      expect(json.code).toBe(1);
      const out = JSON.parse(json.stdout);
      expect(out.result.totals).toMatchObject({ applied: 0, failed: 0, unknown: 1, targetsUnknown: 2 });
      expect(out.result.requests[0].status).toBe("unknown");

      emulator.setFaults({ script: [{ method: "PATCH", fault: "lost", times: 100 }] });
      await writeFile(
        file,
        `${HEADER}flags:\n  dark-mode:\n    targeting:\n      Staging: { companies: [a, b, c] }\n`,
      );
      const text = await runCli(["apply", "-f", file, "--yes", "--max-attempts", "3"], {
        env,
        timeoutMs: 30_000,
      });
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(
        "Unknown: 1 request sent without an answer, so may or may not have been applied",
      );
      expect(text.stdout).toContain("? no answer: Staging batch 1/1");

      emulator.setFaults({});
      const plan = await runCli(["plan", "-f", file, "--detailed-exitcode"], { env });
      expect(plan.code).toBe(0);
    });
  });
});
