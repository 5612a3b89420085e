// ajv's errors -> readable diagnostics at the YAML position they concern: the offending key for
// an unknown key, the map for a missing key, the value otherwise.
import type { ErrorObject } from "ajv";
import { diagnostic, quote } from "./diagnostics.js";
import type { Diagnostic, SourceLocation } from "./model.js";
import { pointerToPath } from "./positions.js";
import type { DataPath, Locator } from "./positions.js";
import { closest } from "./suggest.js";

const FLAG_FIELDS = ["name", "description", "stage", "archived", "targeting"];
const TARGET_LISTS = ["companies", "users"];
const DATE_HINT = "a date (2026-12-31) or a date-time (2026-12-31T18:00:00Z)";
const MERGE_KEY_HINT = "share a list with an anchor (&name) and alias (*name) instead";

export function schemaDiagnostics(errors: readonly ErrorObject[], locator: Locator): Diagnostic[] {
  return collapseTargetAlternatives(errors).map((error) => describeError(error, locator));
}

/**
 * A target is an id or a { id, until } map; ajv reports both alternatives. Keep the map's errors
 * when a map was written, else say once what a target may be.
 */
function collapseTargetAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  const anyOf = errors.filter((e) => e.keyword === "anyOf");
  if (anyOf.length === 0) return [...errors];
  const objectAt = new Set(anyOf.filter((e) => isMap(e.data)).map((e) => e.instancePath));
  const scalarAt = anyOf.filter((e) => !isMap(e.data)).map((e) => e.instancePath);
  return errors.filter((e) => {
    if (e.keyword === "anyOf") return !objectAt.has(e.instancePath);
    if (objectAt.has(e.instancePath) && e.keyword === "type") return false;
    return !scalarAt.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
  });
}

function describeError(e: ErrorObject, locator: Locator): Diagnostic {
  const path = pointerToPath(e.instancePath);
  const label = describePath(path);
  const params = e.params as Record<string, unknown>;
  // `key:` with nothing after it: the key is what the eye finds, not the end of the line.
  const at =
    (e.data === null && locator.written(path) === "") || misplacedHint(path)
      ? locator.key(path)
      : locator.value(path);
  switch (e.keyword) {
    case "anyOf": {
      const message = `${label} must be an id (a string) or a map { id, until }, not ${describeValue(e.data)}`;
      return diagnostic("error", "wrong-type", message + quoteHint(e.data, path, locator), at);
    }
    case "type":
      return typeError(e, path, label, locator, at);
    case "required": {
      const missing = String(params.missingProperty);
      const message =
        path.length === 0 && missing === "version"
          ? "missing 'version: 1' (the file format version) at the top of the file"
          : `${label} needs '${missing}'`;
      return diagnostic("error", "missing-key", message, at);
    }
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const keyPath = [...path, key];
      const message = unknownKeyMessage(key, path, label, allowedKeys(e.parentSchema), e.data);
      return diagnostic("error", "unknown-key", message, locator.key(keyPath));
    }
    case "const": {
      const message = `${label} must be ${JSON.stringify(params.allowedValue)}, not ${describeValue(e.data)}`;
      return diagnostic("error", "invalid-value", message, at);
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const suggestion = typeof e.data === "string" ? closest(e.data, allowed) : undefined;
      const message =
        `${label} must be one of ${allowed.join(", ")}, not ${describeValue(e.data)}` +
        (suggestion ? `; did you mean '${suggestion}'?` : "");
      return diagnostic("error", "invalid-value", message, at);
    }
    case "minimum":
    case "maximum": {
      const bound = e.keyword === "minimum" ? "at least" : "at most";
      const message = `${label} must be ${bound} ${String(params.limit)}, not ${String(e.data)}`;
      return diagnostic("error", "invalid-value", message, at);
    }
    case "minLength":
      return diagnostic("error", "invalid-value", `${label} must not be empty`, at);
    case "uniqueItems": {
      const second = Math.max(Number(params.i), Number(params.j));
      const item = Array.isArray(e.data) ? e.data[second] : undefined;
      const message = `${describeValue(item)} is listed twice in ${label}`;
      return diagnostic("error", "invalid-value", message, locator.value([...path, second]));
    }
    case "pattern":
      // `until` is the only string with a pattern.
      return diagnostic(
        "error",
        "invalid-date",
        `${label} must be ${DATE_HINT}, not ${describeValue(e.data)}`,
        at,
      );
    default:
      return diagnostic("error", "schema", `${label} ${e.message ?? "is invalid"}`, at);
  }
}

function typeError(
  e: ErrorObject,
  path: string[],
  label: string,
  locator: Locator,
  at: SourceLocation,
): Diagnostic {
  const types = String((e.params as { type?: unknown }).type).split(",");
  const expected = types.map(describeType).join(" or ");
  if (e.data === null) {
    if (path[0] === "environments" && path.length === 2) {
      return diagnostic(
        "error",
        "alias-empty",
        `${label} names no environment: give an environment name or id`,
        at,
      );
    }
    const hint =
      misplacedHint(path) ||
      (path.length === 4 && path[2] === "targeting" ? " (write {} for no targets)" : "");
    return diagnostic("error", "wrong-type", `${label} has no value: expected ${expected}${hint}`, at);
  }
  if (path.length === 0) {
    const message = `the file must be a map of settings and flags (key: value lines), not ${describeValue(e.data)}`;
    return diagnostic("error", "wrong-type", message, at);
  }
  const message = `${label} must be ${expected}, not ${describeValue(e.data)}`;
  return diagnostic("error", "wrong-type", message + typeHint(e.data, path, types, locator), at);
}

