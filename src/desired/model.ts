// The desired state after loading, validation and merging: the input of the pure planner.
// Everything keeps its source position so that plan-time errors point at the file.
import type { Notification } from "../api/types.js";
import { where } from "./diagnostics.js";

export interface SourceLocation {
  file: string;
  /** 1-based; 0 (with col 0) means the file as a whole (missing, unreadable, empty). */
  line: number;
  /** 1-based; 0 when line is 0. */
  col: number;
}

export interface DesiredTarget {
  id: string;
  /**
   * ISO-8601 instant (UTC) from which the target is no longer desired. A date-only `until`
   * (2026-12-31) lasts through that whole UTC day, so it expires at 2027-01-01T00:00:00.000Z.
   */
  until?: string;
  /** `until` as written in the file, for messages ("expired 2026-12-31"). */
  untilText?: string;
  at: SourceLocation;
}

export interface DesiredEnvironmentTargeting {
  /** The key as written under `targeting` (an alias, an environment name or an id). */
  key: string;
  /** What to look up among live environments: the alias's value when `key` is an alias, else `key`. */
  ref: string;
  at: SourceLocation;
  /** A listed environment is authoritative for both lists: an omitted list means none. */
  companies: DesiredTarget[];
  users: DesiredTarget[];
}

export interface DesiredFlag {
  key: string;
  at: SourceLocation;
  name?: string;
  /** null clears the description. */
  description?: string | null;
  stage?: { ref: string; at: SourceLocation };
  archived?: boolean;
  targeting: DesiredEnvironmentTargeting[];
}

export interface DesiredPolicy {
  prune: boolean;
  maxChanges: number;
  /** Refuse removing more than this share (0..1) of an environment's managed live targets. */
  maxRemovalShare: number;
}

export interface DesiredState {
  app: string;
  appAt: SourceLocation;
  changeDescription?: string;
  notifications?: Notification[];
  policy: DesiredPolicy;
  /** alias -> environment name or id (`at` is the value's position); a null-prototype object. */
  environments: Record<string, { ref: string; at: SourceLocation }>;
  /** sorted by key */
  flags: DesiredFlag[];
  /** the files read, in order */
  files: string[];
}

export const DEFAULT_POLICY: DesiredPolicy = { prune: true, maxChanges: 500, maxRemovalShare: 0.5 };

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  /** stable, e.g. "yaml-syntax", "schema", "unknown-key", "duplicate-flag", "expired-target" */
  code: string;
  message: string;
  file: string;
  line: number;
  col: number;
  /** other places involved (the first definition of a duplicate flag, ...) */
  related?: SourceLocation[];
}

/** `file:line:col: severity: message`, or `file: severity: message` for a whole-file problem. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${where(d)}: ${d.severity}: ${d.message}`;
}
