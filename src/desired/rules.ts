// Semantic rules: what the schema cannot say. Each rule is small and reports through diagnostics.
import { isMap, isScalar } from "yaml";
import { parseUntil } from "./dates.js";
import { diagnostic, quote, whereFrom } from "./diagnostics.js";
import type { FileDesired, FileEnvironment, FileFlag, FileTarget } from "./extract.js";
import type { Diagnostic, SourceLocation } from "./model.js";
import type { ParsedFile } from "./parse.js";

export const SUPPORTED_VERSION = 1;
export const MAX_ID_LENGTH = 256;

/** An unsupported version stops the file's checks: a future format would only yield noise. */
export function checkVersion(parsed: ParsedFile): Diagnostic | undefined {
  const root = parsed.doc.contents;
  const node = isMap(root) ? root.get("version", true) : undefined;
  if (!isScalar(node) || typeof node.value !== "number" || node.value === SUPPORTED_VERSION) return undefined;
  const newer = node.value > SUPPORTED_VERSION ? "; a newer reflag-sync may read it" : "";
  const message = `unsupported version ${node.value}: this reflag-sync reads 'version: ${SUPPORTED_VERSION}' files${newer}`;
  return diagnostic("error", "unsupported-version", message, parsed.locator.offset(node.range?.[0] ?? 0));
}

/** The rules that one file can be checked against on its own. */
export function fileRules(file: FileDesired): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (file.app) checkId(out, "app id", file.app.value, file.app.at);
  for (const { alias, at, ref } of file.aliases) {
    checkId(out, "alias name", alias, at);
    if (ref.value === "") {
      const message = `alias ${quote(alias)} names no environment: give an environment name or id`;
      out.push(diagnostic("error", "alias-empty", message, ref.at));
    } else {
      checkId(out, `environment of alias ${quote(alias)}`, ref.value, ref.at);
    }
  }
  for (const flag of file.flags) {
    checkId(out, "flag key", flag.key, flag.at);
    for (const env of flag.targeting) {
      checkId(out, `environment key in flag ${quote(flag.key)}`, env.key, env.at);
      checkTargets(out, flag, env, "company", env.companies);
      checkTargets(out, flag, env, "user", env.users);
    }
  }
  return out;
}

function checkTargets(
  out: Diagnostic[],
  flag: FileFlag,
  env: FileEnvironment,
  kind: string,
  targets: FileTarget[],
): void {
  const seen = new Map<string, FileTarget>();
  for (const target of targets) {
    checkId(out, `${kind} id`, target.id, target.at);
    const until = target.until ? parseUntil(target.until.value) : undefined;
    if (target.until && until && !until.ok) {
      out.push(diagnostic("error", "invalid-date", `'until' ${until.message}`, target.until.at));
    }
    const first = seen.get(target.id);
    if (first) {
      const message =
        `${kind} ${quote(target.id)} is listed twice for flag ${quote(flag.key)} in ${quote(env.key)} ` +
        `(first at ${whereFrom(target.at, first.at)}); the repeat is ignored`;
      out.push(diagnostic("warning", "duplicate-target", message, target.at, [first.at]));
    } else {
      seen.set(target.id, target);
    }
  }
}

/** Ids go to the API as written: an empty, over-long or space-padded id is a typo, not an id. */
function checkId(out: Diagnostic[], what: string, id: string, at: SourceLocation): void {
  const problem = idProblem(what, id);
  if (problem) out.push(diagnostic("error", problem.code, problem.message, at));
}

function idProblem(what: string, id: string): { code: string; message: string } | undefined {
  if (id === "") return { code: "empty-id", message: `empty ${what}` };
  if (id.length > MAX_ID_LENGTH) {
    return {
      code: "id-too-long",
      message: `${what} is ${id.length} characters long; the limit is ${MAX_ID_LENGTH}`,
    };
  }
  const shown = JSON.stringify(id);
  if (/^\s|\s$/u.test(id))
    return { code: "id-whitespace", message: `${what} ${shown} has leading or trailing spaces` };
  if (/\p{Cc}/u.test(id))
    return { code: "id-control-character", message: `${what} ${shown} contains a control character` };
  return undefined;
}

/** Aliases of all files together: an alias must name an environment, not another alias. */
export function aliasRules(
  aliases: ReadonlyMap<string, { at: SourceLocation; ref: { value: string; at: SourceLocation } }>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [alias, { at, ref }] of aliases) {
    if (ref.value === alias) {
      const message = `alias ${quote(alias)} names itself: it is not needed`;
      out.push(diagnostic("warning", "alias-redundant", message, at));
      continue;
    }
    // prod: Production, Production: Staging -> is "prod" Production or Staging? Neither guess is safe.
    for (const [other, definition] of aliases) {
      if (other === alias || definition.ref.value !== alias) continue;
      const message =
        `alias ${quote(alias)} shadows the environment ${quote(alias)} that alias ${quote(other)} ` +
        `names (${whereFrom(at, definition.ref.at)}): an alias must not reuse an environment's name`;
      out.push(diagnostic("error", "alias-shadows", message, at, [definition.ref.at]));
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
