// npm run bench [-- --quick] [--sizes S,M,L] [--latency 20] [--concurrency 8] [--batch-size 100]
//                [--full-baseline] [--skip-million] [--out FILE]
//
// plan and apply of three sizes against the bundled emulator with added latency per request, the
// CLI run as a child process (wall time, peak RSS), beside the naive baseline and the latency
// floor; then watch's requests per idle poll, validate at 1,000,000 targets (bench/validate-scale.mjs)
// and the pure diff of 1,000,000 targets. A Markdown table on stdout, one
// JSON object per scenario in bench/results/latest.json. Figures, not verdicts: the suite never
// fails on them.
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { setTimeout as delay } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { startEmulator } from "../dist/emulator/index.js";
import { diff } from "../dist/plan/diff.js";
import { resolveDesired } from "../dist/plan/resolve.js";
import { targetingKey } from "../dist/plan/live-state.js";
import { loadRevision } from "../dist/reconcile/index.js";
import { naiveSync } from "./baseline.mjs";
import {
  ENVIRONMENTS,
  expectedChanges,
  flagKey,
  SIZES,
  seedEmulator,
  targetsOf,
  writeFlagFiles,
} from "./scenarios.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const CLI = join(ROOT, "dist", "cli.js");
const PEAK_RSS = pathToFileURL(join(import.meta.dirname, "peak-rss.mjs")).href;
/** The 1,000,000-target file set: 5,000 flags × 2 environments × 100 targets, in 20 files. */
const MILLION = { flags: 5000, envs: 2, targets: 100 };
const MILLION_FILES = 20;

const { values } = parseArgs({
  options: {
    quick: { type: "boolean" },
    sizes: { type: "string" },
    latency: { type: "string", default: "20" },
    concurrency: { type: "string", default: "8" },
    "batch-size": { type: "string", default: "100" },
    "full-baseline": { type: "boolean" },
    "skip-million": { type: "boolean" },
    out: { type: "string", default: join(import.meta.dirname, "results", "latest.json") },
  },
});
const LATENCY = Number(values.latency);
const CONCURRENCY = Number(values.concurrency);
const BATCH = Number(values["batch-size"]);
const sizeNames = (values.sizes ?? (values.quick ? "S" : "S,M,L"))
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
for (const name of sizeNames) if (!SIZES[name]) throw new Error(`unknown size ${name}: S, M or L`);
const RUN = {
  latencyMs: LATENCY,
  concurrency: CONCURRENCY,
  batchSize: BATCH,
  node: process.version,
  cpus: cpus().length,
  /** The machine's 1-minute load average when the run started: above the CPU count, times stretch. */
  loadAverage: round2(loadavg()[0]),
  at: new Date().toISOString(),
};

