// What an apply did, request by request: the basis of its report when it stops half-way.
import type { WriteRequest } from "../plan/batches.js";
import type { TargetKind } from "../plan/model.js";

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

/** A target that, re-read after the apply, is not as the plan wanted (another writer, a lost change). */
export interface VerifyMismatch {
  flagKey: string;
  envId: string;
  envName: string;
  kind: TargetKind;
  id: string;
  /** What the applied change should have left: present (an add) or absent (a remove). */
  expected: "present" | "absent";
}

/** The re-read of the targeting an apply wrote, compared with the changes it applied. */
export interface VerifyResult {
  /** Target changes checked: those of the requests answered as applied. */
  checked: number;
  /** Flag × environment targetings re-read (one GET each). */
  targetings: number;
  /** Sorted by environment, flag, kind, id. */
  mismatches: VerifyMismatch[];
  /** Set when the re-read itself failed: then nothing is known either way. */
  error?: { code: string; message: string };
}
