// The emulated Reflag app state and every operation on it: pure in-memory logic, no HTTP and no disk.
import type {
  App,
  AppHeader,
  CreateFlagBody,
  EntityFlag,
  EntityKind,
  Environment,
  EnvironmentList,
  FlagHeader,
  FlagTargeting,
  Paginated,
  SortOrder,
  SpecificTargetUpdate,
  TargetIds,
} from "../api/types.js";
import { ApiProblem, notFound } from "./errors.js";
import type { AuditEntry, EmulatorState, StoredApp, StoredFlag, StoredTargeting } from "./state.js";
import {
  orThrow,
  validateCreateFlag,
  validateEntityFlags,
  validateSpecificTargets,
  validateUpdateFlag,
  type BatchContext,
  type FlagContext,
  type PageQuery,
} from "./validate.js";
import { compare } from "../compare.js";
import { includesSorted, insertSorted, removeSorted, sortedSet } from "./sorted.js";
import {
  appHeader,
  byOrder,
  entityFlag,
  envHeader,
  flagHeader,
  paginate,
  sortEnvironments,
  sortFlags,
  type EnvironmentSortBy,
  type FlagSortBy,
} from "./views.js";

export const DEFAULT_MAX_BATCH_SIZE = 1000;
/** The audit log keeps the most recent entries per app. */
export const MAX_AUDIT_ENTRIES = 1000;

export interface StoreOptions {
  now?: () => Date;
  maxBatchSize?: number;
}

/** A flag to seed in tests; targets are given per environment id. */
export interface NewFlag {
  key: string;
  name?: string;
  description?: string;
  stageId?: string;
  ownerUserId?: string;
  archived?: boolean;
  permanent?: boolean;
  secret?: boolean;
  createdAt?: string;
  targets?: Record<string, Partial<TargetIds>>;
}

/** The small answer of a targeting write; the contract publishes none, clients rely on the status. */
export interface TargetWriteResult {
  changed: number;
  flagStateVersion: number;
}

interface AppIndex {
  app: StoredApp;
  byKey: Map<string, StoredFlag>;
  byId: Map<string, StoredFlag>;
}

export class EmulatorStore {
  readonly maxBatchSize: number;
  readonly state: EmulatorState;
  private readonly now: () => Date;
  private readonly apps = new Map<string, AppIndex>();
  private readonly listeners = new Set<() => void>();
  private changes = 0;

  constructor(state: EmulatorState, options: StoreOptions = {}) {
    // A private copy: callers (and demoState() results they keep) never see it change under them.
    this.state = structuredClone(state);
    this.now = options.now ?? (() => new Date());
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    for (const app of this.state.apps) {
      // Lookups binary-search the id lists, so a hand-edited state file must not break them.
      for (const flag of app.flags) {
        for (const t of Object.values(flag.targeting)) {
          t.companyIds.sort(compare);
          t.userIds.sort(compare);
        }
      }
      this.apps.set(app.id, {
        app,
        byKey: new Map(app.flags.map((f) => [f.key, f])),
        byId: new Map(app.flags.map((f) => [f.id, f])),
      });
    }
  }

