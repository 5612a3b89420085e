// Writing export's and init's files: each one atomically (a temporary file, then a rename), and
// never over an existing file without --force.
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { link, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.js";
import { SCHEMA_URL } from "../desired/schema.js";
import { VERSION } from "./version.js";

/**
 * Writes `text` to `path` in one step: readers see the old file or the new one, never half of it.
 * Without `force`, an existing file is refused, checked at the moment of writing (a hard link
 * fails if the name exists), so that a file made meanwhile is not lost either.
 */
export async function writeAtomically(path: string, text: string, force: boolean): Promise<void> {
  const temp = join(dirname(path), `.${randomBytes(6).toString("hex")}.reflag-sync.tmp`);
  await writeFile(temp, text, { flag: "wx" }).catch((err: unknown) => {
    throw cannotWrite(path, err);
  });
  try {
    if (force) {
      await rename(temp, path);
      return;
    }
    try {
      await link(temp, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EEXIST") throw exists(path);
      // A file system without hard links: the check and the rename are then two steps.
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS") throw cannotWrite(path, err);
      if (existsSync(path)) throw exists(path);
      await rename(temp, path);
    }
  } catch (err) {
    throw err instanceof UserError ? err : cannotWrite(path, err);
  } finally {
    await rm(temp, { force: true });
  }
}

/** A file system error as the user's problem: which path, and what the system said. */
export function cannotWrite(path: string, err: unknown): UserError {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === "ENOENT"
      ? "its folder does not exist"
      : e.code === "ENOTDIR"
        ? "a part of the path is a file, not a folder"
        : e.code === "EISDIR"
          ? "it is a folder"
          : e.code === "EACCES" || e.code === "EPERM"
            ? "permission denied"
            : (e.message ?? String(err));
  return new UserError("RS_USAGE", `cannot write ${path}: ${why}; nothing was written there`);
}

/** Fails before any request when the file cannot be written there (a missing folder, a folder of that name). */
export function checkWritable(path: string, force: boolean): void {
  if (!force && existsSync(path)) throw exists(path);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw cannotWrite(path, { code: "ENOENT" });
  if (existsSync(path) && statSync(path).isDirectory()) throw cannotWrite(path, { code: "EISDIR" });
}

export function exists(path: string): UserError {
  return new UserError("RS_USAGE", `${path} already exists: nothing was written (--force overwrites it)`);
}

/** The YAML files of a directory (not recursive), for --split: what -f DIR would read. */
export async function yamlFilesIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw cannotWrite(dir, err);
  }
  return names.filter((n) => /\.ya?ml$/.test(n) && !n.startsWith(".")).map((n) => join(dir, n));
}

/** Removes the YAML files of `dir` not in `keep` whose first lines carry `marker` (files export wrote). */
export async function removeStale(dir: string, keep: ReadonlySet<string>, marker: string): Promise<void> {
  for (const file of await yamlFilesIn(dir)) {
    if (keep.has(file)) continue;
    const head = (await readFile(file, "utf8").catch(() => "")).slice(0, 2000);
    if (head.includes(marker)) await rm(file, { force: true });
  }
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((err: unknown) => {
    throw cannotWrite(dir, err);
  });
}

/**
 * The `$schema` reference for a file written in `dir`, as the editor resolves it there: the schema
 * of an installed reflag-sync (`node_modules/reflag-sync/...` in `dir` or a folder above it), else
 * this installation's schema when it lives in the same tree (a clone of this repository), else
 * the schema of this version on the npm CDN.
 */
export function schemaRefFor(dir: string): string {
  const installed = join("node_modules", "reflag-sync", "schemas", "flags.reflag.schema.json");
  for (let at = resolve(dir); ; at = dirname(at)) {
    const candidate = join(at, installed);
    if (existsSync(candidate)) return relativeRef(dir, candidate);
    if (dirname(at) === at) break;
  }
  const own = fileURLToPath(SCHEMA_URL);
  const root = resolve(own, "../..");
  const target = resolve(dir);
  if ((target === root || target.startsWith(root + sep)) && !own.includes(`${sep}node_modules${sep}`)) {
    return relativeRef(dir, own);
  }
  return `https://unpkg.com/reflag-sync@${VERSION}/schemas/flags.reflag.schema.json`;
}

function relativeRef(dir: string, file: string): string {
  const path = relative(resolve(dir), file).split(sep).join("/");
  return path.startsWith(".") ? path : `./${path}`;
}
