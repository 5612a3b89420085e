// The emulator over real HTTP on loopback: every endpoint's shape, auth, errors, batches, versions, ids.
import { execFile } from "node:child_process";
import { request } from "node:http";
import { promisify } from "node:util";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type {
  ApiErrorBody,
  App,
  AppHeader,
  EntityFlag,
  Environment,
  EnvironmentList,
  FlagAnswer,
  FlagHeader,
  FlagTargeting,
  Paginated,
} from "../src/api/types.js";
import { OTHER_APP_ID, type RunningEmulator } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import { CANARY_OTHER_API_KEY } from "./support/canary.js";
import { api, call, seg } from "./support/emulator-http.js";

const APP = "/apps/apDemoApp01";
const T0 = Date.parse("2026-03-03T09:00:00.000Z");

/** A clock that moves one second per reading, so every write gets a new, predictable timestamp. */
function tickingClock(): () => Date {
  let ticks = 0;
  return () => new Date(T0 + 1000 * ticks++);
}

let emu: RunningEmulator;
beforeEach(async () => {
  emu = await startTestEmulator({ now: tickingClock() });
});
afterEach(async () => {
  await emu.close();
});

/**
 * POSTs a flag whose Content-Length announces `length` bytes, of which only `sent` are written (all of
 * them when `sent` is that long), on a connection the client asks to close (no agent).
 */
function postAnnouncing(length: number, sent: Buffer): Promise<{ status: number; body: ApiErrorBody }> {
  const url = new URL(emu.origin);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: `/api${APP}/flags`,
        agent: false,
        headers: {
          authorization: `Bearer ${emu.apiKey}`,
          "content-type": "application/json",
          "content-length": length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as ApiErrorBody,
          });
          req.destroy();
        });
      },
    );
    req.on("error", reject);
    if (sent.length >= length) req.end(sent);
    else req.write(sent);
  });
}

const execFileAsync = promisify(execFile);

/**
 * Writes a 20 MiB body in one go with Connection: close, five times over; prints each answer's status
 * and code, or the error (a reset that destroyed the answer shows as "write EPIPE" or "ECONNRESET").
 */
const CLOSING_CLIENT = `
import { request } from "node:http";
const size = 20 * 1024 * 1024;
const body = Buffer.alloc(size, 0x20);
const once = () => new Promise((resolve) => {
  const req = request(process.env.TARGET, {
    method: "POST",
    agent: false,
    headers: { authorization: "Bearer " + process.env.KEY, "content-type": "application/json", "content-length": size },
  }, (res) => {
    const chunks = [];
    res.on("data", (c) => chunks.push(c));
    res.on("end", () => resolve({ status: res.statusCode, code: JSON.parse(Buffer.concat(chunks)).error.code }));
  });
  req.on("error", (err) => resolve({ error: err.message }));
  req.end(body);
});
const answers = [];
for (let i = 0; i < 5; i++) answers.push(await once());
console.log(JSON.stringify(answers));
`;

const targeting = async (flagKey: string, envId: string): Promise<FlagTargeting> =>
  (await api<FlagTargeting>(emu, "GET", `${APP}/flags/${seg(flagKey)}/targeting/${seg(envId)}`)).body;
const envVersion = (envId: string): number => emu.store.getEnvironment(emu.appId, envId).flagStateVersion;
const patchTargets = (envId: string, json: unknown) =>
  api<ApiErrorBody>(emu, "PATCH", `${APP}/flags/specific-targets/${envId}`, { json });

function expectError(answer: { status: number; body: unknown }, status: number, code: string): ApiErrorBody {
  expect(answer.status).toBe(status);
  const body = answer.body as ApiErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.message).toEqual(expect.any(String));
  return body;
}

