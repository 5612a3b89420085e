// Live state as flag files: pure and deterministic (the same snapshot gives the same bytes), so a
// re-export of an unchanged app shows a clean `git diff`, and `plan` on the result shows no change.
import { Document, isMap, isNode, isScalar, visit, type YAMLMap } from "yaml";
import { compare } from "../compare.js";
import { INVISIBLE } from "../desired/diagnostics.js";
import type { Snapshot, SnapshotFlag } from "./snapshot.js";

export interface ExportOptions {
  /** Short aliases for environments (`prod: Production`) used as targeting keys. */
  aliases: boolean;
  /** name, description, stage, archived. */
  metadata: boolean;
  /** What the `$schema` line points at. */
  schemaRef: string;
  /** How the file was made, for the header: "reflag-sync export --flag 'checkout-*'". */
  command: string;
  /** An ISO instant for the header; absent keeps the output the same for the same live state. */
  exportedAt?: string;
}

export interface ExportedFile {
  /** A file name (split) or "" (the single file). */
  name: string;
  text: string;
}

/** Marks files that export wrote, so that `--split --force` may replace the stale ones. */
export const EXPORT_MARKER = "written by reflag-sync export";

/** Settings file of a split export; the underscore sorts it first in the directory. */
export const SETTINGS_FILE = "_app.yaml";
const UNGROUPED_FILE = "_ungrouped.yaml";

/** One file: settings and every flag. */
export function exportFile(snapshot: Snapshot, options: ExportOptions): string {
  const refs = environmentRefs(snapshot, options.aliases);
  return render(snapshot, options, {
    ...settings(snapshot, refs),
    flags: flagsMap(snapshot, snapshot.flags, refs, options.metadata),
  });
}

/**
 * A settings file plus one file per flag group: keys that share a first word (up to the first
 * `-`, `_`, `.`, `/`, `:` or capital letter) and at least one other flag; the rest go together.
 */
export function exportSplit(snapshot: Snapshot, options: ExportOptions): ExportedFile[] {
  const refs = environmentRefs(snapshot, options.aliases);
  const groups = new Map<string, SnapshotFlag[]>();
  for (const flag of snapshot.flags) {
    const group = groupOf(flag.key);
    const list = groups.get(group);
    if (list) list.push(flag);
    else groups.set(group, [flag]);
  }
  const files = new Map<string, SnapshotFlag[]>();
  for (const [group, flags] of groups) {
    const name = flags.length > 1 && group !== "" ? `${group}.yaml` : UNGROUPED_FILE;
    const list = files.get(name);
    if (list) for (const flag of flags) list.push(flag);
    else files.set(name, flags);
  }
  const out: ExportedFile[] = [
    { name: SETTINGS_FILE, text: render(snapshot, options, settings(snapshot, refs)) },
  ];
  for (const name of [...files.keys()].sort(compare)) {
    const flags = (files.get(name) ?? []).sort((a, b) => compare(a.key, b.key));
    out.push({
      name,
      text: render(snapshot, options, {
        version: 1,
        flags: flagsMap(snapshot, flags, refs, options.metadata),
      }),
    });
  }
  return out;
}

/** The first word of a key, as a lower-case file name; "" when it has none. */
function groupOf(key: string): string {
  const word = /^(?:[A-Z0-9]+(?![a-z])|[A-Za-z0-9][a-z0-9]*)/.exec(key)?.[0] ?? "";
  return word.length < key.length ? word.toLowerCase() : "";
}

/** How each environment is written under `targeting`, and the aliases that stand for them. */
interface EnvironmentRefs {
  byId: Map<string, string>;
  aliases?: Record<string, string>;
}

/** Names resolve after ids: a name that is not unique, or is another one's id, is written as the id. */
function refOf<T extends { id: string; name: string }>(item: T, all: readonly T[]): string {
  const ambiguous =
    all.some((o) => o !== item && (o.name === item.name || o.id === item.name)) || !isCleanKey(item.name);
  return ambiguous ? item.id : item.name;
}

/** Environments go by name (see refOf); aliases are short slugs of the names. */
function environmentRefs(snapshot: Snapshot, withAliases: boolean): EnvironmentRefs {
  const all = snapshot.app.environments;
  const byId = new Map<string, string>();
  if (!withAliases) {
    for (const env of snapshot.environments) byId.set(env.id, refOf(env, all));
    return { byId };
  }
  const aliases: Record<string, string> = {};
  const taken = new Set(all.flatMap((e) => [e.id, e.name]));
  for (const env of snapshot.environments) {
    const base = shortName(env.name);
    let alias = base;
    for (let n = 2; taken.has(alias) || Object.hasOwn(aliases, alias); n++) alias = `${base}-${n}`;
    aliases[alias] = refOf(env, all);
    byId.set(env.id, alias);
  }
  return { byId, aliases };
}

const SHORT_NAMES: Record<string, string> = {
  production: "prod",
  development: "dev",
  test: "test",
};

