// Checking answers before trusting them: only the fields the client and its callers rely on.
// Unknown fields pass through untouched (the service adds fields over time); missing optional ones stay absent.
import type {
  AppHeader,
  EntityFlag,
  EnvironmentHeader,
  FlagHeader,
  FlagTargeting,
  Paginated,
  PublicApp,
  TargetIds,
} from "../api/types.js";

/** Thrown by the readers below; the client turns it into ApiError "invalid_response". */
export class InvalidAnswer extends Error {}

type Json = Record<string, unknown>;

export function readAppList(body: unknown): AppHeader[] {
  return namedList(body) as unknown as AppHeader[];
}

export function readApp(body: unknown): PublicApp {
  const app = named(body, "answer");
  // The real service may include each environment's SDK keys here: they never leave the client.
  const environments = list(app.environments, "environments", (item, at) => withoutSecrets(named(item, at)));
  return { ...app, environments } as unknown as PublicApp;
}

export function readEnvironmentList(body: unknown): EnvironmentHeader[] {
  return namedList(body) as unknown as EnvironmentHeader[];
}

/** The environment without its SDK keys: nothing reflag-sync does needs them, so nothing can print them. */
export function readEnvironment(body: unknown): EnvironmentHeader {
  return withoutSecrets(named(body, "answer")) as unknown as EnvironmentHeader;
}

function withoutSecrets(item: Json): Json {
  const { sdkAccess: _secrets, ...rest } = item;
  return rest;
}

export function readFlagAnswer(body: unknown): FlagHeader {
  return readFlag(object(body, "answer").flag, "flag");
}

export function readFlagPage(body: unknown): Paginated<FlagHeader> {
  return page(body, readFlag);
}

export function readEntityFlagPage(body: unknown): Paginated<EntityFlag> {
  return page(body, (item, at) => withIds(item, at, ["id", "key"]) as unknown as EntityFlag);
}

/** Tolerant of a missing "true" entry and of missing id lists: both mean nobody is targeted. */
export function readFlagTargeting(body: unknown): FlagTargeting {
  const answer = object(body, "answer");
  if (typeof answer.flagKey !== "string") throw new InvalidAnswer("flagKey is not a string");
  if (typeof answer.version !== "number") throw new InvalidAnswer("version is not a number");
  const targets =
    answer.specificTargets === undefined ? {} : object(answer.specificTargets, "specificTargets");
  const specificTargets: FlagTargeting["specificTargets"] = {};
  if (targets.true !== undefined && targets.true !== null) {
    const t = object(targets.true, "specificTargets.true");
    specificTargets.true = {
      companyIds: strings(t.companyIds, "specificTargets.true.companyIds"),
      userIds: strings(t.userIds, "specificTargets.true.userIds"),
    } satisfies TargetIds;
  }
  return { ...(answer as unknown as FlagTargeting), specificTargets };
}

const MAX_TEXT = 500;

/** The documented error body, or undefined when the answer is something else (a proxy's HTML page). */
export function readErrorBody(
  text: string,
): { code: string; message: string; issues?: Record<string, string[]> } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null) return undefined;
  const { error, issues } = body as { error?: { code?: unknown; message?: unknown }; issues?: unknown };
  if (typeof error?.code !== "string" || error.code === "") return undefined;
  const said: { code: string; message: string; issues?: Record<string, string[]> } = {
    code: error.code.slice(0, 100),
    message: typeof error.message === "string" ? error.message.slice(0, MAX_TEXT) : "",
  };
  if (typeof issues === "object" && issues !== null && !Array.isArray(issues)) {
    const kept = Object.entries(issues)
      .filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]))
      .map(([where, what]) => [
        where,
        what.filter((m): m is string => typeof m === "string").map((m) => m.slice(0, MAX_TEXT)),
      ]);
    if (kept.length > 0) said.issues = Object.fromEntries(kept);
  }
  return said;
}

function readFlag(item: unknown, at: string): FlagHeader {
  return withIds(item, at, ["id", "key"]) as unknown as FlagHeader;
}

function page<T>(body: unknown, readItem: (item: unknown, at: string) => T): Paginated<T> {
  const answer = object(body, "answer");
  const totalCount = answer.totalCount;
  if (typeof totalCount !== "number" || !Number.isInteger(totalCount) || totalCount < 0) {
    throw new InvalidAnswer("totalCount is not a non-negative integer");
  }
  const data = list(answer.data, "data", readItem);
  return { ...(answer as unknown as Paginated<T>), data, totalCount };
}

/** An app or an environment: both are named by an id and a name. */
function named(value: unknown, at: string): Json {
  return withIds(value, at, ["id", "name"]);
}

/** `{ data: [...] }` of apps or environments. */
function namedList(body: unknown): Json[] {
  return list(object(body, "answer").data, "data", named);
}

function withIds(value: unknown, at: string, names: string[]): Json {
  const item = object(value, at);
  for (const name of names) {
    if (typeof item[name] !== "string") throw new InvalidAnswer(`${at}.${name} is not a string`);
  }
  return item;
}

function object(value: unknown, at: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidAnswer(`${at} is not an object`);
  return value as Json;
}

function list<T>(value: unknown, at: string, readItem: (item: unknown, at: string) => T): T[] {
  if (!Array.isArray(value)) throw new InvalidAnswer(`${at} is not an array`);
  return value.map((item, i) => readItem(item, `${at}.${i}`));
}

function strings(value: unknown, at: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw new InvalidAnswer(`${at} is not a list of strings`);
  return value as string[];
}
