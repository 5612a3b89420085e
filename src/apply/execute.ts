// Executing write requests. Phases run in order (creates, metadata updates, targets, archiving);
// within a phase independent requests run concurrently under the client's limit, and each
// environment's target batches go one after another. After a request fails for good (the client
// has already retried what can be retried) nothing new is sent, and every request is reported as
// applied, failed or not sent.
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
}

export interface ExecuteOptions {
  changeDescription: string;
  /** undefined = the app's default channels; [] = announce nowhere. */
  notifications?: Notification[];
  onRequestDone?: (outcome: RequestOutcome, done: number, total: number) => void;
  /** Once aborted (Ctrl-C), nothing new is sent; requests in flight finish and are reported. */
  signal?: AbortSignal;
}

export async function executeRequests(
  writer: LiveWriter,
  appId: string,
  requests: WriteRequest[],
  options: ExecuteOptions,
): Promise<ApplyResult> {
  const run = new Run(writer, appId, options, requests.length);
  // Outcomes per request index; a split batch yields several outcomes in its place.
  const outcomes: RequestOutcome[][] = requests.map(() => []);
  for (const phase of phases(requests)) {
    await Promise.all(
      phase.map(async (chain) => {
        for (const index of chain) outcomes[index] = await run.execute(requests[index]!);
      }),
    );
  }
  const all = outcomes.flat();
  return { ok: all.every((o) => o.status === "applied"), outcomes: all };
}

/** Consecutive requests of one phase, as chains: one chain per environment for targets, else one per request. */
function phases(requests: WriteRequest[]): number[][][] {
  const result: number[][][] = [];
  let phaseKey: string | undefined;
  let chains = new Map<string, number[]>();
  requests.forEach((request, index) => {
    const key = request.kind === "updateFlag" && request.body.isArchived === true ? "archive" : request.kind;
    if (key !== phaseKey) {
      chains = new Map();
      result.push([]);
      phaseKey = key;
    }
    const chainKey = request.kind === "targets" ? request.envId : String(index);
    let chain = chains.get(chainKey);
    if (!chain) {
      chain = [];
      chains.set(chainKey, chain);
      result[result.length - 1]!.push(chain);
    }
    chain.push(index);
  });
  return result;
}

class Run {
  failed = false;
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

  async execute(request: WriteRequest): Promise<RequestOutcome[]> {
    if (this.failed || this.options.signal?.aborted) return [this.finish({ request, status: "not-sent" })];
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
      outcomes.push(...(await this.execute({ ...request, part: { index, of }, changes })));
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
