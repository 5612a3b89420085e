// export, describe, init and schema: the built CLI as a child process against the emulator over HTTP.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewFlag, RunningEmulator } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import { runCli, tempDir } from "./support/cli.js";

let emulator: RunningEmulator;
let env: Record<string, string>;
const APP = "apDemoApp01";

beforeEach(async () => {
  emulator = await startTestEmulator();
  env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
});
afterEach(async () => {
  await emulator.close();
});

/** Every SDK key the emulator holds: none may appear in anything export writes or prints. */
function sdkKeys(): string[] {
  return emulator.store.state.apps.flatMap((a) =>
    a.environments.flatMap((e) => [e.sdkAccess.publishableKey, e.sdkAccess.secretKey]),
  );
}

function expectNoSecrets(...texts: string[]): void {
  for (const text of texts) {
    for (const key of [...sdkKeys(), emulator.apiKey]) expect(text).not.toContain(key);
  }
}

/** export -> validate (0) -> plan --detailed-exitcode (0): the round trip every export must pass. */
async function expectRoundTrip(args: string[], cwd: string): Promise<void> {
  const validated = await runCli(["validate", ...args], { env, cwd });
  expect(validated.code, validated.stderr).toBe(0);
  const planned = await runCli(["plan", ...args, "--detailed-exitcode"], { env, cwd });
  expect(planned.code, `${planned.stdout}\n${planned.stderr}`).toBe(0);
  expect(planned.stdout).toContain("No changes");
}

/** Ids a YAML writer gets wrong when it does not quote: each must come back as the same string. */
const AWKWARD = [
  "00123",
  "1e3",
  "0x1F",
  "true",
  "False",
  "null",
  "~",
  "-",
  "yes",
  "off",
  "2026-12-31",
  "a: b",
  "#hash",
  "x #y",
  '"quoted"',
  "it's",
  " leading",
  "trailing ",
  "émoji 🚀👩‍💻",
  "日本語",
  "tab\there",
  "line\nbreak",
  "zero\u200Bwidth",
  "[flow]",
  "{map}",
  "*star",
  "&amp",
  "!bang",
  "%pct",
  "@at",
  "`tick",
  "|",
  ">",
  "? q",
  ",",
  "<<",
];