describe("apps and environments", () => {
  it("lists only the key's app, as a collection, filtered by orgId", async () => {
    const all = await api<{ data: AppHeader[] }>(emu, "GET", "/apps");
    expect(all.status).toBe(200);
    expect(all.headers["content-type"]).toMatch(/^application\/json/);
    expect(all.body.data).toHaveLength(1);
    const [app] = all.body.data;
    expect(app).toMatchObject({
      id: "apDemoApp01",
      name: "Acme (demo)",
      org: { id: "orAcme", name: "Acme" },
      demo: true,
      flagKeyFormat: "kebabCaseLower",
    });
    expect(app?.environments.map((e) => [e.id, e.name, e.isProduction, e.order])).toEqual([
      ["enProduction", "Production", true, 0],
      ["enStaging", "Staging", false, 1],
      ["enDevelopment", "Development", false, 2],
    ]);
    expect(app?.environments[0]).not.toHaveProperty("sdkAccess");
    expect((await api<{ data: AppHeader[] }>(emu, "GET", "/apps?orgId=orAcme")).body.data).toHaveLength(1);
    expect((await api<{ data: AppHeader[] }>(emu, "GET", "/apps?orgId=orSomeoneElse")).body.data).toEqual([]);
    const other = await api<{ data: AppHeader[] }>(emu, "GET", "/apps", { key: CANARY_OTHER_API_KEY });
    expect(other.body.data.map((a) => a.id)).toEqual([OTHER_APP_ID]);
  });

  it("answers the app with environments (with sdk keys), stages in order and segments", async () => {
    const { status, body } = await api<App>(emu, "GET", APP);
    expect(status).toBe(200);
    expect(body.stages.map((s) => [s.id, s.name, s.order])).toEqual([
      ["stDev", "In development", 0],
      ["stInternal", "Internal", 1],
      ["stBeta", "Beta", 2],
      ["stGA", "General availability", 3],
    ]);
    expect(body.stages[0]?.color).toMatch(/^#/);
    expect(body.segments.length).toBeGreaterThan(0);
    expect(body.segments[0]).toEqual({ id: expect.any(String), name: expect.any(String), type: "all" });
    for (const env of body.environments) {
      expect(env.sdkAccess.publishableKey).toMatch(/^pub_/);
      expect(env.sdkAccess.secretKey).toMatch(/^sec_/);
      expect(env.flagStateVersion).toEqual(expect.any(Number));
    }
  });

  it("sorts environments by order or name, both ways", async () => {
    const names = async (query: string) => {
      const { body } = await api<EnvironmentList>(emu, "GET", `${APP}/environments${query}`);
      return [body.sortBy, body.sortOrder, ...body.data.map((e) => e.name)];
    };
    expect(await names("")).toEqual(["order", "asc", "Production", "Staging", "Development"]);
    expect(await names("?sortOrder=desc")).toEqual(["order", "desc", "Development", "Staging", "Production"]);
    expect(await names("?sortBy=name")).toEqual(["name", "asc", "Development", "Production", "Staging"]);
    expect(await names("?sortBy=name&sortOrder=desc")).toEqual([
      "name",
      "desc",
      "Staging",
      "Production",
      "Development",
    ]);
    const bad = expectError(
      await api(emu, "GET", `${APP}/environments?sortBy=colour`),
      400,
      "invalid_request",
    );
    expect(bad.issues?.sortBy).toEqual([expect.any(String)]);
  });

  it("answers one environment with its sdk keys, 404 for an unknown one", async () => {
    const { body } = await api<Environment>(emu, "GET", `${APP}/environments/enStaging`);
    expect(body).toMatchObject({
      id: "enStaging",
      name: "Staging",
      isProduction: false,
      order: 1,
      flagStateVersion: 1,
    });
    expect(Object.keys(body.sdkAccess).sort()).toEqual(["publishableKey", "secretKey"]);
    expectError(await api(emu, "GET", `${APP}/environments/enNope`), 404, "not_found");
  });
});

describe("authentication", () => {
  it.each([
    ["no Authorization header", null],
    ["an unknown key", "not-a-key"],
    ["an empty Bearer", ""],
  ])("answers 401 unauthenticated for %s", async (_name, key) => {
    const answer = await api(emu, "GET", `${APP}/flags`, { key });
    expectError(answer, 401, "unauthenticated");
    expect(answer.headers["www-authenticate"]).toBe("Bearer");
  });

  it("answers 401 for a non-Bearer scheme, and never echoes the key", async () => {
    const answer = await api(emu, "GET", "/apps", {
      key: null,
      headers: { authorization: "Basic ZGVtby1hcGkta2V5" },
    });
    expectError(answer, 401, "unauthenticated");
    const wrong = await api(emu, "GET", "/apps", { key: "secret-looking-key" });
    expect(wrong.text).not.toContain("secret-looking-key");
  });

  it("answers 403 unauthorized for a valid key of another app, on every app route", async () => {
    for (const path of [
      APP,
      `${APP}/environments`,
      `${APP}/flags`,
      `${APP}/flags/dark-mode/targeting/enProduction`,
      `${APP}/envs/enProduction/companies/x/flags`,
    ]) {
      expectError(await api(emu, "GET", path, { key: CANARY_OTHER_API_KEY }), 403, "unauthorized");
    }
    const json = { updates: [{ flagKey: "dark-mode", value: true, companyId: "x" }] };
    expectError(
      await api(emu, "PATCH", `${APP}/flags/specific-targets/enProduction`, {
        key: CANARY_OTHER_API_KEY,
        json,
      }),
      403,
      "unauthorized",
    );
    expect(emu.store.getTargets(emu.appId, "dark-mode", "enProduction").companyIds).toEqual(["globex"]);
  });

  it("answers 404 for an app that does not exist", async () => {
    expectError(await api(emu, "GET", "/apps/apNoSuchApp"), 404, "not_found");
  });
});

describe("flags", () => {
  it("lists flag headers sorted by key, with stage and archived", async () => {
    const { status, body } = await api<Paginated<FlagHeader>>(emu, "GET", `${APP}/flags`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      totalCount: 5,
      pageSize: 20,
      pageIndex: 0,
      sortBy: "key",
      sortOrder: "asc",
    });
    expect(body.data.map((f) => f.key)).toEqual([
      "ai-assistant",
      "dark-mode",
      "legacy-export",
      "new-checkout-flow",
      "search-v2",
    ]);
    const checkout = body.data.find((f) => f.key === "new-checkout-flow");
    expect(checkout).toMatchObject({
      name: "New checkout flow",
      stage: { id: "stInternal", name: "Internal" },
      archived: false,
      stale: false,
      permanent: false,
    });
    expect(checkout?.owner).toMatchObject({ id: "usAlice", email: expect.any(String) });
    expect(body.data.find((f) => f.key === "search-v2")?.archived).toBe(true);
  });

  it("creates a flag with a fresh id (201), then refuses its key again (409 not_possible)", async () => {
    const created = await api<FlagAnswer>(emu, "POST", `${APP}/flags`, {
      json: {
        key: "beta-search",
        name: "Beta search",
        stageId: "stBeta",
        description: "d",
        permanent: true,
        secret: false,
        ownerUserId: "usBob",
      },
    });
    expect(created.status).toBe(201);
    const { flag } = created.body;
    expect(flag).toMatchObject({
      key: "beta-search",
      name: "Beta search",
      description: "d",
      stage: { id: "stBeta" },
      permanent: true,
      archived: false,
      owner: { id: "usBob", name: "Bob Berg" },
    });
    expect(flag.createdAt).toMatch(/^2026-03-03T09:00:\d\d\.000Z$/);
    const ids = (await api<Paginated<FlagHeader>>(emu, "GET", `${APP}/flags`)).body.data.map((f) => f.id);
    expect(ids.filter((id) => id === flag.id)).toHaveLength(1);
    expect((await targeting("beta-search", "enProduction")).specificTargets).toEqual({});
    const again = expectError(
      await api(emu, "POST", `${APP}/flags`, { json: { key: "beta-search", name: "Again" } }),
      409,
      "not_possible",
    );
    expect(again.error.message).toContain("beta-search");
  });

  it("creates a flag with description and ownerUserId null (no value), as the SDK's types allow", async () => {
    const created = await api<FlagAnswer>(emu, "POST", `${APP}/flags`, {
      json: { key: "beta-search", name: "Beta search", description: null, ownerUserId: null },
    });
    expect(created.status).toBe(201);
    expect(created.body.flag).toMatchObject({ key: "beta-search", name: "Beta search" });
    expect(created.body.flag).not.toHaveProperty("description");
    expect(created.body.flag).not.toHaveProperty("owner");
  });

  it.each([
    [
      "a key in the wrong format",
      { key: "Beta_Search", name: "x" },
      { key: [expect.stringContaining("kebabCaseLower")] },
    ],
    ["missing key and name", {}, { key: ["Required"], name: ["Required"] }],
    ["an empty name", { key: "a", name: " " }, { name: ["Must not be empty"] }],
    [
      "wrong types",
      { key: 7, name: "x", permanent: "yes", description: 5 },
      {
        key: [expect.stringContaining("Expected string")],
        permanent: [expect.stringContaining("Expected boolean")],
        description: [expect.any(String)],
      },
    ],
    ["an unknown field", { key: "a", name: "x", colour: "red" }, { colour: ["Unknown field"] }],
    [
      "an unknown stage",
      { key: "a", name: "x", stageId: "stNope" },
      { stageId: [expect.stringContaining("stNope")] },
    ],
    [
      "an owner who is not a member of the org",
      { key: "a", name: "x", ownerUserId: "usNope" },
      { ownerUserId: [expect.stringContaining("usNope")] },
    ],
  ])("refuses a POST with %s (400 with issues)", async (_name, json, issues) => {
    const body = expectError(await api(emu, "POST", `${APP}/flags`, { json }), 400, "invalid_request");
    expect(body.issues).toEqual(issues);
    expect((await api<Paginated<FlagHeader>>(emu, "GET", `${APP}/flags`)).body.totalCount).toBe(5);
  });

  it("checks keys against the app's own format (camelCase for the other app)", async () => {
    const other = { key: CANARY_OTHER_API_KEY };
    expect(
      (
        await api(emu, "POST", `/apps/${OTHER_APP_ID}/flags`, {
          ...other,
          json: { key: "myFlag", name: "x" },
        })
      ).status,
    ).toBe(201);
    expectError(
      await api(emu, "POST", `/apps/${OTHER_APP_ID}/flags`, {
        ...other,
        json: { key: "my-flag", name: "x" },
      }),
      400,
      "invalid_request",
    );
  });

  it("updates a flag by id: name, description (null clears), archive, stage; bumps every flagStateVersion", async () => {
    const id = emu.store.getFlag(emu.appId, "dark-mode").id;
    const before = envVersion("enStaging");
    await api(emu, "PATCH", `${APP}/flags/${id}`, { json: { description: "to clear" } });
    const { status, body } = await api<FlagAnswer>(emu, "PATCH", `${APP}/flags/${id}`, {
      json: { name: "Dark mode 2", description: null, isArchived: true, stageId: "stGA", ownerUserId: null },
    });
    expect(status).toBe(200);
    expect(body.flag).toMatchObject({
      id,
      key: "dark-mode",
      name: "Dark mode 2",
      archived: true,
      stage: { id: "stGA" },
    });
    expect(body.flag).not.toHaveProperty("description");
    expect(body.flag).not.toHaveProperty("owner");
    expect(envVersion("enStaging")).toBe(before + 2);
  });

  it("accepts an empty PATCH as no change, and refuses unknown fields, a key instead of an id, and bad types", async () => {
    const id = emu.store.getFlag(emu.appId, "dark-mode").id;
    const before = envVersion("enProduction");
    const same = await api<FlagAnswer>(emu, "PATCH", `${APP}/flags/${id}`, { json: {} });
    expect(same.status).toBe(200);
    expect(same.body.flag.name).toBe("Dark mode");
    expect(envVersion("enProduction")).toBe(before);
    const unknown = expectError(
      await api(emu, "PATCH", `${APP}/flags/${id}`, { json: { key: "renamed", isArchived: "no" } }),
      400,
      "invalid_request",
    );
    expect(unknown.issues).toEqual({
      key: ["Unknown field"],
      isArchived: [expect.stringContaining("Expected boolean")],
    });
    expectError(await api(emu, "PATCH", `${APP}/flags/dark-mode`, { json: { name: "x" } }), 404, "not_found");
  });

  it("refuses an owner who is not a member of the org, and changes nothing", async () => {
    const flag = emu.store.getFlag(emu.appId, "dark-mode");
    const before = JSON.stringify(emu.store.state);
    const body = expectError(
      await api(emu, "PATCH", `${APP}/flags/${flag.id}`, {
        json: { name: "Renamed", ownerUserId: "usNope" },
      }),
      400,
      "invalid_request",
    );
    expect(body.issues).toEqual({ ownerUserId: [expect.stringContaining("usNope")] });
    expect(JSON.stringify(emu.store.state)).toBe(before);
    const bob = await api<FlagAnswer>(emu, "PATCH", `${APP}/flags/${flag.id}`, {
      json: { ownerUserId: "usBob" },
    });
    expect(bob.body.flag.owner).toMatchObject({ id: "usBob", name: "Bob Berg" });
  });
});

