// Retries, waits and limits of the API client, against the emulator's injected faults.
// Backoff waits use a fake clock; only the Retry-After and timeout cases spend real time, and briefly.
import { describe, expect, it } from "vitest";
import { apiErrorOf, clientOf, emulator, fakeClock, json, tinyServer } from "./client-support.js";

const APP = "apDemoApp01";
const FLAGS = "/apps/apDemoApp01/flags";
const TARGETS = "/apps/apDemoApp01/flags/specific-targets/enProduction";

/** When a request reached the emulator: its record is written as it ends, after durationMs. */
function arrivals(records: Array<{ at: string; durationMs: number }>): number[] {
  return records.map((r) => Date.parse(r.at) - r.durationMs);
}

describe("429 with Retry-After", () => {
  it("sends nothing, from any call of the client, before Retry-After has passed", async () => {
    const emu = await emulator({
      faults: { script: [{ method: "GET", path: FLAGS, fault: "429", retryAfterSeconds: 1 }] },
    });
    let rateLimited!: () => void;
    const limited = new Promise<void>((resolve) => (rateLimited = resolve));
    const { client, events } = clientOf(emu, {
      random: () => 0,
      onRequest: (e) => {
        events.push(e);
        if (e.status === 429) rateLimited();
      },
    });

    const listing = client.listFlags(APP);
    await limited;
    // Another call of the same client, started while the first one waits: it must wait too.
    const [flags, app] = await Promise.all([listing, client.getApp(APP)]);

    expect(flags).toHaveLength(5);
    expect(app.id).toBe(APP);
    expect(events[0]).toMatchObject({ status: 429, error: "not_available", attempt: 1 });
    // The pause counts from the moment the status arrived, not from when the body was read.
    expect(events[0]!.retryInMs).toBeGreaterThan(900);
    expect(events[0]!.retryInMs).toBeLessThanOrEqual(1000);
    const records = emu.stats().requests;
    expect(records.map((r) => r.status)).toEqual(["429", "200", "200"]);
    const [first, ...later] = arrivals(records);
    const answeredAt = Date.parse(records[0]!.at);
    for (const at of later) expect(at - answeredAt).toBeGreaterThanOrEqual(1000 - 2); // 2 ms: the clocks' rounding
    expect(first).toBeLessThanOrEqual(answeredAt);
  });

  it("gives up at once, as transient, when asked to wait longer than maxRetryAfterMs", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "429", retryAfterSeconds: 120 }] } });
    const clock = fakeClock();
    const { client } = clientOf(emu, { sleep: clock.sleep, now: clock.now, maxRetryAfterMs: 60_000 });
    const err = await apiErrorOf(client.getApp(APP));
    expect(err).toMatchObject({
      status: 429,
      transient: true,
      rsCode: "RS_API_TRANSIENT",
      retryAfterMs: 120_000,
      attempts: 1,
    });
    expect(err.message).toContain("asked to retry after 120 s, longer than the 60 s this client waits");
    expect(emu.stats().total).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("honours Retry-After on a 503 too, and waits it on the fake clock without real time", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "503", retryAfterSeconds: 30, times: 2 }] } });
    const clock = fakeClock();
    const { client } = clientOf(emu, { sleep: clock.sleep, now: clock.now, random: () => 0.5 });
    await client.getApp(APP);
    // Retry-After plus up to baseDelayMs of jitter, so that parallel calls do not return in one burst.
    expect(clock.sleeps).toEqual([30_100, 30_100]);
    expect(emu.stats().byStatus).toEqual({ "503": 2, "200": 1 });
  });
});

