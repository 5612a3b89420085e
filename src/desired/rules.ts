// Semantic rules: what the schema cannot say. Each rule is small and reports through diagnostics.
import { isMap, isScalar } from "yaml";
import { MAX_ID_LENGTH } from "../api/types.js";
import { parseUntil } from "./dates.js";
import { diagnostic, INVISIBLE, quote, whereFrom } from "./diagnostics.js";
import type { FileDesired, FileEnvironment, FileFlag, FileTarget } from "./extract.js";
import type { Diagnostic, Severity, SourceLocation } from "./model.js";
import type { ParsedFile } from "./parse.js";
import type { DataPath } from "./positions.js";

export const SUPPORTED_VERSION = 1;

/** An unsupported version stops the file's checks: a future format would only yield noise. */
export function checkVersion(parsed: ParsedFile): Diagnostic | undefined {
  const root = parsed.doc.contents;
  const node = isMap(root) ? root.get("version", true) : undefined;
  // 1.5 is no version at all: the schema says what is allowed.
  if (!isScalar(node) || typeof node.value !== "number" || !Number.isInteger(node.value)) return undefined;
  if (node.value === SUPPORTED_VERSION) return undefined;
  const newer = node.value > SUPPORTED_VERSION ? "; a newer reflag-sync may read it" : "";
  const message = `unsupported version ${node.value}: this reflag-sync reads 'version: ${SUPPORTED_VERSION}' files${newer}`;
  return diagnostic("error", "unsupported-version", message, parsed.locator.offset(node.range?.[0] ?? 0));
}

/**
 * The rules that one file can be checked against on its own. `written`: the source text from a
 * location on, to tell an invisible character typed as it is from one written as an escape.
 */
export function fileRules(file: FileDesired, written?: WrittenAt): Diagnostic[] {
  const out: Diagnostic[] = [];
  const checkId = (what: string, id: string, at: SourceLocation) => checkOneId(out, what, id, at, written);
  if (file.app) checkId("app id", file.app.value, file.app.at);
  for (const { alias, at, ref } of file.aliases) {
    checkId("alias name", alias, at);
    if (ref.value === "") {
      const message = `alias ${quote(alias)} names no environment: give an environment name or id`;
      out.push(diagnostic("error", "alias-empty", message, ref.at));
    } else {
      checkId(`environment of alias ${quote(alias)}`, ref.value, ref.at);
    }
  }
  for (const flag of file.flags) {
    checkId("flag key", flag.key, flag.at);
    for (const env of flag.targeting) {
      checkId(`environment key in flag ${quote(flag.key)}`, env.key, env.at);
      checkTargets(out, checkId, flag, env, "company", env.companies);
      checkTargets(out, checkId, flag, env, "user", env.users);
    }
  }
  return out;
}

function checkTargets(
  out: Diagnostic[],
  checkId: (what: string, id: string, at: SourceLocation) => void,
  flag: FileFlag,
  env: FileEnvironment,
  kind: string,
  targets: FileTarget[],
): void {
  const seen = new Map<string, FileTarget>();
  for (const target of targets) {
    checkId(`${kind} id`, target.id, target.at);
    const until = target.untilWritten ? parseUntil(target.untilWritten.value) : undefined;
    if (target.untilWritten && until && !until.ok) {
      out.push(diagnostic("error", "invalid-date", `'until' ${until.message}`, target.untilWritten.at));
    }
    const first = seen.get(target.id);
    if (first) {
      // A plain repeat is a harmless slip (a warning; the repeat is ignored), but when the two
      // disagree on `until` nobody can tell which is meant, so that is an error.
      const untils = [first, target].map((t) =>
        t.untilWritten ? `until ${t.untilWritten.value}` : "without until",
      );
      const differ = untils[0] !== untils[1];
      const message =
        `${kind} ${quote(target.id)} is listed twice for flag ${quote(flag.key)} in ${quote(env.key)} ` +
        `(first at ${whereFrom(target.at, first.at)}${differ ? `, ${untils[0]} there and ${untils[1]} here` : ""})` +
        (differ ? `: list each ${kind} once` : "; the repeat is ignored");
      out.push(diagnostic(differ ? "error" : "warning", "duplicate-target", message, target.at, [first.at]));
    } else {
      seen.set(target.id, target);
    }
  }
}

export type WrittenAt = (at: SourceLocation) => string | undefined;

/**
 * Ids go to the API as written: an empty or over-long id is refused there, so it is an error. The
 * API takes any other text, so spaces around an id (which only quotes can write), control
 * characters (only escapes can) and invisible characters written as escapes (as export writes
 * them) are warnings; an invisible character typed as it is was pasted by accident: an error.
 */
function checkOneId(
  out: Diagnostic[],
  what: string,
  id: string,
  at: SourceLocation,
  written: WrittenAt | undefined,
): void {
  const problem = idProblem(what, id);
  if (!problem) return;
  const escaped = problem.invisible !== undefined && written?.(at)?.includes(problem.invisible) === false;
  out.push(diagnostic(escaped ? "warning" : problem.severity, problem.code, problem.message, at));
}

/** Printable ASCII, no space at either end: what nearly every id is, and needs no other check. */
const PLAIN_ID = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

