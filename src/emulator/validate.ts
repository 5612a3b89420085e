// Pure validation of request bodies and query strings: unknown in, a typed value or every problem by path out.
import { MAX_ID_LENGTH } from "../api/types.js";
import type {
  CreateFlagBody,
  EntityFlagsBody,
  FlagKeyFormat,
  Notification,
  SortOrder,
  SpecificTargetUpdate,
  SpecificTargetsBody,
  UpdateFlagBody,
} from "../api/types.js";
import { matchesKeyFormat } from "../api/flag-keys.js";
import { invalidRequest, type Issues } from "./errors.js";
import type { FaultKind, FaultOptions, ScriptedFault } from "./faults.js";
import { isRecord } from "./state.js";

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: Issues; message?: string };

/** Unwraps a validation result, or throws the 400 that reports every issue. */
export function orThrow<T>(result: Validated<T>): T {
  if (!result.ok) throw invalidRequest(result.issues, result.message);
  return result.value;
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
const NOTIFICATIONS: readonly Notification[] = ["slack", "linearComment"];

/** Collects problems; the root of the body is reported as "body". */
class Problems {
  // A Map, not an object: paths come from the client, and "toString" or "__proto__" must stay plain keys.
  private readonly byPath = new Map<string, string[]>();

  add(path: string, message: string): void {
    const key = path || "body";
    const messages = this.byPath.get(key);
    if (messages) messages.push(message);
    else this.byPath.set(key, [message]);
  }

  result<T>(value: T): Validated<T> {
    return this.byPath.size === 0
      ? { ok: true, value }
      : { ok: false, issues: Object.fromEntries(this.byPath) };
  }
}

const join = (path: string, key: string | number): string => (path ? `${path}.${key}` : String(key));

function kind(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/** Names a received value without serialising it: input may be nested too deep for JSON.stringify. */
function describe(value: unknown): string {
  return typeof value === "boolean" || typeof value === "number" ? String(value) : kind(value);
}

/** The object's own fields, after reporting every field not in `allowed`. */
function objectWith(
  value: unknown,
  path: string,
  allowed: readonly string[],
  p: Problems,
): Map<string, unknown> | undefined {
  if (!isRecord(value)) {
    p.add(path, `Expected object, received ${kind(value)}`);
    return undefined;
  }
  const fields = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) {
    if (allowed.includes(key)) fields.set(key, v);
    else p.add(join(path, key), "Unknown field");
  }
  return fields;
}

function str(
  fields: Map<string, unknown>,
  key: string,
  path: string,
  p: Problems,
  opts: { required?: boolean; nullable?: boolean; nonEmpty?: boolean; blankOk?: boolean; max?: number } = {},
): string | null | undefined {
  const at = join(path, key);
  if (!fields.has(key)) {
    if (opts.required) p.add(at, "Required");
    return undefined;
  }
  const value = fields.get(key);
  if (value === null && opts.nullable) return null;
  if (typeof value !== "string") {
    p.add(at, `Expected string, received ${kind(value)}`);
    return undefined;
  }
  if (opts.nonEmpty && (opts.blankOk ? value : value.trim()) === "") p.add(at, "Must not be empty");
  else if (opts.max !== undefined && value.length > opts.max)
    p.add(at, `Must be at most ${opts.max} characters`);
  return value;
}

function bool(fields: Map<string, unknown>, key: string, path: string, p: Problems): boolean | undefined {
  if (!fields.has(key)) return undefined;
  const value = fields.get(key);
  if (typeof value === "boolean") return value;
  p.add(join(path, key), `Expected boolean, received ${kind(value)}`);
  return undefined;
}

function notifications(fields: Map<string, unknown>, p: Problems): Notification[] | undefined {
  if (!fields.has("notifications")) return undefined;
  const value = fields.get("notifications");
  if (!Array.isArray(value)) {
    p.add("notifications", `Expected array, received ${kind(value)}`);
    return undefined;
  }
  value.forEach((n: unknown, i) => {
    if (!NOTIFICATIONS.includes(n as Notification))
      p.add(`notifications.${i}`, `Expected one of ${NOTIFICATIONS.join(", ")}`);
  });
  return value as Notification[];
}

export interface FlagContext {
  flagKeyFormat: FlagKeyFormat;
  stageExists(stageId: string): boolean;
  /** ownerUserId must name a member of the app's org, as stageId must name one of its stages. */
  memberExists(userId: string): boolean;
}

function stage(
  fields: Map<string, unknown>,
  path: string,
  p: Problems,
  ctx: FlagContext,
): string | undefined {
  const stageId = str(fields, "stageId", path, p, { nonEmpty: true }) ?? undefined;
  if (stageId && !ctx.stageExists(stageId)) p.add(join(path, "stageId"), `Unknown stage: ${stageId}`);
  return stageId;
}

function owner(
  fields: Map<string, unknown>,
  path: string,
  p: Problems,
  ctx: FlagContext,
  nullable: boolean,
): string | null | undefined {
  const userId = str(fields, "ownerUserId", path, p, { nullable, nonEmpty: true });
  if (typeof userId === "string" && userId.trim() !== "" && !ctx.memberExists(userId))
    p.add(join(path, "ownerUserId"), `Unknown user: ${userId}`);
  return userId;
}

export function validateCreateFlag(body: unknown, ctx: FlagContext): Validated<CreateFlagBody> {
  const p = new Problems();
  const allowed = ["key", "name", "description", "stageId", "ownerUserId", "permanent", "secret"];
  const f = objectWith(body, "", allowed, p);
  if (!f) return p.result({ key: "", name: "" });
  const key = str(f, "key", "", p, { required: true, nonEmpty: true }) ?? "";
  if (key.length > MAX_ID_LENGTH) p.add("key", `Must be at most ${MAX_ID_LENGTH} characters`);
  else if (key.trim() !== "" && !matchesKeyFormat(key, ctx.flagKeyFormat)) {
    p.add("key", `Does not match the app's flag key format ${ctx.flagKeyFormat}`);
  }
  const value: CreateFlagBody = {
    key,
    name: str(f, "name", "", p, { required: true, nonEmpty: true }) ?? "",
  };
  // null means "no value", as on the update endpoint (the generated SDK's types allow it).
  const description = str(f, "description", "", p, { nullable: true });
  if (description !== undefined) value.description = description;
  const stageId = stage(f, "", p, ctx);
  if (stageId !== undefined) value.stageId = stageId;
  const ownerUserId = owner(f, "", p, ctx, true);
  if (ownerUserId !== undefined) value.ownerUserId = ownerUserId;
  const permanent = bool(f, "permanent", "", p);
  if (permanent !== undefined) value.permanent = permanent;
  const secret = bool(f, "secret", "", p);
  if (secret !== undefined) value.secret = secret;
  return p.result(value);
}

export function validateUpdateFlag(body: unknown, ctx: FlagContext): Validated<UpdateFlagBody> {
  const p = new Problems();
  const allowed = ["name", "description", "ownerUserId", "permanent", "secret", "isArchived", "stageId"];
  const f = objectWith(body, "", allowed, p);
  if (!f) return p.result({});
  const value: UpdateFlagBody = {};
  const name = str(f, "name", "", p, { nonEmpty: true });
  if (typeof name === "string") value.name = name;
  const description = str(f, "description", "", p, { nullable: true });
  if (description !== undefined) value.description = description;
  const ownerUserId = owner(f, "", p, ctx, true);
  if (ownerUserId !== undefined) value.ownerUserId = ownerUserId;
  for (const key of ["permanent", "secret", "isArchived"] as const) {
    const b = bool(f, key, "", p);
    if (b !== undefined) value[key] = b;
  }
  const stageId = stage(f, "", p, ctx);
  if (stageId !== undefined) value.stageId = stageId;
  return p.result(value);
}

export interface BatchContext {
  flagExists(flagKey: string): boolean;
  maxBatchSize: number;
}

/** The updates array itself: present, non-empty, not over the batch limit (checked first: it is cheap). */
function updatesArray(
  f: Map<string, unknown>,
  p: Problems,
  ctx: BatchContext,
): { list?: unknown[]; tooLarge?: Validated<never> } {
  if (!f.has("updates")) {
    p.add("updates", "Required");
    return {};
  }
  const list = f.get("updates");
  if (!Array.isArray(list)) {
    p.add("updates", `Expected array, received ${kind(list)}`);
    return {};
  }
  if (list.length === 0) p.add("updates", "Must contain at least 1 update");
  if (list.length > ctx.maxBatchSize) {
    const message = `Batch too large: ${list.length} updates, at most ${ctx.maxBatchSize} per request`;
    return {
      tooLarge: {
        ok: false,
        message,
        issues: { updates: [`Too large: at most ${ctx.maxBatchSize} updates per request`] },
      },
    };
  }
  return { list };
}

function flagKey(f: Map<string, unknown>, path: string, p: Problems, ctx: BatchContext): string {
  const key = str(f, "flagKey", path, p, { required: true, nonEmpty: true });
  if (typeof key === "string" && key.trim() !== "" && !ctx.flagExists(key))
    p.add(join(path, "flagKey"), `Unknown flag: ${key}`);
  return key ?? "";
}

function targetValue(f: Map<string, unknown>, field: string, path: string, p: Problems): true | null {
  const value = f.get(field);
  if (!f.has(field)) p.add(join(path, field), "Required");
  else if (value !== true && value !== null)
    p.add(join(path, field), `Expected true or null, received ${describe(value)}`);
  return value === true ? true : null;
}

export function validateSpecificTargets(body: unknown, ctx: BatchContext): Validated<SpecificTargetsBody> {
  const p = new Problems();
  const f = objectWith(body, "", ["updates", "changeDescription", "notifications"], p);
  if (!f) return p.result({ updates: [] });
  const { list, tooLarge } = updatesArray(f, p, ctx);
  if (tooLarge) return tooLarge;
  const updates: SpecificTargetUpdate[] = (list ?? []).map((item, i) => {
    const path = `updates.${i}`;
    const u = objectWith(item, path, ["flagKey", "value", "companyId", "userId"], p);
    if (!u) return { flagKey: "", value: null, companyId: "" };
    const key = flagKey(u, path, p, ctx);
    const value = targetValue(u, "value", path, p);
    if (u.has("companyId") === u.has("userId")) {
      p.add(
        path,
        u.has("companyId")
          ? "Give only one of companyId or userId"
          : "Give exactly one of companyId or userId",
      );
    }
    // Company and user ids are the customer's own: any non-empty string up to the limit, " " included,
    // as in a path (validateEntityId), so that whatever the targeting lists can also be removed.
    const idRule = { nonEmpty: true, blankOk: true, max: MAX_ID_LENGTH };
    const companyId = str(u, "companyId", path, p, idRule);
    if (typeof companyId === "string") return { flagKey: key, value, companyId };
    const userId = str(u, "userId", path, p, idRule);
    return { flagKey: key, value, userId: userId ?? "" };
  });
  return p.result(withAnnouncement<SpecificTargetsBody>({ updates }, f, p));
}

export function validateEntityFlags(body: unknown, ctx: BatchContext): Validated<EntityFlagsBody> {
  const p = new Problems();
  const f = objectWith(body, "", ["updates", "changeDescription", "notifications"], p);
  if (!f) return p.result({ updates: [] });
  const { list, tooLarge } = updatesArray(f, p, ctx);
  if (tooLarge) return tooLarge;
  const updates = (list ?? []).map((item, i) => {
    const path = `updates.${i}`;
    const u = objectWith(item, path, ["flagKey", "specificTargetValue"], p);
    if (!u) return { flagKey: "", specificTargetValue: null };
    return {
      flagKey: flagKey(u, path, p, ctx),
      specificTargetValue: targetValue(u, "specificTargetValue", path, p),
    };
  });
  return p.result(withAnnouncement<EntityFlagsBody>({ updates }, f, p));
}

function withAnnouncement<T extends { changeDescription?: string; notifications?: Notification[] }>(
  value: T,
  f: Map<string, unknown>,
  p: Problems,
): T {
  const changeDescription = str(f, "changeDescription", "", p);
  if (typeof changeDescription === "string") value.changeDescription = changeDescription;
  const n = notifications(f, p);
  if (n !== undefined) value.notifications = n;
  return value;
}

/** A company or user id taken from the path. */
export function validateEntityId(id: string, name: string): Validated<string> {
  const p = new Problems();
  if (id.length === 0) p.add(name, "Must not be empty");
  else if (id.length > MAX_ID_LENGTH) p.add(name, `Must be at most ${MAX_ID_LENGTH} characters`);
  return p.result(id);
}

export interface PageQuery<S extends string = string> {
  pageIndex: number;
  pageSize: number;
  sortBy: S;
  sortOrder: SortOrder;
}

function wholeNumber(
  query: URLSearchParams,
  name: string,
  p: Problems,
  min: number,
  max: number,
  fallback: number,
): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    p.add(
      name,
      max === Number.MAX_SAFE_INTEGER
        ? `Must be a whole number from ${min}`
        : `Must be a whole number from ${min} to ${max}`,
    );
    return fallback;
  }
  return n;
}