/** How to write what was meant, for the mistakes people make. */
function typeHint(value: unknown, path: string[], types: string[], locator: Locator): string {
  const misplaced = misplacedHint(path);
  if (misplaced) return misplaced;
  if (types.includes("string")) return quoteHint(value, path, locator);
  const inTargeting = path[0] === "flags" && path[2] === "targeting";
  // Production: [acme-corp] -> the lists go under companies: and users:.
  if (inTargeting && path.length === 4 && !isMap(value)) {
    return " (write 'companies: [...]' and 'users: [...]' under it)";
  }
  // companies:\n  -acme-corp -> the dash needs a space to make a list item.
  if (typeof value === "string" && /^-[^\s-]/.test(value) && types.includes("array")) {
    return `: a list item needs a space after '-' (${quote(`- ${value.slice(1)}`)})`;
  }
  // companies: acme-corp -> a list of one.
  if (inTargeting && path.length === 5 && types.includes("array") && !isMap(value) && !Array.isArray(value)) {
    const written = locator.written(path) ?? String(value);
    return written.length <= 60 ? `: write [${written}] for a list of one` : "";
  }
  return "";
}

function unknownKeyMessage(
  key: string,
  path: string[],
  label: string,
  allowed: string[],
  parent: unknown,
): string {
  const where = path.length === 0 ? "at the top level" : `in ${label}`;
  if (key === "<<") return `YAML merge keys (<<) are not supported ${where}: ${MERGE_KEY_HINT}`;
  const suggestion = closest(key, allowed);
  if (suggestion) return `unknown key ${quote(key)} ${where}; did you mean '${suggestion}'?`;
  // A misplaced block shows by what it holds: flag fields at the top, target lists in a flag.
  const value = isMap(parent) ? parent[key] : undefined;
  const holds = (keys: string[]): boolean => isMap(value) && Object.keys(value).some((k) => keys.includes(k));
  if (path.length === 0 && holds(FLAG_FIELDS))
    return `unknown key ${quote(key)} at the top level: flags go under 'flags:'`;
  if (path[0] === "flags" && path.length === 2 && holds(TARGET_LISTS)) {
    return `unknown key ${quote(key)} ${where}: environments go under 'targeting:'`;
  }
  return `unknown key ${quote(key)} ${where}; allowed: ${allowed.join(", ")}`;
}

/** Says where in the file a path is, in the file's own words. */
export function describePath(path: readonly string[]): string {
  const [first, flag, field, env, list, , targetField] = path;
  if (first === undefined) return "the file";
  if (first === "flags" && flag !== undefined) {
    const ofFlag = `flag ${quote(flag)}`;
    if (field === undefined) return ofFlag;
    if (field !== "targeting" || env === undefined) return `'${field}' of ${ofFlag}`;
    const inEnv = `${ofFlag} in ${quote(env)}`;
    if (list === undefined) return `environment ${quote(env)} of ${ofFlag}`;
    if (path.length === 5) return `'${list}' of ${inEnv}`;
    if (targetField === undefined) return `a target in '${list}' of ${inEnv}`;
    return `'${targetField}' of a target in '${list}' of ${inEnv}`;
  }
  if (first === "environments" && flag !== undefined) return `alias ${quote(flag)}`;
  if (first === "notifications" && flag !== undefined) return "a notification channel";
  return `'${path.join(".")}'`;
}

function describeType(type: string): string {
  const words: Record<string, string> = {
    string: "a string",
    boolean: "true or false",
    integer: "a whole number",
    number: "a number",
    object: "a map (key: value)",
    array: "a list",
    null: "null",
  };
  return words[type] ?? type;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing (null)";
  if (typeof value === "string") return `the string ${quote(value)}`;
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return String(value);
  return Array.isArray(value) ? "a list" : "a map";
}

/** A flag field read as a flag, a target list read as an environment: indented one level short. */
function misplacedHint(path: string[]): string {
  const [first, , field, env] = path;
  if (first !== "flags") return "";
  if (path.length === 2 && FLAG_FIELDS.includes(path[1] ?? "")) {
    return ` ('${path[1]}' is a flag field: indent it under its flag)`;
  }
  if (path.length === 4 && field === "targeting" && TARGET_LISTS.includes(env ?? "")) {
    return ` ('${env}' belongs under an environment: indent it under one)`;
  }
  return "";
}

/** YAML reads 42, 007 and true as numbers and booleans; text must be quoted to stay as written. */
function quoteHint(value: unknown, path: DataPath, locator: Locator): string {
  if (typeof value !== "number" && typeof value !== "boolean") return "";
  const written = locator.written(path) ?? String(value);
  return `: quote it ("${written}") to keep it as text`;
}

function allowedKeys(schema: unknown): string[] {
  const properties = isMap(schema) ? schema.properties : undefined;
  return isMap(properties) ? Object.keys(properties) : [];
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