describe("rate limits: one pause for the whole client", () => {
  it("is in force before the 429's slot goes to the next request: nothing arrives inside the window", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "429", retryAfterSeconds: 0.3 }] } });
    const { client } = clientOf(emu, { concurrency: 1 });
    // The second call waits for the only slot, which the 429 frees.
    await Promise.all([client.getApp(APP), client.listEnvironments(APP)]);
    expect(emu.stats().byStatus).toEqual({ "429": 1, "200": 2 });
    expect(emu.stats().rateLimit).toEqual({
      windows: 1,
      knockOn: 0,
      arrivedInWindow: 0,
      insideWindow: 0,
      afterRefusal: 0,
    });
  });

  it("knock-on 429s of requests in flight do not use up their attempts", async () => {
    // Every request is in flight when the first answer opens the window, so all come back 429.
    const emu = await emulator({
      faults: {
        latencyMs: 100,
        script: [{ path: "/apps/apDemoApp01/flags/", fault: "429", retryAfterSeconds: 0.2 }],
      },
    });
    const { client, events } = clientOf(emu, { maxAttempts: 1, concurrency: 4 });
    const keys = ["dark-mode", "search-v2", "ai-assistant", "legacy-export"];
    const answers = await Promise.all(keys.map((k) => client.getFlagTargeting(APP, k, "enProduction")));
    expect(answers.map((a) => a.flagKey)).toEqual(keys);
    expect(events.filter((e) => e.status === 429)).toHaveLength(4);
    expect(emu.stats().rateLimit).toMatchObject({ windows: 1, knockOn: 3, insideWindow: 0, afterRefusal: 0 });
  });

  it("gives up after maxRateLimitedAttempts 429s", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "429", retryAfterSeconds: 1, times: 10 }] } });
    const clock = fakeClock();
    const { client } = clientOf(emu, { sleep: clock.sleep, now: clock.now, maxRateLimitedAttempts: 3 });
    const err = await apiErrorOf(client.getApp(APP));
    expect(err).toMatchObject({ status: 429, transient: true, attempts: 3 });
    expect(err.message).toContain("(rate limited 3 times)");
  });

  it("a 429 without Retry-After still pauses every request of the client", async () => {
    let answered = 0;
    const server = await tinyServer((_req, res) =>
      ++answered === 1
        ? json(res, 429, { error: { code: "not_available", message: "slow down" } })
        : json(res, 200, { data: [] }),
    );
    const clock = fakeClock();
    const { client } = clientOf(
      { url: server.url, apiKey: "k-0123456789" },
      {
        sleep: clock.sleep,
        now: clock.now,
        random: () => 0,
      },
    );
    await Promise.all([client.listApps(), client.listApps()]);
    // baseDelayMs (200) for the first such 429 in a row; the other request waited for it in its slot.
    expect(clock.sleeps).toEqual([200]);
  });
});

describe("a budget and a deadline for the whole run", () => {
  it("an outage spends the client's retry budget, not maxAttempts per request", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "503", times: 1000 }] } });
    const clock = fakeClock();
    const { client } = clientOf(emu, { sleep: clock.sleep, now: clock.now, retryBudget: 6 });
    const errors = await Promise.all([0, 1, 2, 3].map(() => apiErrorOf(client.getApp(APP))));
    // 4 first attempts and 6 retries in all, though each request alone could make 10 attempts.
    expect(emu.stats().total).toBe(10);
    expect(errors.some((e) => e.message.includes("the client's 6 retries for this run are spent"))).toBe(
      true,
    );
  });

  it("successes earn retries back", async () => {
    const emu = await emulator({ faults: { script: [{ path: `/apps/${APP}`, fault: "503", times: 2 }] } });
    const clock = fakeClock();
    const { client } = clientOf(emu, {
      sleep: clock.sleep,
      now: clock.now,
      retryBudget: 0,
      retriesPerSuccess: 1,
    });
    await client.listApps();
    expect((await apiErrorOf(client.getApp(APP))).attempts).toBe(2);
    expect(emu.stats().byStatus).toEqual({ "200": 1, "503": 2 });
  });

  it("no attempt starts or runs past the run's deadline", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "500", times: 1000 }] } });
    const clock = fakeClock();
    const { client } = clientOf(emu, {
      sleep: clock.sleep,
      now: clock.now,
      random: () => 0.99,
      deadlineMs: 3000,
    });
    const err = await apiErrorOf(client.getApp(APP));
    expect(err.message).toContain("(the next attempt would pass the run's 3 s deadline)");
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThan(3000);
    await clock.sleep(3000);
    const late = await apiErrorOf(client.listApps());
    expect(late).toMatchObject({ code: "deadline_exceeded", transient: false });
    expect(late.message).toBe(
      "GET /apps: deadline_exceeded: no attempt may start after the run's 3 s deadline",
    );
  });

  it("a hanging request times out and is retried", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "hang" }] } });
    const { client, events } = clientOf(emu, { timeoutMs: 100, baseDelayMs: 1 });
    expect((await client.getApp(APP)).id).toBe(APP);
    expect(events.map((e) => e.error ?? e.status)).toEqual(["timeout", 200]);
    expect(emu.stats().byStatus).toEqual({ hung: 1, "200": 1 });
  });

  it.each([["an unknown host", "https://reflag-sync-test.invalid/api", /ENOTFOUND/]])(
    "%s is not retried",
    async (_name, url, message) => {
      const { client, events } = clientOf({ url, apiKey: "k-0123456789" });
      const err = await apiErrorOf(client.listApps());
      expect(err).toMatchObject({ code: "network_error", transient: false, attempts: 1 });
      expect(err.message).toMatch(message);
      expect(events).toHaveLength(1);
    },
  );
});

