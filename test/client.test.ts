// The API client against the emulator over real HTTP: every endpoint, pagination, the errors a
// caller gets, ids that must stay inside their path segment, and the key that must never leak.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { CANARY_OTHER_API_KEY } from "./support/canary.js";
import type { RunningEmulator } from "../src/emulator/index.js";
import { ApiError } from "../src/live/api-error.js";
import type { ReflagClient } from "../src/live/client.js";
import { apiErrorOf, clientOf, emulator, fakeClock, json, tinyServer } from "./client-support.js";

const APP = "apDemoApp01";

describe("every endpoint", () => {
  it("listApps: the apps the key can see, filtered by org", async () => {
    const { client } = clientOf(await emulator());
    expect((await client.listApps()).map((a) => [a.id, a.flagKeyFormat])).toEqual([[APP, "kebabCaseLower"]]);
    expect((await client.listApps("orAcme")).map((a) => a.id)).toEqual([APP]);
    expect(await client.listApps("orNobody")).toEqual([]);
  });

  it("getApp: environments, stages and segments", async () => {
    const { client } = clientOf(await emulator());
    const app = await client.getApp(APP);
    expect(app.id).toBe(APP);
    expect(app.environments.map((e) => e.id)).toEqual(["enProduction", "enStaging", "enDevelopment"]);
    expect(app.stages.map((s) => s.id)).toEqual(["stDev", "stInternal", "stBeta", "stGA"]);
    expect(app.segments.length).toBeGreaterThan(0);
  });

  it("listEnvironments: in order, or sorted as asked", async () => {
    const { client, events } = clientOf(await emulator());
    expect((await client.listEnvironments(APP)).map((e) => e.name)).toEqual([
      "Production",
      "Staging",
      "Development",
    ]);
    const byName = await client.listEnvironments(APP, { sortBy: "name", sortOrder: "desc" });
    expect(byName.map((e) => e.name)).toEqual(["Staging", "Production", "Development"]);
    expect(events[1]?.path).toBe(`/apps/${APP}/environments?sortBy=name&sortOrder=desc`);
  });

  it("getEnvironment: one environment, its SDK secrets dropped in the client", async () => {
    const emu = await emulator();
    const { client } = clientOf(emu);
    const env = await client.getEnvironment(APP, "enStaging");
    expect([env.id, env.name, env.isProduction]).toEqual(["enStaging", "Staging", false]);
    expect(env).not.toHaveProperty("sdkAccess");
    const secret = emu.store.getEnvironment(APP, "enStaging").sdkAccess.secretKey;
    expect(JSON.stringify(env)).not.toContain(secret);
  });

  it("listFlags: every flag", async () => {
    const { client } = clientOf(await emulator());
    const keys = (await client.listFlags(APP)).map((f) => f.key).sort();
    expect(keys).toEqual(["ai-assistant", "dark-mode", "legacy-export", "new-checkout-flow", "search-v2"]);
  });

  it("createFlag and updateFlag (by id; null clears the description)", async () => {
    const emu = await emulator();
    const { client } = clientOf(emu);
    const created = await client.createFlag(APP, {
      key: "brand-new",
      name: "Brand new",
      description: "first",
      stageId: "stBeta",
    });
    expect([created.key, created.name, created.description, created.stage?.id]).toEqual([
      "brand-new",
      "Brand new",
      "first",
      "stBeta",
    ]);
    expect(emu.store.getFlag(APP, "brand-new").id).toBe(created.id);

    const updated = await client.updateFlag(APP, created.id, {
      name: "Renamed",
      description: null,
      isArchived: true,
    });
    expect([updated.id, updated.name, updated.description, updated.archived]).toEqual([
      created.id,
      "Renamed",
      undefined,
      true,
    ]);
  });

  it("getFlagTargeting: the targets, or none", async () => {
    const { client } = clientOf(await emulator());
    const targeting = await client.getFlagTargeting(APP, "new-checkout-flow", "enProduction");
    expect(targeting).toMatchObject({
      flagKey: "new-checkout-flow",
      version: 3,
      specificTargets: { true: { companyIds: ["acme-corp", "initech"], userIds: ["user-9"] } },
    });
    expect((await client.getFlagTargeting(APP, "legacy-export", "enProduction")).specificTargets).toEqual({});
  });

  it("updateSpecificTargets: adds and removes in one batch, kept in the audit", async () => {
    const emu = await emulator();
    const { client } = clientOf(emu);
    const result = await client.updateSpecificTargets(APP, "enProduction", {
      updates: [
        { flagKey: "dark-mode", value: true, companyId: "initech" },
        { flagKey: "new-checkout-flow", value: null, userId: "user-9" },
      ],
      changeDescription: "test batch",
      notifications: [],
    });
    expect(result).toBeUndefined();
    expect(emu.store.getTargets(APP, "dark-mode", "enProduction").companyIds).toEqual(["globex", "initech"]);
    expect(emu.store.getTargets(APP, "new-checkout-flow", "enProduction").userIds).toEqual([]);
    expect(emu.store.audit(APP).at(-1)).toMatchObject({
      action: "specificTargets",
      changeDescription: "test batch",
      changed: 2,
    });
  });

  it("listEntityFlags and updateEntityFlags, for companies and users", async () => {
    const emu = await emulator();
    const { client } = clientOf(emu);
    const on = async (kind: "companies" | "users", id: string): Promise<string[]> =>
      (await client.listEntityFlags(APP, "enStaging", kind, id)).filter((f) => f.value).map((f) => f.key);

    expect(await on("users", "user-1")).toEqual(["ai-assistant"]);
    await client.updateEntityFlags(APP, "enStaging", "users", "user-1", {
      updates: [
        { flagKey: "ai-assistant", specificTargetValue: null },
        { flagKey: "dark-mode", specificTargetValue: true },
      ],
    });
    expect(await on("users", "user-1")).toEqual(["dark-mode"]);

    await client.updateEntityFlags(APP, "enStaging", "companies", "globex", {
      updates: [{ flagKey: "search-v2", specificTargetValue: true }],
    });
    expect(await on("companies", "globex")).toEqual(["search-v2"]);
  });
});

