// Secrets never leave the tool: the API key (from REFLAG_API_KEY or a key file) and the SDK keys in
// API answers are absent from output, errors, JSON, reports, written files and daemon logs. The
// test emulators hold canary secrets and the test helpers check everything they read
// (test/support/canary.ts); this file adds the cases that provoke a leak, and proves the checks
// can fail.
import { createServer } from "node:net";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/daemon/logger.js";
import { tinyServer, json } from "./client-support.js";
import {
  assertNoSecret,
  CANARY_API_KEY,
  CANARY_MARK,
  CANARY_SDK_MARK,
  findSecret,
  secretChecks,
} from "./support/canary.js";
import { emulatorPerTest, runCli, tempDir, writeFiles } from "./support/cli.js";
import { expectPlantedLeak, isReconcile, spawnDaemon, type DaemonProcess } from "./support/daemon.js";
import { darkMode } from "./support/daemon-files.js";

const FLAGS = resolve(import.meta.dirname, "..", "flags.reflag.yaml");
const current = emulatorPerTest();

/** Fails when a canary shows in `text`; named plainly so the failure says which output. */
function expectClean(text: string): void {
  expect(findSecret(text), "a canary secret appeared").toBeUndefined();
}

/** A key file holding the canary key, as a mounted secret has it (with a trailing newline). */
async function keyFile(): Promise<string> {
  const dir = await tempDir();
  const file = join(dir, "reflag-api-key");
  await writeFile(file, `${CANARY_API_KEY}\n`);
  return file;
}