describe("targeting", () => {
  it("answers a flag's specific targets in an environment, with version and updatedAt", async () => {
    expect(await targeting("new-checkout-flow", "enProduction")).toEqual({
      flagKey: "new-checkout-flow",
      version: 3,
      updatedAt: "2026-02-10T09:30:00.000Z",
      specificTargets: { true: { companyIds: ["acme-corp", "initech"], userIds: ["user-9"] } },
    });
    expect((await targeting("ai-assistant", "enStaging")).specificTargets).toEqual({
      true: { companyIds: [], userIds: ["user-1", "user-2"] },
    });
  });

  it("omits the true entry when nobody is targeted", async () => {
    const t = await targeting("legacy-export", "enProduction");
    expect(t.specificTargets).toEqual({});
    expect(t.version).toEqual(expect.any(Number));
  });

  it("answers 404 for an unknown flag key or environment", async () => {
    expectError(await api(emu, "GET", `${APP}/flags/nope/targeting/enProduction`), 404, "not_found");
    expectError(await api(emu, "GET", `${APP}/flags/dark-mode/targeting/enNope`), 404, "not_found");
  });
});

describe("batch PATCH specific-targets", () => {
  it("adds and removes targets, bumping each changed flag's version once and flagStateVersion once", async () => {
    const envBefore = envVersion("enProduction");
    const answer = await patchTargets("enProduction", {
      updates: [
        { flagKey: "new-checkout-flow", value: true, companyId: "globex" },
        { flagKey: "new-checkout-flow", value: null, userId: "user-9" },
        { flagKey: "new-checkout-flow", value: true, userId: "user-10" },
        { flagKey: "dark-mode", value: true, userId: "user-1" },
      ],
      changeDescription: "Enabled new checkout flow for Globex",
      notifications: ["slack"],
    });
    expect(answer.status).toBe(200);
    const checkout = await targeting("new-checkout-flow", "enProduction");
    expect(checkout.specificTargets.true).toEqual({
      companyIds: ["acme-corp", "globex", "initech"],
      userIds: ["user-10"],
    });
    expect(checkout.version).toBe(4);
    expect(Date.parse(checkout.updatedAt)).toBeGreaterThan(T0 - 1);
    expect((await targeting("dark-mode", "enProduction")).version).toBe(3);
    expect((await targeting("legacy-export", "enProduction")).version).toBe(1);
    expect(envVersion("enProduction")).toBe(envBefore + 1);
    expect(envVersion("enStaging")).toBe(1);
    const [entry] = emu.store.audit(emu.appId);
    expect(entry).toMatchObject({
      action: "specificTargets",
      envId: "enProduction",
      changeDescription: "Enabled new checkout flow for Globex",
      notifications: ["slack"],
      changed: 4,
    });
    expect(entry?.updates).toHaveLength(4);
  });

  it("changes nothing (no version bump) for adding a present target or removing an absent one", async () => {
    const before = await targeting("new-checkout-flow", "enProduction");
    const envBefore = envVersion("enProduction");
    const answer = await patchTargets("enProduction", {
      updates: [
        { flagKey: "new-checkout-flow", value: true, companyId: "acme-corp" },
        { flagKey: "new-checkout-flow", value: null, companyId: "never-there" },
        { flagKey: "new-checkout-flow", value: true, userId: "temp" },
        { flagKey: "new-checkout-flow", value: null, userId: "temp" },
      ],
      notifications: [],
    });
    expect(answer.status).toBe(200);
    expect(await targeting("new-checkout-flow", "enProduction")).toEqual(before);
    expect(envVersion("enProduction")).toBe(envBefore);
    expect(emu.store.audit(emu.appId).at(-1)).toMatchObject({ changed: 0, notifications: [] });
  });

  it("refuses a half-invalid batch whole, naming every problem by path, and applies nothing", async () => {
    const before = JSON.stringify(emu.store.state);
    const answer = await patchTargets("enProduction", {
      updates: [
        { flagKey: "dark-mode", value: true, companyId: "ok-1" },
        { value: true, companyId: "x" },
        { flagKey: "no-such-flag", value: true, companyId: "x" },
        { flagKey: "dark-mode", value: true, companyId: "x", foo: 1 },
        { flagKey: "dark-mode", value: false, companyId: "x" },
        { flagKey: "dark-mode", value: true, companyId: "x", userId: "y" },
        { flagKey: "dark-mode", value: true },
        { flagKey: "dark-mode", value: true, companyId: "" },
        { flagKey: "dark-mode", value: true, userId: "u".repeat(257) },
        "not an object",
        { flagKey: "dark-mode", value: true, companyId: 42 },
      ],
      changeDescription: 5,
      notifications: ["email"],
      extra: true,
    });
    const body = expectError(answer, 400, "invalid_request");
    expect(body.issues).toEqual({
      "updates.1.flagKey": ["Required"],
      "updates.2.flagKey": [expect.stringContaining("no-such-flag")],
      "updates.3.foo": ["Unknown field"],
      "updates.4.value": [expect.stringContaining("Expected true or null")],
      "updates.5": [expect.stringContaining("one of companyId or userId")],
      "updates.6": [expect.stringContaining("exactly one of companyId or userId")],
      "updates.7.companyId": ["Must not be empty"],
      "updates.8.userId": ["Must be at most 256 characters"],
      "updates.9": [expect.stringContaining("Expected object")],
      "updates.10.companyId": [expect.stringContaining("Expected string")],
      changeDescription: [expect.stringContaining("Expected string")],
      "notifications.0": [expect.any(String)],
      extra: ["Unknown field"],
    });
    expect(JSON.stringify(emu.store.state)).toBe(before);
  });

  it.each([
    ["no updates field", {}, { updates: ["Required"] }],
    ["an empty updates array", { updates: [] }, { updates: [expect.stringContaining("at least 1")] }],
    [
      "updates that is not an array",
      { updates: "all" },
      { updates: [expect.stringContaining("Expected array")] },
    ],
    ["a body that is not an object", [1, 2], { body: [expect.stringContaining("Expected object")] }],
  ])("refuses %s", async (_name, json, issues) => {
    expect(expectError(await patchTargets("enProduction", json), 400, "invalid_request").issues).toEqual(
      issues,
    );
  });

  it("refuses a batch over maxBatchSize with a 'too large' 400, and accepts one at the limit", async () => {
    await emu.close();
    emu = await startTestEmulator({ maxBatchSize: 3 });
    const updates = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ flagKey: "dark-mode", value: true, companyId: `c-${i}` }));
    const body = expectError(
      await patchTargets("enProduction", { updates: updates(4) }),
      400,
      "invalid_request",
    );
    expect(body.error.message).toMatch(/too large/i);
    expect(body.issues?.updates).toEqual([expect.stringMatching(/too large/i)]);
    expect((await patchTargets("enProduction", { updates: updates(3) })).status).toBe(200);
  });

  it("takes up to 1000 updates by default", async () => {
    const updates = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ flagKey: "legacy-export", value: true, userId: `u-${i}` }));
    expect((await patchTargets("enDevelopment", { updates: updates(1001) })).status).toBe(400);
    expect((await patchTargets("enDevelopment", { updates: updates(1000) })).status).toBe(200);
    expect(emu.store.getTargets(emu.appId, "legacy-export", "enDevelopment").userIds).toHaveLength(1000);
  });

  it("answers 404 for an unknown environment", async () => {
    expectError(
      await patchTargets("enNope", { updates: [{ flagKey: "dark-mode", value: true, companyId: "x" }] }),
      404,
      "not_found",
    );
  });
});