/** Runs the CLI (or a script) as a child: wall time, exit code, output, its peak RSS (MiB) and CPU time. */
async function child(args, env = {}) {
  const rssFile = join(tmpdir(), `reflag-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const start = performance.now();
  const proc = spawn(process.execPath, ["--import", PEAK_RSS, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", CI: "1", BENCH_PEAK_RSS_FILE: rssFile, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = [];
  const err = [];
  proc.stdout.on("data", (d) => out.push(d));
  proc.stderr.on("data", (d) => err.push(d));
  const code = await new Promise((ok) => proc.on("close", ok));
  const ms = performance.now() - start;
  const usage = JSON.parse(await readFile(rssFile, "utf8"));
  await rm(rssFile, { force: true });
  const peakRssMb = usage.maxRssKb / 1024;
  const cpuMs = usage.cpuUs / 1000;
  return {
    code,
    ms,
    peakRssMb,
    cpuMs,
    stdout: Buffer.concat(out).toString(),
    stderr: Buffer.concat(err).toString(),
  };
}

function cli(args, emulator) {
  return child([CLI, ...args, "--concurrency", String(CONCURRENCY), "--batch-size", String(BATCH)], {
    REFLAG_API_URL: emulator.url,
    REFLAG_API_KEY: emulator.apiKey,
  });
}

function expectCode(run, code, what) {
  if (run.code !== code)
    throw new Error(`${what} exited ${run.code}, expected ${code}:\n${run.stderr.slice(0, 2000)}`);
}

async function withEmulator(size, fn) {
  const emulator = await startEmulator({ port: 0, faults: { latencyMs: LATENCY } });
  try {
    seedEmulator(emulator, size);
    emulator.resetStats();
    return await fn(emulator);
  } finally {
    await emulator.close();
  }
}

/** Every managed list in the emulator equals the file: the apply (or the baseline) converged. */
function expectConverged(emulator, size, what) {
  for (let f = 0; f < size.flags; f++) {
    for (let e = 0; e < size.envs; e++) {
      const live = emulator.store.getTargets(emulator.appId, flagKey(f), ENVIRONMENTS[e].id);
      const { desired } = targetsOf(size, f, e);
      const same = (a, b) => a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");
      if (!same(live.companyIds, desired.companies) || !same(live.userIds, desired.users))
        throw new Error(`${what} did not converge: ${flagKey(f)} in ${ENVIRONMENTS[e].name}`);
    }
  }
}

const reads = (stats) => stats.byMethod.GET ?? 0;
const writes = (stats) => (stats.byMethod.POST ?? 0) + (stats.byMethod.PATCH ?? 0);

/**
 * The latency floor: rounds of requests that must follow one another, each round at most
 * `concurrency` requests, times the latency. Reads: the app and the first flag page, then the other
 * pages, then every targeting; writes (no creates here): the batches.
 */
function floorRounds(liveFlags, pairs, writeCount) {
  const pages = Math.ceil(liveFlags / 100);
  const readRounds = 1 + Math.ceil((pages - 1) / CONCURRENCY) + Math.ceil(pairs / CONCURRENCY);
  return { readRounds, writeRounds: Math.ceil(writeCount / CONCURRENCY) };
}

async function measureSize(name, dir) {
  const size = SIZES[name];
  await writeFlagFiles(join(dir, name), size, { files: size.files ?? 1 });
  const file = join(dir, name);
  const expected = expectedChanges(size);
  const pairs = size.flags * size.envs;
  const result = {
    scenario: name,
    flags: size.flags,
    environments: size.envs,
    targetsPerFlagEnv: size.targets,
  };
  result.targets = pairs * size.targets;
  result.adds = expected.adds;
  result.removes = expected.removes;

  await withEmulator(size, async (emulator) => {
    const liveFlags = emulator.store.state.apps[0].flags.length;
    result.readsLowerBound = 1 + Math.ceil(liveFlags / 100) + pairs;
    result.writesLowerBound = expected.perEnv.reduce((sum, n) => sum + Math.ceil(n / BATCH), 0);
    const { readRounds, writeRounds } = floorRounds(liveFlags, pairs, result.writesLowerBound);
    result.planFloorMs = readRounds * LATENCY;
    result.applyFloorMs = (readRounds + writeRounds) * LATENCY;

    const plan = await cli(["plan", "-f", file, "-o", "json"], emulator);
    expectCode(plan, 0, `plan ${name}`);
    const totals = JSON.parse(plan.stdout).totals;
    if (totals.targetsToAdd !== expected.adds || totals.targetsToRemove !== expected.removes)
      throw new Error(`plan ${name}: ${JSON.stringify(totals)}, expected ${JSON.stringify(expected)}`);
    const planStats = emulator.stats();
    result.planReads = reads(planStats);
    result.planMs = Math.round(plan.ms);
    result.planPeakRssMb = Math.round(plan.peakRssMb);
    result.planCpuMs = Math.round(plan.cpuMs);

    emulator.resetStats();
    const apply = await cli(["apply", "-f", file, "--yes", "--no-verify", "-o", "json"], emulator);
    expectCode(apply, 0, `apply ${name}`);
    const applyStats = emulator.stats();
    expectConverged(emulator, size, `apply ${name}`);
    result.reads = reads(applyStats);
    result.writes = writes(applyStats);
    result.maxInFlight = applyStats.maxInFlight;
    result.applyMs = Math.round(apply.ms);
    result.applyPeakRssMb = Math.round(apply.peakRssMb);
    result.applyCpuMs = Math.round(apply.cpuMs);
  });
  result.floorMs = result.applyFloorMs;
  result.planRatio = ratio(result.planMs, result.planFloorMs);
  result.applyRatio = ratio(result.applyMs, result.applyFloorMs);
  result.peakRssMb = Math.max(result.planPeakRssMb, result.applyPeakRssMb);
  return result;
}

/** The naive script on a fresh copy of the same live state, timed from its first read to its last write. */
async function measureBaseline(name) {
  const size = SIZES[name];
  return withEmulator(size, async (emulator) => {
    const start = performance.now();
    const counts = await naiveSync({
      url: emulator.url,
      apiKey: emulator.apiKey,
      appId: emulator.appId,
      size,
    });
    const ms = performance.now() - start;
    expectConverged(emulator, size, `baseline ${name}`);
    return { ...counts, ms: Math.round(ms) };
  });
}

/** validate of 1,000,000 targets in 20 files against yaml's own parse(): bench/validate-scale.mjs. */
async function measureValidate() {
  const run = await child([join(import.meta.dirname, "validate-scale.mjs")]);
  expectCode(run, 0, "bench/validate-scale.mjs");
  const figures = JSON.parse(run.stdout);
  return { scenario: "validate-1M", ...figures, yamlParsePeakRssMb: figures.parsePeakRssMb };
}

/** The pure diff of 1,000,000 targets, in process: loading is not timed, only diff(). */
async function measureDiff(dir) {
  const files = await writeFlagFiles(join(dir, "million"), MILLION, { files: MILLION_FILES });
  const loaded = await loadRevision(files, { cwd: ROOT, now: new Date() });
  if (!loaded.ok) throw new Error("the 1,000,000-target files do not load");
  const app = {
    id: loaded.desired.app,
    name: "Bench",
    flagKeyFormat: "kebabCaseLower",
    environments: ENVIRONMENTS.slice(0, MILLION.envs),
    stages: [],
  };
  const flags = [];
  const targeting = new Map();
  for (let f = 0; f < MILLION.flags; f++) {
    const key = flagKey(f);
    flags.push({ id: `fl${f}`, key, name: key, archived: false, stale: false, permanent: false });
    for (let e = 0; e < MILLION.envs; e++) {
      const { live } = targetsOf(MILLION, f, e);
      targeting.set(targetingKey(key, ENVIRONMENTS[e].id), live);
    }
  }
  const { resolved } = resolveDesired(loaded.desired, app, new Set(flags.map((f) => f.key)));
  const live = { app, flags, targeting };
  const now = new Date();
  const times = [];
  const cpuTimes = [];
  let plan;
  for (let i = 0; i < 5; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    plan = diff(resolved, live, now);
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  const changes = plan.environments.reduce((sum, env) => sum + env.changes.length, 0);
  const expected = expectedChanges(MILLION);
  if (changes !== expected.adds + expected.removes)
    throw new Error(`diff: ${changes} changes, expected ${expected.adds + expected.removes}`);
  const median = (xs) => Math.round(xs.sort((a, b) => a - b)[2]);
  return {
    scenario: "diff-1M",
    targets: MILLION.flags * MILLION.envs * MILLION.targets,
    changes,
    diffMs: median(times),
    diffCpuMs: median(cpuTimes),
  };
}

/** How many times the floor; null without a floor (no latency). */
function ratio(ms, floorMs) {
  return floorMs > 0 ? round2(ms / floorMs) : null;
}

/** A free loopback port for the daemon's --listen (the bench is the only user of the machine's ports it picks). */
async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

async function until(condition, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

/** `watch` in sync at size S: API requests per periodic check once nothing moves. */
async function measureIdlePoll(dir) {
  const size = SIZES.S;
  const [file] = await writeFlagFiles(join(dir, "idle"), size);
  return withEmulator(size, async (emulator) => {
    const port = await freePort();
    const proc = spawn(
      process.execPath,
      [
        CLI,
        "watch",
        "-f",
        file,
        "--interval",
        "200ms",
        "--full-resync",
        "1h",
        "--listen",
        `127.0.0.1:${port}`,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey, NO_COLOR: "1" },
        stdio: "ignore",
      },
    );
    try {
      const get = async (path) => {
        try {
          const res = await globalThis.fetch(`http://127.0.0.1:${port}${path}`);
          return { status: res.status, text: await res.text() };
        } catch {
          return { status: 0, text: "" };
        }
      };
      /** Periodic checks so far, and those that found nothing moved. */
      const polls = async () => {
        const { text } = await get("/metrics");
        const counts = { all: 0, unchanged: 0 };
        for (const m of text.matchAll(/^reflag_sync_polls_total\{result="(\w+)"\} (\d+)/gm)) {
          counts.all += Number(m[2]);
          if (m[1] === "unchanged") counts.unchanged += Number(m[2]);
        }
        return counts;
      };
      await until(async () => (await get("/readyz")).status === 200, "watch to be ready");
      // The start applies the plan, so the next poll sees versions move: wait for an idle one.
      await until(async () => (await polls()).unchanged > 0, "an idle poll");
      emulator.resetStats();
      const first = await polls();
      await until(async () => (await polls()).all >= first.all + 10, "10 polls");
      const requests = emulator.stats().total;
      const last = await polls();
      const counted = last.all - first.all;
      if (last.unchanged - first.unchanged !== counted) throw new Error("live state moved while idle");
      return { scenario: "idle-poll", polls: counted, requests, requestsPerPoll: round2(requests / counted) };
    } finally {
      proc.kill("SIGTERM");
      await new Promise((ok) => (proc.exitCode !== null ? ok() : proc.on("close", ok)));
    }
  });
}

