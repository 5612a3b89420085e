// The executor's scheduling, against a fake writer whose answers the test releases one by one: how
// many writes are in flight, and which order is kept (create -> target -> archive).
import { describe, expect, it } from "vitest";
import type { CreateFlagBody, SpecificTargetsBody, UpdateFlagBody } from "../src/api/types.js";
import { dependencies, executeRequests, type LiveWriter } from "../src/apply/execute.js";
import { ApiError } from "../src/live/api-error.js";
import type { WriteRequest } from "../src/plan/batches.js";
import type { TargetChange } from "../src/plan/model.js";

interface Pending {
  label: string;
  answer: (error?: Error) => void;
}

/** Records each write when it is sent and holds it until the test answers it. */
class HeldWriter implements LiveWriter {
  readonly pending: Pending[] = [];
  readonly sent: string[] = [];
  constructor(readonly concurrency: number) {}

  private hold<T>(label: string, value: T): Promise<T> {
    this.sent.push(label);
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ label, answer: (error) => (error ? reject(error) : resolve(value)) });
    });
  }
  createFlag(_appId: string, body: CreateFlagBody) {
    return this.hold(`create ${body.key}`, { id: `id-${body.key}`, key: body.key } as never);
  }
  updateFlag(_appId: string, flagId: string, body: UpdateFlagBody) {
    return this.hold(`update ${flagId} ${JSON.stringify(body)}`, { id: flagId } as never);
  }
  updateSpecificTargets(_appId: string, envId: string, body: SpecificTargetsBody) {
    const flags = [...new Set(body.updates.map((u) => u.flagKey))].join(",");
    return this.hold(`targets ${envId} ${flags} ${body.updates.length}`, undefined);
  }
  /** Answers the oldest held write (or the one whose label starts with `prefix`), then lets the executor react. */
  async answer(prefix = "", error?: Error): Promise<string> {
    const index = this.pending.findIndex((p) => p.label.startsWith(prefix));
    const [held] = this.pending.splice(index, 1);
    if (!held) throw new Error(`nothing held matches '${prefix}'`);
    held.answer(error);
    await settle();
    return held.label;
  }
}

/** Lets promise callbacks run: the executor reacts to an answer within a few microtask turns. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function changes(flagKey: string, n: number): TargetChange[] {
  return Array.from({ length: n }, (_, i) => ({ flagKey, kind: "company", id: `c${i}`, op: "add" }));
}

function targets(envId: string, batch: number, batches: number, list: TargetChange[]): WriteRequest {
  return { kind: "targets", envId, envName: envId, batch, batches, changes: list };
}

const create = (key: string): WriteRequest => ({
  kind: "createFlag",
  flagKey: key,
  body: { key, name: key },
});
const update = (key: string, body: UpdateFlagBody, flagId?: string): WriteRequest => ({
  kind: "updateFlag",
  flagKey: key,
  ...(flagId !== undefined ? { flagId } : {}),
  body,
});

describe("executeRequests: writes in flight", () => {
  it("sends target batches of every environment at once, up to the writer's concurrency", async () => {
    const requests = [
      targets("prod", 1, 3, changes("f", 10)),
      targets("prod", 2, 3, changes("f", 10)),
      targets("prod", 3, 3, changes("f", 5)),
      targets("stag", 1, 2, changes("g", 10)),
      targets("stag", 2, 2, changes("g", 10)),
    ];
    const writer = new HeldWriter(3);
    const run = executeRequests(writer, "app", requests, { changeDescription: "t" });
    await settle();
    // The largest batch goes alone first: a service refusing its size is met once.
    expect(writer.sent).toEqual(["targets prod f 10"]);
    await writer.answer();
    expect(writer.sent).toHaveLength(4);
    expect(writer.pending).toHaveLength(3);
    await writer.answer();
    expect(writer.sent).toHaveLength(5);
    while (writer.pending.length > 0) await writer.answer();
    const result = await run;
    expect(result.ok).toBe(true);
    expect(result.outcomes.map((o) => o.request)).toEqual(requests);
  });

  it("after a failure starts nothing new, reports what was in flight, and the rest as not sent", async () => {
    const requests = [1, 2, 3, 4, 5].map((b) => targets("prod", b, 5, changes("f", 2)));
    const writer = new HeldWriter(2);
    const run = executeRequests(writer, "app", requests, { changeDescription: "t" });
    await settle();
    await writer.answer(); // batch 1 (the probe) applied; batches 2 and 3 go out
    expect(writer.pending).toHaveLength(2);
    await writer.answer(
      "",
      new ApiError({
        method: "PATCH",
        path: "/x",
        status: 500,
        code: "unknown_error",
        apiMessage: "boom",
        attempts: 5,
        transient: true,
      }),
    );
    expect(writer.pending).toHaveLength(1);
    await writer.answer();
    const result = await run;
    expect(writer.sent).toHaveLength(3);
    expect(
      result.outcomes.map((o) => `${o.request.kind === "targets" ? o.request.batch : "?"} ${o.status}`),
    ).toEqual(["1 applied", "2 failed", "3 applied", "4 not-sent", "5 not-sent"]);
  });

  it("on abort sends nothing more and lets the requests in flight finish", async () => {
    const requests = [1, 2, 3].map((b) => targets("prod", b, 3, changes("f", 1)));
    const writer = new HeldWriter(2);
    const abort = new AbortController();
    const run = executeRequests(writer, "app", requests, { changeDescription: "t", signal: abort.signal });
    await settle();
    expect(writer.pending).toHaveLength(2);
    abort.abort();
    await writer.answer();
    await writer.answer();
    const result = await run;
    expect(result.outcomes.map((o) => o.status)).toEqual(["applied", "applied", "not-sent"]);
  });
});

describe("executeRequests: the order that matters", () => {
  it("creates and unarchives a flag before targeting it, archives it after", async () => {
    const requests = [
      create("new"),
      update("old", { isArchived: false }, "id-old"),
      update("meta", { name: "Meta" }, "id-meta"),
      targets("prod", 1, 2, [...changes("new", 1), ...changes("other", 1)]),
      targets("prod", 2, 2, changes("old", 1)),
      targets("stag", 1, 1, changes("done", 1)),
      update("done", { isArchived: true }, "id-done"),
    ];
    const writer = new HeldWriter(8);
    const run = executeRequests(writer, "app", requests, { changeDescription: "t" });
    await settle();
    // The metadata update and the batch of the untouched flag need nothing first.
    expect(writer.sent).toEqual([
      "create new",
      'update id-old {"isArchived":false}',
      'update id-meta {"name":"Meta"}',
      "targets stag done 1",
    ]);
    await writer.answer("targets stag");
    expect(writer.sent).toHaveLength(5);
    expect(writer.sent.at(-1)).toBe('update id-done {"isArchived":true}');
    await writer.answer("create new");
    expect(writer.sent.at(-1)).toBe("targets prod new,other 2");
    await writer.answer("update id-old");
    expect(writer.sent.at(-1)).toBe("targets prod old 1");
    while (writer.pending.length > 0) await writer.answer();
    expect((await run).ok).toBe(true);
  });

  it("waits for every batch of a flag before archiving it", () => {
    const requests = [
      create("f"),
      targets("prod", 1, 1, changes("f", 3)),
      targets("stag", 1, 1, changes("f", 2)),
      update("f", { isArchived: true }),
    ];
    expect(dependencies(requests)).toEqual([[], [0], [0, 1], [0, 1, 2]]);
  });
});
