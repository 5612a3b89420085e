// Executing write requests, as many at once as the client allows, in the only order that matters:
// a flag is created (or unarchived) before it is targeted, and archived after its targeting. Target
// batches do not depend on each other (each target is in one batch; adding and removing are
// idempotent), so they go concurrently, across environments too. The largest target batch goes
// first, alone among batches, so that a service refusing its size is met once, not by every batch
// in flight. After a request fails for good (the client has already retried what can be retried)
// nothing new is sent, and every request is reported as applied, failed, unknown or not sent.
import { pushAll } from "../arrays.js";
import type {
  CreateFlagBody,
  FlagHeader,
  Notification,
  SpecificTargetsBody,
  UpdateFlagBody,
} from "../api/types.js";
import { toUpdates, type WriteRequest } from "../plan/batches.js";
import { ApiError } from "../live/api-error.js";
import type { ApplyResult, RequestOutcome } from "./model.js";

/** The writes an apply needs; ReflagClient provides them. */
export interface LiveWriter {
  createFlag(appId: string, body: CreateFlagBody): Promise<FlagHeader>;
  updateFlag(appId: string, flagId: string, body: UpdateFlagBody): Promise<FlagHeader>;
  updateSpecificTargets(appId: string, envId: string, body: SpecificTargetsBody): Promise<void>;
  /** Most requests the writer sends at once (default 8): apply keeps that many in flight. */
  readonly concurrency?: number;
}

export interface ExecuteOptions {
  changeDescription: string;
  /** undefined = the app's default channels; [] = announce nowhere. */
  notifications?: Notification[];
  onRequestDone?: (outcome: RequestOutcome, done: number, total: number) => void;
  /** Once aborted (Ctrl-C), nothing new is sent; requests in flight finish and are reported. */
  signal?: AbortSignal;
}

const DEFAULT_CONCURRENCY = 8;

export async function executeRequests(
  writer: LiveWriter,
  appId: string,
  requests: WriteRequest[],
  options: ExecuteOptions,
): Promise<ApplyResult> {
  const run = new Run(writer, appId, options, requests.length);
  // Outcomes per request index; a split batch yields several outcomes in its place.
  const outcomes: RequestOutcome[][] = requests.map(() => []);
  const started = await schedule(
    dependencies(requests),
    Math.max(1, writer.concurrency ?? DEFAULT_CONCURRENCY),
    async (index) => {
      outcomes[index] = await run.execute(requests[index]!);
      return outcomes[index].every((o) => o.status === "applied");
    },
    () => run.stopped,
  );
  requests.forEach((request, index) => {
    if (!started[index]) outcomes[index] = [run.notSent(request)];
  });
  const all = outcomes.flat();
  return { ok: all.every((o) => o.status === "applied"), outcomes: all };
}

/** For each request, the requests that must be applied before it is sent. */
export function dependencies(requests: WriteRequest[]): number[][] {
  const after: Array<Set<number>> = requests.map(() => new Set());
  const created = new Map<string, number>();
  const unarchived = new Map<string, number>();
  const archived = new Map<string, number>();
  requests.forEach((request, index) => {
    if (request.kind === "createFlag") created.set(request.flagKey, index);
    if (request.kind === "updateFlag" && request.body.isArchived === false)
      unarchived.set(request.flagKey, index);
    if (request.kind === "updateFlag" && request.body.isArchived === true)
      archived.set(request.flagKey, index);
  });
  let probe: number | undefined;
  requests.forEach((request, index) => {
    if (request.kind === "updateFlag") {
      const create = created.get(request.flagKey);
      if (create !== undefined) after[index]!.add(create);
    }
    if (request.kind !== "targets") return;
    for (const change of request.changes) {
      const create = created.get(change.flagKey);
      if (create !== undefined) after[index]!.add(create);
      const unarchive = unarchived.get(change.flagKey);
      if (unarchive !== undefined) after[index]!.add(unarchive);
      const archive = archived.get(change.flagKey);
      if (archive !== undefined) after[archive]!.add(index);
    }
    const largest = probe === undefined ? 0 : (requests[probe] as typeof request).changes.length;
    if (request.changes.length > largest) probe = index;
  });
  // Until the largest batch is answered, the service's batch limit is unknown: other batches wait.
  if (probe !== undefined) {
    requests.forEach((request, index) => {
      if (request.kind === "targets" && index !== probe && request.changes.length > 1)
        after[index]!.add(probe!);
    });
  }
  return after.map((set) => [...set].sort((a, b) => a - b));
}

/**
 * Runs each task once every task it waits for has succeeded, at most `limit` at once, lowest index
 * first among those ready, and starts nothing new once `stopped()`. Resolves, when nothing is in
 * flight any more, with which tasks were started.
 */
function schedule(
  waitsFor: number[][],
  limit: number,
  task: (index: number) => Promise<boolean>,
  stopped: () => boolean,
): Promise<boolean[]> {
  const started = waitsFor.map(() => false);
  const waiting = waitsFor.map((list) => list.length);
  const dependents: number[][] = waitsFor.map(() => []);
  waitsFor.forEach((list, index) => {
    for (const before of list) dependents[before]!.push(index);
  });
  const ready: number[] = [];
  waiting.forEach((count, index) => {
    if (count === 0) ready.push(index);
  });
  let head = 0;
  let inFlight = 0;
  return new Promise((resolve, reject) => {
    const pump = () => {
      while (inFlight < limit && head < ready.length && !stopped()) {
        const index = ready[head++]!;
        started[index] = true;
        inFlight++;
        task(index).then((ok) => {
          inFlight--;
          if (ok) {
            for (const next of dependents[index]!) {
              waiting[next]! -= 1;
              if (waiting[next] === 0) ready.push(next);
            }
          }
          pump();
        }, reject);
      }
      if (inFlight === 0) resolve(started);
    };
    pump();
  });
}

