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
}

export interface EnvironmentPlan {
  envId: string;
  envName: string;
  /** Sorted by flag key, then kind, then id. */
  changes: TargetChange[];
}

export interface FlagCreate {
  key: string;
  name: string;
  description?: string;
  stage?: { id: string; name: string };
}

export type FieldName = "name" | "description" | "stage" | "archived";

export interface FieldChange {
  field: FieldName;
  /** Readable values (a stage's name, not its id); null = absent. */
  from: string | boolean | null;
  to: string | boolean | null;
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
}

export interface PlanTotals {
  flagsToCreate: number;
  flagsToUpdate: number;
  targetsToAdd: number;
  targetsToRemove: number;
  environments: number;
  /** Write requests the apply will send at the given batch size. */
  requests: number;
}