function oneOf<S extends string>(
  query: URLSearchParams,
  name: string,
  allowed: readonly S[],
  fallback: S,
  p: Problems,
): S {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as S;
  p.add(name, `Expected one of ${allowed.join(", ")}`);
  return fallback;
}

function sortQuery<S extends string>(
  query: URLSearchParams,
  sortBys: readonly [S, ...S[]],
  p: Problems,
): { sortBy: S; sortOrder: SortOrder } {
  return {
    sortBy: oneOf(query, "sortBy", sortBys, sortBys[0], p),
    sortOrder: oneOf(query, "sortOrder", ["asc", "desc"] as const, "asc", p),
  };
}

/** pageIndex, pageSize, sortBy and sortOrder; other parameters are ignored. */
export function validatePageQuery<S extends string>(
  query: URLSearchParams,
  sortBys: readonly [S, ...S[]],
): Validated<PageQuery<S>> {
  const p = new Problems();
  return p.result({
    pageIndex: wholeNumber(query, "pageIndex", p, 0, Number.MAX_SAFE_INTEGER, 0),
    pageSize: wholeNumber(query, "pageSize", p, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE),
    ...sortQuery(query, sortBys, p),
  });
}

/** sortBy and sortOrder of the environment list. */
export function validateSortQuery<S extends string>(
  query: URLSearchParams,
  sortBys: readonly [S, ...S[]],
): Validated<{ sortBy: S; sortOrder: SortOrder }> {
  const p = new Problems();
  return p.result(sortQuery(query, sortBys, p));
}

