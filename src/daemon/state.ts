// What the daemon knows about itself, as /readyz reports it: is the desired state valid, did the
// last reconcile succeed, which revision was last applied and which last attempted.
import type { Outcome, ReconcileResult } from "../reconcile/index.js";
import type { FlappingChange } from "./flapping.js";

export type NotReadyReason =
  | "starting" // no reconcile has finished yet
  | "invalid-config" // the files do not load or validate: the last good desired state is kept
  | "invalid-plan" // the file disagrees with the live app (unknown environment, stage, ...)
  | "refused" // the plan is over policy.maxChanges (or another guard refused it)
  | "reconcile-failed"; // the API failed; retrying with backoff

export interface ReconcileSummary {
  trigger: string;
  revision: string;
  outcome: Outcome;
  at: string;
  durationMs: number;
  changes: number;
  error?: string;
}

export interface Drift {
  targetsToAdd: number;
  targetsToRemove: number;
  flagsToCreate: number;
  flagsToUpdate: number;
  /** When the drift was seen. */
  at: string;
}

export interface ReadyStatus {
  ready: boolean;
  reason?: NotReadyReason;
  message?: string;
  configValid: boolean;
  selfHeal: boolean;
  desiredRevision?: string;
  lastAppliedRevision?: string;
  lastAttemptedRevision?: string;
  lastReconcile?: ReconcileSummary;
  /** With --no-self-heal: what differs from the file and was left alone. */
  drift?: Drift;
  /** Changes another writer keeps undoing, held back with a growing backoff (ready all the same). */
  flapping?: FlappingChange[];
}

export class DaemonState {
  #configError: string | undefined;
  #desiredRevision: string | undefined;
  #lastApplied: string | undefined;
  #lastAttempted: string | undefined;
  #last: ReconcileSummary | undefined;
  #failure: { reason: NotReadyReason; message: string } | undefined;
  #drift: Drift | undefined;
  #flapping: FlappingChange[] = [];

  constructor(readonly selfHeal: boolean) {}

  configLoaded(revision: string): void {
    this.#configError = undefined;
    this.#desiredRevision = revision;
  }

  configInvalid(message: string): void {
    this.#configError = message;
  }

  get configValid(): boolean {
    return this.#configError === undefined;
  }

  reconciled(result: ReconcileResult): void {
    this.#lastAttempted = result.revision;
    this.#last = {
      trigger: result.trigger,
      revision: result.revision,
      outcome: result.outcome,
      at: result.startedAt,
      durationMs: result.durationMs,
      changes: result.counts.changes,
      ...(result.error ? { error: result.error.message } : {}),
    };
    switch (result.outcome) {
      case "in-sync":
      case "applied":
        this.#lastApplied = result.revision;
        this.#failure = undefined;
        this.#drift = undefined;
        break;
      case "planned":
        // Report-only: the reconcile succeeded; what differs is drift left alone.
        this.#failure = undefined;
        this.#drift = {
          targetsToAdd: result.counts.targetsToAdd,
          targetsToRemove: result.counts.targetsToRemove,
          flagsToCreate: result.counts.flagsToCreate,
          flagsToUpdate: result.counts.flagsToUpdate,
          at: result.startedAt,
        };
        break;
      case "refused":
        this.#failure = { reason: "refused", message: result.error?.message ?? "the plan was refused" };
        break;
      case "invalid":
        this.#failure = { reason: "invalid-plan", message: result.error?.message ?? "the plan is invalid" };
        break;
      case "failed":
      case "interrupted":
        this.#failure = {
          reason: "reconcile-failed",
          message:
            result.error?.message ??
            `the reconcile ${result.outcome === "failed" ? "failed" : "was interrupted"}`,
        };
        break;
    }
  }

  flapping(list: FlappingChange[]): void {
    this.#flapping = list;
  }

  /** A failure before the core ran (the environments poll), counted like a failed reconcile. */
  failed(message: string): void {
    this.#failure = { reason: "reconcile-failed", message };
  }

  status(): ReadyStatus {
    const notReady = this.#notReady();
    return {
      ready: notReady === undefined,
      ...(notReady ? { reason: notReady.reason, message: notReady.message } : {}),
      configValid: this.configValid,
      selfHeal: this.selfHeal,
      ...(this.#desiredRevision ? { desiredRevision: this.#desiredRevision } : {}),
      ...(this.#lastApplied ? { lastAppliedRevision: this.#lastApplied } : {}),
      ...(this.#lastAttempted ? { lastAttemptedRevision: this.#lastAttempted } : {}),
      ...(this.#last ? { lastReconcile: this.#last } : {}),
      ...(this.#drift ? { drift: this.#drift } : {}),
      ...(this.#flapping.length > 0 ? { flapping: this.#flapping } : {}),
    };
  }

  #notReady(): { reason: NotReadyReason; message: string } | undefined {
    if (this.#configError !== undefined) return { reason: "invalid-config", message: this.#configError };
    if (this.#failure) return this.#failure;
    if (!this.#last) return { reason: "starting", message: "the first reconcile has not finished" };
    return undefined;
  }
}
