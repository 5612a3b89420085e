// The fault suite: seeded plan + apply runs at concurrency 8 against the emulator's per-key rate
// limiter, with 5xx, 429s, lost answers, connection resets and a hanging request. Every run must
// converge in one apply, and no request may arrive inside a Retry-After window the client knew of.
// Time is scaled down (Retry-After 20 ms, backoff from 2 ms, 1 s per-attempt timeout) so that the
// suite takes seconds, not the minutes the same faults take at real scale.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DesiredState } from "../src/desired/model.js";
import type { FaultOptions, RunningEmulator } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import {
  connect,
  loadRevision,
  reconcile,
  type Connection,
  type LoadedRevision,
} from "../src/reconcile/index.js";
import { runCli, tempDir, withEmulator } from "./support/cli.js";

const APP = "apDemoApp01";
const NOW = new Date("2026-03-03T09:00:00.000Z");
const FLAGS = 200;
/** Flags the apply creates (the rest exist already): their POSTs meet lost answers and 409s too. */
const NEW_FLAGS = 10;
const TARGETS_PER_ENV = 25;
const ENVS = { Production: "enProduction", Staging: "enStaging" };
const RUNS = Number(process.env.RS_FAULT_RUNS ?? 20);

/** Issue 8's profile: 15% 5xx, 10% 429 (Retry-After scaled from 1 s to 20 ms), 10% lost answers. */
function profile(seed: number): FaultOptions {
  return {
    seed,
    latencyMs: 1,
    errorRate: 0.15,
    rateLimitRate: 0.1,
    retryAfterSeconds: 0.005,
    lostAnswerRate: 0.1,
    script: [
      { method: "GET", path: /\/targeting\/enStaging$/, fault: "hang" },
      { method: "PATCH", fault: "reset", times: 3 },
    ],
  };
}

const flagKey = (i: number): string => `fault-flag-${String(i).padStart(3, "0")}`;
const companies = (i: number, env: string): string[] =>
  Array.from({ length: TARGETS_PER_ENV }, (_, t) => `${env.toLowerCase()}-co-${i}-${t}`);

/** 200 flags × 2 environments × 25 companies to add: 10,000 target changes. */
function flagFile(): string {
  const lines = [`version: 1`, `app: ${APP}`, `policy: { maxChanges: 20000 }`, `flags:`];
  for (let i = 0; i < FLAGS; i++) {
    lines.push(`  ${flagKey(i)}:`, `    name: Fault flag ${i}`, `    targeting:`);
    for (const env of Object.keys(ENVS))
      lines.push(`      ${env}: { companies: [${companies(i, env).join(", ")}] }`);
  }
  return `${lines.join("\n")}\n`;
}

/** Every run reads the same file: load it once. */
let fileOnce: Promise<{ loaded: Extract<LoadedRevision, { ok: true }>; dir: string }> | undefined;

async function loadFileOnce(): Promise<{ loaded: Extract<LoadedRevision, { ok: true }>; dir: string }> {
  const dir = await tempDir();
  await writeFile(join(dir, "flags.yaml"), flagFile());
  const loaded = await loadRevision([join(dir, "flags.yaml")], { cwd: dir, now: NOW });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  return { loaded, dir };
}

async function setUp(
  seed: number,
): Promise<{ emulator: RunningEmulator; desired: DesiredState; revision: string; dir: string }> {
  const { loaded, dir } = await (fileOnce ??= loadFileOnce());
  const emulator = await startTestEmulator({ seed });
  emulator.store.addFlags(APP, FLAGS - NEW_FLAGS, (i) => ({ key: flagKey(i), name: `Fault flag ${i}` }));
  return { emulator, desired: loaded.desired, revision: loaded.revision, dir };
}

/** The client's waits scaled down like the emulator's Retry-After; everything else as shipped. */
function fastConnection(emulator: RunningEmulator): Connection {
  return connect({
    baseUrl: emulator.url,
    apiKey: emulator.apiKey,
    concurrency: 8,
    baseDelayMs: 2,
    maxDelayMs: 50,
    timeoutMs: 500,
    deadlineMs: 60_000,
  });
}

