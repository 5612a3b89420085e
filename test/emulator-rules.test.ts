// The emulator's pure rules: flag key formats, path splitting and route precedence.
import { describe, expect, it } from "vitest";
import type { FlagKeyFormat } from "../src/api/types.js";
import { API_ROUTES } from "../src/emulator/routes.js";
import { Router, splitPath, splitTarget } from "../src/emulator/router.js";
import { matchesKeyFormat as matchesFlagKeyFormat } from "../src/api/flag-keys.js";

describe("flag key formats", () => {
  it.each<[FlagKeyFormat, string[], string[]]>([
    [
      "kebabCaseLower",
      ["a", "new-checkout-flow", "v2-search-3"],
      ["New-flow", "a--b", "-a", "a-", "a_b", ""],
    ],
    ["kebabCaseUpper", ["A", "NEW-FLOW-2"], ["new-flow", "NEW--FLOW", "NEW_FLOW"]],
    ["snakeCaseLower", ["a", "new_flow_2"], ["new-flow", "a__b", "_a", "New_flow"]],
    ["snakeCaseUpper", ["NEW_FLOW"], ["new_flow", "NEW__FLOW"]],
    ["camelCase", ["a", "newFlow", "new2Flow"], ["NewFlow", "new-flow", "2new", "new_flow"]],
    ["pascalCase", ["A", "NewFlow2"], ["newFlow", "New-Flow", "2New"]],
    ["custom", ["anything goes/here", "x", "a".repeat(256)], ["", " leading", "trailing ", "a".repeat(257)]],
  ])("%s", (format, good, bad) => {
    for (const key of good) expect(matchesFlagKeyFormat(key, format), key).toBe(true);
    for (const key of bad) expect(matchesFlagKeyFormat(key, format), key).toBe(false);
  });
});

describe("paths", () => {
  it.each([
    ["/apps/a%2Fb/flags", ["apps", "a/b", "flags"]],
    ["/x/%3F%23%25%20/..", ["x", "?#% ", ".."]],
    ["/x/./%2e%2E", ["x", ".", ".."]],
    ["/x//y/", ["x", "", "y", ""]],
  ])("splits %s before decoding each segment", (raw, segments) => {
    expect(splitPath(raw)).toEqual(segments);
  });

  it("splits the query off at the first raw '?', and accepts absolute-form targets", () => {
    expect(splitTarget("/api/x%3Fy?pageSize=1?2")).toEqual({ path: "/api/x%3Fy", query: "pageSize=1?2" });
    expect(splitTarget("http://host:1/api/x?a=1")).toEqual({ path: "/api/x", query: "a=1" });
  });

  it("answers 400 for invalid percent-encoding", () => {
    expect(() => splitPath("/x/%E0%A4%A")).toThrow(
      expect.objectContaining({ status: 400, code: "invalid_request" }),
    );
  });
});

describe("routes", () => {
  const router = new Router(API_ROUTES);
  const route = (method: string, path: string) => {
    const m = router.match(method, splitPath(path));
    return m.kind === "found"
      ? [m.route.template, m.params]
      : m.kind === "methodNotAllowed"
        ? [405, m.allow]
        : [404];
  };

  it.each([
    [
      "PATCH",
      "/apps/a/flags/specific-targets/e",
      ["/apps/:appId/flags/specific-targets/:envId", { appId: "a", envId: "e" }],
    ],
    ["PATCH", "/apps/a/flags/fl1", ["/apps/:appId/flags/:flagId", { appId: "a", flagId: "fl1" }]],
    [
      "PATCH",
      "/apps/a/flags/specific-targets",
      ["/apps/:appId/flags/:flagId", { appId: "a", flagId: "specific-targets" }],
    ],
    ["GET", "/apps/a/flags/specific-targets/e", [405, ["PATCH"]]],
    [
      "GET",
      "/apps/a/flags/specific-targets/targeting/e",
      [
        "/apps/:appId/flags/:flagKey/targeting/:envId",
        { appId: "a", flagKey: "specific-targets", envId: "e" },
      ],
    ],
    ["HEAD", "/apps/a", ["/apps/:appId", { appId: "a" }]],
    [
      "GET",
      "/apps/a/envs/e/companies/%2F/flags",
      ["/apps/:appId/envs/:envId/companies/:companyId/flags", { appId: "a", envId: "e", companyId: "/" }],
    ],
    ["GET", "/apps/a/envs/e/companies//flags", [404]],
    ["DELETE", "/apps/a/flags", [405, ["GET", "POST"]]],
  ])("%s %s", (method, path, expected) => {
    expect(route(method, path)).toEqual(expected);
  });
});
