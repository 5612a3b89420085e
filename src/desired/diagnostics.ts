// Building, ordering and describing diagnostics; every stage of loading reports through these.
import { compare } from "../compare.js";
import type { Diagnostic, Severity, SourceLocation } from "./model.js";

export function diagnostic(
  severity: Severity,
  code: string,
  message: string,
  at: SourceLocation,
  related?: SourceLocation[],
): Diagnostic {
  const d: Diagnostic = { severity, code, message, file: at.file, line: at.line, col: at.col };
  if (related && related.length > 0) d.related = related;
  return d;
}

/** A problem with a file as a whole (missing, unreadable, empty): line and col 0. */
export function wholeFile(file: string): SourceLocation {
  return { file, line: 0, col: 0 };
}

/** "file:line:col", or the file alone for a whole-file location. */
export function where(at: SourceLocation): string {
  return at.line > 0 ? `${at.file}:${at.line}:${at.col}` : at.file;
}

/** "line 12" within the same file, "other.yaml:12:3" across files: short where it can be. */
export function whereFrom(from: SourceLocation, at: SourceLocation): string {
  return from.file === at.file && at.line > 0 ? `line ${at.line}` : where(at);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sorted by file, line, col (errors first at one place) with exact repeats removed. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = `${d.file}\0${d.line}\0${d.col}\0${d.severity}\0${d.code}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) =>
      compare(a.file, b.file) ||
      a.line - b.line ||
      a.col - b.col ||
      compare(a.severity, b.severity) ||
      compare(a.code, b.code) ||
      compare(a.message, b.message),
  );
}

/** A value quoted for a message, shortened so a 5 MiB string cannot flood the terminal. */
export function quote(value: string, max = 60): string {
  const short = value.length > max ? `${value.slice(0, max)}…` : value;
  if (/^[\w.@:/+-]+$/u.test(short)) return `'${short}'`;
  // Invisible characters (a BOM, a zero-width or no-break space) are spelt out, or the message
  // would show the same text that it says is wrong.
  return JSON.stringify(short).replace(INVISIBLE, codePoint);
}

/** U+FEFF -> \uFEFF, as JavaScript and JSON write it. */
function codePoint(c: string): string {
  const hex = (c.codePointAt(0) ?? 0).toString(16).toUpperCase();
  return hex.length > 4 ? `\\u{${hex}}` : `\\u${hex.padStart(4, "0")}`;
}

/** Characters that print as nothing or as a plain space. */
export const INVISIBLE = /[\p{Cf}\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/gu;
