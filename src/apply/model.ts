// What an apply did, request by request: the basis of its report when it stops half-way.
import type { WriteRequest } from "../plan/batches.js";

export type RequestStatus = "applied" | "failed" | "not-sent";

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