function idProblem(
  what: string,
  id: string,
): { code: string; message: string; severity: Severity; invisible?: string } | undefined {
  if (id.length <= MAX_ID_LENGTH && PLAIN_ID.test(id)) return undefined;
  if (id === "") return { code: "empty-id", message: `empty ${what}`, severity: "error" };
  if (id.length > MAX_ID_LENGTH) {
    return {
      code: "id-too-long",
      message: `${what} is ${id.length} characters long; the limit is ${MAX_ID_LENGTH}`,
      severity: "error",
    };
  }
  const shown = JSON.stringify(id);
  if (/^\s|\s$/u.test(id))
    return {
      code: "id-whitespace",
      message: `${what} ${shown} has leading or trailing spaces`,
      severity: "warning",
    };
  if (/\p{Cc}/u.test(id))
    return {
      code: "id-control-character",
      message: `${what} ${shown} contains a control character`,
      severity: "warning",
    };
  // A zero-width joiner belongs in emoji; other invisible characters are pasted by accident.
  const invisible = [...id.matchAll(INVISIBLE)].find(([c]) => c !== "\u200D")?.[0];
  if (invisible !== undefined) {
    const message = `${what} ${quote(id)} contains an invisible character (U+${(invisible.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}): retype it`;
    return { code: "id-invisible-character", message, severity: "error", invisible };
  }
  return undefined;
}

/** Aliases of all files together: an alias must name an environment, not another alias. */
export function aliasRules(
  aliases: ReadonlyMap<string, { at: SourceLocation; ref: { value: string; at: SourceLocation } }>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const order = [...aliases.keys()];
  for (const [alias, { at, ref }] of aliases) {
    if (ref.value === alias) {
      const message = `alias ${quote(alias)} names itself: it is not needed`;
      out.push(diagnostic("warning", "alias-redundant", message, at));
      continue;
    }
    // prod: Production, Production: Staging -> is "prod" Production or Staging? Neither guess is
    // safe. The later of the two lines made the clash, so it is reported there.
    for (const [other, definition] of aliases) {
      if (other === alias || definition.ref.value !== alias) continue;
      if (order.indexOf(other) > order.indexOf(alias)) {
        // prod: Production, then p: prod -> an alias of an alias.
        const message =
          `alias ${quote(other)} names ${quote(alias)}, which is an alias itself (${whereFrom(definition.ref.at, at)}): ` +
          `an alias must name an environment; write ${quote(`${other}: ${ref.value}`)}`;
        out.push(diagnostic("error", "alias-shadows", message, definition.ref.at, [at]));
      } else {
        const message =
          `alias ${quote(alias)} shadows the environment ${quote(alias)} that alias ${quote(other)} ` +
          `names (${whereFrom(at, definition.ref.at)}): an alias must not reuse an environment's name`;
        out.push(diagnostic("error", "alias-shadows", message, at, [definition.ref.at]));
      }
    }
  }
  return out;
}

/** One flag must not list an environment twice, e.g. once by alias and once by name. */
export function environmentRules(flag: FileFlag, resolve: (key: string) => string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, FileEnvironment>();
  for (const env of flag.targeting) {
    const ref = resolve(env.key);
    const first = seen.get(ref);
    if (!first) {
      seen.set(ref, env);
      continue;
    }
    const message =
      `flag ${quote(flag.key)} lists environment ${quote(ref)} twice: as ${quote(first.key)} ` +
      `(${whereFrom(env.at, first.at)}) and as ${quote(env.key)}`;
    out.push(diagnostic("error", "duplicate-environment", message, env.at, [first.at]));
  }
  return out;
}

/**
 * Ids and names that YAML read as one plain value over several lines: `- acme-corp` followed by a
 * line `    - globex` indented too far gives the single id "acme-corp - globex", which is valid YAML
 * and would silently target a company that does not exist.
 */
export function runOnRules(parsed: ParsedFile, isClean: (path: DataPath) => boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (what: string, path: DataPath, value: unknown): void => {
    if (typeof value !== "string" || !isClean(path)) return;
    const next = parsed.locator.continuation(path);
    if (!next) return;
    const message =
      `${what} ${quote(value)} runs on into line ${next.line}: in YAML a line indented deeper than ` +
      "the one above continues its text; indent it like its neighbours";
    out.push(diagnostic("error", "run-on-value", message, next));
  };
  const data = parsed.value;
  if (!isRecord(data)) return out;
  check("app id", ["app"], data.app);
  if (isRecord(data.environments)) {
    for (const [alias, ref] of Object.entries(data.environments)) {
      check(`environment of alias ${quote(alias)}`, ["environments", alias], ref);
    }
  }
  if (Array.isArray(data.notifications)) {
    data.notifications.forEach((n, i) => check("notification channel", ["notifications", i], n));
  }
  if (!isRecord(data.flags)) return out;
  for (const [key, flag] of Object.entries(data.flags)) {
    if (!isRecord(flag)) continue;
    check("stage", ["flags", key, "stage"], flag.stage);
    if (!isRecord(flag.targeting)) continue;
    for (const [env, entry] of Object.entries(flag.targeting)) {
      if (!isRecord(entry)) continue;
      for (const [list, kind] of [
        ["companies", "company id"],
        ["users", "user id"],
      ] as const) {
        const targets = entry[list];
        if (!Array.isArray(targets)) continue;
        targets.forEach((target: unknown, i) => {
          const path = ["flags", key, "targeting", env, list, i];
          if (!isRecord(target)) return check(kind, path, target);
          check(kind, [...path, "id"], target.id);
          check("'until'", [...path, "until"], target.until);
        });
      }
    }
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
