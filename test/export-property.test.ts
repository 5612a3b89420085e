// The round trip as a property: for random live states seeded into the emulator (awkward ids and
// names, any key format, archived flags, flags without targets), export -> validate (0) ->
// plan --detailed-exitcode (0), and a second export gives the same bytes. The command entry runs
// in process (the same main() as the binary) against the emulator over real HTTP, for speed.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FLAG_KEY_FORMATS, type FlagKeyFormat } from "../src/api/types.js";
import { main } from "../src/cli/main.js";
import type { CliIO } from "../src/cli/io.js";
import { compare } from "../src/compare.js";
import type { EmulatorState, NewFlag, StoredFlag, StoredTargeting } from "../src/emulator/index.js";
import { assertNoSecret } from "./support/canary.js";
import { tempDir } from "./support/cli.js";
import { startTestEmulator } from "./support/emulator.js";

/** Keys each format accepts (the API refuses to create others). */
const KEY_PATTERNS: Record<FlagKeyFormat, RegExp> = {
  custom: /^[^\s]([^\n]{0,10}[^\s])?$/,
  pascalCase: /^[A-Z][a-zA-Z0-9]{0,8}$/,
  camelCase: /^[a-z][a-zA-Z0-9]{0,8}$/,
  snakeCaseUpper: /^[A-Z0-9]{1,4}(_[A-Z0-9]{1,4}){0,2}$/,
  snakeCaseLower: /^[a-z0-9]{1,4}(_[a-z0-9]{1,4}){0,2}$/,
  kebabCaseUpper: /^[A-Z0-9]{1,4}(-[A-Z0-9]{1,4}){0,2}$/,
  kebabCaseLower: /^[a-z0-9]{1,4}(-[a-z0-9]{1,4}){0,2}$/,
};

const AWKWARD = [
  "00123",
  "true",
  "null",
  "~",
  "-",
  "yes",
  "1e3",
  "2026-12-31",
  "a: b",
  "#x",
  " lead",
  "trail ",
  '"q"',
  "it's",
  "line\nbreak",
  "crlf\r\nbreak\n",
  "\n\nleading breaks",
  "  indented\n  block",
  "tab\tand trailing space \n",
  "--- document marker",
  "...",
  "zero\u200Bwidth",
  "no\u00A0break",
  "\uFEFFbom",
  "lone\uD800",
  "🚀👩‍💻",
  "<<",
  "*a",
];

/** Company and user ids: any non-empty text the API takes. */
const id = fc.oneof(
  fc.constantFrom(...AWKWARD),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 6 }),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
);
const ids = fc.uniqueArray(id, { maxLength: 5 });
/** Environment and stage names: anything, duplicates and names that are another's id included. */
const name = fc.oneof(
  fc.constantFrom("Production", "Staging", "Beta", "en0", "st1", "", " padded"),
  fc.string({ unit: "grapheme", maxLength: 8 }),
);
const text = fc.oneof(fc.constantFrom(...AWKWARD), fc.string({ unit: "grapheme", maxLength: 30 }));

const liveState = fc
  .record({
    format: fc.constantFrom(...FLAG_KEY_FORMATS),
    envNames: fc.array(name, { minLength: 1, maxLength: 3 }),
    stageNames: fc.array(name, { maxLength: 3 }),
  })
  .chain(({ format, envNames, stageNames }) =>
    fc.record({
      format: fc.constant(format),
      envNames: fc.constant(envNames),
      stageNames: fc.constant(stageNames),
      aliases: fc.boolean(),
      metadata: fc.boolean(),
      flags: fc.uniqueArray(
        fc.record({
          // "." and ".." are custom keys whose targeting no URL can reach: exported without it.
          key:
            format === "custom"
              ? fc.oneof(fc.stringMatching(KEY_PATTERNS.custom), fc.constantFrom(".", ".."))
              : fc.stringMatching(KEY_PATTERNS[format]),
          name: text.filter((t) => t.trim() !== ""),
          description: fc.option(text, { nil: undefined }),
          stage: fc.option(fc.nat({ max: Math.max(0, stageNames.length - 1) }), { nil: undefined }),
          archived: fc.boolean(),
          targets: fc.array(fc.record({ companies: ids, users: ids }), {
            minLength: envNames.length,
            maxLength: envNames.length,
          }),
        }),
        { selector: (f) => f.key, maxLength: 12 },
      ),
    }),
  );

type Live = typeof liveState extends fc.Arbitrary<infer T> ? T : never;

