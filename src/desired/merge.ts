// Several files -> one desired state: settings must agree, a flag is defined once, aliases resolve.
import { pushAll } from "../arrays.js";
import { compare } from "../compare.js";
import type { Notification } from "../api/types.js";
import { parseUntil } from "./dates.js";
import { diagnostic, quote, where, wholeFile } from "./diagnostics.js";
import type { FileAlias, FileDesired, FileFlag, FileTarget, Located } from "./extract.js";
import { DEFAULT_POLICY } from "./model.js";
import type { DesiredFlag, DesiredState, DesiredTarget, Diagnostic } from "./model.js";
import { aliasRules, environmentRules } from "./rules.js";

export interface MergeResult {
  /** Complete only when `diagnostics` (and the earlier stages) hold no error. */
  state: DesiredState;
  diagnostics: Diagnostic[];
}

/**
 * `complete` is false when a file could not be read or parsed: then a setting that seems missing
 * may just be in that file, so its absence is not reported.
 */
export function mergeFiles(files: readonly FileDesired[], complete: boolean): MergeResult {
  const diagnostics: Diagnostic[] = [];
  const setting = <T>(
    name: string,
    pick: (f: FileDesired) => Located<T> | undefined,
  ): Located<T> | undefined => {
    let first: Located<T> | undefined;
    for (const file of files) {
      const next = pick(file);
      if (!next) continue;
      if (!first) first = next;
      else if (!sameValue(first.value, next.value)) diagnostics.push(conflict(name, first, next));
    }
    return first;
  };
  const app = setting("app", (f) => f.app);
  const changeDescription = setting("changeDescription", (f) => f.changeDescription);
  const notifications = setting<Notification[]>("notifications", (f) => f.notifications);
  const prune = setting("policy.prune", (f) => f.prune);
  const maxChanges = setting("policy.maxChanges", (f) => f.maxChanges);
  const maxRemovalShare = setting("policy.maxRemovalShare", (f) => f.maxRemovalShare);

  const aliases = new Map<string, FileAlias>();
  for (const alias of files.flatMap((f) => f.aliases)) {
    const first = aliases.get(alias.alias);
    if (!first) aliases.set(alias.alias, alias);
    else if (first.ref.value !== alias.ref.value)
      diagnostics.push(conflict(`environments.${alias.alias}`, first.ref, alias.ref));
  }
  pushAll(diagnostics, aliasRules(aliases));
  const resolve = (key: string): string => aliases.get(key)?.ref.value ?? key;

  const flags = new Map<string, FileFlag>();
  for (const flag of files.flatMap((f) => f.flags)) {
    const first = flags.get(flag.key);
    if (first) {
      const message = `flag ${quote(flag.key)} is defined twice: here and at ${where(first.at)}; define each flag in one file`;
      diagnostics.push(diagnostic("error", "duplicate-flag", message, flag.at, [first.at]));
      continue;
    }
    flags.set(flag.key, flag);
    pushAll(diagnostics, environmentRules(flag, resolve));
  }

  const firstFile = files[0];
  if (!app && complete && firstFile && !files.some((f) => f.mentionsApp)) {
    const message = "no 'app' given: add 'app: <Reflag app id>' to one of the files";
    diagnostics.push(diagnostic("error", "missing-app", message, firstFile.at));
  }

  const environments: DesiredState["environments"] = Object.create(null) as DesiredState["environments"];
  for (const [alias, { ref }] of aliases) environments[alias] = { ref: ref.value, at: ref.at };
  const state: DesiredState = {
    app: app?.value ?? "",
    appAt: app?.at ?? wholeFile(firstFile?.file ?? ""),
    policy: {
      prune: prune?.value ?? DEFAULT_POLICY.prune,
      maxChanges: maxChanges?.value ?? DEFAULT_POLICY.maxChanges,
      maxRemovalShare: maxRemovalShare?.value ?? DEFAULT_POLICY.maxRemovalShare,
    },
    environments,
    flags: [...flags.values()].map((f) => toDesiredFlag(f, resolve)).sort((a, b) => compare(a.key, b.key)),
    files: files.map((f) => f.file),
  };
  if (changeDescription) state.changeDescription = changeDescription.value;
  if (notifications) state.notifications = notifications.value;
  return { state, diagnostics };
}

function toDesiredFlag(flag: FileFlag, resolve: (key: string) => string): DesiredFlag {
  const desired: DesiredFlag = {
    key: flag.key,
    at: flag.at,
    targeting: flag.targeting.map((env) => ({
      key: env.key,
      ref: resolve(env.key),
      at: env.at,
      companies: toTargets(env.companies),
      users: toTargets(env.users),
    })),
  };
  if (flag.name !== undefined) desired.name = flag.name;
  if (flag.description !== undefined) desired.description = flag.description;
  if (flag.stage) desired.stage = { ref: flag.stage.value, at: flag.stage.at };
  if (flag.archived !== undefined) desired.archived = flag.archived;
  return desired;
}

/** File order; a repeated id is an error of the rules, and only its first entry is kept. */
function toTargets(targets: readonly FileTarget[]): DesiredTarget[] {
  const seen = new Set<string>();
  const out: DesiredTarget[] = [];
  for (const target of targets) {
    if (seen.has(target.id)) continue;
    seen.add(target.id);
    // Held once: the file's target is the desired one unless `until` needs reading.
    if (!target.untilWritten) {
      out.push(target);
      continue;
    }
    const desired: DesiredTarget = { id: target.id, at: target.at };
    const until = parseUntil(target.untilWritten.value);
    if (until.ok) {
      desired.until = until.instant;
      desired.untilText = target.untilWritten.value;
    }
    out.push(desired);
  }
  return out;
}

function conflict<T>(name: string, first: Located<T>, next: Located<T>): Diagnostic {
  const message =
    `'${name}' is ${show(next.value)} here but ${show(first.value)} at ${where(first.at)}; ` +
    "settings given in several files must agree";
  return diagnostic("error", "settings-conflict", message, next.at, [first.at]);
}

function show(value: unknown): string {
  return typeof value === "string" ? quote(value) : JSON.stringify(value);
}

/** Notification lists compare as sets: their order means nothing. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  return a === b;
}