describe("5xx, network errors and timeouts", () => {
  it("retries a 5xx with full-jitter backoff, then gives up after exactly maxAttempts", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "500", times: 100 }] } });
    const clock = fakeClock();
    const { client, events } = clientOf(emu, {
      sleep: clock.sleep,
      now: clock.now,
      random: () => 0.5,
      maxAttempts: 5,
    });
    const err = await apiErrorOf(client.listFlags(APP));
    expect(err).toMatchObject({
      status: 500,
      code: "unknown_error",
      transient: true,
      attempts: 5,
      rsCode: "RS_API_TRANSIENT",
    });
    expect(err.message).toMatch(/: 500 unknown_error: Internal error \(injected fault\); after 5 attempts$/);
    expect(emu.stats().total).toBe(5);
    // random() * min(10 s, 200 ms * 2^(attempt - 1)), with random() = 0.5
    expect(clock.sleeps).toEqual([100, 200, 400, 800]);
    expect(events.map((e) => e.retryInMs)).toEqual([100, 200, 400, 800, undefined]);
  });

  it("succeeds when the 5xx passes", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "503", times: 2 }] } });
    const clock = fakeClock();
    const { client } = clientOf(emu, { sleep: clock.sleep, now: clock.now, maxAttempts: 3 });
    expect((await client.getApp(APP)).id).toBe(APP);
    expect(emu.stats().byStatus).toEqual({ "503": 2, "200": 1 });
  });

  it("stops when the next attempt would pass totalTimeoutMs", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "500", times: 100 }] } });
    const clock = fakeClock();
    const { client } = clientOf(emu, {
      sleep: clock.sleep,
      now: clock.now,
      random: () => 0.9,
      baseDelayMs: 1000,
      totalTimeoutMs: 2000,
    });
    const err = await apiErrorOf(client.getApp(APP));
    expect(err.attempts).toBe(2); // waits 900 ms, then 1800 ms would end past 2 s
    expect(err.message).toContain("the next attempt would pass the 2 s total timeout");
    expect(clock.sleeps).toEqual([900]);
  });

  it("retries a timed-out attempt", async () => {
    const emu = await emulator({
      faults: { script: [{ path: "/apps/apDemoApp01/flags/dark-mode", fault: "delay", delayMs: 10_000 }] },
    });
    const clock = fakeClock();
    const { client, events } = clientOf(emu, { sleep: clock.sleep, now: clock.now, timeoutMs: 150 });
    const targeting = await client.getFlagTargeting(APP, "dark-mode", "enProduction");
    expect(targeting.flagKey).toBe("dark-mode");
    expect(events.map((e) => [e.attempt, e.status, e.error])).toEqual([
      [1, undefined, "timeout"],
      [2, 200, undefined],
    ]);
  });

  it("reports a timeout after the last attempt", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "delay", delayMs: 10_000, times: 2 }] } });
    const clock = fakeClock();
    const { client } = clientOf(emu, { sleep: clock.sleep, now: clock.now, timeoutMs: 100, maxAttempts: 2 });
    const err = await apiErrorOf(client.getApp(APP));
    expect(err).toMatchObject({ code: "timeout", status: undefined, transient: true, attempts: 2 });
    expect(err.message).toBe(
      "GET /apps/apDemoApp01: timeout: no complete answer within 100 ms; after 2 attempts",
    );
  });

  it("retries a connection reset", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "reset" }] } });
    const clock = fakeClock();
    const { client, events } = clientOf(emu, { sleep: clock.sleep, now: clock.now });
    expect(await client.listApps()).toHaveLength(1);
    expect(events[0]).toMatchObject({ error: "network_error", attempt: 1 });
  });

  it("reports a refused connection as network_error", async () => {
    const emu = await emulator();
    await emu.close();
    const clock = fakeClock();
    const { client } = clientOf(emu, { sleep: clock.sleep, now: clock.now, maxAttempts: 3 });
    const err = await apiErrorOf(client.getApp(APP));
    expect(err).toMatchObject({ code: "network_error", status: undefined, transient: true, attempts: 3 });
    expect(err.message).toMatch(
      /^GET \/apps\/apDemoApp01: network_error: connect ECONNREFUSED.*; after 3 attempts$/,
    );
  });
});