describe("export", () => {
  it("writes the demo app so that validate and plan find nothing to change; twice the same bytes; no SDK key", async () => {
    const dir = await tempDir();
    const first = await runCli(["export", "-o", "flags.reflag.yaml"], { env, cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain("Exported 5 of 5 flags in 3 environments of app apDemoApp01");
    const text = await readFile(join(dir, "flags.reflag.yaml"), "utf8");
    expect(text).toMatch(/^# yaml-language-server: \$schema=\S+flags\.reflag\.schema\.json\n/);
    expect(text).toContain('Live state of Reflag app "Acme (demo)" (apDemoApp01)');
    expect(text).not.toContain("until");
    expect(text).toContain("  search-v2:\n    name: Search v2\n    stage: Beta\n    archived: true\n");
    expectNoSecrets(text, first.stdout, first.stderr);
    await expectRoundTrip(["-f", "flags.reflag.yaml"], dir);

    // To stdout: the same bytes as the file (the same folder, so the same $schema line).
    const again = await runCli(["export"], { env, cwd: dir });
    expect(again.stdout).toBe(text);
  });

  it("round-trips awkward ids, 250 flags (three pages), archived flags and flags without targets", async () => {
    emulator.store.addFlags(APP, 250, (i): NewFlag => ({
      key: `bulk-${String(i).padStart(3, "0")}`,
      archived: i % 7 === 0,
      ...(i % 3 === 0 ? { description: AWKWARD[i % AWKWARD.length]! } : {}),
      targets:
        i % 5 === 0
          ? {}
          : {
              enProduction: { companyIds: [AWKWARD[i % AWKWARD.length]!, `co-${i}`] },
              enStaging: { userIds: AWKWARD.slice(0, 1 + (i % AWKWARD.length)) },
            },
    }));
    const dir = await tempDir();
    const exported = await runCli(["export", "-o", "all.yaml"], { env, cwd: dir });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain("Exported 255 of 255 flags");
    const text = await readFile(join(dir, "all.yaml"), "utf8");
    for (const id of ["00123", "true", "null", "~", "-", "yes", "2026-12-31", " leading"]) {
      expect(text).toContain(`- ${JSON.stringify(id)}\n`);
    }
    expect(text).toContain('- "zero\\u200Bwidth"\n');
    await expectRoundTrip(["-f", "all.yaml"], dir);
  }, 60_000);

  it("exports a flag whose key no URL path can carry without its targeting, and says so", async () => {
    emulator.store.addFlag(APP, { key: "..", targets: { enProduction: { companyIds: ["acme"] } } });
    const dir = await tempDir();
    const r = await runCli(["export", "-o", "f.yaml", "--flag", "..", "--flag", "dark-mode"], {
      env,
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: the targeting of flag ".." cannot be read');
    expect(await readFile(join(dir, "f.yaml"), "utf8")).toContain(
      "  ..:\n    name: ..\n    archived: false\n\n",
    );
    await expectRoundTrip(["-f", "f.yaml"], dir);
  });

  it("--flag brings only the matching flags under management; the rest stay unmanaged", async () => {
    emulator.store.addFlag(APP, {
      key: "checkout-redesign",
      targets: { enProduction: { companyIds: ["acme"] } },
    });
    emulator.store.addFlag(APP, { key: "checkout-v3" });
    const dir = await tempDir();
    const r = await runCli(["export", "--flag", "checkout-*", "--flag", "dark-mode", "-o", "f.yaml"], {
      env,
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    const text = await readFile(join(dir, "f.yaml"), "utf8");
    expect([...text.matchAll(/^ {2}(\S+):$/gm)].map((m) => m[1])).toEqual([
      "checkout-redesign",
      "checkout-v3",
      "dark-mode",
    ]);
    expect(text).toContain("#   reflag-sync export --flag 'checkout-*' --flag dark-mode\n");
    await expectRoundTrip(["-f", "f.yaml"], dir);
    const unmanaged = await runCli(["plan", "-f", "f.yaml", "--show-unmanaged"], { env, cwd: dir });
    expect(unmanaged.stdout).toContain("new-checkout-flow");

    const none = await runCli(["export", "--flag", "Checkout-*"], { env, cwd: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no flag of app apDemoApp01 matches --flag 'Checkout-*'");
    expect(none.stdout).toBe("");
  });

  it("--split writes settings and one file per key group that -f DIR reads as one state; --force replaces them", async () => {
    emulator.store.addFlag(APP, { key: "checkout-redesign" });
    emulator.store.addFlag(APP, { key: "checkout-v3", targets: { enStaging: { userIds: ["u1"] } } });
    const dir = await tempDir();
    const r = await runCli(["export", "--split", "flags", "--aliases"], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(join(dir, "flags"))).sort()).toEqual([
      "_app.yaml",
      "_ungrouped.yaml",
      "checkout.yaml",
    ]);
    const settings = await readFile(join(dir, "flags", "_app.yaml"), "utf8");
    expect(settings).toContain(
      "app: apDemoApp01\n\nenvironments:\n  dev: Development\n  prod: Production\n  staging: Staging\n",
    );
    expect(await readFile(join(dir, "flags", "checkout.yaml"), "utf8")).toContain(
      "      staging:\n        users:\n          - u1\n",
    );
    await expectRoundTrip(["-f", "flags"], dir);

    const refused = await runCli(["export", "--split", "flags"], { env, cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("already holds flag files");

    // A group that is gone leaves no stale file behind; a file export did not write stays.
    await writeFile(join(dir, "flags", "notes.txt"), "mine");
    const replaced = await runCli(["export", "--split", "flags", "--force", "--flag", "dark-mode"], {
      env,
      cwd: dir,
    });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect((await readdir(join(dir, "flags"))).sort()).toEqual(["_app.yaml", "_ungrouped.yaml", "notes.txt"]);
    await expectRoundTrip(["-f", "flags"], dir);
  });

  it("--env, --aliases and --no-metadata round-trip too", async () => {
    const dir = await tempDir();
    const r = await runCli(
      ["export", "--env", "Production", "--env", "enStaging", "--aliases", "--no-metadata"],
      {
        env,
        cwd: dir,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("environments:\n  prod: Production\n  staging: Staging\n");
    expect(r.stdout).not.toMatch(/name:|stage:|archived:|Development|dev:/);
    expect(r.stdout).toContain(
      "  dark-mode:\n    targeting:\n      prod:\n        companies:\n          - globex\n      staging: {}\n",
    );
    await writeFile(join(dir, "f.yaml"), r.stdout);
    await expectRoundTrip(["-f", "f.yaml"], dir);
  });

  it("never overwrites a file without --force, and refuses before any request", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "f.yaml"), "mine\n");
    emulator.resetStats();
    const r = await runCli(["export", "-o", "f.yaml"], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/f\.yaml already exists: nothing was written \(--force overwrites it\)/);
    expect(await readFile(join(dir, "f.yaml"), "utf8")).toBe("mine\n");
    expect(emulator.stats().total).toBe(0);
    const forced = await runCli(["export", "-o", "f.yaml", "--force"], { env, cwd: dir });
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, "f.yaml"), "utf8")).toContain("app: apDemoApp01");
    expect((await readdir(dir)).sort()).toEqual(["f.yaml"]);
  });

  it.each([
    [
      ["--env", "Prod"],
      "--env 'Prod': app apDemoApp01 has no such environment (it has: Development, Production, Staging; run 'reflag-sync describe' to list them)",
    ],
    [["--app", "apNope"], "app 'apNope' was not found with this API key"],
    [["-o", "a.yaml", "--split", "d"], "give -o FILE or --split DIR, not both"],
    [["-o", "nodir/a.yaml"], "nodir/a.yaml: its folder does not exist; nothing was written there"],
    [["--split", "package.json"], "package.json: a part of the path is a file, not a folder"],
  ])("explains %j", async (args, message) => {
    const cwd = await tempDir();
    await writeFile(join(cwd, "package.json"), "{}");
    const r = await runCli(["export", ...args], { env, cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain("    at ");
  });

  it("says that a key is refused, without printing it", async () => {
    const r = await runCli(["export"], { env: { ...env, REFLAG_API_KEY: "wrong-key-123" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("refused the API key (401)");
    expect(r.stderr).not.toContain("wrong-key-123");
  });
});

describe("describe", () => {
  it("shows the key's app: key format, environments, stages, flag count; JSON too; no SDK key", async () => {
    const text = await runCli(["describe"], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('App apDemoApp01 "Acme (demo)"');
    expect(text.stdout).toContain("flag key format  kebabCaseLower (like new-checkout-flow)");
    expect(text.stdout).toContain("flags            5 (1 archived)");
    expect(text.stdout).toMatch(/ {2}Production {3}enProduction {3}production\n/);
    expect(text.stdout).toContain("  General availability  stGA\n");
    const json = await runCli(["describe", "--output", "json"], { env });
    expect(JSON.parse(json.stdout)).toEqual({
      app: { id: APP, name: "Acme (demo)", flagKeyFormat: "kebabCaseLower" },
      environments: [
        { name: "Development", id: "enDevelopment", isProduction: false },
        { name: "Production", id: "enProduction", isProduction: true },
        { name: "Staging", id: "enStaging", isProduction: false },
      ],
      stages: [
        { name: "In development", id: "stDev" },
        { name: "Internal", id: "stInternal" },
        { name: "Beta", id: "stBeta" },
        { name: "General availability", id: "stGA" },
      ],
      flags: { total: 5, archived: 1 },
    });
    expectNoSecrets(text.stdout, json.stdout);
  });

  it("is named where plan meets an unknown environment or stage", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, "f.yaml"),
      "version: 1\napp: apDemoApp01\nflags:\n  dark-mode:\n    stage: Betta\n    targeting:\n      Prod: {}\n",
    );
    const r = await runCli(["plan", "-f", "f.yaml"], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("f.yaml:5:12: error: flag 'dark-mode': stage 'Betta' does not exist");
    expect(r.stderr.match(/run 'reflag-sync describe' to list them/g)).toHaveLength(2);
  });
});

describe("init and schema", () => {
  it("without a key writes a commented template that validates, and never overwrites it", async () => {
    const dir = await tempDir();
    const noKey = { REFLAG_API_KEY: "", REFLAG_API_URL: "" };
    const r = await runCli(["init"], { env: noKey, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const text = await readFile(join(dir, "flags.reflag.yaml"), "utf8");
    expect(text).toMatch(/^# yaml-language-server: \$schema=\S+\n/);
    expect(text).toContain("app.reflag.com/");
    expect((await runCli(["validate"], { env: noKey, cwd: dir })).code).toBe(0);
    const again = await runCli(["init"], { env: noKey, cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("flags.reflag.yaml already exists");
  });

  it("with a key exports the live app, which then plans clean", async () => {
    const dir = await tempDir();
    const r = await runCli(["init"], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(dir, "flags.reflag.yaml"), "utf8")).toContain("  new-checkout-flow:\n");
    await expectRoundTrip([], dir);
  });

  it("takes the key from a mounted file too: export --api-key-file, init with REFLAG_API_KEY_FILE", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "key"), `${emulator.apiKey}\n`);
    const fromFile = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: "" };
    const exported = await runCli(["export", "--api-key-file", "key", "-o", "exported.yaml"], {
      env: fromFile,
      cwd: dir,
    });
    expect(exported.code, exported.stderr).toBe(0);
    expect(await readFile(join(dir, "exported.yaml"), "utf8")).toContain("  new-checkout-flow:\n");
    const described = await runCli(["describe", "--api-key-file", "key"], { env: fromFile, cwd: dir });
    expect(described.code, described.stderr).toBe(0);
    // A key given only as a file still means "export the app", not "write the template".
    const init = await runCli(["init"], { env: { ...fromFile, REFLAG_API_KEY_FILE: "key" }, cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(await readFile(join(dir, "flags.reflag.yaml"), "utf8")).toContain("  new-checkout-flow:\n");
    expectNoSecrets(exported.stdout, exported.stderr, described.stdout, init.stderr);
  });

  it("points $schema at the installed package when there is one", async () => {
    const dir = await tempDir();
    const schemaDir = join(dir, "node_modules", "reflag-sync", "schemas");
    await mkdir(schemaDir, { recursive: true });
    await writeFile(join(schemaDir, "flags.reflag.schema.json"), "{}");
    await mkdir(join(dir, "config"));
    const r = await runCli(["init", "--template", "-o", "config/flags.yaml"], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(dir, "config", "flags.yaml"), "utf8")).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/node_modules\/reflag-sync\/schemas\/flags\.reflag\.schema\.json\n/,
    );
  });

  it("schema prints the JSON Schema of the file format", async () => {
    const r = await runCli(["schema"]);
    expect(r.code).toBe(0);
    const shipped = await readFile(
      join(import.meta.dirname, "..", "schemas", "flags.reflag.schema.json"),
      "utf8",
    );
    expect(r.stdout).toBe(shipped);
    expect(JSON.parse(r.stdout).title).toBe("FlagsFile");
  });
});
