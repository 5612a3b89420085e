import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CliIO } from "../src/cli/io.js";
import { startProgress } from "../src/cli/progress.js";

function io(isTTY: boolean, env: NodeJS.ProcessEnv = {}): { io: CliIO; written: () => string } {
  const stderr = Object.assign(new PassThrough(), { isTTY });
  let text = "";
  stderr.on("data", (d: Buffer) => (text += d.toString()));
  const streams = { stdin: new PassThrough(), stdout: new PassThrough(), stderr };
  return { io: { ...streams, env, cwd: "/", now: () => new Date(0) }, written: () => text };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("progress on stderr", () => {
  it("shows nothing for work under a second, then the latest count, and clears its line", async () => {
    const t = io(true);
    const progress = startProgress(t.io);
    progress.update("Reading targeting", 1, 3);
    await vi.advanceTimersByTimeAsync(999);
    expect(t.written()).toBe("");
    await vi.advanceTimersByTimeAsync(1);
    progress.update("Reading targeting", 2, 3);
    progress.done();
    await vi.runAllTimersAsync();
    expect(t.written()).toBe("\rReading targeting 1/3\u001b[K\rReading targeting 2/3\u001b[K\r\u001b[K");
  });

  it.each([
    { name: "not a terminal", isTTY: false, env: {} },
    { name: "in CI", isTTY: true, env: { CI: "true" } },
  ])("stays silent when $name", async ({ isTTY, env }) => {
    const t = io(isTTY, env);
    const progress = startProgress(t.io);
    progress.update("Applying", 1, 2);
    await vi.advanceTimersByTimeAsync(5000);
    progress.done();
    expect(t.written()).toBe("");
  });
});
