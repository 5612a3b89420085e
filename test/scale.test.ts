// Regression (issue 8): legal files at the size limit crashed with "Maximum call stack size
// exceeded" (list.push(...changes) in the diff). Validate and plan them end to end: the built CLI
// as a child process against the emulator over HTTP.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/emulator/index.js";
import { runCli, tempDir, withEmulator } from "./support/cli.js";

const APP = "apDemoApp01";
const PRODUCTION = "enProduction";
// The machines are shared and slow: generous, but a crash fails at once.
const TIMEOUT_MS = 120_000;

/** One flag whose Production targets are c0 ... c{count-1}, as one flow list. */
function oneHugeFlag(count: number): string {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(`c${i}`);
  return [
    "version: 1",
    `app: ${APP}`,
    "policy:",
    "  maxChanges: 1000000",
    "flags:",
    "  huge-flag:",
    "    name: Huge flag",
    "    targeting:",
    `      Production: { companies: [${ids.join(", ")}] }`,
    "",
  ].join("\n");
}

/** validate then plan `file` against an emulator that `seed` prepares; returns plan's stdout. */
async function validateAndPlan(
  file: string,
  summary: string,
  seed: (emulator: RunningEmulator) => void,
): Promise<string> {
  const validated = await runCli(["validate", "-f", file], { timeoutMs: TIMEOUT_MS });
  expect(validated.stderr).toBe("");
  expect(validated.stdout).toBe(`ok: ${file}: ${summary}\n`);
  expect(validated.code).toBe(0);
  let stdout = "";
  await withEmulator({}, async (emulator) => {
    seed(emulator);
    const env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
    const planned = await runCli(["plan", "-f", file, "--detailed-exitcode"], { env, timeoutMs: TIMEOUT_MS });
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(2);
    stdout = planned.stdout;
  });
  return stdout;
}

describe("no crash at scale", () => {
  it(
    "one flag with 400,000 ids in one environment validates and plans, the live side holding 400,000 too",
    async () => {
      const dir = await tempDir();
      const file = join(dir, "flags.yaml");
      const text = oneHugeFlag(400_000);
      expect(text.length).toBeLessThan(5 * 1024 * 1024);
      await writeFile(file, text);

      const stdout = await validateAndPlan(file, "1 flag, 400000 targets", (emulator) => {
        // Live: c200000 ... c599999, so half of the file is to add and 200,000 live ids to remove.
        emulator.store.addFlag(APP, { key: "huge-flag", name: "Huge flag" });
        const live: string[] = [];
        for (let i = 200_000; i < 600_000; i++) live.push(`c${i}`);
        emulator.store.setTargets(APP, "huge-flag", PRODUCTION, { companyIds: live });
      });
      expect(stdout).toContain("0 flags to create, 1 to change, 200000 targets to add, 200000 to remove");
    },
    TIMEOUT_MS * 2,
  );

  it(
    "a file with 20,000 flags validates and plans",
    async () => {
      const lines = ["version: 1", `app: ${APP}`, "policy:", "  maxChanges: 1000000", "flags:"];
      for (let i = 0; i < 20_000; i++) {
        lines.push(
          `  flag-${i}:`,
          `    name: Flag ${i}`,
          "    targeting:",
          `      Production: { companies: [acme-${i}], users: [user-${i}] }`,
        );
      }
      const dir = await tempDir();
      const file = join(dir, "flags.yaml");
      await writeFile(file, `${lines.join("\n")}\n`);

      const stdout = await validateAndPlan(file, "20000 flags, 40000 targets", (emulator) => {
        // 100 of them exist already (each one's targeting is read), some targeting a company the
        // file does not list.
        emulator.store.addFlags(APP, 100, (i) => ({ key: `flag-${i}`, name: `Flag ${i}` }));
        for (let i = 0; i < 100; i += 20) {
          emulator.store.setTargets(APP, `flag-${i}`, PRODUCTION, { companyIds: [`old-${i}`] });
        }
      });
      expect(stdout).toContain(
        "Plan: 19900 flags to create, 100 to change, 40000 targets to add, 5 to remove",
      );
    },
    TIMEOUT_MS * 2,
  );
});
