// Every example, and the demo's root flags.reflag.yaml, validate; each starts with the schema line.
import { readFile, readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDesired } from "../src/desired/index.js";
import { SCHEMA_URL } from "../src/desired/schema.js";
import { fileURLToPath } from "node:url";

const ROOT = join(import.meta.dirname, "..");
const NOW = new Date("2026-06-01T12:00:00Z");
const EXAMPLES = [
  "examples/single-file/flags.reflag.yaml",
  "examples/multi-env/flags.reflag.yaml",
  "examples/per-team",
  "flags.reflag.yaml",
];

async function yamlFiles(): Promise<string[]> {
  const files = ["flags.reflag.yaml"];
  for (const dir of await readdir(join(ROOT, "examples"), { recursive: true })) {
    // examples/kubernetes/ and examples/github-actions/ hold manifests and workflows, not flag files.
    if (/\.ya?ml$/.test(dir) && !/^(kubernetes|github-actions)\//.test(dir))
      files.push(join("examples", dir));
  }
  return files.sort();
}

describe("examples", () => {
  it.each(EXAMPLES)("%s is valid, without warnings", async (path) => {
    const { state, diagnostics } = await loadDesired([path], { cwd: ROOT, now: NOW });
    expect(diagnostics).toEqual([]);
    expect(state?.flags.length).toBeGreaterThan(0);
  });

  it("are at least three, one of them a directory of several files", async () => {
    const files = await yamlFiles();
    expect(files.filter((f) => f.startsWith("examples/per-team/")).length).toBeGreaterThanOrEqual(3);
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  it("start with a yaml-language-server line whose relative path reaches the schema", async () => {
    const schema = fileURLToPath(SCHEMA_URL);
    for (const file of await yamlFiles()) {
      const first = (await readFile(join(ROOT, file), "utf8")).split("\n")[0] ?? "";
      const match = /^# yaml-language-server: \$schema=(\.{1,2}\/\S+)$/.exec(first);
      expect(match, file).not.toBeNull();
      expect(resolve(ROOT, dirname(file), match?.[1] ?? ""), file).toBe(schema);
    }
  });
});

describe("the demo's flags.reflag.yaml", () => {
  it("manages new-checkout-flow, dark-mode and a new beta-search in the demo app", async () => {
    const { state } = await loadDesired([], { cwd: ROOT, now: NOW });
    expect(state?.app).toBe("apDemoApp01");
    expect(state?.environments.prod?.ref).toBe("Production");
    const flags = Object.fromEntries(
      (state?.flags ?? []).map((f) => [
        f.key,
        {
          name: f.name,
          stage: f.stage?.ref,
          targeting: Object.fromEntries(
            f.targeting.map((t) => [
              t.ref,
              { companies: t.companies.map((c) => c.id), users: t.users.map((u) => u.until ?? u.id) },
            ]),
          ),
        },
      ]),
    );
    expect(flags).toEqual({
      "beta-search": {
        name: "Beta search",
        stage: "Beta",
        targeting: { Staging: { companies: ["acme-corp"], users: ["2027-07-01T00:00:00.000Z"] } },
      },
      "dark-mode": {
        name: undefined,
        stage: "Beta",
        targeting: { Production: { companies: ["globex"], users: [] } },
      },
      "new-checkout-flow": {
        name: undefined,
        stage: "Beta",
        targeting: {
          Production: { companies: ["acme-corp", "globex"], users: ["user-1"] },
          Staging: { companies: ["acme-corp"], users: [] },
        },
      },
    });
  });
});
