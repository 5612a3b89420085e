// Retries, waits and limits of the API client, against the emulator's injected faults.
// Backoff waits use a fake clock; only the Retry-After and timeout cases spend real time, and briefly.
import { describe, expect, it } from "vitest";
import { apiErrorOf, clientOf, emulator, fakeClock } from "./client-support.js";

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
    expect(events[0]).toMatchObject({ status: 429, error: "not_available", retryInMs: 1000, attempt: 1 });
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

describe("5xx, network errors and timeouts", () => {
  it("retries a 5xx with full-jitter backoff, then gives up after exactly maxAttempts", async () => {
    const emu = await emulator({ faults: { script: [{ fault: "500", times: 100 }] } });
    const clock = fakeClock();
    const { client, events } = clientOf(emu, { sleep: clock.sleep, now: clock.now, random: () => 0.5 });
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
      /^GET \/apps\/apDemoApp01: network_error: fetch failed: .*ECONNREFUSED.*; after 3 attempts$/,
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