function round2(x) {
  return Math.round(x * 100) / 100;
}

const s = (ms) => (ms / 1000).toFixed(2);

function table(results) {
  const lines = [
    `reflag-sync bench: ${LATENCY} ms latency per request, concurrency ${CONCURRENCY}, batch size ${BATCH}; ${RUN.cpus} CPUs, load average ${RUN.loadAverage} at the start, Node ${RUN.node}`,
    "",
    "| size | targets | changes | reads (bound) | writes (bound) | most in flight | plan s (floor, ×) | apply s (floor, ×) | CLI CPU s plan / apply | naive s | speed-up | peak RSS MiB |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of results.filter((x) => SIZES[x.scenario])) {
    const naive =
      r.baselineMs === undefined ? "–" : `${s(r.baselineMs)}${r.baselineProjected ? " (projected)" : ""}`;
    lines.push(
      `| ${r.scenario} | ${r.targets.toLocaleString("en")} | ${(r.adds + r.removes).toLocaleString("en")} | ${r.reads} (${r.readsLowerBound}) | ${r.writes} (${r.writesLowerBound}) | ${r.maxInFlight} | ${s(r.planMs)} (${s(r.planFloorMs)}, ${r.planRatio}) | ${s(r.applyMs)} (${s(r.applyFloorMs)}, ${r.applyRatio}) | ${s(r.planCpuMs)} / ${s(r.applyCpuMs)} | ${naive} | ${r.speedup === undefined ? "–" : `${r.speedup}×`} | ${r.peakRssMb} |`,
    );
  }
  const v = results.find((x) => x.scenario === "validate-1M");
  const d = results.find((x) => x.scenario === "diff-1M");
  if (v || d) lines.push("", "| at 1,000,000 targets | time s | peak RSS MiB |", "| --- | ---: | ---: |");
  if (v) {
    lines.push(`| validate (${v.files} files) | ${s(v.validateMs)} (${v.ratio}× parse) | ${v.peakRssMb} |`);
    lines.push(`| yaml parse() of the same files | ${s(v.yamlParseMs)} | ${v.yamlParsePeakRssMb} |`);
    if (v.bigFile) {
      const b = v.bigFile;
      lines.push(
        `| validate, one file of ${b.flags.toLocaleString("en")} flags | ${s(b.validateMs)} (${b.ratio}× parse) | ${b.peakRssMb} |`,
      );
    }
  }
  if (d) {
    lines.push(
      `| diff (in process, ${d.changes.toLocaleString("en")} changes; median of 5) | ${s(d.diffMs)} (CPU ${s(d.diffCpuMs)}) | – |`,
    );
  }
  const idle = results.find((x) => x.scenario === "idle-poll");
  if (idle) {
    lines.push(
      "",
      `watch, in sync: ${idle.requestsPerPoll} API requests per idle poll (${idle.requests} in ${idle.polls} polls).`,
    );
  }
  return lines.join("\n");
}

