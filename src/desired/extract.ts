// One parsed file -> its part of the desired state, with positions. Only what the schema found
// well-formed is taken, so the rules can still check the rest of a file that has schema errors.
import type { Notification } from "../api/types.js";
import type { EnvironmentTargeting, Flag, FlagsFile, Policy, Target } from "./file-format.generated.js";
import type { SourceLocation } from "./model.js";
import type { ParsedFile } from "./parse.js";
import type { DataPath } from "./positions.js";

export interface Located<T> {
  value: T;
  at: SourceLocation;
}

/** Without `untilWritten` it is a DesiredTarget as it stands, and the desired state keeps it. */
export interface FileTarget {
  id: string;
  at: SourceLocation;
  /** `until` as written, and where. */
  untilWritten?: Located<string>;
}

export interface FileEnvironment {
  key: string;
  at: SourceLocation;
  companies: FileTarget[];
  users: FileTarget[];
}

export interface FileFlag {
  key: string;
  at: SourceLocation;
  name?: string;
  description?: string | null;
  stage?: Located<string>;
  archived?: boolean;
  targeting: FileEnvironment[];
}

export interface FileAlias {
  alias: string;
  at: SourceLocation;
  ref: Located<string>;
}

export interface FileDesired {
  file: string;
  /** Where the document starts: a missing top-level setting is reported here. */
  at: SourceLocation;
  /** False when the document is not a map at all: the file then says nothing about settings. */
  isMap: boolean;
  /** `app:` is written, even if its value is invalid: then "app missing" would be a false alarm. */
  mentionsApp: boolean;
  app?: Located<string>;
  changeDescription?: Located<string>;
  notifications?: Located<Notification[]>;
  prune?: Located<boolean>;
  maxChanges?: Located<number>;
  maxRemovalShare?: Located<number>;
  aliases: FileAlias[];
  flags: FileFlag[];
}

export function extractFile(parsed: ParsedFile, isClean: (path: DataPath) => boolean): FileDesired {
  const { locator } = parsed;
  const result: FileDesired = {
    file: parsed.file,
    at: locator.value([]),
    isMap: isRecord(parsed.value),
    mentionsApp: false,
    aliases: [],
    flags: [],
  };
  if (!isRecord(parsed.value)) return result;
  // Containers are checked here; a leaf is trusted to have its generated type when isClean says so.
  const data = parsed.value as Partial<FlagsFile>;
  const take = <T>(path: DataPath, value: T | undefined): Located<T> | undefined =>
    value !== undefined && isClean(path) ? { value, at: locator.value(path) } : undefined;

  result.mentionsApp = "app" in data;
  const app = take(["app"], data.app);
  if (app) result.app = app;
  const changeDescription = take(["changeDescription"], data.changeDescription);
  if (changeDescription) result.changeDescription = changeDescription;
  const notifications = take(["notifications"], data.notifications);
  if (notifications) result.notifications = notifications;
  if (isRecord(data.policy)) {
    const policy: Policy = data.policy;
    const prune = take(["policy", "prune"], policy.prune);
    if (prune) result.prune = prune;
    const maxChanges = take(["policy", "maxChanges"], policy.maxChanges);
    if (maxChanges) result.maxChanges = maxChanges;
    const maxRemovalShare = take(["policy", "maxRemovalShare"], policy.maxRemovalShare);
    if (maxRemovalShare) result.maxRemovalShare = maxRemovalShare;
  }
  if (isRecord(data.environments)) {
    for (const [alias, ref] of Object.entries(data.environments)) {
      const value = take(["environments", alias], ref);
      if (value) result.aliases.push({ alias, at: locator.key(["environments", alias]), ref: value });
    }
  }
  if (isRecord(data.flags)) {
    for (const [key, flag] of Object.entries(data.flags)) {
      result.flags.push(extractFlag(parsed, isClean, key, flag));
    }
  }
  return result;
}

function extractFlag(
  parsed: ParsedFile,
  isClean: (path: DataPath) => boolean,
  key: string,
  raw: Flag | undefined,
): FileFlag {
  const { locator } = parsed;
  const base = ["flags", key];
  const flag: FileFlag = { key, at: locator.key(base), targeting: [] };
  if (!isRecord(raw)) return flag;
  const clean = (field: string): boolean => isClean([...base, field]);
  if (raw.name !== undefined && clean("name")) flag.name = raw.name;
  if (raw.description !== undefined && clean("description")) flag.description = raw.description;
  if (raw.stage !== undefined && clean("stage"))
    flag.stage = { value: raw.stage, at: locator.value([...base, "stage"]) };
  if (raw.archived !== undefined && clean("archived")) flag.archived = raw.archived;
  if (isRecord(raw.targeting)) {
    for (const [env, entry] of Object.entries(raw.targeting)) {
      const path = [...base, "targeting", env];
      const environment: FileEnvironment = { key: env, at: locator.key(path), companies: [], users: [] };
      if (isRecord(entry)) {
        const targeting: EnvironmentTargeting = entry;
        environment.companies = extractTargets(parsed, isClean, [...path, "companies"], targeting.companies);
        environment.users = extractTargets(parsed, isClean, [...path, "users"], targeting.users);
      }
      flag.targeting.push(environment);
    }
  }
  return flag;
}

function extractTargets(
  parsed: ParsedFile,
  isClean: (path: DataPath) => boolean,
  path: DataPath,
  list: Target[] | undefined,
): FileTarget[] {
  if (!Array.isArray(list)) return [];
  const targets: FileTarget[] = [];
  list.forEach((item, index) => {
    const itemPath = [...path, index];
    if (!isClean(itemPath)) return;
    if (typeof item === "string") {
      targets.push({ id: item, at: parsed.locator.value(itemPath) });
      return;
    }
    const target: FileTarget = { id: item.id, at: parsed.locator.value([...itemPath, "id"]) };
    if (item.until !== undefined)
      target.untilWritten = { value: item.until, at: parsed.locator.value([...itemPath, "until"]) };
    targets.push(target);
  });
  return targets;
}

/** A YAML map (not a list, not null); narrows a generated type's `T | undefined` to `T`. */
function isRecord(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
