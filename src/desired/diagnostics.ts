// Building, ordering and describing diagnostics; every stage of loading reports through these.
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
      compareText(a.file, b.file) ||
      a.line - b.line ||
      a.col - b.col ||
      compareText(a.severity, b.severity) ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
}

/** Code-point order: deterministic whatever the locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A value quoted for a message, shortened so a 5 MiB string cannot flood the terminal. */
export function quote(value: string, max = 60): string {
  const short = value.length > max ? `${value.slice(0, max)}…` : value;
  return /^[\w.@:/+-]+$/u.test(short) ? `'${short}'` : JSON.stringify(short);
}