function num(
  fields: Map<string, unknown>,
  key: string,
  path: string,
  p: Problems,
  opts: { min: number; max?: number; integer?: boolean },
): number | undefined {
  if (!fields.has(key)) return undefined;
  const value = fields.get(key);
  const at = join(path, key);
  if (typeof value !== "number" || !Number.isFinite(value))
    p.add(at, `Expected number, received ${kind(value)}`);
  else if (opts.integer && !Number.isSafeInteger(value)) p.add(at, "Must be a whole number");
  else if (value < opts.min || (opts.max !== undefined && value > opts.max))
    p.add(at, `Must be from ${opts.min}${opts.max === undefined ? "" : ` to ${opts.max}`}`);
  else return value;
  return undefined;
}

const FAULT_KINDS: readonly FaultKind[] = [
  "400",
  "401",
  "403",
  "404",
  "500",
  "503",
  "429",
  "lost",
  "reset",
  "delay",
  "hang",
];

/** The JSON body of PUT /_emulator/faults; a script entry's `pathPattern` is a RegExp source. */
export function validateFaultOptions(body: unknown): Validated<FaultOptions> {
  const p = new Problems();
  const allowed = [
    "latencyMs",
    "errorRate",
    "rateLimitRate",
    "retryAfterSeconds",
    "lostAnswerRate",
    "seed",
    "script",
  ];
  const f = objectWith(body, "", allowed, p);
  if (!f) return p.result({});
  const value: FaultOptions = {};
  const set = <K extends keyof FaultOptions>(key: K, v: FaultOptions[K] | undefined): void => {
    if (v !== undefined) value[key] = v;
  };
  set("latencyMs", num(f, "latencyMs", "", p, { min: 0 }));
  for (const rate of ["errorRate", "rateLimitRate", "lostAnswerRate"] as const)
    set(rate, num(f, rate, "", p, { min: 0, max: 1 }));
  set("retryAfterSeconds", num(f, "retryAfterSeconds", "", p, { min: 0 }));
  set("seed", num(f, "seed", "", p, { min: Number.MIN_SAFE_INTEGER, integer: true }));
  if (f.has("script")) {
    const list = f.get("script");
    if (!Array.isArray(list)) p.add("script", `Expected array, received ${kind(list)}`);
    else value.script = list.map((item: unknown, i) => scriptedFault(item, `script.${i}`, p));
  }
  return p.result(value);
}

