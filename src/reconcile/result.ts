// One reconcile's result record: what triggered it, what it acted on, what it found and did. The
// CLI renders it, the daemon logs it as one line and feeds metrics from it.
import type { ApplyResult, VerifyResult } from "../apply/model.js";
import type { Diagnostic } from "../desired/model.js";
import type { ChangeRef } from "../plan/hold.js";
import type { Plan, PlanTotals } from "../plan/model.js";
import type { PlanBasis } from "./basis.js";

/** What started a run: a command, or one of the daemon's triggers. */
export type Trigger =
  | "command"
  | "start"
  | "file"
  | "interval"
  | "resync"
  | "expiry"
  | "retry"
  // The backoff of a flapping change ended: it is applied once more.
  | "flapping";

/**
 * in-sync: nothing to change. planned: changes found and not applied (plan, or report-only).
 * applied: every change applied. refused: a safety limit stopped the plan (nothing sent).
 * invalid: the file, or the file against the app, is wrong (nothing sent). failed: an API error
 * (an apply may have stopped half-way: see `apply`). interrupted: stopped by a signal.
 */
export type Outcome = "in-sync" | "planned" | "applied" | "refused" | "invalid" | "failed" | "interrupted";

/**
 * What happens next, Flux-style. invalid-file / invalid-plan: wait for a new revision of the file.
 * refused: wait for a new revision (or --force). transient: retry with backoff. fatal: an API
 * error retrying will not fix (a bad key, a missing app) — report it, retry slowly.
 */
export type ErrorClass = "invalid-file" | "invalid-plan" | "refused" | "transient" | "fatal";

export interface RequestCounts {
  /** HTTP attempts with GET, retries included: what the service saw. */
  reads: number;
  /** HTTP attempts with POST or PATCH, retries included. */
  writes: number;
  /** Attempts after which the client tried again. */
  retries: number;
}

/** max-changes, removal-share: a breach of the file's policy, which apply refuses without --force. */
export interface PlanWarning {
  code: "max-changes" | "removal-share";
  message: string;
  /** removal-share: the removals per flag ("dark-mode: 30 of 40 removed"). */
  details?: string[];
}

export interface ReconcileResult {
  trigger: Trigger;
  /** The desired state's revision (see loadRevision). */
  revision: string;
  /** ISO-8601. */
  startedAt: string;
  durationMs: number;
  outcome: Outcome;
  errorClass?: ErrorClass;
  error?: { code: string; message: string; details?: string[] };
  /** The thrown error behind `error`, for the CLI to report exactly as it always has. Never logged. */
  cause?: unknown;
  /** Changes the caller held back (`hold`): planned, left out of `plan`, `counts` and the apply. */
  held?: ChangeRef[];
  /** The plan's totals and policy.maxChanges' count; zero when no plan was made. */
  counts: PlanTotals & { changes: number };
  requests: RequestCounts;
  /** Plan-time problems (unknown environment, stage, key format) at file:line:col. */
  diagnostics: Diagnostic[];
  warnings: PlanWarning[];
  plan?: Plan;
  /** What the plan was computed from (targeting versions, compared flag fields): saved with the plan. */
  basis?: PlanBasis;
  /** Present when writes were attempted: request by request, what was applied. */
  apply?: ApplyResult;
  /** After an apply (unless turned off or interrupted): the re-read of what was written. Its reads are in `requests`. */
  verify?: VerifyResult;
}

export const NO_COUNTS: ReconcileResult["counts"] = {
  flagsToCreate: 0,
  flagsToUpdate: 0,
  flagsToChange: 0,
  targetsToAdd: 0,
  targetsToRemove: 0,
  environments: 0,
  requests: 0,
  changes: 0,
};
