// Answers the emulator never gives, from a tiny real HTTP server: non-JSON, missing fields, extra
// fields, odd page sizes, broken pagination, error pages from proxies, redirects.
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { apiErrorOf, clientOf, fakeClock, json, tinyServer } from "./client-support.js";

const KEY = "answers-test-key";

function flag(i: number): Record<string, unknown> {
  return {
    id: `fl${i}`,
    key: `flag-${i}`,
    name: `Flag ${i}`,
    archived: false,
    stale: false,
    permanent: false,
  };
}

/** Serves `items` in pages of `size`, whatever page size was asked for; `totalCount` may be overridden per page. */
function pages(
  items: unknown[],
  size: number,
  totalCount: (pageIndex: number) => number = () => items.length,
) {
  return (url: string, res: ServerResponse): void => {
    const pageIndex = Number(new URL(url, "http://x").searchParams.get("pageIndex"));
    json(res, 200, {
      data: items.slice(pageIndex * size, (pageIndex + 1) * size),
      totalCount: totalCount(pageIndex),
      pageSize: size,
      pageIndex,
    });
  };
}

describe("answers that cannot be trusted are invalid_response, never a TypeError, never retried", () => {
  it.each([
    [
      "HTML instead of JSON",
      (res: ServerResponse) => res.writeHead(200, { "content-type": "text/html" }).end("<html>hi</html>"),
      "the answer is not JSON (content-type text/html)",
    ],
    [
      "an empty body",
      (res: ServerResponse) => res.writeHead(200).end(),
      "the answer is not JSON (content-type none)",
    ],
    ["an array", (res: ServerResponse) => json(res, 200, []), "unexpected answer: answer is not an object"],
    [
      "no flag",
      (res: ServerResponse) => json(res, 200, { data: {} }),
      "unexpected answer: flag is not an object",
    ],
    [
      "a flag without a key",
      (res: ServerResponse) => json(res, 200, { flag: { id: "fl1" } }),
      "unexpected answer: flag.key is not a string",
    ],
  ])("%s", async (_name, answer, apiMessage) => {
    const server = await tinyServer((_req, res) => answer(res));
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    const err = await apiErrorOf(client.updateFlag("ap1", "fl1", { name: "x" }));
    expect(err).toMatchObject({
      status: 200,
      code: "invalid_response",
      apiMessage,
      transient: false,
      attempts: 1,
    });
    expect(server.requests).toHaveLength(1);
  });

  it("a page without totalCount", async () => {
    const server = await tinyServer((_req, res) => json(res, 200, { data: [flag(1)] }));
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    const err = await apiErrorOf(client.listFlags("ap1"));
    expect(err.message).toBe(
      "GET /apps/ap1/flags?pageIndex=0&pageSize=100: 200 invalid_response: unexpected answer: totalCount is not a non-negative integer",
    );
  });

  it("targeting with ids that are not strings", async () => {
    const server = await tinyServer((_req, res) =>
      json(res, 200, { flagKey: "f", version: 1, specificTargets: { true: { companyIds: [1] } } }),
    );
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    expect((await apiErrorOf(client.getFlagTargeting("ap1", "f", "en1"))).apiMessage).toBe(
      "unexpected answer: specificTargets.true.companyIds is not a list of strings",
    );
  });
});

describe("answers that are fine", () => {
  it("keeps unknown fields and treats missing optional ones as absent", async () => {
    const server = await tinyServer((_req, res) =>
      json(res, 200, { flagKey: "f", version: 2, updatedAt: "2026-01-01T00:00:00Z", newField: { x: 1 } }),
    );
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    expect(await client.getFlagTargeting("ap1", "f", "en1")).toEqual({
      flagKey: "f",
      version: 2,
      updatedAt: "2026-01-01T00:00:00Z",
      newField: { x: 1 },
      specificTargets: {},
    });
  });

  it("fills a partial targeting entry with empty lists", async () => {
    const server = await tinyServer((_req, res) =>
      json(res, 200, { flagKey: "f", version: 2, specificTargets: { true: { userIds: ["u"] } } }),
    );
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    expect((await client.getFlagTargeting("ap1", "f", "en1")).specificTargets).toEqual({
      true: { companyIds: [], userIds: ["u"] },
    });
  });

  it("rely on the status alone for the batch write, whatever the body", async () => {
    const server = await tinyServer((_req, res) => res.writeHead(204).end());
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    await expect(client.updateSpecificTargets("ap1", "en1", { updates: [] })).resolves.toBeUndefined();
    expect(server.requests).toEqual(["PATCH /api/apps/ap1/flags/specific-targets/en1"]);
  });
});

