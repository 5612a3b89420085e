// Paths -> the text of each YAML file. Dumb on purpose: no parsing, just the file system, limits
// and encodings, each problem a diagnostic.
import { pushAll } from "../arrays.js";
import { compare } from "../compare.js";
import { readdir, readFile, stat } from "node:fs/promises";
import { isAbsolute, join, normalize, resolve } from "node:path";
import { diagnostic, wholeFile } from "./diagnostics.js";
import type { Diagnostic } from "./model.js";

export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

export interface SourceText {
  /** The path as the user gave it (for messages). */
  file: string;
  text: string;
}

export interface ReadResult {
  sources: SourceText[];
  diagnostics: Diagnostic[];
}

interface Candidate {
  file: string;
  absolute: string;
}

/**
 * Reads files and directories in the order given. A directory contributes its *.yaml and *.yml
 * files, sorted by name, not recursively and skipping dot-files: a sub-folder (archive/) or a
 * Kubernetes ConfigMap's ..data is never picked up by accident.
 */
export async function readSources(
  paths: readonly string[],
  options: { cwd: string; maxFileBytes?: number },
): Promise<ReadResult> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const diagnostics: Diagnostic[] = [];
  const candidates: Candidate[] = [];
  for (const given of paths) {
    const file = isAbsolute(given) ? normalize(given) : normalize(given).replace(/\/$/, "");
    const absolute = resolve(options.cwd, given);
    const info = await stat(absolute).catch((err: unknown) => err as NodeJS.ErrnoException);
    if (info instanceof Error) {
      diagnostics.push(diagnostic("error", fsCode(info), fsMessage(info), wholeFile(file)));
    } else if (info.isDirectory()) {
      pushAll(candidates, await listDirectory(file, absolute, diagnostics));
    } else if (info.isFile()) {
      candidates.push({ file, absolute });
    } else {
      diagnostics.push(
        diagnostic("error", "not-a-file", "not a regular file or a directory", wholeFile(file)),
      );
    }
  }
  const sources: SourceText[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    // The same file twice (-f a.yaml -f .) would define every flag twice.
    if (seen.has(candidate.absolute)) continue;
    seen.add(candidate.absolute);
    const text = await readOne(candidate, maxBytes, diagnostics);
    if (text !== undefined) sources.push({ file: candidate.file, text });
  }
  return { sources, diagnostics };
}

async function listDirectory(dir: string, absolute: string, diagnostics: Diagnostic[]): Promise<Candidate[]> {
  const names = await readdir(absolute).catch((err: unknown) => err as NodeJS.ErrnoException);
  if (names instanceof Error) {
    diagnostics.push(diagnostic("error", fsCode(names), fsMessage(names), wholeFile(dir)));
    return [];
  }
  const found: Candidate[] = [];
  for (const name of names.filter((n) => !n.startsWith(".") && /\.ya?ml$/i.test(n)).sort(compare)) {
    const path = join(absolute, name);
    // stat follows symlinks: ConfigMap mounts are symlinks to files.
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile()) found.push({ file: join(dir, name), absolute: path });
  }
  if (found.length === 0) {
    diagnostics.push(
      diagnostic("error", "no-yaml-files", "the directory holds no .yaml or .yml files", wholeFile(dir)),
    );
  }
  return found;
}

async function readOne(
  candidate: Candidate,
  maxBytes: number,
  diagnostics: Diagnostic[],
): Promise<string | undefined> {
  const at = wholeFile(candidate.file);
  const info = await stat(candidate.absolute).catch(() => undefined);
  if (info && info.size > maxBytes) {
    diagnostics.push(diagnostic("error", "file-too-large", tooLarge(info.size, maxBytes), at));
    return undefined;
  }
  const bytes = await readFile(candidate.absolute).catch((err: unknown) => err as NodeJS.ErrnoException);
  if (bytes instanceof Error) {
    diagnostics.push(diagnostic("error", fsCode(bytes), fsMessage(bytes), at));
    return undefined;
  }
  // The file may have grown between stat and read.
  if (bytes.length > maxBytes) {
    diagnostics.push(diagnostic("error", "file-too-large", tooLarge(bytes.length, maxBytes), at));
    return undefined;
  }
  const decoded = decodeText(candidate.file, bytes);
  pushAll(diagnostics, decoded.diagnostics);
  return decoded.text;
}

