// What `describe` shows of the app a key reaches: the names a flag file may use. Pure; no SDK keys.
import { keyFormatExample } from "../api/flag-keys.js";
import type { FlagKeyFormat } from "../api/types.js";
import type { SnapshotApp } from "./snapshot.js";

export interface AppDescription {
  app: { id: string; name: string; flagKeyFormat: FlagKeyFormat };
  /** Sorted by name. */
  environments: Array<{ name: string; id: string; isProduction: boolean }>;
  /** In the app's order. */
  stages: Array<{ name: string; id: string }>;
  flags: { total: number; archived: number };
}

export function describeApp(app: SnapshotApp, flags: ReadonlyArray<{ archived: boolean }>): AppDescription {
  return {
    app: { id: app.id, name: app.name, flagKeyFormat: app.flagKeyFormat },
    environments: app.environments.map((e) => ({ name: e.name, id: e.id, isProduction: e.isProduction })),
    stages: app.stages.map((s) => ({ name: s.name, id: s.id })),
    flags: { total: flags.length, archived: flags.filter((f) => f.archived).length },
  };
}

export function describeText(d: AppDescription): string {
  const lines = [
    `App ${d.app.id} ${JSON.stringify(d.app.name)}`,
    `  flag key format  ${d.app.flagKeyFormat} (like ${keyFormatExample(d.app.flagKeyFormat)})`,
    `  flags            ${d.flags.total} (${d.flags.archived} archived)`,
    "",
    "Environments (a flag's targeting keys: name or id):",
    ...table(d.environments.map((e) => [show(e.name), e.id, e.isProduction ? "production" : ""])),
    "",
    "Stages (a flag's stage: name or id):",
    ...table(d.stages.map((s) => [show(s.name), s.id])),
    "",
  ];
  return `${lines.join("\n")}\n`;
}

/** Names print bare unless quotes are needed to see where they start and end. */
function show(name: string): string {
  return /^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u.test(name) && name.trimEnd() === name
    ? name
    : JSON.stringify(name);
}

function table(rows: string[][]): string[] {
  if (rows.length === 0) return ["  (none)"];
  const widths = rows[0]!.map((_, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? "").length), 0));
  return rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd());
}
