// What an apply did, request by request: the basis of its report when it stops half-way.
import type { WriteRequest } from "../plan/batches.js";

/**
 * applied: answered with success. failed: answered with an error, so not applied. unknown: sent,
 * but no answer came (connection lost, timeout), so it may or may not have been applied.
 * not-sent: never sent, because an earlier request failed or the run was interrupted.
 */
export type RequestStatus = "applied" | "failed" | "unknown" | "not-sent";

export interface RequestOutcome {
  request: WriteRequest;
  status: RequestStatus;
  /** With "failed": why (the API's code and message; never the key). */
  error?: { status?: number; code: string; message: string };
}

export interface ApplyResult {
  /** true when every request was applied. */
  ok: boolean;
  outcomes: RequestOutcome[];
}
