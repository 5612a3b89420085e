// Runs before every test file: no snapshot, inline or on disk, can hold a canary secret.
import { expect } from "vitest";
import { assertNoSecret } from "./canary.js";

expect.addSnapshotSerializer({
  // Called for every value pretty-format prints (keys and nested values included); it never takes
  // a value over, it only refuses one that holds a secret.
  test(value: unknown): boolean {
    if (typeof value === "string") {
      assertNoSecret(value, `a snapshot of '${expect.getState().currentTestName ?? "?"}'`);
    }
    return false;
  },
  serialize: () => "",
});
