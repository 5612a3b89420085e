// Reading the live state of the managed scope: the app, every flag, and the targeting of each
// managed flag in each environment the file lists for it, concurrently under the client's limit.
import type { FlagHeader, FlagTargeting, PublicApp } from "../api/types.js";

import type { DesiredState, Diagnostic } from "../desired/model.js";
import { UserError } from "../errors.js";
import { ApiError } from "./api-error.js";
import { forEachLimited } from "./pool.js";
import { targetingKey, type LiveApp, type LiveState, type LiveTargets } from "../plan/live-state.js";
import { resolveDesired, type ResolvedDesired } from "../plan/resolve.js";

/** The reads the planner needs; ReflagClient provides them. */
export interface LiveReader {
  getApp(appId: string): Promise<PublicApp>;
  listFlags(appId: string): Promise<FlagHeader[]>;
  getFlagTargeting(appId: string, flagKey: string, envId: string): Promise<FlagTargeting>;
  /** Most requests the reader sends at once (default 8). */
  readonly concurrency?: number;
  /** Where requests go, for an error that blames the URL. */
  readonly baseUrl?: string;
  /** Ends the reader's other requests once one read has failed for good. */
  cancel?(): void;
}

export type ReadProgress = (done: number, total: number) => void;

export interface ReadResult {
  live?: LiveState;
  resolved?: ResolvedDesired;
  /** Plan-time problems (unknown environment or stage, uncreatable flag), at file:line:col. */
  diagnostics: Diagnostic[];
}

export async function readLive(
  reader: LiveReader,
  desired: DesiredState,
  onProgress?: ReadProgress,
): Promise<ReadResult> {
  try {
    return await readAll(reader, desired, onProgress);
  } catch (err) {
    // The run has failed: requests still waiting to retry must not keep it alive until they give up.
    reader.cancel?.();
    throw err;
  }
}

async function readAll(
  reader: LiveReader,
  desired: DesiredState,
  onProgress?: ReadProgress,
): Promise<ReadResult> {
  const [app, flags] = await Promise.all([
    explainAppErrors(reader.getApp(desired.app), desired, reader.baseUrl),
    explainAppErrors(reader.listFlags(desired.app), desired, reader.baseUrl),
  ]);
  const liveApp = toLiveApp(app);
  const existing = new Map(flags.map((f) => [f.key, f]));
  const { resolved, diagnostics } = resolveDesired(desired, liveApp, new Set(existing.keys()));
  if (!resolved) return { diagnostics };

  // A flag that does not exist yet has no targeting to read.
  const pairs = resolved.flags
    .filter((f) => existing.has(f.key))
    .flatMap((f) => f.targeting.map((t) => ({ flagKey: f.key, envId: t.envId })));
  const targeting = await readTargeting(reader, desired.app, pairs, onProgress);
  return { live: { app: liveApp, flags, targeting }, resolved, diagnostics };
}

/** The targeting of each flag × environment, by targetingKey; the first read that fails for good throws. */
export async function readTargeting(
  reader: Pick<LiveReader, "getFlagTargeting" | "concurrency">,
  appId: string,
  pairs: readonly { flagKey: string; envId: string }[],
  onProgress?: ReadProgress,
): Promise<Map<string, LiveTargets>> {
  let done = 0;
  onProgress?.(done, pairs.length);
  const targeting = new Map<string, LiveTargets>();
  await forEachLimited(pairs, reader.concurrency ?? 8, async ({ flagKey, envId }) => {
    const answer = await reader.getFlagTargeting(appId, flagKey, envId);
    targeting.set(targetingKey(flagKey, envId), toLiveTargets(answer));
    onProgress?.(++done, pairs.length);
  });
  return targeting;
}

/** Keep only what planning needs: SDK keys in the answer never travel further. */
function toLiveApp(app: PublicApp): LiveApp {
  return {
    id: app.id,
    name: app.name,
    flagKeyFormat: app.flagKeyFormat,
    environments: (app.environments ?? []).map((e) => ({
      id: e.id,
      name: e.name,
      isProduction: e.isProduction,
    })),
    stages: app.stages ?? [],
  };
}

export function toLiveTargets(answer: FlagTargeting): LiveTargets {
  const on = answer.specificTargets?.true;
  return { companies: on?.companyIds ?? [], users: on?.userIds ?? [], version: answer.version };
}

/** 404/403 on the app itself almost always means a wrong `app` or a key for another app. */
async function explainAppErrors<T>(request: Promise<T>, desired: DesiredState, baseUrl?: string): Promise<T> {
  try {
    return await request;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const status = err.status;
    if (status === 401) {
      throw new UserError("RS_API", "the Reflag API refused the API key (401)", [
        err.message,
        "Check REFLAG_API_KEY: it must be a Management API key of the app in the file.",
      ]);
    }
    if (status === 404 && isUnknownPath(err)) {
      const url = baseUrl ?? "the API URL";
      throw new UserError("RS_API", `${url} does not look like the Reflag API: it has no such path (404)`, [
        err.message,
        apiUrlHint(baseUrl),
      ]);
    }
    if (status === 404 || status === 403) {
      const at = `${desired.appAt.file}:${desired.appAt.line}:${desired.appAt.col}`;
      throw new UserError(
        "RS_API",
        `${at}: app '${desired.app}' ${status === 404 ? "was not found" : "is not accessible"} with this API key`,
        [err.message, "Check `app` in the file and that REFLAG_API_KEY is a key of that app."],
      );
    }
    throw err;
  }
}

/**
 * A 404 about the path, not the app: no documented error body (a web server's page), or a body
 * that says the route does not exist (the emulator: "No such path", "No route for").
 */
function isUnknownPath(err: ApiError): boolean {
  return (
    err.code === "http_error" ||
    /\b(no such path|no route|route not found|unknown (path|endpoint|route)|cannot (get|post|patch))\b/i.test(
      err.apiMessage,
    )
  );
}

/** "… set REFLAG_API_URL to https://host/api" when the URL does not end at /api. */
function apiUrlHint(baseUrl: string | undefined): string {
  const given = baseUrl?.replace(/\/+$/, "");
  const upToApi = given?.replace(/(\/api)(\/.*)?$/, "$1");
  const fixed = upToApi === undefined ? undefined : /\/api$/.test(upToApi) ? upToApi : `${upToApi}/api`;
  return fixed !== undefined && fixed !== given
    ? `Reflag's Management API is under /api: set REFLAG_API_URL (or --api-url) to ${fixed}`
    : "Check REFLAG_API_URL (or --api-url).";
}