describe("pagination never assumes a page size and never loops forever", () => {
  it("follows a server that serves 7 items per page", async () => {
    const items = Array.from({ length: 30 }, (_, i) => flag(i));
    const server = await tinyServer((req, res) => pages(items, 7)(req.url ?? "", res));
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    expect((await client.listFlags("ap1")).map((f) => f.id)).toEqual(items.map((f) => f.id));
    expect(server.requests).toHaveLength(5);
  });

  it("stops with invalid_response on an empty page before totalCount", async () => {
    const items = Array.from({ length: 3 }, (_, i) => flag(i));
    const server = await tinyServer((req, res) => pages(items, 3, () => 10)(req.url ?? "", res));
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    const err = await apiErrorOf(client.listFlags("ap1"));
    expect(err).toMatchObject({ code: "invalid_response", transient: false });
    expect(err.apiMessage).toBe("page 1 added no new items, 3 of totalCount 10 read");
    // Page 0 says 3 per page: pages 1 to 3 are read at once.
    expect(server.requests).toHaveLength(4);
  });

  it("stops when the server ignores pageIndex and repeats the first page", async () => {
    const server = await tinyServer((_req, res) =>
      json(res, 200, { data: [flag(1), flag(2)], totalCount: 5 }),
    );
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    expect((await apiErrorOf(client.listFlags("ap1"))).code).toBe("invalid_response");
    expect(server.requests).toHaveLength(3);
  });

  it("starts over when totalCount moves between pages", async () => {
    const items = Array.from({ length: 150 }, (_, i) => flag(i));
    let served = 0;
    // The second page of the first listing reports one more flag, as if one was created meanwhile.
    const server = await tinyServer((req, res) =>
      pages(items, 100, () => (++served === 2 ? 151 : 150))(req.url ?? "", res),
    );
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    expect(await client.listFlags("ap1")).toHaveLength(150);
    expect(server.requests.map((r) => r.replace(/.*pageIndex=(\d+).*/, "$1"))).toEqual(["0", "1", "0", "1"]);
  });

  it("gives up, as transient, when totalCount never holds still", async () => {
    const items = Array.from({ length: 150 }, (_, i) => flag(i));
    let served = 0;
    const server = await tinyServer((req, res) =>
      pages(items, 100, () => 150 + ++served)(req.url ?? "", res),
    );
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    const err = await apiErrorOf(client.listFlags("ap1"));
    expect(err).toMatchObject({ code: "inconsistent_pagination", transient: true });
    expect(server.requests).toHaveLength(8);
  });
});

describe("error answers without the documented body", () => {
  it("a proxy's 502 page is http_error, retried", async () => {
    const server = await tinyServer((_req, res) =>
      res.writeHead(502, { "content-type": "text/html" }).end("<h1>Bad gateway</h1>"),
    );
    const clock = fakeClock();
    const { client } = clientOf(
      { url: server.url, apiKey: KEY },
      { sleep: clock.sleep, now: clock.now, maxAttempts: 2 },
    );
    const err = await apiErrorOf(client.getApp("ap1"));
    expect(err.message).toBe("GET /apps/ap1: 502 http_error: 502 Bad Gateway; after 2 attempts");
    expect(err.transient).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it("a 413 is not retried", async () => {
    const server = await tinyServer((_req, res) =>
      json(res, 413, { error: { code: "invalid_request", message: "Request body too large" } }),
    );
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    expect(await apiErrorOf(client.updateSpecificTargets("ap1", "en1", { updates: [] }))).toMatchObject({
      status: 413,
      attempts: 1,
    });
  });

  it("Retry-After as an HTTP-date is waited for until that instant", async () => {
    const clock = fakeClock();
    let first = true;
    const server = await tinyServer((_req, res) => {
      if (!first) return json(res, 200, { data: [] });
      first = false;
      json(
        res,
        429,
        { error: { code: "not_available", message: "slow down" } },
        { "retry-after": new Date(clock.now() + 5_000).toUTCString() },
      );
    });
    const { client } = clientOf(
      { url: server.url, apiKey: KEY },
      { sleep: clock.sleep, now: clock.now, random: () => 0 },
    );
    expect(await client.listApps()).toEqual([]);
    expect(clock.sleeps).toEqual([5_000]);
  });

  it("a redirect is not followed: it would carry the key elsewhere", async () => {
    const elsewhere = await tinyServer((_req, res) => json(res, 200, { data: [] }));
    const server = await tinyServer((_req, res) =>
      res.writeHead(307, { location: `${elsewhere.url}/apps?token=abc` }).end(),
    );
    const { client } = clientOf({ url: server.url, apiKey: KEY });
    const err = await apiErrorOf(client.listApps());
    expect(err).toMatchObject({ status: 307, code: "redirect", transient: false });
    expect(err.apiMessage).toBe(`the API redirects to ${elsewhere.url}/apps; check REFLAG_API_URL`);
    expect(elsewhere.requests).toEqual([]);
  });
});