/** One plan + apply; then a fresh client's plan must be in sync and every list exactly as the file says. */
async function planApplyConverge(
  seed: number,
): Promise<{ windows: number; knockOn: number; arrived: number }> {
  const { emulator, desired, revision, dir } = await setUp(seed);
  try {
    emulator.setFaults(profile(seed));
    const run = (mode: "plan" | "apply") =>
      reconcile({
        desired,
        revision,
        trigger: "command",
        connection: fastConnection(emulator),
        mode,
        batchSize: 100,
        now: () => NOW,
        cwd: dir,
        changeDescription: "fault suite",
      });
    const applied = await run("apply");
    expect(applied.error, `seed ${seed}`).toBeUndefined();
    expect(applied.outcome).toBe("applied");
    expect(applied.counts).toMatchObject({
      flagsToCreate: NEW_FLAGS,
      targetsToAdd: FLAGS * 2 * TARGETS_PER_ENV,
    });
    expect(applied.apply!.outcomes.filter((o) => o.status !== "applied")).toEqual([]);

    const again = await run("plan");
    expect(again.outcome, `seed ${seed}`).toBe("in-sync");
    for (let i = 0; i < FLAGS; i++) {
      for (const [env, envId] of Object.entries(ENVS)) {
        expect(emulator.store.getTargets(APP, flagKey(i), envId).companyIds.sort()).toEqual(
          companies(i, env).sort(),
        );
      }
    }
    const { rateLimit, byStatus } = emulator.stats();
    expect(rateLimit.insideWindow, `seed ${seed}: requests sent into a known Retry-After window`).toBe(0);
    // In one process a request is sent only from JavaScript, so one the emulator reads after it has
    // written a 429 and read its sockets again was sent after the client's sockets held that 429.
    expect(rateLimit.afterRefusal, `seed ${seed}: requests sent after a 429 had arrived`).toBe(0);
    expect(byStatus).toMatchObject({
      hung: 1,
      reset: 3,
      lost: expect.any(Number),
      "500": expect.any(Number),
    });
    return { windows: rateLimit.windows, knockOn: rateLimit.knockOn, arrived: rateLimit.arrivedInWindow };
  } finally {
    await emulator.close();
  }
}

describe("the fault suite", () => {
  it(`${RUNS} seeded plan + apply runs of 10,000 changes converge in one apply, none inside a window`, async () => {
    let windows = 0;
    let knockOn = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const seen = await planApplyConverge(seed);
      windows += seen.windows;
      knockOn += seen.knockOn;
    }
    // The limiter was exercised: windows opened, and requests in flight were refused by them.
    expect(windows).toBeGreaterThan(RUNS * 50);
    expect(knockOn).toBeGreaterThan(RUNS * 10);
  }, 300_000);
});

