// `plan --base REF`: the desired state of the same files at an earlier git revision, so that each
// change can be labelled as asked for by the file's change or as reverting drift (plan/origin).
import { validateDocuments } from "../desired/index.js";
import { readSourcesAtRevision } from "../desired/git.js";
import type { DesiredState } from "../desired/model.js";
import type { BaseRevision, PlanWarning } from "../plan/model.js";

export interface BaseDesired {
  revision: BaseRevision;
  /** Absent when none of the files existed at the base, or they were not valid there. */
  desired?: DesiredState;
  /** Why labels may say "change" more often than a reader expects (an invalid base file). */
  warnings: PlanWarning[];
}

/**
 * `files`: the paths to read at `ref` (--base-file, else the -f paths). Throws a UserError when
 * `ref` is not a commit of the repository around `cwd`.
 */
export async function loadBase(
  ref: string,
  files: readonly string[],
  options: { cwd: string; now: Date },
): Promise<BaseDesired> {
  const read = await readSourcesAtRevision(ref, files, { cwd: options.cwd });
  const revision: BaseRevision = { ref, commit: read.commit, newFiles: read.missing };
  if (read.sources.length === 0 && read.diagnostics.length === 0) return { revision, warnings: [] };
  const loaded = validateDocuments(read.sources, { now: options.now, complete: read.missing.length === 0 });
  const errors = [...read.diagnostics, ...loaded.diagnostics].filter((d) => d.severity === "error");
  if (loaded.state && errors.length === 0) return { revision, desired: loaded.state, warnings: [] };
  const first = errors[0];
  return {
    revision,
    warnings: [
      {
        code: "base-invalid",
        message: `the files at ${ref} are not valid (${errors.length} ${errors.length === 1 ? "error" : "errors"}), so every change is labelled as from this change`,
        ...(first
          ? {
              details: [
                `${first.file}${first.line > 0 ? `:${first.line}:${first.col}` : ""}: ${first.message}`,
              ],
            }
          : {}),
      },
    ],
  };
}
