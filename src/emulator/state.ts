// The emulator's whole state as plain JSON: what the store mutates and the state file holds.
import type {
  Environment,
  FlagKeyFormat,
  FlagOwner,
  Notification,
  OrgHeader,
  SegmentHeader,
  SpecificTargetUpdate,
  StageHeader,
  TargetIds,
} from "../api/types.js";

export const STATE_FORMAT = "reflag-sync-emulator-state";

export interface EmulatorState {
  format: typeof STATE_FORMAT;
  version: 1;
  /** Counter behind generated ids; kept in the state so that ids stay unique across restarts. */
  nextId: number;
  apps: StoredApp[];
}

export interface StoredApp {
  org: OrgHeader;
  id: string;
  name: string;
  demo: boolean;
  flagKeyFormat: FlagKeyFormat;
  /** Bearer keys bound to this app. */
  apiKeys: string[];
  environments: Environment[];
  stages: StageHeader[];
  segments: SegmentHeader[];
  /** Org members that ownerUserId may name. */
  members: FlagOwner[];
  flags: StoredFlag[];
  audit: AuditEntry[];
}

/** One flag's specific targets in one environment; the id lists are kept sorted. */
export interface StoredTargeting extends TargetIds {
  version: number;
  updatedAt: string;
}

export interface StoredFlag {
  id: string;
  key: string;
  name: string;
  description?: string;
  stageId?: string;
  ownerUserId?: string;
  archived: boolean;
  stale: boolean;
  permanent: boolean;
  secret: boolean;
  createdAt: string;
  rolledOutToEveryoneAt?: string;
  codeRefsCleanedUp: boolean;
  lastCheckAt?: string;
  noRecentChecks: boolean;
  lastTrackAt?: string;
  /** envId -> targeting */
  targeting: Record<string, StoredTargeting>;
}

export type AuditAction = "specificTargets" | "entityFlags" | "manual" | "createFlag" | "updateFlag";

/** One accepted write, as Reflag's audit history would keep it. */
export interface AuditEntry {
  at: string;
  action: AuditAction;
  envId?: string;
  flagKey?: string;
  changeDescription?: string;
  /** As sent; absent means the app's defaults. */
  notifications?: Notification[];
  /** Target changes as requested (entity updates are rewritten into this form). */
  updates?: SpecificTargetUpdate[];
  /** Flag fields a createFlag / updateFlag set. */
  fields?: Record<string, unknown>;
  /** How many targets or fields actually changed (0 for a request that changed nothing). */
  changed: number;
}

export class StateFileError extends Error {
  override readonly name = "StateFileError";
}

/** Checks the outline of a loaded state file, enough to fail with a clear message instead of a crash later. */
export function parseState(value: unknown, source: string): EmulatorState {
  const fail = (what: string): never => {
    throw new StateFileError(`${source}: not an emulator state file (${what})`);
  };
  if (!isRecord(value)) return fail("expected a JSON object");
  if (value.format !== STATE_FORMAT) fail(`"format" must be "${STATE_FORMAT}"`);
  if (value.version !== 1) fail(`unsupported "version" ${JSON.stringify(value.version)}, expected 1`);
  if (typeof value.nextId !== "number" || !Number.isSafeInteger(value.nextId))
    fail(`"nextId" must be an integer`);
  if (!Array.isArray(value.apps)) return fail(`"apps" must be an array`);
  value.apps.forEach((app: unknown, i) => {
    const at = `apps.${i}`;
    if (!isRecord(app)) return fail(`${at} must be an object`);
    if (typeof app.id !== "string" || app.id === "") fail(`${at}.id must be a non-empty string`);
    for (const list of ["apiKeys", "environments", "stages", "segments", "members", "flags", "audit"]) {
      if (!Array.isArray(app[list])) fail(`${at}.${list} must be an array`);
    }
    (app.flags as unknown[]).forEach((flag, j) => {
      if (
        !isRecord(flag) ||
        typeof flag.id !== "string" ||
        typeof flag.key !== "string" ||
        !isRecord(flag.targeting)
      ) {
        fail(`${at}.flags.${j} must have string id and key and a targeting object`);
      }
    });
  });
  return value as unknown as EmulatorState;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