describe("writes whose answer was lost", () => {
  it("createFlag: the retry meets its own flag (409), which is looked up and returned", async () => {
    const emu = await emulator({ faults: { script: [{ method: "POST", path: FLAGS, fault: "lost" }] } });
    const clock = fakeClock();
    const { client } = clientOf(emu, { sleep: clock.sleep, now: clock.now });
    const flag = await client.createFlag(APP, { key: "lost-answer", name: "Lost answer" });
    expect([flag.key, flag.name]).toEqual(["lost-answer", "Lost answer"]);
    expect(flag.id).toBe(emu.store.getFlag(APP, "lost-answer").id);
    expect(emu.store.audit(APP).filter((a) => a.action === "createFlag")).toHaveLength(1);
    const byRoute = emu.stats().byRoute;
    expect(byRoute[`POST /apps/:appId/flags`]).toEqual({ lost: 1, "409": 1 });
    expect(byRoute[`GET /apps/:appId/flags`]).toEqual({ "200": 1 });
  });

  it("createFlag: a 409 on the first attempt (another apply won the race) returns the same flag", async () => {
    const emu = await emulator();
    emu.store.createFlag(APP, { key: "raced", name: "Raced", description: "From the file" });
    const { client } = clientOf(emu);
    const flag = await client.createFlag(APP, { key: "raced", name: "Raced", description: "From the file" });
    expect(flag.id).toBe(emu.store.getFlag(APP, "raced").id);
    expect(emu.stats().byRoute).toEqual({
      "POST /apps/:appId/flags": { "409": 1 },
      "GET /apps/:appId/flags": { "200": 1 },
    });
  });

  it("createFlag: racing 409s that arrive together share one flag listing", async () => {
    // Latency makes the four answers leave in one timer turn, as answers to parallel requests do.
    const emu = await emulator({ faults: { latencyMs: 50 } });
    const keys = ["race-a", "race-b", "race-c", "race-d"];
    for (const key of keys) emu.store.createFlag(APP, { key, name: key });
    const { client } = clientOf(emu);
    const flags = await Promise.all(keys.map((key) => client.createFlag(APP, { key, name: key })));
    expect(flags.map((f) => f.key)).toEqual(keys);
    expect(emu.stats().byRoute["POST /apps/:appId/flags"]).toEqual({ "409": 4 });
    expect(emu.stats().byRoute["GET /apps/:appId/flags"]!["200"]).toBeLessThan(4);
  });

  it("createFlag: a 409 for a different flag under that key is a clear, permanent error", async () => {
    const emu = await emulator();
    const { client } = clientOf(emu);
    const err = await apiErrorOf(client.createFlag(APP, { key: "dark-mode", name: "Dark mode again" }));
    expect(err).toMatchObject({ status: 409, code: "not_possible", transient: false, attempts: 1 });
    expect(err.message).toBe(
      "POST /apps/apDemoApp01/flags: 409 not_possible: flag 'dark-mode' already exists and is not the flag this plan creates (it is named 'Dark mode', not 'Dark mode again'): another writer created it; run plan again",
    );
    expect(emu.stats().byRoute["POST /apps/:appId/flags"]).toEqual({ "409": 1 });
  });

  it("updateSpecificTargets: retried, applied once", async () => {
    const emu = await emulator({ faults: { script: [{ method: "PATCH", path: TARGETS, fault: "lost" }] } });
    const clock = fakeClock();
    const { client } = clientOf(emu, { sleep: clock.sleep, now: clock.now });
    await client.updateSpecificTargets(APP, "enProduction", {
      updates: [{ flagKey: "dark-mode", value: true, companyId: "lost-co" }],
    });
    expect(emu.store.getTargets(APP, "dark-mode", "enProduction").companyIds).toEqual(["globex", "lost-co"]);
    expect(emu.stats().byRoute["PATCH /apps/:appId/flags/specific-targets/:envId"]).toEqual({
      lost: 1,
      "200": 1,
    });
    expect(emu.store.audit(APP).map((a) => a.changed)).toEqual([1, 0]);
  });

  it("updateFlag: retried, same result", async () => {
    const emu = await emulator({ faults: { script: [{ method: "PATCH", fault: "lost" }] } });
    const clock = fakeClock();
    const { client } = clientOf(emu, { sleep: clock.sleep, now: clock.now });
    const flag = await client.updateFlag(APP, "flDarkMode02", { name: "Dark mode (renamed)" });
    expect(flag.name).toBe("Dark mode (renamed)");
    expect(emu.stats().byStatus).toEqual({ lost: 1, "200": 1 });
  });
});