describe("entity views", () => {
  const companyFlags = (env: string, company: string, query = "") =>
    api<Paginated<EntityFlag>>(emu, "GET", `${APP}/envs/${env}/companies/${seg(company)}/flags${query}`);

  it("lists every flag with the company's value, paginated", async () => {
    const { status, body } = await companyFlags("enProduction", "acme-corp");
    expect(status).toBe(200);
    expect(body).toMatchObject({ totalCount: 5, pageIndex: 0, pageSize: 20 });
    const checkout = body.data.find((f) => f.key === "new-checkout-flow");
    expect(checkout).toMatchObject({
      id: "flNewCheckout01",
      name: "New checkout flow",
      value: true,
      specificTargetValue: true,
      exposureCount: 0,
      trackCount: 0,
      firstExposureAt: null,
    });
    expect(body.data.find((f) => f.key === "dark-mode")).toMatchObject({
      value: false,
      specificTargetValue: null,
    });
    const page = await companyFlags("enProduction", "acme-corp", "?pageSize=2&pageIndex=2");
    expect(page.body.data.map((f) => f.key)).toEqual(["search-v2"]);
  });

  it("PATCHes one user across flags atomically, versioned like the batch endpoint, answering like GET", async () => {
    const envBefore = envVersion("enStaging");
    const path = `${APP}/envs/enStaging/users/user-1/flags`;
    const answer = await api<Paginated<EntityFlag>>(emu, "PATCH", path, {
      json: {
        updates: [
          { flagKey: "dark-mode", specificTargetValue: true },
          { flagKey: "ai-assistant", specificTargetValue: null },
        ],
        changeDescription: "by user",
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.totalCount).toBe(5);
    expect(answer.body.data.find((f) => f.key === "dark-mode")?.specificTargetValue).toBe(true);
    expect(answer.body.data.find((f) => f.key === "ai-assistant")?.specificTargetValue).toBeNull();
    expect((await targeting("ai-assistant", "enStaging")).specificTargets.true?.userIds).toEqual(["user-2"]);
    expect((await targeting("ai-assistant", "enStaging")).version).toBe(3);
    expect(envVersion("enStaging")).toBe(envBefore + 1);
    expect(emu.store.audit(emu.appId).at(-1)).toMatchObject({
      action: "entityFlags",
      changeDescription: "by user",
      updates: [
        { flagKey: "dark-mode", value: true, userId: "user-1" },
        { flagKey: "ai-assistant", value: null, userId: "user-1" },
      ],
    });

    const bad = expectError(
      await api(emu, "PATCH", path, {
        json: {
          updates: [
            { flagKey: "dark-mode", specificTargetValue: null },
            { flagKey: "nope", specificTargetValue: true },
          ],
        },
      }),
      400,
      "invalid_request",
    );
    expect(Object.keys(bad.issues ?? {})).toEqual(["updates.1.flagKey"]);
    expect((await targeting("dark-mode", "enStaging")).specificTargets.true?.userIds).toEqual(["user-1"]);
  });

  // " " and " padded " are ids like any other (non-empty, at most 256 characters): the batch endpoint
  // must take them as the path does, or a target added through one could not be removed through the other.
  it.each(["a/b?c#d%e ..", "..", ".", "%2e%2e", "space in id", "ünïcödé/💥", "?", "#", "%", " ", " padded "])(
    "keeps the id %j inside its path segment, through the entity and targeting endpoints",
    async (id) => {
      // Encode "." too, so that no dot segment exists in the raw path even for clients that would resolve it.
      const encoded = seg(id).replace(/\./g, "%2E");
      const path = `${APP}/envs/enProduction/companies/${encoded}/flags`;
      const written = await api<Paginated<EntityFlag>>(emu, "PATCH", path, {
        json: { updates: [{ flagKey: "dark-mode", specificTargetValue: true }] },
      });
      expect(written.status).toBe(200);
      expect(emu.store.getTargets(emu.appId, "dark-mode", "enProduction").companyIds).toContain(id);
      expect((await targeting("dark-mode", "enProduction")).specificTargets.true?.companyIds).toContain(id);
      const read = await api<Paginated<EntityFlag>>(emu, "GET", path);
      expect(read.body.data.find((f) => f.key === "dark-mode")?.specificTargetValue).toBe(true);
      // A user id through the batch endpoint, read back through the user view.
      expect(
        (
          await patchTargets("enProduction", {
            updates: [{ flagKey: "legacy-export", value: true, userId: id }],
          })
        ).status,
      ).toBe(200);
      const user = await api<Paginated<EntityFlag>>(
        emu,
        "GET",
        `${APP}/envs/enProduction/users/${encoded}/flags`,
      );
      expect(user.body.data.find((f) => f.key === "legacy-export")?.value).toBe(true);
    },
  );

  it("does not resolve raw '.' and '..' segments (node:http sends them as written)", async () => {
    const answer = await api<Paginated<EntityFlag>>(emu, "PATCH", `${APP}/envs/enProduction/users/../flags`, {
      json: { updates: [{ flagKey: "dark-mode", specificTargetValue: true }] },
    });
    expect(answer.status).toBe(200);
    expect(emu.store.getTargets(emu.appId, "dark-mode", "enProduction").userIds).toEqual([".."]);
    expect((await api(emu, "GET", `${APP}/envs/enProduction/companies/./flags`)).status).toBe(200);
  });

  it("refuses an id over 256 characters", async () => {
    const body = expectError(await companyFlags("enProduction", "c".repeat(257)), 400, "invalid_request");
    expect(body.issues).toEqual({ companyId: ["Must be at most 256 characters"] });
    expect((await companyFlags("enProduction", "c".repeat(256))).status).toBe(200);
  });
});

describe("HTTP errors", () => {
  it("answers malformed JSON with 400 and issues", async () => {
    const body = expectError(
      await api(emu, "PATCH", `${APP}/flags/specific-targets/enProduction`, { raw: '{"updates": [' }),
      400,
      "invalid_request",
    );
    expect(body.error.message).toMatch(/JSON/);
    expect(body.issues).toEqual({ body: ["Malformed JSON"] });
    expectError(await api(emu, "POST", `${APP}/flags`, { raw: "" }), 400, "invalid_request");
  });

  it("answers input nested too deep to serialise with 400, not 500", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const raw = `{"updates":[{"flagKey":"dark-mode","value":${deep},"companyId":"x"}]}`;
    const body = expectError(
      await api(emu, "PATCH", `${APP}/flags/specific-targets/enProduction`, { raw }),
      400,
      "invalid_request",
    );
    expect(body.issues).toEqual({ "updates.0.value": ["Expected true or null, received array"] });
  });

  it.each([
    ['{"toString":null}', { toString: ["Unknown field"], updates: ["Required"] }],
    [
      '{"__proto__":{"polluted":1},"updates":"x"}',
      { ["__proto__"]: ["Unknown field"], updates: ["Expected array, received string"] },
    ],
    [
      '{"updates":[{"constructor":1,"flagKey":"dark-mode","value":true,"companyId":"x"}]}',
      { "updates.0.constructor": ["Unknown field"] },
    ],
  ])("reports fields named like Object.prototype members as plain fields: %s", async (raw, issues) => {
    const body = expectError(
      await api(emu, "PATCH", `${APP}/flags/specific-targets/enProduction`, { raw }),
      400,
      "invalid_request",
    );
    expect(JSON.parse(JSON.stringify(body.issues))).toEqual(JSON.parse(JSON.stringify(issues)));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("never answers 5xx or drops the connection, whatever the body of a write", async () => {
    const id = emu.store.getFlag(emu.appId, "dark-mode").id;
    const writes: Array<[string, string]> = [
      ["PATCH", `${APP}/flags/specific-targets/enProduction`],
      ["PATCH", `${APP}/envs/enProduction/users/u1/flags`],
      ["POST", `${APP}/flags`],
      ["PATCH", `${APP}/flags/${id}`],
    ];
    const protoKeys = fc.constantFrom(
      "toString",
      "__proto__",
      "constructor",
      "hasOwnProperty",
      "updates",
      "key",
      "name",
    );
    const body = fc.oneof(
      fc.json(),
      fc.string(),
      fc.dictionary(protoKeys, fc.jsonValue()).map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            updates: fc.array(
              fc.record(
                {
                  flagKey: fc.constantFrom("dark-mode", "nope", ""),
                  value: fc.jsonValue(),
                  companyId: fc.jsonValue(),
                  userId: fc.jsonValue(),
                  specificTargetValue: fc.jsonValue(),
                },
                { requiredKeys: [] },
              ),
            ),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), body, async ([method, path], raw) => {
        const answer = await api(emu, method, path, { raw });
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 300)
          expect((answer.body as ApiErrorBody).error.code).toEqual(expect.any(String));
      }),
      { numRuns: 150 },
    );
  });

  it("answers a body over 1 MiB with 413 and an error body", async () => {
    const big = JSON.stringify({
      updates: [{ flagKey: "dark-mode", value: true, companyId: "x".repeat(1024 * 1024) }],
    });
    const body = expectError(
      await api(emu, "PATCH", `${APP}/flags/specific-targets/enProduction`, { raw: big }),
      413,
      "invalid_request",
    );
    expect(body.error.message).toMatch(/too large/);
  });

  it("answers a body announced over 1 MiB at once, without waiting for bytes that may never come", async () => {
    const answer = await postAnnouncing(500 * 1024 * 1024, Buffer.from('{"key":'));
    expect(answer.status).toBe(413);
    expect(answer.body.error).toMatchObject({
      code: "invalid_request",
      message: expect.stringMatching(/too large/),
    });
  });

  it("still delivers the 413 to a client that asked to close and writes a large body at once", async () => {
    // The client runs in its own process, as a real one would: in this one, the event loop would
    // read the answer before the connection's reset could destroy it.
    const { stdout } = await execFileAsync(process.execPath, ["--input-type=module", "-e", CLOSING_CLIENT], {
      env: { ...process.env, TARGET: `${emu.origin}/api${APP}/flags`, KEY: emu.apiKey },
    });
    expect(JSON.parse(stdout)).toEqual(Array(5).fill({ status: 413, code: "invalid_request" }));
    // The emulator kept reading: the same server answers the next request normally.
    expect((await api(emu, "GET", "/apps")).status).toBe(200);
  });

  it("answers unknown routes and paths outside /api with 404 and an error body", async () => {
    for (const path of [
      "/api/nope",
      "/api",
      "/api/apps/apDemoApp01/flagz",
      "/api/apps/apDemoApp01/flags/",
      "/nope",
      "/",
    ]) {
      expectError(await call(emu, "GET", path), 404, "not_found");
    }
  });

  it("answers a wrong method with 405, an Allow header and an error body", async () => {
    const answer = await api(emu, "DELETE", `${APP}/flags`);
    expectError(answer, 405, "not_found");
    expect(answer.headers.allow).toBe("GET, POST");
    const get = await api(emu, "GET", `${APP}/flags/specific-targets/enProduction`);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("PATCH");
  });

  it("routes the literal specific-targets segment to the batch endpoint, not to a flag id", async () => {
    const answer = await patchTargets("enProduction", {
      updates: [{ flagKey: "dark-mode", value: true, companyId: "routed" }],
    });
    expect(answer.status).toBe(200);
    expect(emu.store.getTargets(emu.appId, "dark-mode", "enProduction").companyIds).toContain("routed");
    expectError(
      await api(emu, "PATCH", `${APP}/flags/specific-targets`, { json: { name: "x" } }),
      404,
      "not_found",
    );
  });

  it("answers invalid percent-encoding with 400", async () => {
    expectError(
      await api(emu, "GET", `${APP}/flags/%E0%A4%A/targeting/enProduction`),
      400,
      "invalid_request",
    );
    expectError(
      await api(emu, "GET", `${APP}/envs/enProduction/companies/%zz/flags`),
      400,
      "invalid_request",
    );
  });

  it.each([
    "pageSize=0",
    "pageSize=101",
    "pageSize=1.5",
    "pageSize=abc",
    "pageIndex=-1",
    "pageIndex=1e2",
    "sortOrder=up",
    "sortBy=colour",
  ])("refuses the query %s with 400", async (query) => {
    const body = expectError(await api(emu, "GET", `${APP}/flags?${query}`), 400, "invalid_request");
    expect(Object.keys(body.issues ?? {})).toEqual([query.split("=")[0]]);
  });

  it("ignores unknown query parameters", async () => {
    expect((await api(emu, "GET", `${APP}/flags?foo=bar&pageSize=100`)).status).toBe(200);
  });
});