  /** Counts every change; the server compares it around a request to know whether to wait for the save. */
  get revision(): number {
    return this.changes;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- keys and apps -------------------------------------------------------------------------

  appIdForKey(apiKey: string): string | undefined {
    return this.state.apps.find((a) => a.apiKeys.includes(apiKey))?.id;
  }

  hasApp(appId: string): boolean {
    return this.apps.has(appId);
  }

  /** Makes `apiKey` the only key of the app. */
  setApiKey(appId: string, apiKey: string): void {
    for (const app of this.state.apps) app.apiKeys = app.apiKeys.filter((k) => k !== apiKey);
    this.index(appId).app.apiKeys = [apiKey];
    this.changed();
  }

  /** GET /apps: the key's own app, filtered by org when asked. */
  listApps(keyAppId: string, orgId?: string): { data: AppHeader[] } {
    const app = this.index(keyAppId).app;
    return { data: orgId === undefined || app.org.id === orgId ? [appHeader(app)] : [] };
  }

  getApp(appId: string): App {
    const app = this.index(appId).app;
    const { environments: _headers, ...header } = appHeader(app);
    return {
      ...header,
      environments: byOrder(app.environments).map((e) => structuredClone(e)),
      stages: byOrder(app.stages).map((s) => ({ ...s })),
      segments: app.segments.map((s) => ({ ...s })),
    };
  }

  listEnvironments(
    appId: string,
    sort: { sortBy: EnvironmentSortBy; sortOrder: SortOrder },
  ): EnvironmentList {
    const envs = sortEnvironments(this.index(appId).app.environments, sort.sortBy, sort.sortOrder);
    return { data: envs.map(envHeader), sortBy: sort.sortBy, sortOrder: sort.sortOrder };
  }

  getEnvironment(appId: string, envId: string): Environment {
    return structuredClone(this.env(this.index(appId).app, envId));
  }

  // --- flags ---------------------------------------------------------------------------------

  listFlags(appId: string, page: PageQuery<FlagSortBy>): Paginated<FlagHeader> {
    const { app } = this.index(appId);
    return paginate(sortFlags(app, page), page, (f) => flagHeader(app, f));
  }

  /** POST /apps/{appId}/flags */
  createFlag(appId: string, body: unknown): FlagHeader {
    const idx = this.index(appId);
    const input = orThrow(validateCreateFlag(body, this.flagContext(idx.app)));
    if (idx.byKey.has(input.key))
      throw new ApiProblem("not_possible", `A flag with key '${input.key}' already exists`);
    const flag = this.insertFlag(idx, input);
    this.bumpAllEnvironments(idx.app);
    this.record(idx.app, { action: "createFlag", flagKey: flag.key, fields: { ...input }, changed: 1 });
    return flagHeader(idx.app, flag);
  }

  /** PATCH /apps/{appId}/flags/{flagId}: by id, not key. */
  updateFlag(appId: string, flagId: string, body: unknown): FlagHeader {
    const idx = this.index(appId);
    const flag = idx.byId.get(flagId);
    if (!flag) throw notFound(`Flag with id '${flagId}' not found`);
    const input = orThrow(validateUpdateFlag(body, this.flagContext(idx.app)));
    const next: Partial<StoredFlag> = {};
    if (input.name !== undefined) next.name = input.name;
    if (input.description !== undefined) next.description = input.description ?? undefined;
    if (input.ownerUserId !== undefined) next.ownerUserId = input.ownerUserId ?? undefined;
    if (input.permanent !== undefined) next.permanent = input.permanent;
    if (input.secret !== undefined) next.secret = input.secret;
    if (input.isArchived !== undefined) next.archived = input.isArchived;
    if (input.stageId !== undefined) next.stageId = input.stageId;
    const changed = (Object.keys(next) as Array<keyof StoredFlag>).filter((k) => flag[k] !== next[k]);
    for (const k of changed) {
      if (next[k] === undefined) delete flag[k];
      else Object.assign(flag, { [k]: next[k] });
    }
    if (changed.length > 0) this.bumpAllEnvironments(idx.app);
    this.record(idx.app, {
      action: "updateFlag",
      flagKey: flag.key,
      fields: { ...input },
      changed: changed.length,
    });
    return flagHeader(idx.app, flag);
  }

  // --- targeting -----------------------------------------------------------------------------

  getTargeting(appId: string, flagKey: string, envId: string): FlagTargeting {
    const idx = this.index(appId);
    const flag = this.flag(idx, flagKey);
    const env = this.env(idx.app, envId);
    const t = this.targetingOf(flag, env.id);
    const answer: FlagTargeting = {
      flagKey: flag.key,
      version: t.version,
      updatedAt: t.updatedAt,
      specificTargets: {},
    };
    if (t.companyIds.length > 0 || t.userIds.length > 0) {
      answer.specificTargets.true = { companyIds: [...t.companyIds], userIds: [...t.userIds] };
    }
    return answer;
  }

  /** PATCH /apps/{appId}/flags/specific-targets/{envId}: validated whole, then applied all at once. */
  patchSpecificTargets(appId: string, envId: string, body: unknown): TargetWriteResult {
    const idx = this.index(appId);
    const env = this.env(idx.app, envId);
    const input = orThrow(validateSpecificTargets(body, this.batchContext(idx)));
    const changed = this.applyTargets(idx, env, input.updates);
    this.record(idx.app, {
      action: "specificTargets",
      envId: env.id,
      ...announcement(input),
      updates: input.updates.map((u) => ({ ...u })),
      changed,
    });
    return { changed, flagStateVersion: env.flagStateVersion };
  }

  listEntityFlags(
    appId: string,
    envId: string,
    kind: EntityKind,
    entityId: string,
    page: PageQuery<FlagSortBy>,
  ): Paginated<EntityFlag> {
    const { app } = this.index(appId);
    const env = this.env(app, envId);
    return paginate(sortFlags(app, page), page, (f) =>
      entityFlag(f, this.targetingOf(f, env.id), kind, entityId),
    );
  }

  /** PATCH .../companies/{companyId}/flags and .../users/{userId}/flags: one entity across many flags. */
  patchEntityFlags(
    appId: string,
    envId: string,
    kind: EntityKind,
    entityId: string,
    body: unknown,
  ): TargetWriteResult {
    const idx = this.index(appId);
    const env = this.env(idx.app, envId);
    const input = orThrow(validateEntityFlags(body, this.batchContext(idx)));
    const updates: SpecificTargetUpdate[] = input.updates.map(({ flagKey, specificTargetValue: value }) =>
      kind === "companies" ? { flagKey, value, companyId: entityId } : { flagKey, value, userId: entityId },
    );
    const changed = this.applyTargets(idx, env, updates);
    this.record(idx.app, { action: "entityFlags", envId: env.id, ...announcement(input), updates, changed });
    return { changed, flagStateVersion: env.flagStateVersion };
  }

  // --- helpers for tests: seeding and drift made "by hand in the UI" --------------------------

  /** Adds a flag without the API's key-format check (seeding); the key must be new. */
  addFlag(appId: string, flag: NewFlag): FlagHeader {
    const header = this.seedFlag(this.index(appId), flag);
    this.changed();
    return header;
  }

  /** Adds `count` flags at once (one save); keys default to seeded-flag-0001, seeded-flag-0002, ... */
  addFlags(
    appId: string,
    count: number,
    make: (i: number) => NewFlag = (i) => ({ key: `seeded-flag-${String(i + 1).padStart(4, "0")}` }),
  ): FlagHeader[] {
    const idx = this.index(appId);
    const headers = Array.from({ length: count }, (_, i) => this.seedFlag(idx, make(i)));
    this.changed();
    return headers;
  }

  getFlag(appId: string, flagKey: string): FlagHeader {
    const idx = this.index(appId);
    return flagHeader(idx.app, this.flag(idx, flagKey));
  }

  getTargets(appId: string, flagKey: string, envId: string): TargetIds {
    const idx = this.index(appId);
    const t = this.targetingOf(this.flag(idx, flagKey), this.env(idx.app, envId).id);
    return { companyIds: [...t.companyIds], userIds: [...t.userIds] };
  }

  /** Replaces the given lists, versioned like an API change (a hand-made change in the UI). */
  setTargets(appId: string, flagKey: string, envId: string, targets: Partial<TargetIds>): void {
    const idx = this.index(appId);
    const env = this.env(idx.app, envId);
    const t = this.targetingOf(this.flag(idx, flagKey), env.id);
    const before = JSON.stringify([t.companyIds, t.userIds]);
    if (targets.companyIds) t.companyIds = sortedSet(targets.companyIds);
    if (targets.userIds) t.userIds = sortedSet(targets.userIds);
    const changed = JSON.stringify([t.companyIds, t.userIds]) !== before;
    if (changed) {
      t.version += 1;
      t.updatedAt = this.timestamp();
      env.flagStateVersion += 1;
    }
    this.record(idx.app, { action: "manual", envId: env.id, flagKey, changed: changed ? 1 : 0 });
  }

  audit(appId: string): AuditEntry[] {
    return structuredClone(this.index(appId).app.audit);
  }

  // --- internals -----------------------------------------------------------------------------

  private index(appId: string): AppIndex {
    const idx = this.apps.get(appId);
    if (!idx) throw notFound(`App '${appId}' not found`);
    return idx;
  }

  private env(app: StoredApp, envId: string): Environment {
    const env = app.environments.find((e) => e.id === envId);
    if (!env) throw notFound(`Environment '${envId}' not found in app '${app.id}'`);
    return env;
  }

  private flag(idx: AppIndex, flagKey: string): StoredFlag {
    const flag = idx.byKey.get(flagKey);
    if (!flag) throw notFound(`Flag '${flagKey}' not found in app '${idx.app.id}'`);
    return flag;
  }

  /** A flag's targeting in an environment; created on first use for flags that predate the environment. */
  private targetingOf(flag: StoredFlag, envId: string): StoredTargeting {
    if (!Object.hasOwn(flag.targeting, envId)) {
      flag.targeting[envId] = { version: 1, updatedAt: flag.createdAt, companyIds: [], userIds: [] };
    }
    return flag.targeting[envId] as StoredTargeting;
  }

  private flagContext(app: StoredApp): FlagContext {
    return {
      flagKeyFormat: app.flagKeyFormat,
      stageExists: (id) => app.stages.some((s) => s.id === id),
      memberExists: (id) => app.members.some((m) => m.id === id),
    };
  }

  private batchContext(idx: AppIndex): BatchContext {
    return { flagExists: (key) => idx.byKey.has(key), maxBatchSize: this.maxBatchSize };
  }

  /**
   * Applies validated updates in order. Only net changes count: adding a present target, removing
   * an absent one (or adding then removing it) changes nothing. Each flag whose targeting changed
   * gets one version bump, and the environment one flagStateVersion bump, per request.
   */
  private applyTargets(idx: AppIndex, env: Environment, updates: SpecificTargetUpdate[]): number {
    const touched = new Map<string, { t: StoredTargeting; list: string[]; id: string; before: boolean }>();
    for (const u of updates) {
      const t = this.targetingOf(idx.byKey.get(u.flagKey) as StoredFlag, env.id);
      const [list, id] = u.companyId !== undefined ? [t.companyIds, u.companyId] : [t.userIds, u.userId];
      const key = JSON.stringify([u.flagKey, u.companyId !== undefined, id]);
      if (!touched.has(key)) touched.set(key, { t, list, id, before: includesSorted(list, id) });
      if (u.value === true) insertSorted(list, id);
      else removeSorted(list, id);
    }
    const changedTargetings = new Set<StoredTargeting>();
    let changed = 0;
    for (const { t, list, id, before } of touched.values()) {
      if (includesSorted(list, id) === before) continue;
      changed += 1;
      changedTargetings.add(t);
    }
    const at = this.timestamp();
    for (const t of changedTargetings) {
      t.version += 1;
      t.updatedAt = at;
    }
    if (changed > 0) env.flagStateVersion += 1;
    return changed;
  }

  private insertFlag(idx: AppIndex, input: CreateFlagBody, extra: Partial<StoredFlag> = {}): StoredFlag {
    const createdAt = extra.createdAt ?? this.timestamp();
    const flag: StoredFlag = {
      id: this.newId(idx, "fl"),
      key: input.key,
      name: input.name,
      archived: false,
      stale: false,
      permanent: input.permanent ?? false,
      secret: input.secret ?? false,
      createdAt,
      codeRefsCleanedUp: false,
      noRecentChecks: false,
      targeting: Object.fromEntries(
        idx.app.environments.map((e) => [
          e.id,
          { version: 1, updatedAt: createdAt, companyIds: [], userIds: [] },
        ]),
      ),
      ...extra,
    };
    // A null description or owner (allowed on create) is no value.
    if (typeof input.description === "string") flag.description = input.description;
    if (input.stageId !== undefined) flag.stageId = input.stageId;
    if (typeof input.ownerUserId === "string") flag.ownerUserId = input.ownerUserId;
    idx.app.flags.push(flag);
    idx.byKey.set(flag.key, flag);
    idx.byId.set(flag.id, flag);
    return flag;
  }

  private seedFlag(idx: AppIndex, seed: NewFlag): FlagHeader {
    if (seed.key === "" || idx.byKey.has(seed.key))
      throw new Error(`addFlag: key '${seed.key}' is empty or already taken`);
    const extra: Partial<StoredFlag> = { archived: seed.archived ?? false };
    if (seed.createdAt !== undefined) extra.createdAt = seed.createdAt;
    const flag = this.insertFlag(idx, { ...seed, name: seed.name ?? seed.key }, extra);
    for (const [envId, targets] of Object.entries(seed.targets ?? {})) {
      const t = this.targetingOf(flag, this.env(idx.app, envId).id);
      t.companyIds = sortedSet(targets.companyIds ?? []);
      t.userIds = sortedSet(targets.userIds ?? []);
    }
    return flagHeader(idx.app, flag);
  }

  private newId(idx: AppIndex, prefix: string): string {
    let id: string;
    do {
      id = `${prefix}${String(this.state.nextId).padStart(8, "0")}`;
      this.state.nextId += 1;
    } while (idx.byId.has(id));
    return id;
  }

  /** Flag metadata is shared by all environments, so a metadata change moves each one's flag state. */
  private bumpAllEnvironments(app: StoredApp): void {
    for (const env of app.environments) env.flagStateVersion += 1;
  }

  private record(app: StoredApp, entry: Omit<AuditEntry, "at">): void {
    app.audit.push({ at: this.timestamp(), ...entry });
    // Bounded, so that a long run does not grow the state file (rewritten on every change) without end.
    if (app.audit.length > MAX_AUDIT_ENTRIES) app.audit.splice(0, app.audit.length - MAX_AUDIT_ENTRIES);
    this.changed();
  }

  private changed(): void {
    this.changes += 1;
    for (const listener of this.listeners) listener();
  }

  private timestamp(): string {
    return this.now().toISOString();
  }
}

function announcement(input: {
  changeDescription?: string;
  notifications?: AuditEntry["notifications"];
}): Pick<AuditEntry, "changeDescription" | "notifications"> {
  const out: Pick<AuditEntry, "changeDescription" | "notifications"> = {};
  if (input.changeDescription !== undefined) out.changeDescription = input.changeDescription;
  if (input.notifications !== undefined) out.notifications = [...input.notifications];
  return out;
}
