// The plan: a closed set of change kinds, as data. Text, JSON and Markdown output, logs and exit
// codes are all rendered from it.
import type { UpdateFlagBody } from "../api/types.js";

export type TargetKind = "company" | "user";

export interface TargetChange {
  flagKey: string;
  kind: TargetKind;
  id: string;
  op: "add" | "remove";
  /** Why a remove happens: not in the file (prune) or a time-bound target that expired. */
  reason?: "prune" | "expired";
  /** With reason "expired": the `until` that passed (ISO-8601). */
  expiredAt?: string;
  /** An add of a time-bound target: its `until`, as written in the file. */
  until?: string;
  /** With `plan --base`: whether the change comes from the file's change or reverts drift. */
  origin?: ChangeOrigin;
}

/**
 * "change": the desired state differs between the base revision and the file (the change under
 * review asks for it); "drift": base and file agree, so live state was changed outside git and
 * the apply undoes that.
 */
export type ChangeOrigin = "change" | "drift";

export interface EnvironmentPlan {
  envId: string;
  envName: string;
  /** From the environment's header; absent when unknown. */
  isProduction?: boolean;
  /** Sorted by flag key, then kind, then id. */
  changes: TargetChange[];
}

export interface FlagCreate {
  key: string;
  name: string;
  description?: string;
  stage?: { id: string; name: string };
  /** With `plan --base`; see ChangeOrigin. */
  origin?: ChangeOrigin;
}

export type FieldName = "name" | "description" | "stage" | "archived";

export interface FieldChange {
  field: FieldName;
  /** Readable values (a stage's name, not its id); null = absent. */
  from: string | boolean | null;
  to: string | boolean | null;
  /** With `plan --base`; see ChangeOrigin. */
  origin?: ChangeOrigin;
}

export interface FlagUpdate {
  key: string;
  /** Absent when the flag is created by this plan (its id is known only after the POST). */
  flagId?: string;
  /** The PATCH body: only the fields the file enforces. */
  body: Pick<UpdateFlagBody, "name" | "description" | "stageId" | "isArchived">;
  changes: FieldChange[];
}

export interface Plan {
  appId: string;
  appName: string;
  /** Sorted by key. */
  creates: FlagCreate[];
  /** Sorted by key; a flag created with `archived: true` also appears here. */
  updates: FlagUpdate[];
  /** Only environments with changes, sorted by name then id. */
  environments: EnvironmentPlan[];
  /** Live flags that the file does not manage (sorted keys). */
  unmanaged: string[];
  /** Things a reviewer must see next to the plan (every output form shows them). */
  warnings?: PlanWarning[];
  /** Set when `--flag` limited the plan to some managed flags. */
  partial?: PartialScope;
  /** Set with `plan --base`: the revision the changes were labelled against. */
  base?: BaseRevision;
}

/**
 * A stable `code` for machines and a sentence for people. Codes: "max-changes" and
 * "removal-share" (the file's policy, see reconcile/policy), "partial", "drift",
 * "expired-targets", "base-invalid"; other checks may add their own.
 */
export interface PlanWarning {
  code: string;
  message: string;
  /** Lines that back the message up ("dark-mode: 30 of 40 removed"). */
  details?: string[];
}

export interface PartialScope {
  /** The `--flag` globs, as given. */
  patterns: string[];
  /** Managed flags the globs matched, and all managed flags. */
  matched: number;
  managed: number;
}

export interface BaseRevision {
  /** As given to --base. */
  ref: string;
  /** The full commit id it named. */
  commit: string;
  /** Paths that did not exist at the base: every change they bring is from the change. */
  newFiles: string[];
}

export interface PlanTotals {
  flagsToCreate: number;
  flagsToUpdate: number;
  /** Existing flags with any change (metadata or targets): the flags marked `~`. */
  flagsToChange: number;
  targetsToAdd: number;
  targetsToRemove: number;
  environments: number;
  /** Write requests the apply will send at the given batch size. */
  requests: number;
}
