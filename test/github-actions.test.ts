// The example GitHub Actions workflows pass a workflow validator (the GitHub workflow schema).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";

const DIR = join(import.meta.dirname, "..", "examples", "github-actions");
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".yml"));

describe("examples/github-actions", () => {
  it("has the plan, apply and drift workflows", () => {
    expect(FILES.sort()).toEqual(["reflag-apply.yml", "reflag-drift.yml", "reflag-plan.yml"]);
  });

  it.each(FILES)("%s is a valid workflow", (file) => {
    expect(validateWorkflow(readFileSync(join(DIR, file), "utf8")).errors).toEqual([]);
  });

  it("catches a broken workflow (the validator is really checking)", () => {
    const broken = readFileSync(join(DIR, "reflag-apply.yml"), "utf8").replace("runs-on:", "runs-onn:");
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it("plans with --base, updates one marked comment, runs apply one at a time and drift on a schedule", () => {
    const plan = readFileSync(join(DIR, "reflag-plan.yml"), "utf8");
    expect(plan).toContain("fetch-depth: 0");
    expect(plan).toContain('--base "$BASE_REF" --output markdown');
    expect(plan).toContain("updateComment");
    expect(plan).not.toContain("--detailed-exitcode");
    expect(readFileSync(join(DIR, "reflag-apply.yml"), "utf8")).toMatch(/concurrency:\n\s+group:/);
    expect(readFileSync(join(DIR, "reflag-drift.yml"), "utf8")).toContain("--detailed-exitcode");
  });
});