function scriptedFault(item: unknown, path: string, p: Problems): ScriptedFault {
  const allowed = ["method", "path", "pathPattern", "fault", "retryAfterSeconds", "delayMs", "times"];
  const f = objectWith(item, path, allowed, p);
  const fault: ScriptedFault = { fault: "500" };
  if (!f) return fault;
  const kindValue = f.get("fault");
  if (!f.has("fault")) p.add(join(path, "fault"), "Required");
  else if (!FAULT_KINDS.includes(kindValue as FaultKind))
    p.add(join(path, "fault"), `Expected one of ${FAULT_KINDS.join(", ")}`);
  else fault.fault = kindValue as FaultKind;
  const method = str(f, "method", path, p, { nonEmpty: true });
  if (typeof method === "string") fault.method = method.toUpperCase();
  const prefix = str(f, "path", path, p);
  if (typeof prefix === "string") fault.path = prefix;
  const pattern = str(f, "pathPattern", path, p);
  if (typeof pattern === "string") {
    try {
      fault.path = new RegExp(pattern);
    } catch {
      p.add(join(path, "pathPattern"), "Not a valid regular expression");
    }
  }
  const retryAfterSeconds = num(f, "retryAfterSeconds", path, p, { min: 0 });
  if (retryAfterSeconds !== undefined) fault.retryAfterSeconds = retryAfterSeconds;
  const delayMs = num(f, "delayMs", path, p, { min: 0 });
  if (delayMs !== undefined) fault.delayMs = delayMs;
  const times = num(f, "times", path, p, { min: 1, integer: true });
  if (times !== undefined) fault.times = times;
  return fault;
}
