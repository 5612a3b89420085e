#!/usr/bin/env node
// `validate` at scale, measured against `yaml`'s own parse() of the same files in the same run.
//
//   node bench/validate-scale.mjs [--targets N] [--files N] [--big-flags N]
//
// Needs dist/ (npm run build). Prints one JSON object on stdout:
//   { targets, files, bytes, validateMs, yamlParseMs, ratio, peakRssMb, parsePeakRssMb,
//     bigFile: { flags, bytes, validateMs, yamlParseMs, ratio, peakRssMb },
//     startUp: { validateSmallMs, nodeMs } }
// validateMs is the wall time of `reflag-sync validate -f DIR` as a child process (start-up
// included); yamlParseMs is parse() of every file's text in a child process (reading excluded);
// peak RSS comes from each child's process.resourceUsage().maxRSS.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/cli.js");

/** Run in a child: parse the files given, print { ms, maxRssMb }. */
async function parseChild(files) {
  const { parse } = await import("yaml");
  const texts = await Promise.all(files.map((f) => readFile(f, "utf8")));
  const start = performance.now();
  let keep = 0;
  for (const text of texts) keep += parse(text) ? 1 : 0;
  const ms = performance.now() - start;
  process.stdout.write(JSON.stringify({ ms, keep, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

/** A preloaded module that reports the process's peak RSS (MiB) on fd 3 at exit. */
const RSS_REPORTER =
  "data:text/javascript,import{writeSync}from'node:fs';process.on('exit',()=>{try{writeSync(3,String(process.resourceUsage().maxRSS/1024))}catch{}})";

function run(args) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe", "pipe"] });
    const out = { stdout: "", stderr: "", fd3: "" };
    child.stdout.on("data", (chunk) => (out.stdout += chunk));
    child.stderr.on("data", (chunk) => (out.stderr += chunk));
    child.stdio[3].on("data", (chunk) => (out.fd3 += chunk));
    child.on("error", reject);
    child.on("close", (exitCode) => {
      const ms = performance.now() - start;
      if (exitCode !== 0 && exitCode !== 1) reject(new Error(`${args.join(" ")}: ${out.stderr}`));
      else resolve({ ms, stdout: out.stdout, stderr: out.stderr, exitCode, peakRssMb: Number(out.fd3) });
    });
  });
}

async function validate(paths) {
  const args = ["--import", RSS_REPORTER, CLI, "validate", ...paths.flatMap((p) => ["-f", p])];
  const result = await run(args);
  if (result.exitCode !== 0) throw new Error(`validate failed:\n${result.stderr.slice(0, 2000)}`);
  return { ms: result.ms, peakRssMb: result.peakRssMb, stdout: result.stdout.trim() };
}

async function yamlParse(files) {
  const result = await run([fileURLToPath(import.meta.url), "--parse-child", ...files]);
  return JSON.parse(result.stdout);
}

/** `files` files holding `targets` targets in all: flags × 2 environments × companies and users. */
export async function writeTargetFiles(dir, targets, files) {
  const perFile = Math.ceil(targets / files);
  const perList = 125;
  const paths = [];
  let written = 0;
  for (let f = 0; f < files; f++) {
    const lines = f === 0 ? ["version: 1", "app: apBench0001", "flags:"] : ["version: 1", "flags:"];
    for (let flag = 0; written < targets && written < (f + 1) * perFile; flag++) {
      lines.push(`  file-${f}-flag-${flag}:`, `    name: File ${f} flag ${flag}`, "    targeting:");
      for (const env of ["Production", "Staging"]) {
        lines.push(`      ${env}:`);
        for (const list of ["companies", "users"]) {
          lines.push(`        ${list}:`);
          for (let i = 0; i < perList && written < targets; i++, written++) {
            lines.push(`          - ${list === "users" ? "user" : "company"}-${f}-${flag}-${i}`);
          }
        }
      }
    }
    const path = join(dir, `part-${String(f).padStart(2, "0")}.yaml`);
    await writeFile(path, `${lines.join("\n")}\n`);
    paths.push(path);
  }
  return paths;
}

/** One file of `flags` flags, each with a name, description, stage and a few targets (~280 bytes). */
export async function writeManyFlagsFile(dir, flags) {
  const lines = ["version: 1", "app: apBench0001", "flags:"];
  for (let f = 0; f < flags; f++) {
    lines.push(
      `  feature-${f}:`,
      `    name: Feature number ${f}`,
      `    description: What feature ${f} does, in a sentence`,
      "    stage: Beta",
      "    targeting:",
      `      Production: { companies: [acme-${f}, globex-${f}], users: [user-${f}] }`,
      `      Staging: { companies: [acme-${f}] }`,
    );
  }
  const path = join(dir, "many-flags.yaml");
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

async function sizeOf(paths) {
  let bytes = 0;
  for (const p of paths) bytes += (await readFile(p)).length;
  return bytes;
}

async function measure(paths, validateArgs) {
  const parsed = await yamlParse(paths);
  const validated = await validate(validateArgs);
  return {
    bytes: await sizeOf(paths),
    validateMs: Math.round(validated.ms),
    yamlParseMs: Math.round(parsed.ms),
    ratio: Number((validated.ms / parsed.ms).toFixed(2)),
    peakRssMb: Math.round(validated.peakRssMb),
    parsePeakRssMb: Math.round(parsed.maxRssMb),
    summary: validated.stdout,
  };
}

/** Start-up: the best of five runs of validate on the 3-flag example, and of `node -e 0`. */
async function startUp() {
  const best = async (args) => {
    let ms = Infinity;
    for (let i = 0; i < 5; i++) ms = Math.min(ms, (await run(args)).ms);
    return Math.round(ms);
  };
  const example = join(ROOT, "examples/single-file/flags.reflag.yaml");
  return { validateSmallMs: await best([CLI, "validate", "-f", example]), nodeMs: await best(["-e", "0"]) };
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      "parse-child": { type: "boolean" },
      targets: { type: "string", default: "1000000" },
      files: { type: "string", default: "20" },
      "big-flags": { type: "string", default: "17496" },
    },
  });
  if (values["parse-child"]) return parseChild(positionals);
  const targets = Number(values.targets);
  const files = Number(values.files);
  const bigFlags = Number(values["big-flags"]);
  const dir = await mkdtemp(join(tmpdir(), "reflag-validate-scale-"));
  try {
    const paths = await writeTargetFiles(dir, targets, files);
    const many = await measure(paths, [dir]);
    const bigPath = await writeManyFlagsFile(dir, bigFlags);
    const big = await measure([bigPath], [bigPath]);
    const { summary: _s, ...bigFigures } = big;
    const { summary: _m, ...manyFigures } = many;
    process.stdout.write(
      `${JSON.stringify({ targets, files, ...manyFigures, bigFile: { flags: bigFlags, ...bigFigures }, startUp: await startUp() }, null, 2)}\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