function shortName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return SHORT_NAMES[slug] ?? (slug === "" ? "env" : slug);
}

/** A name that validate accepts as an environment key without a warning. */
function isCleanKey(name: string): boolean {
  return name !== "" && name.trim() === name && !/\p{Cc}/u.test(name) && !hasInvisible(name);
}

function settings(snapshot: Snapshot, refs: EnvironmentRefs): Record<string, unknown> {
  return {
    version: 1,
    app: snapshot.app.id,
    ...(refs.aliases ? { environments: refs.aliases } : {}),
  };
}

function flagsMap(
  snapshot: Snapshot,
  flags: SnapshotFlag[],
  refs: EnvironmentRefs,
  metadata: boolean,
): Record<string, unknown> {
  const stages = snapshot.app.stages;
  const stageRefs = new Map(stages.map((s) => [s.id, refOf(s, stages)]));
  const out: Record<string, unknown> = {};
  for (const flag of flags) {
    const entry: Record<string, unknown> = {};
    if (metadata) {
      if (flag.name !== "") entry.name = flag.name;
      if (flag.description !== undefined) entry.description = flag.description;
      if (flag.stage) entry.stage = stageRefs.get(flag.stage.id) ?? flag.stage.id;
      entry.archived = flag.archived;
    }
    if (flag.targetingUnreadable) {
      out[flag.key] = entry;
      continue;
    }
    const targeting: Record<string, unknown> = {};
    for (const [envId, ref] of [...refs.byId].sort(([, a], [, b]) => compare(a, b))) {
      const live = flag.targeting.get(envId) ?? { companies: [], users: [] };
      const env: Record<string, string[]> = {};
      if (live.companies.length > 0) env.companies = [...live.companies].sort(compare);
      if (live.users.length > 0) env.users = [...live.users].sort(compare);
      targeting[ref] = env;
    }
    entry.targeting = targeting;
    out[flag.key] = entry;
  }
  return out;
}

function render(snapshot: Snapshot, options: ExportOptions, data: Record<string, unknown>): string {
  const doc = new Document(data, { schema: "core", aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === "string" && mustDoubleQuote(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  // Blank lines before the aliases, the flags and between flags keep a long file readable.
  for (const pair of (doc.contents as YAMLMap).items) {
    if (isScalar(pair.key) && (pair.key.value === "environments" || pair.key.value === "flags")) {
      spaceBefore(pair.key);
    }
  }
  const flags = doc.get("flags", true);
  if (isMap(flags)) flags.items.forEach((pair, i) => i > 0 && spaceBefore(pair.key));
  const body = escapeInvisible(doc.toString({ lineWidth: 0, minContentWidth: 0 }));
  return `${header(snapshot, options)}${body}`;
}

function spaceBefore(node: unknown): void {
  if (isNode(node)) node.spaceBefore = true;
}

function header(snapshot: Snapshot, options: ExportOptions): string {
  const app = `${comment(JSON.stringify(snapshot.app.name))} (${comment(snapshot.app.id)})`;
  const lines = [
    `# yaml-language-server: $schema=${options.schemaRef}`,
    "#",
    `# Live state of Reflag app ${app}, ${EXPORT_MARKER}:`,
    `#   ${comment(options.command)}`,
    ...(options.exportedAt ? [`# Exported at ${options.exportedAt}.`] : []),
    "# Every flag listed here is managed: `reflag-sync plan` shows drift, `reflag-sync apply` undoes it.",
  ];
  return `${lines.join("\n")}\n`;
}

/** Comment text on one line, with nothing invisible in it. */
function comment(text: string): string {
  return text.replace(/\p{Cc}/gu, "?").replace(INVISIBLE, (c) => yamlEscape(c));
}

/**
 * Plain scalars that YAML 1.1 tools (editors, linters) would read as something else are quoted
 * too, though our core-schema parser reads them as strings: 2026-01-01, 012, yes, off, 1_000.
 */
const YAML11_SPECIAL =
  /^(?:[-+.]?[0-9].*|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)|y|Y|n|N|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|=)$/s;

function mustDoubleQuote(value: string): boolean {
  return YAML11_SPECIAL.test(value) || hasInvisible(value) || /\p{Cs}/u.test(value);
}

/** INVISIBLE without its global flag: a cheap first test, as nearly every id has none. */
const ANY_INVISIBLE = new RegExp(INVISIBLE.source, "u");

function hasInvisible(value: string): boolean {
  if (!ANY_INVISIBLE.test(value)) return false;
  for (const [c] of value.matchAll(INVISIBLE)) if (c !== "\u200D") return true;
  return false;
}

/**
 * Invisible characters (other than the zero-width joiner of emoji) are written as escapes, which
 * validate takes as meant; they only occur in double-quoted scalars (mustDoubleQuote) and comments.
 */
function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => (c === "\u200D" ? c : yamlEscape(c)));
}

function yamlEscape(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code > 0xffff
    ? `\\U${code.toString(16).toUpperCase().padStart(8, "0")}`
    : `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
}
