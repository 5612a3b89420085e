// The live state that export writes and describe shows: the app's settings and the selected flags
// with their targeting in the selected environments, read concurrently under the client's limit.
// Holds no SDK keys: the app answer carries them, and they are dropped here.
import type { AppHeader, FlagHeader, FlagKeyFormat, PublicApp, StageHeader } from "../api/types.js";
import { compare } from "../compare.js";
import { UserError } from "../errors.js";
import { ApiError } from "../live/api-error.js";
import { forEachLimited } from "../live/pool.js";
import { toLiveTargets, type LiveReader } from "../live/read.js";
import type { LiveTargets } from "../plan/live-state.js";

/** The reads export needs; ReflagClient provides them. */
export interface AppReader extends LiveReader {
  listApps(): Promise<AppHeader[]>;
}

export interface SnapshotEnvironment {
  id: string;
  name: string;
  isProduction: boolean;
  order: number;
}

export interface SnapshotApp {
  id: string;
  name: string;
  flagKeyFormat: FlagKeyFormat;
  /** Sorted by name, then id. */
  environments: SnapshotEnvironment[];
  /** In the app's order. */
  stages: StageHeader[];
}

export interface SnapshotFlag {
  key: string;
  name: string;
  description?: string;
  stage?: { id: string; name: string };
  archived: boolean;
  /** By environment id, for each selected environment. */
  targeting: Map<string, LiveTargets>;
  /** The key cannot be sent in a URL path ("." or ".."): its targeting cannot be read. */
  targetingUnreadable?: true;
}

export interface Snapshot {
  app: SnapshotApp;
  /** The selected environments, sorted by name, then id. */
  environments: SnapshotEnvironment[];
  /** The selected flags, sorted by key. */
  flags: SnapshotFlag[];
  /** Every flag of the app, selected or not. */
  flagCount: number;
}

const DESCRIBE_HINT = "run 'reflag-sync describe' to list them";

/** The app of `--app`, else the one app the key is bound to (GET /apps answers the key's app). */
export async function resolveAppId(reader: AppReader, app: string | undefined): Promise<string> {
  if (app !== undefined) return app;
  const apps = await reader.listApps();
  const [only] = apps;
  if (only && apps.length === 1) return only.id;
  if (!only) throw new UserError("RS_API", "the API key reaches no app: check REFLAG_API_KEY");
  const ids = apps.map((a) => `${a.id} (${a.name})`).join(", ");
  throw new UserError("RS_USAGE", `the API key reaches ${apps.length} apps (${ids}): choose one with --app`);
}

/** The app without SDK keys, environments sorted by name. */
export function snapshotApp(app: PublicApp): SnapshotApp {
  return {
    id: app.id,
    name: app.name,
    flagKeyFormat: app.flagKeyFormat,
    environments: (app.environments ?? [])
      .map((e) => ({ id: e.id, name: e.name, isProduction: e.isProduction, order: e.order }))
      .sort((a, b) => compare(a.name, b.name) || compare(a.id, b.id)),
    stages: [...(app.stages ?? [])].sort((a, b) => a.order - b.order || compare(a.name, b.name)),
  };
}

export interface SnapshotSelection {
  /** Environment names or ids; none: every environment. */
  environments: readonly string[];
  /** Whether a flag key is selected. */
  flag: (key: string) => boolean;
}

export async function readSnapshot(
  reader: LiveReader,
  appId: string,
  select: SnapshotSelection,
  onProgress?: (done: number, total: number) => void,
): Promise<Snapshot> {
  const [app, headers] = await Promise.all([reader.getApp(appId), reader.listFlags(appId)]);
  const liveApp = snapshotApp(app);
  const environments = selectEnvironments(liveApp, select.environments);
  const flags = headers
    .filter((h) => select.flag(h.key))
    .sort((a, b) => compare(a.key, b.key))
    .map((h) => snapshotFlag(h));
  const reads = flags.flatMap((flag) => environments.map((env) => ({ flag, envId: env.id })));
  let done = 0;
  onProgress?.(done, reads.length);
  await forEachLimited(reads, reader.concurrency ?? 8, async ({ flag, envId }) => {
    try {
      flag.targeting.set(envId, toLiveTargets(await reader.getFlagTargeting(appId, flag.key, envId)));
    } catch (err) {
      // Refused by the client before sending: the flag is exported without targeting (and said so).
      if (!(err instanceof ApiError && err.code === "invalid_argument")) throw err;
      flag.targetingUnreadable = true;
    }
    onProgress?.(++done, reads.length);
  });
  return { app: liveApp, environments, flags, flagCount: headers.length };
}

function snapshotFlag(h: FlagHeader): SnapshotFlag {
  const flag: SnapshotFlag = { key: h.key, name: h.name, archived: h.archived, targeting: new Map() };
  if (typeof h.description === "string") flag.description = h.description;
  if (h.stage) flag.stage = { id: h.stage.id, name: h.stage.name };
  return flag;
}

/** `--env` by id first, then by name, as the file's environment keys resolve. */
function selectEnvironments(app: SnapshotApp, refs: readonly string[]): SnapshotEnvironment[] {
  if (refs.length === 0) return app.environments;
  const chosen = new Set<SnapshotEnvironment>();
  for (const ref of refs) {
    const env = app.environments.find((e) => e.id === ref) ?? app.environments.find((e) => e.name === ref);
    if (!env) {
      const names = app.environments.map((e) => e.name).join(", ");
      throw new UserError(
        "RS_USAGE",
        `--env '${ref}': app ${app.id} has no such environment (it has: ${names}; ${DESCRIBE_HINT})`,
      );
    }
    chosen.add(env);
  }
  return app.environments.filter((e) => chosen.has(e));
}
