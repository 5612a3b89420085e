// The pure pipeline over already-read text: parse -> version -> schema -> rules -> merge -> expiry.
import { pushAll } from "../arrays.js";
import { hasErrors, sortDiagnostics } from "./diagnostics.js";
import { expiryWarnings } from "./expiry.js";
import { extractFile } from "./extract.js";
import type { FileDesired } from "./extract.js";
import { mergeFiles } from "./merge.js";
import type { DesiredState, Diagnostic } from "./model.js";
import { parseYaml } from "./parse.js";
import type { SourceText } from "./read.js";
import { checkVersion, fileRules, runOnRules } from "./rules.js";
import { checkSchema } from "./schema.js";

export interface ValidateOptions {
  /** The clock for expiry warnings (the planner decides expiry itself). */
  now: Date;
  /** Warn about targets that expire within this many milliseconds (default 7 days). */
  warnExpiringMs?: number;
  /** False when some file could not be read: settings it may hold are not reported missing. */
  complete?: boolean;
}

export interface LoadResult {
  /** Present only when no diagnostic is an error. */
  state?: DesiredState;
  /** Sorted by file, line, col. */
  diagnostics: Diagnostic[];
}

/** Validates and merges documents given as text; never throws on any input. */
export function validateDocuments(sources: readonly SourceText[], options: ValidateOptions): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const files: FileDesired[] = [];
  let complete = options.complete ?? true;
  for (const source of sources) {
    const { parsed, diagnostics: parseDiagnostics } = parseYaml(source.file, source.text);
    pushAll(diagnostics, parseDiagnostics);
    if (!parsed) {
      complete = false;
      continue;
    }
    const unsupported = checkVersion(parsed);
    if (unsupported) {
      diagnostics.push(unsupported);
      complete = false;
      continue;
    }
    const schema = checkSchema(parsed);
    pushAll(pushAll(diagnostics, schema.diagnostics), runOnRules(parsed, schema.isClean));
    const file = extractFile(parsed, schema.isClean);
    if (!file.isMap) complete = false;
    pushAll(
      diagnostics,
      fileRules(file, (at) => parsed.locator.scalarAt(at)),
    );
    files.push(file);
  }
  const merged = mergeFiles(files, complete);
  pushAll(diagnostics, merged.diagnostics);
  pushAll(
    diagnostics,
    expiryWarnings(merged.state.flags, options.now, options.warnExpiringMs, merged.state.policy.prune),
  );
  const sorted = sortDiagnostics(diagnostics);
  return hasErrors(sorted) ? { diagnostics: sorted } : { state: merged.state, diagnostics: sorted };
}
