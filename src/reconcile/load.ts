// The desired state of one revision of the files. A file that is missing, empty or invalid gives
// no desired state at all — never "nothing is desired".
import { loadDesired } from "../desired/index.js";
import type { DesiredState, Diagnostic } from "../desired/model.js";

export type LoadedRevision =
  | { ok: true; desired: DesiredState; revision: string; diagnostics: Diagnostic[] }
  | { ok: false; revision: string; diagnostics: Diagnostic[] };

/** `files` empty: the default file. `revision`: a hash of the files' paths and bytes. */
export async function loadRevision(
  files: readonly string[],
  options: { cwd: string; now: Date },
): Promise<LoadedRevision> {
  const { state, diagnostics, revision } = await loadDesired([...files], options);
  return state ? { ok: true, desired: state, revision, diagnostics } : { ok: false, revision, diagnostics };
}
