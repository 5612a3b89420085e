// The write stage of a reconcile, shared by a fresh plan and a saved one: send the plan's requests
// in the fewest batches, then verify what was written.
import { executeRequests } from "../apply/execute.js";
import type { ApplyResult } from "../apply/model.js";
import type { Notification } from "../api/types.js";
import { toRequests } from "../plan/batches.js";
import type { Plan } from "../plan/model.js";
import type { Connection } from "./connect.js";
import type { ErrorClass, ReconcileResult } from "./result.js";
import { verifyApply } from "./verify.js";

export interface WriteInput {
  connection: Connection;
  plan: Plan;
  batchSize: number;
  changeDescription: string;
  /** undefined: the app's default channels. */
  notifications?: Notification[] | undefined;
  /** Re-read what was written and report targets that are not as planned. */
  verify: boolean;
  signal?: AbortSignal | undefined;
  onProgress?: ((phase: "read" | "apply", done: number, total: number) => void) | undefined;
}

export type WriteOutcome = Pick<ReconcileResult, "outcome" | "errorClass" | "apply" | "verify">;

export async function writePlan(input: WriteInput): Promise<WriteOutcome> {
  // Apply in the fewest requests; a failure half-way is reported request by request.
  const { client } = input.connection;
  const apply = await executeRequests(client, input.plan.appId, toRequests(input.plan, input.batchSize), {
    changeDescription: input.changeDescription,
    ...(input.notifications !== undefined ? { notifications: input.notifications } : {}),
    onRequestDone: (_outcome, done, total) => input.onProgress?.("apply", done, total),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  if (input.signal?.aborted) return { outcome: "interrupted", apply };
  // Check what was applied, also after a failure half-way: those changes are live now.
  const verify = input.verify ? await verifyApply(client, input.plan.appId, apply) : undefined;
  const checked = verify ? { verify } : {};
  if (apply.ok) return { outcome: "applied", apply, ...checked };
  return { outcome: "failed", errorClass: applyErrorClass(apply), apply, ...checked };
}

/** An apply that stopped on an unanswered or transient failure may succeed if run again. */
function applyErrorClass(apply: ApplyResult): ErrorClass {
  const stopped = apply.outcomes.find((o) => o.status === "failed" || o.status === "unknown");
  if (!stopped || stopped.status === "unknown") return "transient";
  const status = stopped.error?.status;
  return status === undefined || status === 429 || status >= 500 ? "transient" : "fatal";
}
