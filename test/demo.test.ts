// The README's main job: `npm run demo` (node dist/demo.js) plans, applies and re-plans on the bundled emulator.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { assertNoSecret } from "./support/canary.js";

describe("the demo", () => {
  it("shows a plan, an apply and an empty second plan, and exits 0", () => {
    const root = resolve(import.meta.dirname, "..");
    const r = spawnSync(process.execPath, ["dist/demo.js"], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const steps = r.stdout.split(/^\$ /m).slice(1);
    expect(steps.map((s) => s.split("\n")[0])).toEqual([
      "reflag-sync plan -f flags.reflag.yaml --detailed-exitcode",
      "reflag-sync apply -f flags.reflag.yaml --yes",
      "reflag-sync plan -f flags.reflag.yaml --detailed-exitcode",
    ]);
    expect(steps[0]).toContain("+ flag beta-search");
    expect(steps[1]).toContain("Apply complete: 4 of 4 requests applied");
    expect(steps[2]).toContain("No changes. The Reflag app matches the file.");
    expect(r.stdout).toContain("The second plan is empty: the app now matches the file.");
    expect(r.stdout).not.toContain("demo-api-key");
    assertNoSecret(r.stdout + r.stderr, "the demo's output");
  });
});
