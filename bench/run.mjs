// Benchmarks, run against the built code (npm run bench builds first) and the in-process emulator
// with added latency, like a real network. The machines are shared and noisy, so every result is a
// ratio against a baseline measured in the same run, never an absolute time to compare across runs.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { executeRequests } from "../dist/apply/execute.js";
import { loadDesired } from "../dist/desired/index.js";
import { startEmulator } from "../dist/emulator/index.js";
import { ReflagClient } from "../dist/live/client.js";
import { readLive } from "../dist/live/read.js";
import { countRequests, toRequests } from "../dist/plan/batches.js";
import { diff } from "../dist/plan/diff.js";
import { resolveDesired } from "../dist/plan/resolve.js";

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 5);
const FLAGS = Number(process.env.BENCH_FLAGS ?? 40);
const TARGETS = Number(process.env.BENCH_TARGETS ?? 15);
const NOW = new Date();

/** A file managing FLAGS flags, each with TARGETS companies in Production and Staging. */
async function writeFlagFile() {
  const dir = await mkdtemp(join(tmpdir(), "reflag-bench-"));
  const lines = ["version: 1", "app: apDemoApp01", "flags:"];
  for (let f = 0; f < FLAGS; f++) {
    const companies = Array.from({ length: TARGETS }, (_, i) => `co-${f}-${i}`).join(", ");
    lines.push(`  bench-flag-${f}:`, `    name: Bench ${f}`, "    targeting:");
    lines.push(
      `      Production: { companies: [${companies}] }`,
      `      Staging: { companies: [${companies}] }`,
    );
  }
  const file = join(dir, "flags.yaml");
  await writeFile(file, `${lines.join("\n")}\n`);
  return file;
}

async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

async function withEmulator(fn) {
  const emulator = await startEmulator({ port: 0, faults: { latencyMs: LATENCY_MS } });
  try {
    return await fn(emulator);
  } finally {
    await emulator.close();
  }
}

async function planAndApply(file, { concurrency, batchSize }) {
  return withEmulator(async (emulator) => {
    const client = new ReflagClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, concurrency });
    const { state } = await loadDesired([file], { cwd: process.cwd(), now: NOW });
    const apply = await timed(async () => {
      const read = await readLive(client, state);
      const plan = diff(read.resolved, read.live, NOW);
      const result = await executeRequests(client, plan.appId, toRequests(plan, batchSize), {
        changeDescription: "bench",
      });
      if (!result.ok) throw new Error("bench apply failed");
      return countRequests(plan, batchSize);
    });
    // A second plan reads the targeting of every managed flag: the read path alone.
    const replan = await timed(async () => {
      const read = await readLive(client, state);
      return diff(read.resolved, read.live, NOW);
    });
    return { applyMs: apply.ms, writes: apply.value, planMs: replan.ms, stats: emulator.stats() };
  });
}

const file = await writeFlagFile();
console.log(
  `reflag-sync bench: ${FLAGS} flags × 2 environments × ${TARGETS} companies, ${LATENCY_MS} ms added latency per request\n`,
);

const baseline = await planAndApply(file, { concurrency: 1, batchSize: 1 });
const tuned = await planAndApply(file, { concurrency: 8, batchSize: 100 });

const rows = [
  ["plan (read live state)", "concurrency 1", baseline.planMs, "concurrency 8", tuned.planMs],
  ["apply (create + target)", "batch 1, conc. 1", baseline.applyMs, "batch 100, conc. 8", tuned.applyMs],
];
for (const [what, baseName, baseMs, newName, newMs] of rows) {
  console.log(
    `${what.padEnd(26)} ${baseName.padEnd(18)} ${baseMs.toFixed(0).padStart(7)} ms   ${newName.padEnd(20)} ${newMs.toFixed(0).padStart(7)} ms   speed-up ×${(baseMs / newMs).toFixed(1)}`,
  );
}
console.log(
  `${"write requests".padEnd(26)} ${"batch 1".padEnd(18)} ${String(baseline.writes).padStart(7)}      ${"batch 100".padEnd(20)} ${String(tuned.writes).padStart(7)}      fewer ×${(baseline.writes / tuned.writes).toFixed(1)}`,
);
console.log(
  `most requests in flight: ${baseline.stats.maxInFlight} (concurrency 1), ${tuned.stats.maxInFlight} (concurrency 8)`,
);

// The pure core alone, without I/O: only the diff is timed, not loading or resolving.
const big = await loadDesired([file], { cwd: process.cwd(), now: NOW });
const live = {
  app: {
    id: "apDemoApp01",
    name: "x",
    flagKeyFormat: "kebabCaseLower",
    environments: [
      { id: "p", name: "Production" },
      { id: "s", name: "Staging" },
    ],
    stages: [],
  },
  flags: [],
  targeting: new Map(),
};
const { resolved } = resolveDesired(big.state, live.app, new Set());
const cpu = await timed(async () => {
  for (let i = 0; i < 20; i++) diff(resolved, live, NOW);
});
console.log(
  `diff of ${FLAGS * 2 * TARGETS} targets, 20 times: ${cpu.ms.toFixed(0)} ms (${((cpu.ms / 20 / tuned.planMs) * 100).toFixed(1)}% of one plan's read time)`,
);