describe("pagination", () => {
  it("listFlags follows 3 pages of 100 to read 255 flags", async () => {
    const emu = await emulator();
    emu.store.addFlags(APP, 250);
    const { client, events } = clientOf(emu);
    const flags = await client.listFlags(APP);
    expect(flags).toHaveLength(255);
    expect(new Set(flags.map((f) => f.id)).size).toBe(255);
    expect(emu.stats().byRoute["GET /apps/:appId/flags"]).toEqual({ "200": 3 });
    expect(events.map((e) => e.path)).toEqual(
      [0, 1, 2].map((i) => `/apps/${APP}/flags?pageIndex=${i}&pageSize=100`),
    );
  });

  it("reads the pages after the first at once, under the client's limit, in order", async () => {
    const emu = await emulator({ faults: { latencyMs: 60 } });
    emu.store.addFlags(APP, 995);
    const { client } = clientOf(emu, { concurrency: 4 });
    const flags = await client.listFlags(APP);
    expect(flags).toHaveLength(1000);
    const inOrder = emu.store.listFlags(APP, {
      pageIndex: 0,
      pageSize: 1000,
      sortBy: "key",
      sortOrder: "asc",
    });
    expect(flags.map((f) => f.id)).toEqual(inOrder.data.map((f) => f.id));
    expect(emu.stats().byRoute["GET /apps/:appId/flags"]).toEqual({ "200": 10 });
    expect(emu.stats().maxInFlight).toBe(4);
  });

  it("listEntityFlags reads every page too", async () => {
    const emu = await emulator();
    emu.store.addFlags(APP, 250, (i) => ({
      key: `seeded-${i}`,
      targets: { enProduction: { companyIds: ["initech"] } },
    }));
    const { client } = clientOf(emu);
    const flags = await client.listEntityFlags(APP, "enProduction", "companies", "initech");
    expect(flags).toHaveLength(255);
    expect(flags.filter((f) => f.value)).toHaveLength(251);
    expect(emu.stats().byRoute["GET /apps/:appId/envs/:envId/companies/:companyId/flags"]).toEqual({
      "200": 3,
    });
  });
});