const dir = await mkdtemp(join(tmpdir(), "reflag-bench-"));
const results = [];
try {
  for (const name of sizeNames) {
    process.stderr.write(`bench: size ${name}...\n`);
    results.push(await measureSize(name, dir));
    process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
  }
  // The naive baseline takes minutes at L (a sequential read per flag and environment, a write per
  // target): measured at S and M, projected at L from the largest measured, unless --full-baseline.
  let measured;
  for (const r of results) {
    const project = r.scenario === "L" && !values["full-baseline"] && measured !== undefined;
    if (project) {
      const readMs = measured.readPhaseMs / measured.reads;
      const writeMs = measured.writePhaseMs / measured.writes;
      r.baselineReads = r.readsLowerBound;
      r.baselineWrites = r.adds + r.removes;
      r.baselineMs = Math.round(r.baselineReads * readMs + r.baselineWrites * writeMs);
      r.baselineProjected = true;
    } else {
      process.stderr.write(`bench: naive baseline ${r.scenario}...\n`);
      measured = await measureBaseline(r.scenario);
      r.baselineReads = measured.reads;
      r.baselineWrites = measured.writes;
      r.baselineMs = measured.ms;
    }
    r.baselineMs = r.baselineMs ?? 0;
    r.speedup = round2(r.baselineMs / r.applyMs);
  }
  if (!values.quick && existsSync(join(ROOT, "dist", "cli", "commands", "watch.js"))) {
    process.stderr.write("bench: watch, requests per idle poll...\n");
    results.push(await measureIdlePoll(dir));
  }
  if (!values.quick && !values["skip-million"]) {
    process.stderr.write("bench: validate at 1,000,000 targets...\n");
    results.push(await measureValidate());
    process.stderr.write("bench: diff at 1,000,000 targets...\n");
    results.push(await measureDiff(dir));
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const rows = results.map((r) => ({ ...r, ...RUN }));
await mkdir(dirname(values.out), { recursive: true });
await writeFile(values.out, `${JSON.stringify(rows, null, 2)}\n`);
console.log(table(results));
console.log(`\n(${values.out})`);
