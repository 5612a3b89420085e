// Fault injection (scripted and seeded) and request statistics, observed over real HTTP.
import { Agent } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiErrorBody } from "../src/api/types.js";
import type { FaultOptions, RequestStats, RunningEmulator } from "../src/emulator/index.js";
import { startTestEmulator } from "./support/emulator.js";
import { CANARY_OTHER_API_KEY } from "./support/canary.js";
import { api, call } from "./support/emulator-http.js";

const APP = "/apps/apDemoApp01";
const BATCH = `${APP}/flags/specific-targets/enProduction`;
let emu: RunningEmulator;
const running: RunningEmulator[] = [];

async function start(faults: FaultOptions = {}, seed?: number): Promise<RunningEmulator> {
  const e = await startTestEmulator({ faults, seed });
  running.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

const addCompany = (companyId: string) =>
  api<ApiErrorBody>(emu, "PATCH", BATCH, {
    json: { updates: [{ flagKey: "dark-mode", value: true, companyId }] },
  });
const companies = () => emu.store.getTargets(emu.appId, "dark-mode", "enProduction").companyIds;

describe("scripted faults", () => {
  it("answers a scripted 503 without applying the request, then serves the next one", async () => {
    emu = await start({
      script: [{ method: "PATCH", path: "/apps/apDemoApp01/flags/specific-targets", fault: "503" }],
    });
    expect((await api(emu, "GET", `${APP}/flags`)).status).toBe(200);
    const failed = await addCompany("first-try");
    expect(failed.status).toBe(503);
    expect(failed.body.error.code).toBe("not_available");
    expect(companies()).not.toContain("first-try");
    expect((await addCompany("second-try")).status).toBe(200);
    expect(companies()).toContain("second-try");
  });

  it("answers 429 with a Retry-After header in seconds, `times` times", async () => {
    let now = 1_000_000;
    emu = await startTestEmulator({
      faults: { script: [{ path: /specific-targets/, fault: "429", retryAfterSeconds: 7, times: 2 }] },
      clock: () => now,
    });
    running.push(emu);
    for (let i = 0; i < 2; i++) {
      const limited = await addCompany("x");
      expect(limited.status).toBe(429);
      expect(limited.headers["retry-after"]).toBe("7");
      expect(limited.body.error.code).toEqual(expect.any(String));
      now += 7000;
    }
    expect((await addCompany("x")).status).toBe(200);
    expect(emu.stats().rateLimit).toEqual({
      windows: 2,
      knockOn: 0,
      arrivedInWindow: 0,
      insideWindow: 0,
      afterRefusal: 0,
    });
  });

  it("applies a request whose answer is lost, and drops the connection without answering", async () => {
    emu = await start({ script: [{ method: "PATCH", fault: "lost" }] });
    await expect(addCompany("applied-but-unanswered")).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(companies()).toContain("applied-but-unanswered");
    expect(emu.stats().byRoute["PATCH /apps/:appId/flags/specific-targets/:envId"]).toEqual({ lost: 1 });
    // The client's retry of the same change is then a no-op.
    expect((await addCompany("applied-but-unanswered")).status).toBe(200);
    expect(emu.store.audit(emu.appId).map((a) => a.changed)).toEqual([1, 0]);
  });

  it("resets the connection before handling a request: nothing applied", async () => {
    emu = await start({ script: [{ fault: "reset" }] });
    await expect(addCompany("never")).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(companies()).not.toContain("never");
  });

  it("delays a request, then handles it normally", async () => {
    emu = await start({ script: [{ fault: "delay", delayMs: 80 }] });
    const started = performance.now();
    expect((await addCompany("late")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(companies()).toContain("late");
  });

  it("consumes the script in order, only by matching requests; setFaults replaces it at run time", async () => {
    emu = await start({
      script: [
        { method: "PATCH", fault: "500" },
        { method: "GET", fault: "503" },
      ],
    });
    expect((await api(emu, "GET", `${APP}/flags`)).status).toBe(503);
    expect((await api(emu, "GET", `${APP}/flags`)).status).toBe(200);
    expect((await addCompany("a")).status).toBe(500);
    expect((await addCompany("a")).status).toBe(200);
    emu.setFaults({ script: [{ fault: "429" }] });
    const limited = await api(emu, "GET", "/apps");
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("1");
  });

  it("never touches the /_emulator endpoints", async () => {
    emu = await start({ rateLimitRate: 1, script: [{ fault: "reset", times: 5 }] });
    expect((await call(emu, "GET", "/_emulator/health")).body).toEqual({ status: "ok" });
    expect((await call(emu, "GET", "/_emulator/stats")).status).toBe(200);
  });

  it("closes promptly even while a request is held by a long delay", async () => {
    emu = await start({ latencyMs: 60_000 });
    const pending = api(emu, "GET", "/apps").catch((err: unknown) => err);
    while (emu.stats().inFlight === 0) await new Promise((r) => setImmediate(r));
    const started = performance.now();
    await emu.close();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe("the per-key rate limiter", () => {
  it("refuses every request of the key inside a window, with the Retry-After left, and counts them", async () => {
    let now = 1_000_000;
    emu = await startTestEmulator({
      faults: { script: [{ fault: "429", retryAfterSeconds: 2 }] },
      clock: () => now,
    });
    running.push(emu);
    // One kept-alive connection: each request leaves only after the previous answer was read.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await api(emu, "GET", "/apps", { agent })).status).toBe(429);
    now += 500;
    const inside = await api(emu, "GET", `${APP}/flags`, { agent });
    expect([inside.status, inside.headers["retry-after"]]).toEqual([429, "2"]);
    now += 1000;
    // A new connection: the emulator cannot tell whether its client had read the 429.
    expect((await addCompany("refused")).headers["retry-after"]).toBe("1");
    expect(companies()).not.toContain("refused");
    // Another key has its own limit.
    expect((await api(emu, "GET", "/apps", { key: CANARY_OTHER_API_KEY, agent })).status).toBe(200);
    now += 500;
    expect((await api(emu, "GET", "/apps", { agent })).status).toBe(200);
    agent.destroy();
    expect(emu.stats().rateLimit).toEqual({
      windows: 1,
      knockOn: 0,
      arrivedInWindow: 2,
      insideWindow: 1,
      // Both were read after the 429 had been written and the emulator had read its sockets again.
      afterRefusal: 2,
    });
    expect(emu.stats().requests.map((r) => [r.route, r.inWindow])).toEqual([
      ["/apps", undefined],
      ["/apps/:appId/flags", "sent"],
      ["/apps/:appId/flags/specific-targets/:envId", "arrived"],
      ["/apps", undefined],
      ["/apps", undefined],
    ]);
  });

  it("answers 429 to requests in flight when a window opens (knock-on), which are not violations", async () => {
    emu = await start({ latencyMs: 150, script: [{ path: "/apps", fault: "429", retryAfterSeconds: 0.5 }] });
    // The first request opens the window as it is answered; the others arrived before that.
    const first = api(emu, "GET", "/apps");
    while (emu.stats().inFlight === 0) await new Promise((r) => setImmediate(r));
    const others = await Promise.all([
      api(emu, "GET", `${APP}/flags`),
      api(emu, "GET", `${APP}/environments`),
    ]);
    expect((await first).status).toBe(429);
    expect(others.map((o) => o.status)).toEqual([429, 429]);
    for (const o of others) expect(Number(o.headers["retry-after"])).toBeLessThanOrEqual(0.5);
    expect(emu.stats().rateLimit).toEqual({
      windows: 1,
      knockOn: 2,
      arrivedInWindow: 0,
      insideWindow: 0,
      afterRefusal: 0,
    });
  });
});

describe("random faults", () => {
  const statuses = async (e: RunningEmulator, n: number) => {
    const out: Array<number | string> = [];
    for (let i = 0; i < n; i++)
      out.push(
        await api(e, "GET", "/apps").then(
          (a) => a.status,
          () => "lost",
        ),
      );
    return out;
  };

  it("are reproducible from the seed", async () => {
    // Retry-After 0: each 429 opens no window, so every request meets the random faults.
    const faults = { errorRate: 0.3, rateLimitRate: 0.2, lostAnswerRate: 0.1, retryAfterSeconds: 0 };
    const a = await start(faults, 42);
    const b = await start({ ...faults, seed: 42 });
    const first = await statuses(a, 40);
    expect(await statuses(b, 40)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 500, 503, "lost"]));
  });

  it("answer every request with 429 and the configured Retry-After at rate 1", async () => {
    emu = await start({ rateLimitRate: 1, retryAfterSeconds: 3 });
    const answer = await api(emu, "GET", "/apps");
    expect(answer.status).toBe(429);
    expect(answer.headers["retry-after"]).toBe("3");
  });

  it("add latency to every API request", async () => {
    emu = await start({ latencyMs: 40 });
    const started = performance.now();
    await api(emu, "GET", "/apps");
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });
});

describe("fault settings over HTTP", () => {
  it("PUT /_emulator/faults sets them (pathPattern is a RegExp), GET shows what remains", async () => {
    emu = await start();
    const put = await call(emu, "PUT", "/_emulator/faults", {
      json: {
        retryAfterSeconds: 9,
        script: [{ method: "patch", pathPattern: "specific-targets.enProduction$", fault: "429", times: 2 }],
      },
    });
    expect(put.status).toBe(200);
    expect((await addCompany("x")).headers["retry-after"]).toBe("9");
    const now = await call<FaultOptions>(emu, "GET", "/_emulator/faults");
    expect(now.body).toEqual({
      retryAfterSeconds: 9,
      script: [{ method: "PATCH", pathPattern: "specific-targets.enProduction$", fault: "429", times: 1 }],
    });
  });

  it("refuses invalid settings with 400 and issues", async () => {
    emu = await start();
    const bad = await call<ApiErrorBody>(emu, "PUT", "/_emulator/faults", {
      json: { errorRate: 2, script: [{ fault: "boom", pathPattern: "(" }], nope: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual({
      errorRate: ["Must be from 0 to 1"],
      "script.0.fault": [expect.any(String)],
      "script.0.pathPattern": ["Not a valid regular expression"],
      nope: ["Unknown field"],
    });
  });
});

describe("request statistics", () => {
  it("count API requests by route template, method and status; reset zeroes them", async () => {
    emu = await start();
    await api(emu, "GET", `${APP}/flags`);
    await api(emu, "GET", `${APP}/flags?pageIndex=1`);
    await addCompany("a");
    await api(emu, "PATCH", `/apps/apDemoApp01/flags/specific-targets/enStaging`, { json: {} });
    await api(emu, "GET", "/nope");
    await api(emu, "GET", "/apps", { key: null });
    await call(emu, "GET", "/_emulator/health");
    const stats = (await call<RequestStats>(emu, "GET", "/_emulator/stats")).body;
    expect(stats).toMatchObject({
      total: 6,
      byRoute: {
        "GET /apps/:appId/flags": { "200": 2 },
        "PATCH /apps/:appId/flags/specific-targets/:envId": { "200": 1, "400": 1 },
        "GET (no route)": { "404": 1 },
        "GET /apps": { "401": 1 },
      },
      byMethod: { GET: 4, PATCH: 2 },
      byStatus: { "200": 3, "400": 1, "401": 1, "404": 1 },
      inFlight: 0,
    });
    expect(stats.requests.map((r) => `${r.method} ${r.route} ${r.status}`)[0]).toBe(
      "GET /apps/:appId/flags 200",
    );
    expect(stats).toEqual(emu.stats());
    const reset = await call<RequestStats>(emu, "POST", "/_emulator/stats/reset");
    expect(reset.body).toMatchObject({ total: 0, byRoute: {}, requests: [] });
    expect(emu.stats().total).toBe(0);
  });

  it("track the most requests in flight at once", async () => {
    // Wide enough that all five overlap even on a loaded machine.
    emu = await start({ latencyMs: 300 });
    await Promise.all(Array.from({ length: 5 }, () => api(emu, "GET", "/apps")));
    expect(emu.stats().maxInFlight).toBe(5);
    emu.resetStats();
    expect(emu.stats().maxInFlight).toBe(0);
  });

  it("close() also ends idle keep-alive connections", async () => {
    emu = await start();
    const agent = new Agent({ keepAlive: true });
    await api(emu, "GET", "/apps", { agent });
    const started = performance.now();
    await emu.close();
    expect(performance.now() - started).toBeLessThan(1000);
    agent.destroy();
  });
});