describe("errors: what the caller gets", () => {
  const cases: Array<{
    name: string;
    status: number;
    code: string;
    run: (client: ReflagClient, emu: RunningEmulator) => Promise<unknown>;
    key?: string;
    message: string;
  }> = [
    {
      name: "400 with issues",
      status: 400,
      code: "invalid_request",
      run: (c) =>
        c.updateSpecificTargets(APP, "enProduction", {
          updates: [{ flagKey: "", value: true, companyId: "x" }],
        }),
      message:
        "PATCH /apps/apDemoApp01/flags/specific-targets/enProduction: 400 invalid_request: Invalid request: updates.0.flagKey: Must not be empty (updates.0.flagKey: Must not be empty)",
    },
    {
      name: "401 for an unknown key",
      status: 401,
      code: "unauthenticated",
      key: "not-a-real-key",
      run: (c) => c.getApp(APP),
      message: "GET /apps/apDemoApp01: 401 unauthenticated: Invalid API key",
    },
    {
      name: "403 for another app's key",
      status: 403,
      code: "unauthorized",
      key: CANARY_OTHER_API_KEY,
      run: (c) => c.listFlags(APP),
      message:
        "GET /apps/apDemoApp01/flags?pageIndex=0&pageSize=100: 403 unauthorized: This API key does not give access to app 'apDemoApp01'",
    },
    {
      name: "404 for an unknown flag",
      status: 404,
      code: "not_found",
      run: (c) => c.getFlagTargeting(APP, "no-such-flag", "enProduction"),
      message: expect.stringMatching(
        /^GET \/apps\/apDemoApp01\/flags\/no-such-flag\/targeting\/enProduction: 404 not_found: /,
      ) as unknown as string,
    },
  ];

  it.each(cases)(
    "$name: sent once, reported as a permanent ApiError",
    async ({ status, code, run, key, message }) => {
      const emu = await emulator();
      const { client } = clientOf(emu, key === undefined ? {} : { apiKey: key });
      const err = await apiErrorOf(run(client, emu));
      expect(err).toMatchObject({
        status,
        code,
        transient: false,
        attempts: 1,
        userFacing: true,
        rsCode: "RS_API",
        message,
      });
      expect(emu.stats().total).toBe(1);
      if (status === 400) expect(err.issues).toEqual({ "updates.0.flagKey": ["Must not be empty"] });
      else expect(err.issues).toBeUndefined();
      expect(emu.store.audit(APP)).toEqual([]);
    },
  );
});

describe("ids stay inside their path segment", () => {
  it.each(["a/b?c#d%e ..", "with space", "...", "..x", "%2E%2E", "ü/ñ", "x".repeat(256)])(
    "round-trips company and user %j",
    async (id) => {
      const emu = await emulator();
      const { client } = clientOf(emu);
      for (const kind of ["companies", "users"] as const) {
        await client.updateEntityFlags(APP, "enDevelopment", kind, id, {
          updates: [{ flagKey: "dark-mode", specificTargetValue: true }],
        });
        const flags = await client.listEntityFlags(APP, "enDevelopment", kind, id);
        expect(flags.filter((f) => f.value).map((f) => f.key)).toEqual(["dark-mode"]);
      }
      expect(emu.store.getTargets(APP, "dark-mode", "enDevelopment")).toEqual({
        companyIds: [id],
        userIds: [id],
      });
    },
  );

  it.each([".", "..", ""])("refuses %j as a whole path segment without sending anything", async (id) => {
    const emu = await emulator();
    const { client } = clientOf(emu);
    const err = await apiErrorOf(client.listEntityFlags(APP, "enProduction", "companies", id));
    expect(err).toMatchObject({ code: "invalid_argument", status: undefined, attempts: 0, transient: false });
    expect(err.message).toContain(`companyId ${JSON.stringify(id)} cannot be sent as a URL path segment`);
    expect(emu.stats().total).toBe(0);
  });

  it('carries "." and ".." through the batch endpoint, where ids travel in the body', async () => {
    const emu = await emulator();
    const { client } = clientOf(emu);
    await client.updateSpecificTargets(APP, "enProduction", {
      updates: [
        { flagKey: "legacy-export", value: true, companyId: ".." },
        { flagKey: "legacy-export", value: true, userId: "." },
      ],
    });
    const targeting = await client.getFlagTargeting(APP, "legacy-export", "enProduction");
    expect(targeting.specificTargets.true).toEqual({ companyIds: [".."], userIds: ["."] });
  });

  it("keeps an app id with a slash in one segment (404 names the whole id)", async () => {
    const { client } = clientOf(await emulator());
    const err = await apiErrorOf(client.getApp("apDemoApp01/flags"));
    expect(err.status).toBe(404);
    expect(err.apiMessage).toBe("App 'apDemoApp01/flags' not found");
  });
});