describe("flag list sortBy", () => {
  const keys = async (query: string) => {
    const answer = await api<Paginated<FlagHeader>>(emu, "GET", `${APP}/flags?${query}`);
    expect(answer.status).toBe(200);
    return answer.body.data.map((f) => f.key);
  };
  const seed = () => {
    emu.store.addFlag(emu.appId, {
      key: "zz-early",
      name: "A first by name",
      createdAt: "2025-01-01T00:00:00.000Z",
      stageId: "stDev",
      ownerUserId: "usBob",
    });
    emu.store.addFlag(emu.appId, { key: "aa-no-stage", name: "Zed", createdAt: "2027-01-01T00:00:00.000Z" });
  };

  // Demo flags: new-checkout-flow (Internal), dark-mode (Beta), legacy-export (GA), ai-assistant (In
  // development), search-v2 (Beta, archived); all owned by Alice, created at the same instant.
  it.each([
    ["key", "aa-no-stage ai-assistant dark-mode legacy-export new-checkout-flow search-v2 zz-early"],
    ["name", "zz-early ai-assistant dark-mode legacy-export new-checkout-flow search-v2 aa-no-stage"],
    ["createdAt", "zz-early ai-assistant dark-mode legacy-export new-checkout-flow search-v2 aa-no-stage"],
    ["stage", "ai-assistant zz-early new-checkout-flow dark-mode search-v2 legacy-export aa-no-stage"],
    ["owner", "ai-assistant dark-mode legacy-export new-checkout-flow search-v2 zz-early aa-no-stage"],
  ])("sorts by %s, ties by key, absent values last; desc is the exact reverse", async (sortBy, order) => {
    seed();
    const expected = order.split(" ");
    expect(await keys(`sortBy=${sortBy}`)).toEqual(expected);
    expect(await keys(`sortBy=${sortBy}&sortOrder=desc`)).toEqual([...expected].reverse());
  });

  it("sorts by stale (false first) and by check and track times", async () => {
    emu.store.addFlag(emu.appId, { key: "old-flag", name: "Old" });
    const stored = emu.store.state.apps[0]!.flags;
    Object.assign(
      stored.find((f) => f.key === "old-flag")!,
      { stale: true, lastCheckAt: "2026-01-01T00:00:00.000Z" },
    );
    Object.assign(
      stored.find((f) => f.key === "search-v2")!,
      {
        lastCheckAt: "2026-02-01T00:00:00.000Z",
        lastTrackAt: "2026-02-01T00:00:00.000Z",
        rolledOutToEveryoneAt: "2026-02-01T00:00:00.000Z",
      },
    );
    expect((await keys("sortBy=stale")).at(-1)).toBe("old-flag");
    expect((await keys("sortBy=lastCheck")).slice(0, 2)).toEqual(["old-flag", "search-v2"]);
    expect((await keys("sortBy=lastTrack"))[0]).toBe("search-v2");
    expect((await keys("sortBy=rolledOutToEveryoneAt"))[0]).toBe("search-v2");
  });

  it.each(["autoFeedbackSurveysEnabled", "environmentStatus", "archivingChecks"])(
    "accepts sortBy=%s, a field the emulator does not hold: key order",
    async (sortBy) => {
      const answer = await api<Paginated<FlagHeader>>(emu, "GET", `${APP}/flags?sortBy=${sortBy}`);
      expect(answer.body.sortBy).toBe(sortBy);
      expect(answer.body.data.map((f) => f.key)).toEqual(await keys("sortBy=key"));
    },
  );

  it("accepts every sortBy on the entity views too, and refuses an unknown one with a 400 listing them", async () => {
    const entity = await api(emu, "GET", `${APP}/envs/enProduction/companies/acme-corp/flags?sortBy=stage`);
    expect(entity.status).toBe(200);
    const bad = expectError(await api(emu, "GET", `${APP}/flags?sortBy=colour`), 400, "invalid_request");
    expect(bad.issues?.sortBy?.[0]).toContain("archivingChecks");
  });
});

