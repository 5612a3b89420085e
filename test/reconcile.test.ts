// The reconcile core in process, against the emulator over real HTTP: one result record per run.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connect, loadRevision, reconcile, type ReconcileInput } from "../src/reconcile/index.js";
import type { RunningEmulator } from "../src/emulator/index.js";
import { withEmulator, writeFiles } from "./support/cli.js";

const FILE = `version: 1
app: apDemoApp01
flags:
  dark-mode:
    targeting:
      Staging: { companies: [acme, globex] }
`;

async function input(
  emulator: RunningEmulator,
  dir: string,
  mode: "plan" | "apply",
): Promise<ReconcileInput> {
  const loaded = await loadRevision(["flags.yaml"], { cwd: dir, now: new Date() });
  if (!loaded.ok) throw new Error("fixture must be valid");
  return {
    desired: loaded.desired,
    revision: loaded.revision,
    trigger: "command",
    connection: connect({ apiKey: emulator.apiKey, baseUrl: emulator.url, maxAttempts: 2, baseDelayMs: 1 }),
    mode,
    batchSize: 100,
    now: () => new Date(),
    cwd: dir,
  };
}

describe("reconcile", () => {
  it("plans, applies, then finds the app in sync, counting its own requests", async () => {
    await withEmulator({}, async (emulator) => {
      const dir = await writeFiles({ "flags.yaml": FILE });
      const planned = await reconcile(await input(emulator, dir, "plan"));
      expect(planned).toMatchObject({
        trigger: "command",
        outcome: "planned",
        counts: { targetsToAdd: 2, targetsToRemove: 0, changes: 2, requests: 1 },
        requests: { writes: 0, retries: 0 },
      });
      // The app, one flag page, the one managed flag's targeting in Staging.
      expect(planned.requests.reads).toBe(3);
      expect(planned.revision).toMatch(/^[0-9a-f]{12}$/);

      const applied = await reconcile(await input(emulator, dir, "apply"));
      expect(applied.outcome).toBe("applied");
      // The same 3 reads, then the one targeting written, re-read to verify it.
      expect(applied.requests).toEqual({ reads: 4, writes: 1, retries: 0 });
      expect(applied.verify).toEqual({ checked: 2, targetings: 1, mismatches: [] });
      expect(applied.apply?.ok).toBe(true);
      expect(emulator.store.getTargets("apDemoApp01", "dark-mode", "enStaging").companyIds).toEqual([
        "acme",
        "globex",
      ]);

      const again = await reconcile(await input(emulator, dir, "apply"));
      expect(again.outcome).toBe("in-sync");
      expect(again.requests.writes).toBe(0);
    });
  });

  it("refuses a plan over policy.maxChanges without force, and sends nothing", async () => {
    await withEmulator({}, async (emulator) => {
      const dir = await writeFiles({
        "flags.yaml": FILE.replace("flags:", "policy: { maxChanges: 1 }\nflags:"),
      });
      const result = await reconcile(await input(emulator, dir, "apply"));
      expect(result).toMatchObject({ outcome: "refused", errorClass: "refused", requests: { writes: 0 } });
      expect(result.warnings.map((w) => w.code)).toEqual(["max-changes"]);
      expect(result.apply).toBeUndefined();
    });
  });

  it("classifies a file that does not match the app as invalid-plan, with its diagnostics", async () => {
    await withEmulator({}, async (emulator) => {
      const dir = await writeFiles({ "flags.yaml": FILE.replace("Staging:", "Stagign:") });
      const result = await reconcile(await input(emulator, dir, "apply"));
      expect(result).toMatchObject({ outcome: "invalid", errorClass: "invalid-plan" });
      expect(result.diagnostics[0]).toMatchObject({ file: "flags.yaml", line: 6, severity: "error" });
    });
  });

  it("classifies an API that keeps failing as transient, and a refused key as fatal", async () => {
    await withEmulator({ faults: { errorRate: 1 } }, async (emulator) => {
      const dir = await writeFiles({ "flags.yaml": FILE });
      const result = await reconcile(await input(emulator, dir, "apply"));
      expect(result).toMatchObject({ outcome: "failed", errorClass: "transient", requests: { writes: 0 } });
    });
    await withEmulator({ apiKey: "another-key" }, async (emulator) => {
      const dir = await writeFiles({ "flags.yaml": FILE });
      const run = await input(emulator, dir, "plan");
      run.connection = connect({ apiKey: "wrong-key", baseUrl: emulator.url });
      const result = await reconcile(run);
      expect(result).toMatchObject({ outcome: "failed", errorClass: "fatal" });
      expect(JSON.stringify({ ...result, cause: undefined })).not.toContain("wrong-key");
    });
  });
});

describe("loadRevision", () => {
  it("gives equal content an equal revision, and any change of bytes another", async () => {
    const dir = await writeFiles({ "flags.yaml": FILE });
    const options = { cwd: dir, now: new Date() };
    const first = await loadRevision(["flags.yaml"], options);
    expect((await loadRevision(["flags.yaml"], options)).revision).toBe(first.revision);
    await writeFile(join(dir, "flags.yaml"), `${FILE}# a comment\n`);
    expect((await loadRevision(["flags.yaml"], options)).revision).not.toBe(first.revision);
  });

  it("never reads a missing, empty or invalid file as an empty desired state", async () => {
    const dir = await writeFiles({ "empty.yaml": "", "bad.yaml": "version: 1\napp: [\n" });
    for (const file of ["missing.yaml", "empty.yaml", "bad.yaml"]) {
      const loaded = await loadRevision([file], { cwd: dir, now: new Date() });
      expect(loaded.ok, file).toBe(false);
      expect(
        loaded.diagnostics.some((d) => d.severity === "error" && d.file === file),
        file,
      ).toBe(true);
      expect(loaded.revision).toMatch(/^[0-9a-f]{12}$/);
    }
  });
});