/** Bytes -> text: UTF-8 only, a UTF-8 BOM tolerated with a warning, binary files refused. */
export function decodeText(file: string, bytes: Uint8Array): { text?: string; diagnostics: Diagnostic[] } {
  const refuse = (code: string, message: string, at = { line: 1, col: 1 }) => ({
    diagnostics: [diagnostic("error", code, message, { file, ...at })],
  });
  // With a byte order mark, or without one: ASCII text in UTF-16 has a NUL beside every letter.
  const utf16 =
    (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || looksUtf16(bytes);
  if (utf16) return refuse("not-utf8", "the file is UTF-16 encoded: save it as UTF-8");
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const message = "the file contains a NUL byte: it looks binary, not like YAML text";
    return refuse("binary-file", message, positionOf(bytes, nul));
  }
  const diagnostics: Diagnostic[] = [];
  let body = bytes;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    const message =
      "the file starts with a UTF-8 byte order mark (BOM); it is ignored, but save the file without it";
    diagnostics.push(diagnostic("warning", "bom", message, { file, line: 1, col: 1 }));
    body = bytes.subarray(3);
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body), diagnostics };
  } catch {
    const bad = firstInvalidByte(body);
    const byte = (body[bad] ?? 0).toString(16).toUpperCase().padStart(2, "0");
    const message = `the file is not valid UTF-8 (byte 0x${byte}): save it as UTF-8`;
    diagnostics.push(diagnostic("error", "not-utf8", message, { file, ...positionOf(body, bad) }));
    return { diagnostics };
  }
}

/** "ve" as UTF-16: 76 00 65 00 (little-endian) or 00 76 00 65 (big-endian); ASCII letters only. */
function looksUtf16(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes.length % 2 !== 0) return false;
  const ascii = (b: number | undefined): boolean => b !== undefined && b >= 0x09 && b < 0x80;
  const le = ascii(bytes[0]) && bytes[1] === 0 && ascii(bytes[2]) && bytes[3] === 0;
  const be = bytes[0] === 0 && ascii(bytes[1]) && bytes[2] === 0 && ascii(bytes[3]);
  return le || be;
}

/** Where decoding fails: prefix validity is monotone, so binary search over streaming decodes. */
function firstInvalidByte(bytes: Uint8Array): number {
  const decodes = (n: number, stream: boolean): boolean => {
    try {
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, n), { stream });
      return true;
    } catch {
      return false;
    }
  };
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (decodes(mid, true)) low = mid;
    else high = mid - 1;
  }
  if (decodes(low, false)) return low;
  // The valid prefix ends inside a character that never completes: point at that character's start.
  let start = low - 1;
  while (start > 0 && ((bytes[start] ?? 0) & 0xc0) === 0x80) start--;
  return start;
}

function positionOf(bytes: Uint8Array, offset: number): { line: number; col: number } {
  const before = bytes.subarray(0, offset);
  const lineStart = before.lastIndexOf(0x0a) + 1;
  const line = before.filter((b) => b === 0x0a).length + 1;
  const col = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset)).length + 1;
  return { line, col };
}

function fsCode(err: NodeJS.ErrnoException): string {
  return err.code === "ENOENT" ? "file-not-found" : "read-error";
}

function fsMessage(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    default:
      return `cannot read: ${err.message}`;
  }
}

function tooLarge(size: number, limit: number): string {
  let [a, b] = [formatSize(size), formatSize(limit)];
  // 5.0 MiB over a 5.0 MiB limit would read as a contradiction.
  if (a === b) [a, b] = [`${size} bytes`, `${limit} bytes`];
  return `the file is ${a}; the limit is ${b}`;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} bytes`;
}
