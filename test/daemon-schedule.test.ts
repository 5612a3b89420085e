// The daemon's pure parts: option parsing, the periodic and retry schedules, the next expiry.
import { describe, expect, it } from "vitest";
import { parseListen, parseWatchDuration } from "../src/cli/commands/watch.js";
import { jitteredInterval, nextExpiry, retryDelay, RETRY_MAX_MS } from "../src/daemon/schedule.js";
import { debounce } from "../src/daemon/watcher.js";
import type { DesiredState } from "../src/desired/model.js";
import { UserError } from "../src/errors.js";

describe("watch options", () => {
  it.each([
    ["60s", 60_000],
    ["10m", 600_000],
    ["1h", 3_600_000],
    ["500ms", 500],
    ["1.5s", 1500],
    ["30d", 30 * 86_400_000],
  ])("reads the duration %s", (text, ms) => {
    expect(parseWatchDuration("--interval", text)).toBe(ms);
  });

  it.each([
    ["60", "'60' is not a duration"],
    ["fast", "'fast' is not a duration"],
    ["-5s", "'-5s' is not a duration"],
    ["10ms", "too short"],
    ["", "is not a duration"],
  ])("refuses the duration %j", (text, message) => {
    expect(() => parseWatchDuration("--interval", text)).toThrow(UserError);
    expect(() => parseWatchDuration("--interval", text)).toThrow(message);
  });

  it.each([
    [":9090", { host: undefined, port: 9090 }],
    ["127.0.0.1:9090", { host: "127.0.0.1", port: 9090 }],
    ["localhost:0", { host: "localhost", port: 0 }],
    ["[::1]:9090", { host: "::1", port: 9090 }],
    ["[::]:80", { host: "::", port: 80 }],
  ])("reads --listen %s", (text, address) => {
    expect(parseListen(text)).toEqual(address);
  });

  it.each(["9090", ":99999", "host:", "::1:9090", "a b:1", ""])("refuses --listen %j", (text) => {
    expect(() => parseListen(text)).toThrow("is not HOST:PORT");
  });
});

describe("schedules", () => {
  it("jitters the interval down by at most 10%, never later", () => {
    expect(jitteredInterval(60_000, 0)).toBe(60_000);
    expect(jitteredInterval(60_000, 0.999999)).toBe(54_000);
    expect(jitteredInterval(60_000, 0.5)).toBe(57_000);
  });

  it("backs off exponentially from 1 s, capped, with ±20% jitter", () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(1, 0)).toBe(800);
    expect(retryDelay(1, 1)).toBe(1200);
    expect(retryDelay(50, 0.5)).toBe(RETRY_MAX_MS);
    expect(retryDelay(10_000, 0.5)).toBe(RETRY_MAX_MS);
  });

  it("finds the earliest `until` still ahead", () => {
    const at = { file: "f.yaml", line: 1, col: 1 };
    const target = (id: string, until?: string) => ({ id, at, ...(until ? { until } : {}) });
    const desired = {
      flags: [
        {
          key: "a",
          at,
          targeting: [
            {
              key: "prod",
              ref: "prod",
              at,
              companies: [
                target("x"),
                target("old", "2026-01-01T00:00:00.000Z"),
                target("late", "2026-03-01T00:00:00.000Z"),
              ],
              users: [target("soon", "2026-02-01T00:00:00.000Z")],
            },
          ],
        },
      ],
    } as unknown as DesiredState;
    const now = new Date("2026-01-15T00:00:00.000Z");
    expect(nextExpiry(desired, now)).toBe(Date.parse("2026-02-01T00:00:00.000Z"));
    expect(nextExpiry(desired, new Date("2026-03-01T00:00:00.000Z"))).toBeUndefined();
  });
});

describe("debounce", () => {
  it("turns a burst into one call, and a long stream into one call per maxWait", async () => {
    let calls = 0;
    const d = debounce(() => calls++, 30, 1000);
    for (let i = 0; i < 5; i++) d.call();
    expect(calls).toBe(0);
    await new Promise<void>((resolve) => {
      const check = () => (calls > 0 ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(calls).toBe(1);
    d.call();
    d.cancel();
    expect(calls).toBe(1);
  });
});