describe("the CLI under faults", () => {
  /** A smaller plan (40 flags, 2,000 changes): the CLI's own waits are not scaled down. */
  async function smallFile(flags: number): Promise<string> {
    const dir = await tempDir();
    const file = join(dir, "flags.yaml");
    const lines = [`version: 1`, `app: ${APP}`, `policy: { maxChanges: 20000 }`, `flags:`];
    for (let i = 0; i < flags; i++) {
      lines.push(`  ${flagKey(i)}:`, `    name: Fault flag ${i}`, `    targeting:`);
      for (const env of Object.keys(ENVS))
        lines.push(`      ${env}: { companies: [${companies(i, env).join(", ")}] }`);
    }
    await writeFile(file, `${lines.join("\n")}\n`);
    return file;
  }

  it("apply converges under the fault profile at concurrency 8, nothing sent into a known window", async () => {
    await withEmulator({ seed: 7 }, async (emulator) => {
      emulator.store.addFlags(APP, 35, (i) => ({ key: flagKey(i), name: `Fault flag ${i}` }));
      const file = await smallFile(40);
      const env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
      // The hang is left to the in-process suite: the CLI's per-attempt timeout is 30 s.
      emulator.setFaults({ ...profile(7), script: [{ method: "PATCH", fault: "reset", times: 3 }] });
      const applied = await runCli(["apply", "-f", file, "--yes", "--timeout", "50s"], {
        env,
        timeoutMs: 60_000,
      });
      expect(applied.stderr).toBe("");
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain("Apply complete: ");
      const plan = await runCli(["plan", "-f", file, "--detailed-exitcode"], { env, timeoutMs: 60_000 });
      expect(plan.code).toBe(0);
      expect(emulator.stats().rateLimit).toMatchObject({ insideWindow: 0 });
      expect(emulator.stats().rateLimit.windows).toBeGreaterThan(0);
    });
  }, 90_000);

  it.each([400, 401, 403, 404])(
    "a %i is sent once: the apply stops and says so, nothing retried",
    async (status) => {
      await withEmulator({}, async (emulator) => {
        emulator.store.addFlags(APP, 1, (i) => ({ key: flagKey(i), name: `Fault flag ${i}` }));
        const file = await smallFile(1);
        const env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
        emulator.setFaults({ script: [{ method: "PATCH", fault: String(status) as "400", times: 100 }] });
        const r = await runCli(["apply", "-f", file, "--yes"], { env });
        expect(r.code).toBe(1);
        expect(emulator.stats().byMethod.PATCH).toBe(1);
        expect(r.stdout).toContain(`: failed: ${status} `);
        expect(r.stdout).toContain("Apply stopped after a failure. Applied: ");
      });
    },
  );

  it("a 401 on a read stops the run: no request after it, one line", async () => {
    await withEmulator({}, async (emulator) => {
      const file = await smallFile(5);
      const env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: "not-the-key-0123456789" };
      const r = await runCli(["plan", "-f", file, "--concurrency", "1"], { env });
      expect(r.code).toBe(1);
      expect(r.stderr.split("\n")[0]).toBe("error: the Reflag API refused the API key (401)");
      // getApp and listFlags leave together; neither is sent again, and nothing follows them.
      expect(emulator.stats().byStatus).toEqual({ "401": expect.any(Number) });
      expect(emulator.stats().total).toBeLessThanOrEqual(2);
    });
  });

  it("a dead API fails within the run's deadline with one line", async () => {
    const emulator = await startTestEmulator();
    await emulator.close();
    const file = await smallFile(3);
    const started = performance.now();
    const r = await runCli(["plan", "-f", file, "--timeout", "2s"], {
      env: { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey },
    });
    expect(performance.now() - started).toBeLessThan(8000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: GET \/apps\/apDemoApp01\S*: network_error: connect ECONNREFUSED \S+ \(the next attempt would pass the run's 2 s deadline\); after \d+ attempts\n$/,
    );
  });

  it("an outage spends the run's retry budget instead of multiplying traffic", async () => {
    const faults = { script: [{ path: /\/targeting\//, fault: "503" as const, times: 10_000 }] };
    await withEmulator({ faults }, async (emulator) => {
      emulator.store.addFlags(APP, 40, (i) => ({ key: flagKey(i), name: `Fault flag ${i}` }));
      const file = await smallFile(40);
      const r = await runCli(["plan", "-f", file], {
        env: { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey },
        timeoutMs: 60_000,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /: 503 not_available: .* \(the client's 51 retries for this run are spent\); after \d+ attempts\n$/,
      );
      // At most 8 reads in flight and 51 retries (50, and one earned by 2 answers), not 10 attempts of
      // every read; once one read gives up, the others stop.
      const reads = emulator.stats().byRoute["GET /apps/:appId/flags/:flagKey/targeting/:envId"]!;
      expect(Object.keys(reads)).toEqual(["503"]);
      expect(reads["503"]).toBeLessThanOrEqual(8 + 51);
    });
  }, 70_000);
});
