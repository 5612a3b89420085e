// Executing write requests in order. Stops at the first request that fails for good (the client
// has already retried what can be retried) and reports every request as applied, failed or not sent.
import type {
  CreateFlagBody,
  FlagHeader,
  Notification,
  SpecificTargetsBody,
  UpdateFlagBody,
} from "../api/types.js";
import { toUpdates, type WriteRequest } from "../plan/batches.js";
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
  onRequestDone?: (outcome: RequestOutcome, index: number, total: number) => void;
}

export async function executeRequests(
  writer: LiveWriter,
  appId: string,
  requests: WriteRequest[],
  options: ExecuteOptions,
): Promise<ApplyResult> {
  const outcomes: RequestOutcome[] = [];
  const createdIds = new Map<string, string>();
  const queue = [...requests];
  let failed = false;
  while (queue.length > 0) {
    const request = queue.shift()!;
    if (failed) {
      outcomes.push({ request, status: "not-sent" });
      continue;
    }
    try {
      await send(writer, appId, request, createdIds, options);
      outcomes.push({ request, status: "applied" });
    } catch (err) {
      if (request.kind === "targets" && request.changes.length > 1 && isBatchTooLarge(err)) {
        // The service's batch limit is not published: halve the batch and go on.
        const half = Math.ceil(request.changes.length / 2);
        queue.unshift(
          { ...request, changes: request.changes.slice(0, half) },
          { ...request, changes: request.changes.slice(half) },
        );
        continue;
      }
      failed = true;
      outcomes.push({ request, status: "failed", error: describeError(err) });
    }
    options.onRequestDone?.(outcomes[outcomes.length - 1]!, outcomes.length, outcomes.length + queue.length);
  }
  return { ok: !failed, outcomes };
}

async function send(
  writer: LiveWriter,
  appId: string,
  request: WriteRequest,
  createdIds: Map<string, string>,
  options: ExecuteOptions,
): Promise<void> {
  switch (request.kind) {
    case "createFlag": {
      const flag = await writer.createFlag(appId, request.body);
      createdIds.set(request.flagKey, flag.id);
      return;
    }
    case "updateFlag": {
      const flagId = request.flagId ?? createdIds.get(request.flagKey);
      if (flagId === undefined)
        throw new Error(`flag '${request.flagKey}' has no id: its create did not run`);
      await writer.updateFlag(appId, flagId, request.body);
      return;
    }
    case "targets":
      await writer.updateSpecificTargets(appId, request.envId, {
        updates: toUpdates(request.changes),
        changeDescription: options.changeDescription,
        ...(options.notifications !== undefined ? { notifications: options.notifications } : {}),
      });
      return;
  }
}

function isBatchTooLarge(err: unknown): boolean {
  const e = err as { status?: number; apiMessage?: string; message?: string };
  return (
    (e.status === 400 || e.status === 413) &&
    /too (large|many|big)|batch size/i.test(e.apiMessage ?? e.message ?? "")
  );
}

function describeError(err: unknown): NonNullable<RequestOutcome["error"]> {
  const e = err as { status?: number; code?: string; apiMessage?: string; message?: string };
  const message = e.message ?? String(err);
  if (typeof e.status === "number") return { status: e.status, code: typeof e.code === "string" ? e.code : "error", message };
  // No answer at all: the service may have applied the request before the connection failed.
  return {
    code: typeof e.code === "string" ? e.code : "error",
    message: `${message} (no answer was received, so this request may or may not have been applied; run plan to see)`,
  };
}