describe("concurrency", () => {
  it("keeps at most `concurrency` requests in flight", async () => {
    const emu = await emulator({ faults: { latencyMs: 40 } });
    const { client } = clientOf(emu, { concurrency: 3 });
    const keys = ["new-checkout-flow", "dark-mode", "legacy-export", "ai-assistant", "search-v2"];
    const envs = ["enProduction", "enStaging", "enDevelopment"];
    const answers = await Promise.all(
      keys.flatMap((k) => envs.map((e) => client.getFlagTargeting(APP, k, e))),
    );
    expect(answers).toHaveLength(15);
    expect(emu.stats().maxInFlight).toBe(3);
  });

  it("a request waiting to retry leaves its slot to the others", async () => {
    const emu = await emulator({
      faults: { script: [{ path: "/apps/apDemoApp01/environments", fault: "503" }] },
    });
    const waiting: Array<() => void> = [];
    const { client } = clientOf(emu, {
      concurrency: 1,
      sleep: () => new Promise<void>((resolve) => waiting.push(resolve)),
    });
    const environments = client.listEnvironments(APP);
    await expect.poll(() => waiting.length).toBe(1);
    // With the only slot held by a sleeper this would never finish.
    expect((await client.getApp(APP)).id).toBe(APP);
    waiting[0]!();
    expect(await environments).toHaveLength(3);
  });
});

describe("cancellation", () => {
  it("an aborted signal ends the wait between attempts with code 'aborted'", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "503" }] } });
    const controller = new AbortController();
    const { client } = clientOf(emu, {
      signal: controller.signal,
      baseDelayMs: 60_000,
      random: () => 0.99,
      onRequest: () => controller.abort(),
    });
    const err = await apiErrorOf(client.getApp(APP));
    expect(err).toMatchObject({ code: "aborted", transient: false, attempts: 1 });
    expect(emu.stats().total).toBe(1);
  });

  it("sends nothing once aborted", async () => {
    const emu = await emulator();
    const { client } = clientOf(emu, { signal: AbortSignal.abort() });
    expect((await apiErrorOf(client.listApps())).code).toBe("aborted");
    expect(emu.stats().total).toBe(0);
  });
});