describe("the API key never leaks", () => {
  const SECRET = "sekret-test-key-6f1d2c";

  function expectNoKey(err: ApiError, key: string): void {
    for (const text of [
      err.message,
      err.stack ?? "",
      JSON.stringify(err),
      inspect(err, { showHidden: true, depth: null }),
      String(err),
    ]) {
      expect(text).not.toContain(key);
    }
  }

  it.each([
    ["401 (the key itself is wrong)", (c: ReflagClient) => c.getApp(APP)],
    ["400", (c: ReflagClient) => c.updateSpecificTargets(APP, "enProduction", { updates: [] as never })],
    ["404", (c: ReflagClient) => c.getEnvironment(APP, "enNope")],
    ["invalid_argument", (c: ReflagClient) => c.listEntityFlags(APP, "enProduction", "users", "..")],
  ])("in a %s error, its logs and the client", async (_name, run) => {
    const emu = await emulator();
    const { client, events } = clientOf(emu, { apiKey: SECRET });
    expectNoKey(await apiErrorOf(run(client)), SECRET);
    expect(JSON.stringify(events)).not.toContain(SECRET);
    expect(inspect(client, { showHidden: true, depth: null })).not.toContain(SECRET);
    expect(JSON.stringify(client)).not.toContain(SECRET);
  });

  it("in network errors and timeouts", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "delay", delayMs: 5_000 }] } });
    const clock = fakeClock();
    const timedOut = clientOf(emu, { apiKey: emu.apiKey, timeoutMs: 50, maxAttempts: 1 });
    expectNoKey(await apiErrorOf(timedOut.client.getApp(APP)), emu.apiKey);

    const closed = await emulator();
    await closed.close();
    const refused = clientOf(closed, { maxAttempts: 2, sleep: clock.sleep, now: clock.now });
    const err = await apiErrorOf(refused.client.getApp(APP));
    expect(err.code).toBe("network_error");
    expectNoKey(err, closed.apiKey);
  });

  it("even when the service echoes it back", async () => {
    const server = await tinyServer((req, res) =>
      json(res, 400, {
        error: { code: "invalid_request", message: `bad header ${req.headers.authorization}` },
        issues: { [`auth ${req.headers.authorization}`]: [`was ${req.headers.authorization}`] },
      }),
    );
    const { client, events } = clientOf({ url: server.url, apiKey: SECRET });
    const err = await apiErrorOf(client.getApp(APP));
    expect(err.apiMessage).toBe("bad header Bearer [redacted]");
    expect(err.issues).toEqual({ "auth Bearer [redacted]": ["was Bearer [redacted]"] });
    expectNoKey(err, SECRET);
    expect(JSON.stringify(events)).not.toContain(SECRET);
  });

  it("sends the key only in the Authorization header", async () => {
    const seen: Array<string | undefined> = [];
    const server = await tinyServer((req, res) => {
      seen.push(req.headers.authorization);
      json(res, 200, { data: [] });
    });
    const { client } = clientOf({ url: server.url, apiKey: SECRET });
    await client.listApps();
    expect(seen).toEqual([`Bearer ${SECRET}`]);
    expect(server.requests.join(" ")).not.toContain(SECRET);
  });
});

describe("ApiError", () => {
  it("serializes with its message and the fields a log needs", async () => {
    const { client } = clientOf(await emulator());
    const err = await apiErrorOf(client.getFlagTargeting(APP, "new-checkout-flow", "enNope"));
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: "ApiError",
      message: err.message,
      userFacing: true,
      method: "GET",
      path: "/apps/apDemoApp01/flags/new-checkout-flow/targeting/enNope",
      status: 404,
      code: "not_found",
      apiMessage: err.apiMessage,
      attempts: 1,
      transient: false,
      rsCode: "RS_API",
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toBeInstanceOf(Error);
  });
});
