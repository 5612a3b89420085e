// Verification after apply: the targeting written is re-read, and a target that another writer
// changed between the write and the re-read is reported (text, JSON, exit 1).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import { runCli, writeFiles } from "./support/cli.js";

const APP = "apDemoApp01";
const FILE = `version: 1
app: ${APP}
flags:
  dark-mode:
    targeting:
      Staging: { companies: [acme, globex] }
      Production: { companies: [globex, hooli] }
`;

let emulator: RunningEmulator;
let env: Record<string, string>;
let file: string;

beforeEach(async () => {
  emulator = await startTestEmulator();
  env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
  file = join(await writeFiles({ "flags.yaml": FILE }), "flags.yaml");
});
afterEach(async () => {
  await emulator.close();
});

/**
 * A second writer that, right after the apply's write to Staging is stored (before its answer is
 * sent), takes `acme` away again: deterministic, no timing involved.
 */
function fightOverAcme(): void {
  let fought = false;
  emulator.store.onChange(() => {
    if (fought) return;
    const last = emulator.store.audit(APP).at(-1);
    if (last?.action !== "specificTargets" || last.envId !== "enStaging") return;
    fought = true;
    emulator.store.setTargets(APP, "dark-mode", "enStaging", { companyIds: ["globex"] });
  });
}

describe("verification after apply", () => {
  it("reads back what was written and says so; its reads are the targetings written", async () => {
    const applied = await runCli(["apply", "-f", file, "--yes"], { env });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(
      "Verified: 3 target changes read back as planned (2 targetings re-read).",
    );
    // Plan: app, flags, 2 targetings; verification: the same 2 targetings.
    expect(emulator.stats().byMethod.GET).toBe(2 + 2 + 2);
  });

  it("reports a target a concurrent writer changed, in text, with exit 1", async () => {
    fightOverAcme();
    const applied = await runCli(["apply", "-f", file, "--yes"], { env });
    expect(applied.stdout).toContain("Apply complete");
    expect(applied.stdout).toContain(
      "Verification: 1 target is not as planned after the apply (2 targetings re-read): another writer changed it, or the change was lost.",
    );
    expect(applied.stdout).toContain("  Staging  dark-mode  company acme: expected present, is absent\n");
    expect(applied.code).toBe(1);
  });

  it("reports it in the apply JSON, valid against applyOutput", async () => {
    fightOverAcme();
    const applied = await runCli(["apply", "-f", file, "--yes", "-o", "json"], { env });
    expect(applied.code).toBe(1);
    const output = JSON.parse(applied.stdout) as { verify: unknown };
    expect(output.verify).toEqual({
      checked: 3,
      targetings: 2,
      mismatches: [
        {
          flagKey: "dark-mode",
          envId: "enStaging",
          envName: "Staging",
          kind: "company",
          id: "acme",
          expected: "present",
        },
      ],
    });
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    ajv.addSchema(
      JSON.parse(await readFile(join(import.meta.dirname, "..", "schemas", "plan.schema.json"), "utf8")),
      "plan.schema.json",
    );
    const validate = ajv.getSchema("plan.schema.json#/definitions/applyOutput")!;
    expect(validate(output), JSON.stringify(validate.errors)).toBe(true);
  });

  it("--no-verify skips the re-read", async () => {
    fightOverAcme();
    const applied = await runCli(["apply", "-f", file, "--yes", "--no-verify"], { env });
    expect(applied.code).toBe(0);
    expect(applied.stdout).not.toContain("Verif");
    expect(emulator.stats().byMethod.GET).toBe(2 + 2);
  });
});
