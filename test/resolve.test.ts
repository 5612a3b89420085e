import { describe, expect, it } from "vitest";
import type { DesiredFlag, DesiredState } from "../src/desired/model.js";
import { matchesKeyFormat } from "../src/api/flag-keys.js";
import { resolveDesired } from "../src/plan/resolve.js";
import type { LiveApp } from "../src/plan/live-state.js";

const at = (line: number, col = 3) => ({ file: "flags.yaml", line, col });
const APP: LiveApp = {
  id: "ap1",
  name: "App",
  flagKeyFormat: "kebabCaseLower",
  environments: [
    { id: "enProd", name: "Production" },
    { id: "enStaging", name: "Staging" },
  ],
  stages: [{ id: "stBeta", name: "Beta", color: "blue", order: 1 }],
};

function state(flags: DesiredFlag[], environments: DesiredState["environments"] = {}): DesiredState {
  return {
    app: "ap1",
    appAt: at(2),
    policy: { prune: true, maxChanges: 500, maxRemovalShare: 0.5 },
    environments,
    flags,
    files: ["flags.yaml"],
  };
}
function flag(key: string, extra: Partial<DesiredFlag> = {}): DesiredFlag {
  return { key, at: at(10), targeting: [], ...extra };
}
const env = (key: string, ref: string, line: number) => ({
  key,
  ref,
  at: at(line, 7),
  companies: [],
  users: [],
});

describe("resolveDesired", () => {
  it("resolves aliases, names and ids to environments, and stage names to ids", () => {
    const { resolved, diagnostics } = resolveDesired(
      state(
        [
          flag("a", {
            stage: { ref: "Beta", at: at(11) },
            targeting: [env("prod", "Production", 12), env("enStaging", "enStaging", 13)],
          }),
        ],
        {
          prod: { ref: "Production", at: at(3) },
        },
      ),
      APP,
      new Set(["a"]),
    );
    expect(diagnostics).toEqual([]);
    expect(resolved?.flags[0]?.stage).toEqual({ id: "stBeta", name: "Beta" });
    expect(resolved?.flags[0]?.targeting.map((t) => t.envId)).toEqual(["enProd", "enStaging"]);
  });

  it.each<{
    name: string;
    flags: DesiredFlag[];
    aliases: DesiredState["environments"];
    line: number;
    text: string;
  }>([
    {
      name: "unknown environment",
      flags: [flag("a", { targeting: [env("Prodution", "Prodution", 12)] })],
      aliases: {},
      line: 12,
      text: "'Prodution' is neither an alias nor an environment",
    },
    {
      name: "alias to an unknown environment",
      flags: [],
      aliases: { prod: { ref: "Prod", at: at(4) } },
      line: 4,
      text: "alias 'prod' names environment 'Prod'",
    },
    {
      name: "unknown stage",
      flags: [flag("a", { stage: { ref: "Alpha", at: at(11) } })],
      aliases: {},
      line: 11,
      text: "stage 'Alpha' does not exist",
    },
    {
      name: "environment listed twice",
      flags: [flag("a", { targeting: [env("prod", "Production", 12), env("Production", "Production", 14)] })],
      aliases: { prod: { ref: "Production", at: at(4) } },
      line: 14,
      text: "listed twice",
    },
    {
      name: "new flag without a name",
      flags: [flag("brand-new")],
      aliases: {},
      line: 10,
      text: "give it a 'name' to create it",
    },
    {
      name: "new flag key in the wrong format",
      flags: [flag("Brand_New", { name: "B" })],
      aliases: {},
      line: 10,
      text: "requires kebabCaseLower keys",
    },
  ])("$name -> error at its line", ({ flags, aliases, line, text }) => {
    const { resolved, diagnostics } = resolveDesired(state(flags, aliases), APP, new Set(["a"]));
    expect(resolved).toBeUndefined();
    expect(diagnostics[0]).toMatchObject({ severity: "error", file: "flags.yaml", line });
    expect(diagnostics[0]?.message).toContain(text);
  });

  it("does not check the key format of existing flags", () => {
    expect(resolveDesired(state([flag("Legacy_Key")]), APP, new Set(["Legacy_Key"])).diagnostics).toEqual([]);
  });

  it.each([
    ["kebabCaseLower", "new-checkout-2", true],
    ["kebabCaseLower", "New-checkout", false],
    ["kebabCaseUpper", "NEW-CHECKOUT", true],
    ["snakeCaseLower", "new_checkout", true],
    ["snakeCaseLower", "new-checkout", false],
    ["snakeCaseUpper", "NEW_CHECKOUT", true],
    ["camelCase", "newCheckout", true],
    ["camelCase", "NewCheckout", false],
    ["pascalCase", "NewCheckout", true],
    ["custom", "anything goes.here", true],
    ["custom", " padded", false],
  ] as const)("%s accepts %s: %s", (format, key, ok) => {
    expect(matchesKeyFormat(key, format)).toBe(ok);
  });
});
