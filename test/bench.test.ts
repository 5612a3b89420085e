// The bench harness works: `--quick` runs size S end to end and writes one JSON object per
// scenario. Only what cannot vary is checked (requests against their lower bounds), never a time.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tempDir } from "./support/cli.js";

const ROOT = resolve(import.meta.dirname, "..");

describe("npm run bench -- --quick", () => {
  it("measures size S against the emulator and writes its figures", async () => {
    const out = join(await tempDir(), "latest.json");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["bench/run.mjs", "--quick", "--latency", "0", "--out", out],
      { cwd: ROOT, timeout: 120_000 },
    );
    expect(stdout).toMatch(/^\| S \| 3,000 \| 450 \|/m);
    const rows = JSON.parse(await readFile(out, "utf8"));
    expect(rows.map((r: { scenario: string }) => r.scenario)).toEqual(["S"]);
    const [s] = rows;
    expect(s.reads).toBe(s.readsLowerBound);
    expect(s.writes).toBe(s.writesLowerBound);
    expect(s.writes).toBe(6);
    // No latency, no floor: the harness still runs every step.
    expect(s.floorMs).toBe(0);
    for (const field of ["planMs", "applyMs", "baselineMs", "speedup", "peakRssMb"]) {
      expect(s[field], field).toBeGreaterThan(0);
    }
  }, 130_000);
});
