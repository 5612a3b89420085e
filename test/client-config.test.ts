// Reading the client's options from the environment: what is accepted, what is refused, and how.
import { describe, expect, it } from "vitest";
import { UserError } from "../src/errors.js";
import { clientOptionsFromEnv } from "../src/live/config.js";

const KEY = "sekret-key-123";

function refusal(run: () => unknown): UserError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error("expected a UserError");
}

describe("clientOptionsFromEnv", () => {
  it("reads the key and leaves the URL to the client's default", () => {
    expect(clientOptionsFromEnv({ REFLAG_API_KEY: ` ${KEY}\n` })).toEqual({ apiKey: KEY });
  });

  it.each([
    ["https://app.reflag.com/api/", "https://app.reflag.com/api"],
    ["http://127.0.0.1:3500/api//", "http://127.0.0.1:3500/api"],
    ["https://eu.reflag.com", "https://eu.reflag.com"],
  ])("normalizes REFLAG_API_URL %s", (url, baseUrl) => {
    expect(clientOptionsFromEnv({ REFLAG_API_KEY: KEY, REFLAG_API_URL: url }).baseUrl).toBe(baseUrl);
  });

  it.each([
    ["app.reflag.com/api", "not a valid URL"],
    ["ftp://app.reflag.com/api", "must be an http or https URL"],
    ["https://user:pw@app.reflag.com/api", "must not contain credentials"],
    ["https://app.reflag.com/api?x=1", "must not have a query"],
  ])("refuses REFLAG_API_URL %s", (url, why) => {
    const err = refusal(() => clientOptionsFromEnv({ REFLAG_API_KEY: KEY, REFLAG_API_URL: url }));
    expect(err.code).toBe("RS_USAGE");
    expect(err.message).toContain("REFLAG_API_URL");
    expect(err.message).toContain(why);
    expect(err.message).not.toContain("pw");
  });

  it.each([[{}], [{ REFLAG_API_KEY: "" }], [{ REFLAG_API_KEY: "   " }]])(
    "needs REFLAG_API_KEY (%j)",
    (env) => {
      const err = refusal(() => clientOptionsFromEnv(env));
      expect(err.code).toBe("RS_USAGE");
      expect(err.message).toMatch(/^REFLAG_API_KEY is not set/);
    },
  );

  it("refuses a key that cannot travel in a header, without quoting it", () => {
    const err = refusal(() => clientOptionsFromEnv({ REFLAG_API_KEY: "half key" }));
    expect(err.message).not.toContain("half key");
  });

  it("lets overrides win over the environment", () => {
    const env = { REFLAG_API_KEY: KEY, REFLAG_API_URL: "https://a.example/api", REFLAG_CONCURRENCY: "3" };
    expect(clientOptionsFromEnv(env)).toEqual({
      apiKey: KEY,
      baseUrl: "https://a.example/api",
      concurrency: 3,
    });
    expect(
      clientOptionsFromEnv(env, { baseUrl: "http://127.0.0.1:1/api/", concurrency: 5, apiKey: "other" }),
    ).toEqual({
      apiKey: "other",
      baseUrl: "http://127.0.0.1:1/api",
      concurrency: 5,
    });
  });

  it.each([["0"], ["-2"], ["1.5"], ["many"]])("refuses REFLAG_CONCURRENCY=%s", (value) => {
    const err = refusal(() => clientOptionsFromEnv({ REFLAG_API_KEY: KEY, REFLAG_CONCURRENCY: value }));
    expect(err.message).toBe(`REFLAG_CONCURRENCY must be a positive integer, got '${value}'`);
  });
});