describe("pagination", () => {
  const page = async (query: string) =>
    (await api<Paginated<FlagHeader>>(emu, "GET", `${APP}/flags?${query}`)).body;

  it("walks 255 flags in pages of 100 and of the default size, each flag once, in key order", async () => {
    emu.store.addFlags(emu.appId, 250);
    const walk = async (pageSize?: number) => {
      const keys: string[] = [];
      const sizes: number[] = [];
      for (let pageIndex = 0; ; pageIndex++) {
        const p = await page(`pageIndex=${pageIndex}${pageSize ? `&pageSize=${pageSize}` : ""}`);
        expect(p.totalCount).toBe(255);
        expect(p.pageIndex).toBe(pageIndex);
        sizes.push(p.data.length);
        keys.push(...p.data.map((f) => f.key));
        if (keys.length >= p.totalCount) return { keys, sizes };
      }
    };
    const hundreds = await walk(100);
    expect(hundreds.sizes).toEqual([100, 100, 55]);
    expect(new Set(hundreds.keys).size).toBe(255);
    expect(hundreds.keys).toEqual([...hundreds.keys].sort());
    const twenties = await walk();
    expect(twenties.sizes).toHaveLength(13);
    expect(twenties.sizes.at(-1)).toBe(15);
    expect(twenties.keys).toEqual(hundreds.keys);
  });

  it("answers a page past the end with no data and the right totalCount, and sorts desc", async () => {
    emu.store.addFlags(emu.appId, 250);
    expect(await page("pageIndex=99&pageSize=100")).toMatchObject({
      data: [],
      totalCount: 255,
      pageIndex: 99,
      pageSize: 100,
    });
    const desc = await page("sortOrder=desc&pageSize=3");
    expect(desc.data.map((f) => f.key)).toEqual(["seeded-flag-0250", "seeded-flag-0249", "seeded-flag-0248"]);
    const byName = await page("sortBy=name&pageSize=1");
    expect(byName).toMatchObject({ sortBy: "name", data: [{ name: "AI assistant" }] });
  });
});
