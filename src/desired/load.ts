// Files on disk -> desired state: read (I/O) then the pure validation pipeline.
import { createHash } from "node:crypto";
import { hasErrors, sortDiagnostics } from "./diagnostics.js";
import { DEFAULT_FILE } from "./constants.js";
import { readSources } from "./read.js";
import type { SourceText } from "./read.js";
import { validateDocuments } from "./validate.js";
import type { LoadResult } from "./validate.js";
import type { Diagnostic } from "./model.js";

export interface LoadOptions {
  /** Relative paths are resolved against it, and shown as given. */
  cwd: string;
  now: Date;
  /** Warn about time-bound targets expiring within this window (default 7 days). */
  warnExpiringMs?: number;
  /** Larger files are refused (default 5 MiB). */
  maxFileBytes?: number;
}

export interface LoadedFiles extends LoadResult {
  /** A hash of the files read (paths and bytes), valid or not: the revision a reconcile acts on. */
  revision: string;
}

/** Reads files and directories (none: DEFAULT_FILE), validates them, merges them. */
export async function loadDesired(paths: string[], options: LoadOptions): Promise<LoadedFiles> {
  const read = await readSources(paths.length > 0 ? paths : [DEFAULT_FILE], {
    cwd: options.cwd,
    ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
  });
  const result = validateDocuments(read.sources, {
    now: options.now,
    complete: !hasErrors(read.diagnostics),
    ...(options.warnExpiringMs !== undefined ? { warnExpiringMs: options.warnExpiringMs } : {}),
  });
  const diagnostics = sortDiagnostics([...read.diagnostics.map(hintDefault), ...result.diagnostics]);
  const revision = revisionOf(read.sources, read.diagnostics);
  return hasErrors(diagnostics) || !result.state
    ? { diagnostics, revision }
    : { state: result.state, diagnostics, revision };
}

/**
 * sha256 of every file's path and bytes, and of every file that could not be read: equal content
 * gives an equal revision, so a file event without a change of content changes nothing.
 */
function revisionOf(sources: readonly SourceText[], unread: readonly Diagnostic[]): string {
  const hash = createHash("sha256");
  for (const source of sources)
    hash.update(`${source.file}\u0000${source.text.length}\u0000`).update(source.text);
  for (const d of unread) hash.update(`\u0001${d.file}\u0000${d.code}`);
  return hash.digest("hex").slice(0, 12);
}

/** Someone who gave no path may not know which file was looked for, nor how to name another. */
function hintDefault(d: Diagnostic): Diagnostic {
  if (d.code !== "file-not-found" || d.file !== DEFAULT_FILE) return d;
  return { ...d, message: `${d.message} (the default file; name files or directories with -f)` };
}
