// The client's pure parts: backoff arithmetic, Retry-After parsing, which statuses retry, path building.
import { describe, expect, it } from "vitest";
import { buildPath, UnsendableSegment } from "../src/live/client-path.js";
import { backoffDelayMs, isRetryableStatus, parseRetryAfterMs } from "../src/live/retry.js";

const policy = { baseDelayMs: 200, maxDelayMs: 10_000 };

describe("backoffDelayMs (full jitter)", () => {
  it.each([
    [1, 200],
    [2, 400],
    [3, 800],
    [4, 1600],
    [6, 6400],
    [7, 10_000],
    [30, 10_000],
  ])("after attempt %i the window is [0, %i)", (attempt, ceiling) => {
    expect(backoffDelayMs(attempt, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(attempt, policy, () => 0.5)).toBe(Math.floor(ceiling / 2));
    expect(backoffDelayMs(attempt, policy, () => 0.999_999_9)).toBeLessThan(ceiling);
  });

  it.each([[-1], [1], [2], [Number.NaN]])("keeps a misbehaving random() = %d inside the window", (r) => {
    const ms = backoffDelayMs(3, policy, () => r);
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThan(800);
  });
});

describe("parseRetryAfterMs", () => {
  const now = Date.parse("2026-03-03T09:00:00.000Z");
  it.each([
    ["1", 1000],
    ["0", 0],
    [" 120 ", 120_000],
    ["0.5", 500],
    ["Tue, 03 Mar 2026 09:00:30 GMT", 30_000],
    ["Tue, 03 Mar 2026 08:59:00 GMT", 0], // a date in the past means now
  ])("%j -> %i ms", (value, ms) => {
    expect(parseRetryAfterMs(value, now)).toBe(ms);
  });

  it.each([[null], [undefined], [""], ["-1"], ["soon"], ["1e3"], ["12abc"]])("%j is unreadable", (value) => {
    expect(parseRetryAfterMs(value, now)).toBeUndefined();
  });
});

describe("isRetryableStatus", () => {
  it.each([408, 429, 500, 502, 503, 504, 599])("%i is retried", (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });
  it.each([400, 401, 403, 404, 409, 413, 422, 501])("%i is not", (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe("buildPath", () => {
  it.each([
    ["acme-corp", "acme-corp"],
    ["a/b?c#d%e ..", "a%2Fb%3Fc%23d%25e%20.."],
    ["...", "..."],
    ["..a", "..a"],
    ["%2E%2E", "%252E%252E"],
    ["ümlaut", "%C3%BCmlaut"],
  ])("keeps %j inside its segment", (id, encoded) => {
    expect(
      buildPath("/apps/:appId/envs/:envId/companies/:entityId/flags", {
        appId: "ap1",
        envId: "en1",
        entityId: id,
      }),
    ).toBe(`/apps/ap1/envs/en1/companies/${encoded}/flags`);
    // What fetch will send: the URL parser must not move the id out of its segment.
    const url = new URL(`http://127.0.0.1/api/apps/ap1/envs/en1/companies/${encoded}/flags`);
    expect(url.pathname.split("/").map(decodeURIComponent)[7]).toBe(id);
  });

  it.each([[""], ["."], [".."]])("refuses %j, which no URL path can carry", (id) => {
    expect(() => buildPath("/apps/:appId/flags/:flagId", { appId: "ap1", flagId: id })).toThrow(
      UnsendableSegment,
    );
  });

  it("appends the query, skipping undefined values", () => {
    expect(buildPath("/apps", {}, { orgId: undefined })).toBe("/apps");
    expect(buildPath("/apps/:appId/flags", { appId: "a b" }, { pageIndex: 2, pageSize: 100 })).toBe(
      "/apps/a%20b/flags?pageIndex=2&pageSize=100",
    );
  });
});
