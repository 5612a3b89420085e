// Files on disk -> desired state: read (I/O) then the pure validation pipeline.
import { hasErrors, sortDiagnostics } from "./diagnostics.js";
import { DEFAULT_FILE } from "./constants.js";
import { readSources } from "./read.js";
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

/** Reads files and directories (none: DEFAULT_FILE), validates them, merges them. */
export async function loadDesired(paths: string[], options: LoadOptions): Promise<LoadResult> {
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
  return hasErrors(diagnostics) || !result.state ? { diagnostics } : { state: result.state, diagnostics };
}

/** Someone who gave no path may not know which file was looked for, nor how to name another. */
function hintDefault(d: Diagnostic): Diagnostic {
  if (d.code !== "file-not-found" || d.file !== DEFAULT_FILE) return d;
  return { ...d, message: `${d.message} (the default file; name files or directories with -f)` };
}
