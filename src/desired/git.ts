// The flag files as they were at a git revision (`plan --base REF`): the same paths, read with
// `git cat-file` / `git ls-tree` through execFile (no shell), with the rules of the disk reader
// (a directory contributes its *.yaml and *.yml files, sorted, not recursively, no dot-files).
import { execFile } from "node:child_process";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { pushAll } from "../arrays.js";
import { compare } from "../compare.js";
import { UserError } from "../errors.js";
import { decodeText, DEFAULT_MAX_FILE_BYTES, type SourceText } from "./read.js";
import type { Diagnostic } from "./model.js";

export interface RevisionSources {
  /** The full commit id `ref` names. */
  commit: string;
  /** Shown as `ref:path`, so that a diagnostic says which revision it is about. */
  sources: SourceText[];
  /** Paths that do not exist at that revision (new files or folders), as given. */
  missing: string[];
  diagnostics: Diagnostic[];
}

const GIT_TIMEOUT_MS = 30_000;

export async function readSourcesAtRevision(
  ref: string,
  paths: readonly string[],
  options: { cwd: string; maxFileBytes?: number },
): Promise<RevisionSources> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (ref === "" || ref.startsWith("-")) {
    throw new UserError("RS_USAGE", `--base '${ref}' is not a git revision`);
  }
  const top = (await git(["rev-parse", "--show-toplevel"], options.cwd, "--base")).toString("utf8").trim();
  const commit = await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], options.cwd).then(
    (out) => out.toString("utf8").trim(),
    () => {
      throw new UserError("RS_USAGE", `--base ${ref}: no such commit in the git repository at ${top}`, [
        "In CI, fetch the history first (actions/checkout with fetch-depth: 0), or name the base as origin/<branch>.",
      ]);
    },
  );

  const sources: SourceText[] = [];
  const missing: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const given of paths) {
    const inRepo = relative(top, resolve(options.cwd, given)).split(sep).join("/");
    if (inRepo.startsWith("..") || isAbsolute(inRepo)) {
      throw new UserError("RS_USAGE", `--base: ${given} is outside the git repository at ${top}`);
    }
    const object = `${commit}:${inRepo}`;
    const type = await git(["cat-file", "-t", object], top).then(
      (out) => out.toString("utf8").trim(),
      () => undefined,
    );
    if (type === undefined) {
      missing.push(given);
    } else if (type === "tree") {
      const listing = (await git(["ls-tree", "-z", object], top)).toString("utf8");
      const names = listing
        .split("\0")
        .map((entry) => /^(\d+) blob [0-9a-f]+\t(.*)$/s.exec(entry))
        // Regular files only (100644, 100755): a link or a sub-folder is never picked up.
        .filter((m): m is RegExpExecArray => m !== null && m[1]!.startsWith("100"))
        .map((m) => m[2]!)
        .filter((n) => !n.startsWith(".") && /\.ya?ml$/i.test(n))
        .sort(compare);
      if (names.length === 0) missing.push(given);
      for (const name of names) {
        const file = `${given.replace(/\/$/, "")}/${name}`;
        await readBlob(`${object.replace(/\/$/, "")}/${name}`, `${ref}:${file}`);
      }
    } else {
      await readBlob(object, `${ref}:${given}`);
    }
  }
  return { commit, sources, missing, diagnostics };

  async function readBlob(object: string, file: string): Promise<void> {
    const bytes = await git(["cat-file", "blob", object], top, undefined, maxBytes + 1);
    if (bytes.length > maxBytes) {
      diagnostics.push({
        severity: "error",
        code: "file-too-large",
        message: `the file is larger than ${maxBytes} bytes`,
        file,
        line: 0,
        col: 0,
      });
      return;
    }
    const decoded = decodeText(file, bytes);
    pushAll(diagnostics, decoded.diagnostics);
    if (decoded.text !== undefined) sources.push({ file, text: decoded.text });
  }
}

/** Runs git; `usage` names the option whose use failed, for "not a git repository" and "no git". */
function git(args: string[], cwd: string, usage?: string, maxBuffer = 1024 * 1024): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      "git",
      ["-C", cwd, ...args],
      { encoding: "buffer", timeout: GIT_TIMEOUT_MS, maxBuffer: Math.max(maxBuffer, 1024 * 1024) },
      (err, stdout, stderr) => {
        if (!err) return resolvePromise(stdout);
        const code = (err as NodeJS.ErrnoException).code;
        if (usage && code === "ENOENT") {
          return reject(new UserError("RS_USAGE", `${usage} needs git, and git was not found on the PATH`));
        }
        if (usage) {
          const why = stderr.toString("utf8").trim().split("\n")[0] ?? "";
          return reject(
            new UserError(
              "RS_USAGE",
              `${usage} needs a git repository, and ${cwd} is not in one`,
              why ? [why] : [],
            ),
          );
        }
        // A blob over maxBuffer: return what arrived, the caller sees it is too large.
        if ((err as { code?: string }).code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER")
          return resolvePromise(stdout);
        reject(err);
      },
    );
  });
}