function toState(live: Live): EmulatorState {
  const createdAt = "2026-01-01T00:00:00.000Z";
  const envIds = live.envNames.map((_, i) => `en${i}`);
  const stages = live.stageNames.map((n, i) => ({ id: `st${i}`, name: n, color: "#000", order: i }));
  const flags: StoredFlag[] = live.flags.map((f, i) => {
    const targeting: Record<string, StoredTargeting> = {};
    envIds.forEach((envId, e) => {
      const t = f.targets[e] ?? { companies: [], users: [] };
      targeting[envId] = {
        version: 1,
        updatedAt: createdAt,
        companyIds: [...t.companies].sort(compare),
        userIds: [...t.users].sort(compare),
      };
    });
    return {
      id: `fl${i}`,
      key: f.key,
      name: f.name,
      ...(f.description !== undefined ? { description: f.description } : {}),
      ...(f.stage !== undefined && stages.length > 0 ? { stageId: `st${f.stage}` } : {}),
      archived: f.archived,
      stale: false,
      permanent: false,
      secret: false,
      createdAt,
      codeRefsCleanedUp: false,
      noRecentChecks: false,
      targeting,
    };
  });
  return {
    format: "reflag-sync-emulator-state",
    version: 1,
    nextId: 1000,
    apps: [
      {
        org: { id: "orProp", name: "Prop" },
        id: "apProp",
        name: 'Prop "app"\n#',
        demo: false,
        flagKeyFormat: live.format,
        apiKeys: ["replaced-by-the-canary-key"],
        environments: live.envNames.map((n, i) => ({
          id: `en${i}`,
          name: n,
          isProduction: i === 0,
          order: i,
          flagStateVersion: 1,
          sdkAccess: { publishableKey: "replaced-by-canary-keys", secretKey: "replaced-by-canary-keys" },
        })),
        stages,
        segments: [],
        members: [],
        flags,
        audit: [],
      },
    ],
  };
}

/** Runs the command entry in process, as the binary would, and collects its output. */
async function run(argv: string[], cwd: string, env: Record<string, string>) {
  let stdout = "";
  let stderr = "";
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        append(chunk.toString("utf8"));
        done();
      },
    });
  const io: CliIO = {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    stdin: Readable.from([]),
    env,
    cwd,
    now: () => new Date("2026-06-01T00:00:00.000Z"),
  };
  const code = await main(argv, io);
  assertNoSecret(stdout, `the stdout of reflag-sync ${argv[0]}`);
  assertNoSecret(stderr, `the stderr of reflag-sync ${argv[0]}`);
  return { code, stdout, stderr };
}

describe("export round trip (property)", () => {
  it("export -> validate 0 -> plan --detailed-exitcode 0, the same bytes twice, for random live states", async () => {
    await fc.assert(
      fc.asyncProperty(liveState, async (live) => {
        const emulator = await startTestEmulator({ state: toState(live) });
        try {
          const env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey, NO_COLOR: "1" };
          const dir = await tempDir();
          const options = [
            ...(live.aliases ? ["--aliases"] : []),
            ...(live.metadata ? [] : ["--no-metadata"]),
          ];
          const exported = await run(["export", "-o", "f.yaml", ...options], dir, env);
          expect(exported.code, exported.stderr).toBe(0);
          const file = await readFile(join(dir, "f.yaml"), "utf8");
          assertNoSecret(file, "the exported f.yaml");

          const validated = await run(["validate", "-f", "f.yaml"], dir, env);
          expect(validated.code, `${validated.stderr}\n${file}`).toBe(0);
          const planned = await run(["plan", "-f", "f.yaml", "--detailed-exitcode"], dir, env);
          expect(planned.code, `${planned.stdout}\n${planned.stderr}\n${file}`).toBe(0);

          const again = await run(["export", ...options], dir, env);
          expect(again.stdout).toBe(file);
        } finally {
          await emulator.close();
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("holds at 5,000 flags (50 pages): one environment, every flag read, plan clean", async () => {
    const emulator = await startTestEmulator();
    try {
      emulator.store.addFlags(emulator.appId, 5000, (i): NewFlag => ({
        key: `flag-${String(i).padStart(4, "0")}`,
        archived: i % 11 === 0,
        targets:
          i % 2 === 0 ? { enProduction: { companyIds: [`co-${i}`, "00123"], userIds: [`u-${i % 97}`] } } : {},
      }));
      const env = { REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey, NO_COLOR: "1" };
      const dir = await tempDir();
      const exported = await run(["export", "--env", "Production", "-o", "f.yaml"], dir, env);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stderr).toContain("Exported 5005 of 5005 flags in 1 environment");
      const planned = await run(["plan", "-f", "f.yaml", "--detailed-exitcode"], dir, env);
      expect(planned.code, planned.stderr).toBe(0);
    } finally {
      await emulator.close();
    }
  }, 120_000);
});
