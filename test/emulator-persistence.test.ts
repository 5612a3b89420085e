// The state file: created at start, rewritten atomically before each write is answered, reloaded on restart.
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FlagAnswer, FlagTargeting } from "../src/api/types.js";
import { StateFileError, type EmulatorState, type RunningEmulator } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import { api } from "./support/emulator-http.js";

const APP = "/apps/apDemoApp01";
let dir: string;
let statePath: string;
const running: RunningEmulator[] = [];

async function start(options: Parameters<typeof startTestEmulator>[0] = {}): Promise<RunningEmulator> {
  const emu = await startTestEmulator({ statePath, ...options });
  running.push(emu);
  return emu;
}

const readState = async (): Promise<EmulatorState> =>
  JSON.parse(await readFile(statePath, "utf8")) as EmulatorState;
const addCompany = (emu: RunningEmulator, companyId: string, flagKey = "dark-mode") =>
  api(emu, "PATCH", `${APP}/flags/specific-targets/enProduction`, {
    json: { updates: [{ flagKey, value: true, companyId }], changeDescription: `add ${companyId}` },
  });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "reflag-emulator-"));
  statePath = join(dir, "state.json");
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

describe("state file", () => {
  it("is created with the demo state when it does not exist yet", async () => {
    await start();
    const state = await readState();
    expect(state.format).toBe("reflag-sync-emulator-state");
    expect(state.apps.map((a) => a.id)).toEqual(["apDemoApp01", "apOtherApp02"]);
  });

  it("holds each change, as valid JSON, by the time the change is answered (so a crash loses nothing)", async () => {
    const emu = await start();
    for (let i = 0; i < 5; i++) {
      expect((await addCompany(emu, `company-${i}`)).status).toBe(200);
      const flag = (await readState()).apps[0]?.flags.find((f) => f.key === "dark-mode");
      expect(flag?.targeting.enProduction?.companyIds).toContain(`company-${i}`);
    }
  });

  it("survives a restart: targets, versions, new flags, audit and the id counter", async () => {
    const first = await start();
    await addCompany(first, "persisted-co");
    const created = await api<FlagAnswer>(first, "POST", `${APP}/flags`, {
      json: { key: "kept-flag", name: "Kept" },
    });
    const version = first.store.getEnvironment(first.appId, "enProduction").flagStateVersion;
    await first.close();

    const second = await start();
    const t = await api<FlagTargeting>(second, "GET", `${APP}/flags/dark-mode/targeting/enProduction`);
    expect(t.body.specificTargets.true?.companyIds).toEqual(["globex", "persisted-co"]);
    expect(t.body.version).toBe(3);
    expect(second.store.getFlag(second.appId, "kept-flag").id).toBe(created.body.flag.id);
    expect(second.store.getEnvironment(second.appId, "enProduction").flagStateVersion).toBe(version);
    expect(second.store.audit(second.appId).map((a) => a.changeDescription ?? a.action)).toEqual([
      "add persisted-co",
      "createFlag",
    ]);
    const another = await api<FlagAnswer>(second, "POST", `${APP}/flags`, {
      json: { key: "another-flag", name: "Another" },
    });
    expect(another.body.flag.id).not.toBe(created.body.flag.id);
  });

  it("serialises concurrent writes: every change lands and the file stays whole, with no temp files left", async () => {
    const emu = await start();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => addCompany(emu, `parallel-${String(i).padStart(2, "0")}`)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    const saved = (await readState()).apps[0]?.flags.find((f) => f.key === "dark-mode")?.targeting
      .enProduction;
    expect(saved?.companyIds).toHaveLength(41);
    expect(saved?.version).toBe(42);
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("keeps changes made through the store's test helpers", async () => {
    const first = await start();
    first.store.setTargets(first.appId, "legacy-export", "enStaging", { userIds: ["drifted-by-hand"] });
    first.store.addFlags(first.appId, 3);
    await first.close();
    const second = await start();
    expect(second.store.getTargets(second.appId, "legacy-export", "enStaging").userIds).toEqual([
      "drifted-by-hand",
    ]);
    expect(second.store.getFlag(second.appId, "seeded-flag-0003").key).toBe("seeded-flag-0003");
  });

  it("saves a replaced API key, and a given initial state when the file is new", async () => {
    const emu = await start({ apiKey: "my-local-key" });
    expect(emu.apiKey).toBe("my-local-key");
    expect((await api(emu, "GET", "/apps")).status).toBe(200);
    expect((await api(emu, "GET", "/apps", { key: "demo-api-key" })).status).toBe(401);
    expect((await readState()).apps[0]?.apiKeys).toEqual(["my-local-key"]);
  });

  it.each([
    ["not JSON", "{ nope"],
    ["JSON of another shape", JSON.stringify({ apps: [] })],
    ["a state without apps", JSON.stringify({ format: "reflag-sync-emulator-state", version: 1, nextId: 1 })],
  ])("refuses to start from a file that is %s, with a clear error", async (_name, text) => {
    await writeFile(statePath, text);
    await expect(start()).rejects.toThrow(StateFileError);
    await expect(start()).rejects.toThrow(statePath);
  });

  it("fails to start when the state file cannot be written", async () => {
    statePath = join(dir, "missing-folder", "state.json");
    await expect(start()).rejects.toThrow(/ENOENT/);
  });
});