/** A loopback port nothing listens on: bound, read, released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe("the canary checker", () => {
  it("passes clean text and counts its checks", () => {
    const before = secretChecks();
    assertNoSecret("Plan: 1 flag to create, 2 to change\nsec_ alone is no key", "clean text");
    expect(secretChecks()).toBe(before + 1);
  });

  it.each([
    ["the canary API key", `Authorization: Bearer ${CANARY_API_KEY}`],
    ["a cut-short canary key", `key=${CANARY_API_KEY.slice(0, 14)}…`],
    ["a canary SDK key", `"secretKey":"sec_production_${CANARY_SDK_MARK}0a1b2c"`],
    ["an emulator SDK key", `secretKey: sec_staging_${"ab12".repeat(12)}`],
    ["an emulator publishable key", `pub_development_${"9f".repeat(12)}`],
  ])("finds %s, and says where without printing it", (_what, planted) => {
    const text = `line one\n  ${planted} trailing\nline three`;
    let message = "";
    try {
      assertNoSecret(text, "the planted text");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Secret leak: .* appeared in the planted text at line 2, column \d+: /);
    expect(message).toContain("«SECRET»");
    expect(findSecret(message)).toBeUndefined();
    expect(message).not.toContain(planted);
  });

  it("runCli checks stdout, stderr and the files the CLI wrote", async () => {
    const before = secretChecks();
    const r = await runCli(["schema"]);
    expect(r.code).toBe(0);
    expect(secretChecks()).toBeGreaterThanOrEqual(before + 2);

    // A company id carrying the canary: plan prints it, so runCli must refuse the output.
    const dir = await writeFiles({ "flags.yaml": darkMode([`${CANARY_MARK}-planted`]) });
    const planted = runCli(["plan", "-f", join(dir, "flags.yaml")], { env: current.env });
    await expect(planted).rejects.toThrow(/^Secret leak: .* appeared in the stdout of reflag-sync plan at /);
    await expect(planted).rejects.not.toThrow(CANARY_MARK);

    // The same company live, exported to a file: the file is checked, not only the terminal.
    current.emulator.store.setTargets(current.emulator.appId, "dark-mode", "enProduction", {
      companyIds: [`${CANARY_MARK}-planted`],
    });
    const out = await tempDir();
    const exported = runCli(["export", "-o", "out.yaml"], { env: current.env, cwd: out });
    await expect(exported).rejects.toThrow(/appeared in .*out\.yaml after reflag-sync export at /);
  });

  it("the snapshot serializer refuses a snapshot holding a canary", () => {
    expect(() => expect({ token: `Bearer ${CANARY_API_KEY}` }).toMatchSnapshot()).toThrow(
      /^Secret leak: .* appeared in a snapshot of /,
    );
  });

  it("the daemon helpers check its log, /readyz and /metrics", async () => {
    const dir = await tempDir();
    const file = join(dir, "flags.yaml");
    await writeFile(file, darkMode(["globex"]));
    const d = await spawnDaemon(["-f", file, "--interval", "60s"], { env: current.env });
    const first = await d.waitFor(isReconcile);
    expect(first.outcome).not.toBe("failed");
    // An environment the app lacks: the daemon logs it and shows it on /readyz.
    await writeFile(
      file,
      `version: 1\napp: apDemoApp01\nflags:\n  dark-mode:\n    targeting:\n      ${CANARY_MARK}-env: { companies: [a] }\n`,
    );
    await expect(
      d.waitFor((l) => isReconcile(l) && l.outcome !== first.outcome, { from: 1 }),
    ).rejects.toThrow(/^Secret leak: .* appeared in the daemon's log/);
    // Nothing planted reaches /readyz or /metrics: show that each answer is checked.
    for (const path of ["/readyz", "/metrics"]) {
      const before = secretChecks();
      await d.get(path);
      expect(secretChecks(), path).toBe(before + 1);
    }
    expect(await expectPlantedLeak(d)).toMatch(/appeared in the daemon's log/);
  });
});

describe("the checks cover the whole suite", () => {
  const TEST_DIR = import.meta.dirname;
  const sources = async (): Promise<Array<{ name: string; text: string }>> => {
    const names = (await readdir(TEST_DIR, { recursive: true })).filter((n) => n.endsWith(".ts")).sort();
    return Promise.all(
      names.map(async (name) => ({ name, text: await readFile(join(TEST_DIR, name), "utf8") })),
    );
  };

  it("every in-process emulator is a canary one: only test/support/emulator.ts calls startEmulator", async () => {
    const direct = (await sources())
      .filter(({ name, text }) => name !== join("support", "emulator.ts") && /\bstartEmulator\(/.test(text))
      .map(({ name }) => name);
    expect(direct).toEqual([]);
  });

  it("every test that runs the CLI in process, spawns the demo or reads a daemon checks for secrets", async () => {
    const unchecked = (await sources())
      .filter(({ text }) => /\bmain\(\[|\bmain\(argv|dist\/demo\.js|\bspawn\(process\.execPath/.test(text))
      .filter(({ text }) => !text.includes("assertNoSecret("))
      // The emulator's own banner prints its local key on purpose (see spawnEmulator).
      .filter(({ name }) => name !== join("support", "emulator-process.ts"))
      .map(({ name }) => name);
    expect(unchecked).toEqual([]);
  });

  it("runCli and the daemon helpers call the checker (counted)", async () => {
    const before = secretChecks();
    await runCli(["--version"]);
    expect(secretChecks() - before).toBeGreaterThanOrEqual(2);
  });

  it("the snapshot serializer is installed for every file", async () => {
    const config = await readFile(join(TEST_DIR, "..", "vitest.config.ts"), "utf8");
    expect(config).toMatch(/setupFiles: \["test\/support\/setup\.ts"\]/);
  });

  it("no stored snapshot, on disk or inline, holds a secret", async () => {
    let inline = 0;
    for (const { name, text } of await sources()) {
      for (const m of text.matchAll(/toMatchInlineSnapshot\(\s*(`(?:[^`\\]|\\.)*`)/g)) {
        inline++;
        assertNoSecret(m[1] ?? "", `an inline snapshot in test/${name}`);
      }
    }
    expect(inline, "inline snapshots found (the pattern still matches them)").toBeGreaterThan(10);
    const snapshots = (await readdir(TEST_DIR, { recursive: true })).filter((n) => n.endsWith(".snap"));
    for (const name of snapshots)
      assertNoSecret(await readFile(join(TEST_DIR, name), "utf8"), `test/${name}`);
  });
});

describe("the API key from REFLAG_API_KEY", () => {
  it("is absent from plan, apply, describe and export in every output format, and from written files", async () => {
    const env = current.env;
    const dir = await tempDir();
    const runs = [
      ["plan", "-f", FLAGS],
      ["plan", "-f", FLAGS, "--output", "json"],
      ["plan", "-f", FLAGS, "--output", "markdown"],
      ["plan", "-f", FLAGS, "--out", join(dir, "saved.plan.json")],
      ["describe"],
      ["describe", "--output", "json"],
      ["export", "-o", join(dir, "export.yaml")],
      ["export", "--split", join(dir, "split")],
      ["apply", join(dir, "saved.plan.json"), "--yes"],
      ["apply", "-f", FLAGS, "--yes", "--output", "json"],
      ["plan", "-f", FLAGS, "--detailed-exitcode"],
    ];
    for (const args of runs) {
      const r = await runCli(args, { env, cwd: dir });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expectClean(r.stdout + r.stderr);
    }
    const saved = await readFile(join(dir, "saved.plan.json"), "utf8");
    expectClean(saved);
    // SDK keys were in the emulator's answers: prove they were there to leak.
    expect(
      JSON.stringify(current.emulator.store.getEnvironment(current.emulator.appId, "enProduction")),
    ).toContain(CANARY_SDK_MARK);
  });

  it.each([
    ["401", "unauthenticated"],
    ["403", "unauthorized"],
  ] as const)("is absent from the error of a %s answer", async (fault, code) => {
    current.emulator.setFaults({ script: [{ fault, times: 5 }] });
    const r = await runCli(["plan", "-f", FLAGS], { env: current.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(code);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expectClean(r.stdout + r.stderr);
  });

  it("is absent from the error when the key itself is refused", async () => {
    const r = await runCli(["describe"], {
      env: { ...current.env, REFLAG_API_KEY: `${CANARY_MARK}-unknown-key-0000` },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("401");
    expectClean(r.stdout + r.stderr);
  });

  it("is absent from the error against a dead port", async () => {
    const url = `http://127.0.0.1:${await deadPort()}/api`;
    const r = await runCli(["plan", "-f", FLAGS, "--output", "json", "--max-attempts", "2"], {
      env: { ...current.env, REFLAG_API_URL: url },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/network_error/);
    expectClean(r.stdout + r.stderr);
  });

  it("is absent when the API echoes it back in its error body", async () => {
    const server = await tinyServer((req, res) =>
      json(res, 401, {
        error: { code: "unauthenticated", message: `Invalid key ${req.headers.authorization ?? ""}` },
        issues: { authorization: [`${req.headers.authorization ?? ""} is not a key`] },
      }),
    );
    const r = await runCli(["describe", "--output", "json"], {
      env: { ...current.env, REFLAG_API_URL: server.url },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unauthenticated");
    expectClean(r.stdout + r.stderr);
  });

  it("is absent from the error of a key that is not printable", async () => {
    const r = await runCli(["describe"], {
      env: { ...current.env, REFLAG_API_KEY: `${CANARY_API_KEY} with\tspaces` },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("printable ASCII");
    expectClean(r.stdout + r.stderr);
  });
});

describe("the API key from a key file", () => {
  it.each(["--api-key-file", "REFLAG_API_KEY_FILE"])(
    "(%s) is absent from outputs and errors",
    async (how) => {
      const file = await keyFile();
      const env = { ...current.env, REFLAG_API_KEY: undefined };
      const via = (args: string[]) =>
        how === "--api-key-file"
          ? runCli([...args, "--api-key-file", file], { env })
          : runCli(args, { env: { ...env, REFLAG_API_KEY_FILE: file } });

      const commands = [
        ["plan", "-f", FLAGS, "--output", "json"],
        ["describe", "--output", "json"],
        ["export"],
        ["apply", "-f", FLAGS, "--yes"],
      ];
      for (const args of commands) {
        const r = await via(args);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
        expectClean(r.stdout + r.stderr);
      }
      current.emulator.setFaults({ script: [{ fault: "401", times: 5 }] });
      const refused = await via(["plan", "-f", FLAGS]);
      expect(refused.code).toBe(1);
      expectClean(refused.stdout + refused.stderr);
    },
  );

  it.each([
    ["missing", null, "cannot read the API key: no such file"],
    ["empty", "", "is empty: it must hold the API key"],
    ["blank", "\n  \n", "is empty: it must hold the API key"],
    ["holding more than a key", `${CANARY_API_KEY} # prod key\n`, "must hold only the API key"],
    ["holding two lines", `${CANARY_API_KEY}\n${CANARY_API_KEY}-2\n`, "must hold only the API key"],
  ])("that is %s: the error names the file, never its content", async (_case, content, message) => {
    const dir = await tempDir();
    const file = join(dir, "key-file");
    if (content !== null) await writeFile(file, content);
    const r = await runCli(["plan", "-f", FLAGS, "--api-key-file", file], { env: current.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: --api-key-file ${file}`);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expectClean(r.stdout + r.stderr);
  });

  it("that is a folder: the error names it", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "key"));
    const r = await runCli(["describe"], {
      env: { ...current.env, REFLAG_API_KEY: undefined, REFLAG_API_KEY_FILE: join(dir, "key") },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`REFLAG_API_KEY_FILE ${join(dir, "key")}: cannot read the API key`);
  });
});

describe("the daemon", () => {
  let daemon: DaemonProcess | undefined;
  beforeEach(() => {
    daemon = undefined;
  });
  afterEach(async () => {
    daemon?.kill("SIGKILL");
    await daemon?.exited;
  });

  async function watch(env: Record<string, string>): Promise<DaemonProcess> {
    const dir = await tempDir();
    const file = join(dir, "flags.yaml");
    await writeFile(file, darkMode(["acme-corp", "globex"]));
    daemon = await spawnDaemon(["-f", file, "--interval", "60s"], { env });
    return daemon;
  }

  it.each(["REFLAG_API_KEY", "REFLAG_API_KEY_FILE"])(
    "keeps the key (%s) and SDK keys out of its log, /readyz and /metrics",
    async (how) => {
      const env =
        how === "REFLAG_API_KEY"
          ? current.env
          : {
              REFLAG_API_URL: current.emulator.url,
              REFLAG_API_KEY: "",
              REFLAG_API_KEY_FILE: await keyFile(),
            };
      const d = await watch(env);
      const line = await d.waitFor(isReconcile);
      expect(line.outcome).toBe("applied");
      for (const path of ["/readyz", "/metrics", "/healthz"]) expectClean((await d.get(path)).text);
      expectClean(d.output());
    },
  );

  it("keeps the key out of the log when the API refuses it", async () => {
    current.emulator.setFaults({ script: [{ fault: "401", times: 50 }] });
    const d = await watch(current.env);
    await d.waitFor((l) => l.level === "error" && l.msg.includes("401 unauthenticated"));
    expectClean(d.output());
    expectClean((await d.get("/readyz")).text);
  });
});

describe("the daemon's logger", () => {
  it("at debug level, scrubs the key from messages and errors and drops credential fields", () => {
    const lines: string[] = [];
    const log = createLogger({
      write: (l) => lines.push(l),
      format: "json",
      secrets: [CANARY_API_KEY],
      level: "debug",
    });
    const sdkAccess = { publishableKey: `pub_x_${CANARY_SDK_MARK}1`, secretKey: `sec_x_${CANARY_SDK_MARK}2` };
    log.debug({ apiKey: CANARY_API_KEY, sdkAccess }, `request with Bearer ${CANARY_API_KEY}`);
    log.debug({ err: new Error(`refused ${CANARY_API_KEY}`), environment: { sdkAccess } }, "failed");
    log.debug({ app: { environments: [{ id: "en1", sdkAccess }] } }, "an answer, deep");
    expect(lines).toHaveLength(3);
    assertNoSecret(lines.join(""), "the logger's lines");
  });
});
