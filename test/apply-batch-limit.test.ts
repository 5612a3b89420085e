import { describe, expect, it } from "vitest";
import { batchLimitOf } from "../src/apply/execute.js";

describe("batchLimitOf: is a refusal about the batch's size, and what size to retry with", () => {
  it.each([
    {
      name: "emulator wording",
      err: { status: 400, apiMessage: "Batch too large: 100 updates, at most 30 per request" },
      size: 100,
      limit: 30,
    },
    {
      name: "zod wording on `updates`",
      err: {
        status: 400,
        apiMessage: "Invalid request",
        issues: { updates: ["Array must contain at most 50 element(s)"] },
      },
      size: 100,
      limit: 50,
    },
    {
      name: "a 413 without a number halves",
      err: { status: 413, apiMessage: "Payload Too Large" },
      size: 100,
      limit: 50,
    },
    {
      name: "size words without a number halve",
      err: { status: 400, apiMessage: "too many updates" },
      size: 7,
      limit: 4,
    },
    {
      name: "an issue on one update is not about size",
      err: { status: 400, apiMessage: "Invalid", issues: { "updates.3.flagKey": ["Required"] } },
      size: 100,
      limit: undefined,
    },
    {
      name: "other 400s are not about size",
      err: { status: 400, apiMessage: "Unknown flag" },
      size: 100,
      limit: undefined,
    },
    {
      name: "a 5xx is not about size",
      err: { status: 503, apiMessage: "too many requests" },
      size: 100,
      limit: undefined,
    },
    {
      name: "a batch of one is never split",
      err: { status: 413, apiMessage: "too large" },
      size: 1,
      limit: undefined,
    },
    {
      name: "a named limit not below the size halves",
      err: { status: 400, apiMessage: "at most 500 updates" },
      size: 100,
      limit: 50,
    },
  ])("$name", ({ err, size, limit }) => {
    expect(batchLimitOf(err, size)).toBe(limit);
  });
});
