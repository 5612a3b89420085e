// Plan-time rules: the names in the file (environments, stages) must exist in the live app,
// and flags to be created must be creatable. Pure; problems keep their file:line:col.
import type { DesiredState, DesiredTarget, Diagnostic, SourceLocation } from "../desired/model.js";
import { keyFormatExample, matchesKeyFormat } from "../api/flag-keys.js";
import { compare } from "../compare.js";
import type { LiveApp, LiveEnvironment } from "./live-state.js";

export interface ResolvedTargeting {
  envId: string;
  envName: string;
  companies: DesiredTarget[];
  users: DesiredTarget[];
}

export interface ResolvedFlag {
  key: string;
  name?: string;
  description?: string | null;
  stage?: { id: string; name: string };
  archived?: boolean;
  /** Sorted by environment name, then id. */
  targeting: ResolvedTargeting[];
  at: SourceLocation;
}

export interface ResolvedDesired {
  appId: string;
  prune: boolean;
  /** Sorted by key. */
  flags: ResolvedFlag[];
}

/** The live environment a reference in the file names: by id first, then by name. */
function resolveEnvironment(ref: string, environments: LiveEnvironment[]): LiveEnvironment | undefined {
  return environments.find((e) => e.id === ref) ?? environments.find((e) => e.name === ref);
}

export function resolveDesired(
  desired: DesiredState,
  app: LiveApp,
  existingFlagKeys: ReadonlySet<string>,
): { resolved?: ResolvedDesired; diagnostics: Diagnostic[] } {
  const { resolved, diagnostics } = resolveAll(desired, app, existingFlagKeys);
  return diagnostics.length > 0 ? { diagnostics } : { resolved, diagnostics };
}

/**
 * The file at an earlier revision, only to compare with the current one (`plan --base`): what
 * cannot be resolved any more (a renamed environment or stage) is left out instead of refused.
 */
export function resolveForComparison(desired: DesiredState, app: LiveApp): ResolvedDesired {
  return resolveAll(desired, app, new Set(desired.flags.map((f) => f.key))).resolved;
}

function resolveAll(
  desired: DesiredState,
  app: LiveApp,
  existingFlagKeys: ReadonlySet<string>,
): { resolved: ResolvedDesired; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const error = (at: SourceLocation, code: string, message: string, related?: SourceLocation[]) =>
    diagnostics.push({ severity: "error", code, message, ...at, ...(related ? { related } : {}) });
  const envNames = app.environments
    .map((e) => e.name)
    .sort(compare)
    .join(", ");
  const stageNames = app.stages.map((s) => s.name).join(", ");

  for (const [alias, target] of Object.entries(desired.environments)) {
    if (!resolveEnvironment(target.ref, app.environments)) {
      error(
        target.at,
        "unknown-environment",
        `alias '${alias}' names environment '${target.ref}', which app ${app.id} does not have (it has: ${envNames}; run 'reflag-sync describe' to list them)`,
      );
    }
  }

  const flags: ResolvedFlag[] = [];
  for (const flag of desired.flags) {
    const seen = new Map<string, { key: string; at: SourceLocation }>();
    const targeting: ResolvedTargeting[] = [];
    for (const t of flag.targeting) {
      const env = resolveEnvironment(t.ref, app.environments);
      if (!env) {
        // An alias whose value is unknown is reported once, at the alias.
        if (!(t.key in desired.environments)) {
          error(
            t.at,
            "unknown-environment",
            `flag '${flag.key}': '${t.key}' is neither an alias nor an environment of app ${app.id} (it has: ${envNames}; run 'reflag-sync describe' to list them)`,
          );
        }
        continue;
      }
      const previous = seen.get(env.id);
      if (previous) {
        error(
          t.at,
          "duplicate-environment",
          `flag '${flag.key}': environment ${env.name} is listed twice ('${previous.key}' at ${previous.at.file}:${previous.at.line}:${previous.at.col}, and '${t.key}' here)`,
          [previous.at],
        );
        continue;
      }
      seen.set(env.id, { key: t.key, at: t.at });
      targeting.push({ envId: env.id, envName: env.name, companies: t.companies, users: t.users });
    }

    let stage: ResolvedFlag["stage"];
    if (flag.stage) {
      const found =
        app.stages.find((s) => s.id === flag.stage!.ref) ??
        app.stages.find((s) => s.name === flag.stage!.ref);
      if (found) stage = { id: found.id, name: found.name };
      else
        error(
          flag.stage.at,
          "unknown-stage",
          `flag '${flag.key}': stage '${flag.stage.ref}' does not exist in app ${app.id} (it has: ${stageNames}; run 'reflag-sync describe' to list them)`,
        );
    }

    if (!existingFlagKeys.has(flag.key)) {
      if (flag.name === undefined) {
        error(
          flag.at,
          "create-needs-name",
          `flag '${flag.key}' does not exist in app ${app.id}; give it a 'name' to create it (or fix the key if it is a typo)`,
        );
      }
      if (!matchesKeyFormat(flag.key, app.flagKeyFormat)) {
        error(
          flag.at,
          "key-format",
          `flag '${flag.key}' cannot be created: app ${app.id} requires ${app.flagKeyFormat} keys (like '${keyFormatExample(app.flagKeyFormat)}')`,
        );
      }
    }

    targeting.sort((a, b) => compare(a.envName, b.envName) || compare(a.envId, b.envId));
    flags.push({
      key: flag.key,
      at: flag.at,
      ...(flag.name !== undefined ? { name: flag.name } : {}),
      ...(flag.description !== undefined ? { description: flag.description } : {}),
      ...(stage ? { stage } : {}),
      ...(flag.archived !== undefined ? { archived: flag.archived } : {}),
      targeting,
    });
  }

  diagnostics.sort((a, b) => compare(a.file, b.file) || a.line - b.line || a.col - b.col);
  flags.sort((a, b) => compare(a.key, b.key));
  return { resolved: { appId: desired.app, prune: desired.policy.prune, flags }, diagnostics };
}