class Run {
  private failed = false;
  private done = 0;
  /** The batch size the service accepted after refusing a larger one: later batches use it. */
  private learnedLimit: number | undefined;
  private readonly createdIds = new Map<string, string>();

  constructor(
    private readonly writer: LiveWriter,
    private readonly appId: string,
    private readonly options: ExecuteOptions,
    private total: number,
  ) {}

  /** A request failed for good, or the run was interrupted: nothing new is sent. */
  get stopped(): boolean {
    return this.failed || this.options.signal?.aborted === true;
  }

  notSent(request: WriteRequest): RequestOutcome {
    return this.finish({ request, status: "not-sent" });
  }

  async execute(request: WriteRequest): Promise<RequestOutcome[]> {
    if (this.stopped) return [this.notSent(request)];
    if (
      request.kind === "targets" &&
      this.learnedLimit !== undefined &&
      request.changes.length > this.learnedLimit
    ) {
      return this.executeInParts(request, this.learnedLimit);
    }
    try {
      await this.send(request);
      return [this.finish({ request, status: "applied" })];
    } catch (err) {
      const limit = request.kind === "targets" ? batchLimitOf(err, request.changes.length) : undefined;
      if (request.kind === "targets" && limit !== undefined) {
        // The service's batch limit is not published: learn it, and send the same changes in parts.
        this.learnedLimit = Math.min(limit, this.learnedLimit ?? limit);
        return this.executeInParts(request, this.learnedLimit);
      }
      this.failed = true;
      // Only an API request that got no answer at all may have been applied without our knowing.
      const unanswered = err instanceof ApiError && err.status === undefined;
      return [this.finish({ request, status: unanswered ? "unknown" : "failed", error: describeError(err) })];
    }
  }

  private async executeInParts(
    request: Extract<WriteRequest, { kind: "targets" }>,
    limit: number,
  ): Promise<RequestOutcome[]> {
    const of = Math.ceil(request.changes.length / limit);
    this.total += of - 1;
    const outcomes: RequestOutcome[] = [];
    for (let index = 1; index <= of; index++) {
      const changes = request.changes.slice((index - 1) * limit, index * limit);
      // A part of a part (the limit shrank again) keeps numbering within its own parent.
      pushAll(outcomes, await this.execute({ ...request, part: { index, of }, changes }));
    }
    return outcomes;
  }

  private finish(outcome: RequestOutcome): RequestOutcome {
    this.options.onRequestDone?.(outcome, ++this.done, this.total);
    return outcome;
  }

  private async send(request: WriteRequest): Promise<void> {
    switch (request.kind) {
      case "createFlag": {
        const flag = await this.writer.createFlag(this.appId, request.body);
        this.createdIds.set(request.flagKey, flag.id);
        return;
      }
      case "updateFlag": {
        const flagId = request.flagId ?? this.createdIds.get(request.flagKey);
        if (flagId === undefined)
          throw new Error(`flag '${request.flagKey}' has no id: its create did not run`);
        await this.writer.updateFlag(this.appId, flagId, request.body);
        return;
      }
      case "targets":
        await this.writer.updateSpecificTargets(this.appId, request.envId, {
          updates: toUpdates(request.changes),
          changeDescription: this.options.changeDescription,
          ...(this.options.notifications !== undefined ? { notifications: this.options.notifications } : {}),
        });
        return;
    }
  }
}

/**
 * When the service refuses a batch for its size, a smaller size to retry with: the limit it names
 * ("at most 50"), else half. A 413, a message about size, or an issue on `updates` itself (not on
 * one update) says so; a batch of one is never split.
 */
export function batchLimitOf(err: unknown, size: number): number | undefined {
  if (size <= 1) return undefined;
  const e = err as {
    status?: number;
    apiMessage?: string;
    message?: string;
    issues?: Record<string, string[]>;
  };
  const onUpdates = e.issues?.updates ?? [];
  const texts = [e.apiMessage ?? e.message ?? "", ...onUpdates];
  const aboutSize = texts.some((t) => /too (large|many|big)|batch size|at most \d+|maximum/i.test(t));
  if (!(e.status === 413 || (e.status === 400 && (aboutSize || onUpdates.length > 0)))) return undefined;
  for (const text of texts) {
    const named = /at most (\d+)|maximum(?: of| is)? (\d+)|limit(?: of| is)? (\d+)/i.exec(text);
    const n = Number(named?.[1] ?? named?.[2] ?? named?.[3]);
    if (n >= 1 && n < size) return n;
  }
  return Math.ceil(size / 2);
}

function describeError(err: unknown): NonNullable<RequestOutcome["error"]> {
  if (err instanceof ApiError) {
    return err.status !== undefined
      ? { status: err.status, code: err.code, message: err.message }
      : { code: err.code, message: err.message };
  }
  return { code: "internal", message: err instanceof Error ? err.message : String(err) };
}
