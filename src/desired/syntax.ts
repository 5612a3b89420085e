// yaml's syntax errors -> the place and words a person needs. The parser reports where it gave
// up, which is often a line or more after the mistake (an unclosed quote or bracket is only noticed
// at the end of the file), and one mistake often yields several errors. This finds the cause,
// moves the report there, and drops the errors that merely follow from it.
import type { CST, YAMLError } from "yaml";
import { quote } from "./diagnostics.js";

export interface SyntaxProblem {
  /** Where to report, as an offset in the text. */
  offset: number;
  /** The parser's error this stands for; none for an unclosed quote or bracket found here. */
  error?: YAMLError;
  /** A better message than the parser's, when there is one. */
  message?: string;
}

/** Enough to report; a garbled file has one per line. */
const MAX_UNCLOSED = 200;

/** Errors that only repeat, in parser words, another error on the same line. */
const ECHOES = new Set(["MULTILINE_IMPLICIT_KEY", "NON_STRING_KEY"]);
const NEEDS_VALUE = /^Implicit map keys need to be followed by map values/;

export function explainSyntaxErrors(
  text: string,
  errors: readonly YAMLError[],
  cst: readonly CST.Token[],
): SyntaxProblem[] {
  if (errors.length === 0) return [];
  // A tab in the indentation throws every later line off; the tab is the one thing to fix.
  const tabs = errors.filter((e) => e.code === "TAB_AS_INDENT");
  if (tabs.length > 0) return tabs.map((error) => ({ offset: error.pos[0], error }));

  const unclosed = errors.length > 0 ? unclosedTokens(text, cst) : [];
  const shifted = indentedFirstLine(text, errors);
  const causes: Unclosed[] = shifted ? [...unclosed, shifted] : unclosed;
  const covered = (error: YAMLError): boolean =>
    unclosed.some((u) => error.pos[0] >= u.offset && error.pos[0] <= u.cascadeEnd) ||
    (shifted !== undefined && indentation(lineAt(text, error.pos[0])) < shifted.indent);

  const byStart = new Map<number, YAMLError[]>();
  for (const error of errors) byStart.set(error.pos[0], [...(byStart.get(error.pos[0]) ?? []), error]);
  const dropped = new Set<YAMLError>();
  for (const error of errors) {
    if (covered(error)) dropped.add(error);
    const sameStart = (code: string): boolean =>
      (byStart.get(error.pos[0]) ?? []).some((other) => other !== error && other.code === code);
    // Inside [ ] or { }, a value running into the next line means a missing comma: said once.
    if (error.code === "MULTILINE_IMPLICIT_KEY" && sameStart("BLOCK_IN_FLOW")) dropped.add(error);
    // A value that runs on into an over-indented line is reported once, at that line.
    else if (error.code === "MULTILINE_IMPLICIT_KEY" && runsIntoNextLine(text, error) === "over-indented") {
      for (const other of byStart.get(error.pos[0]) ?? [])
        if (other !== error && other.code === "BLOCK_AS_IMPLICIT_KEY") dropped.add(other);
    }
  }
  const candidates: SyntaxProblem[] = [
    ...causes.map(({ offset, message }) => ({ offset, message })),
    ...errors
      .filter((e) => !dropped.has(e))
      .map((error) => explainOne(text, error))
      .map((p) => ({ ...p, offset: skipIndentation(text, p.offset) })),
  ];
  // One mistake per line: the parser's follow-on errors on the same line only add noise. The
  // explained problem wins over the parser's words, and those over its echoes.
  const rank = (p: SyntaxProblem): number =>
    !p.error || (p.message !== undefined && !isEcho(p.error)) ? 0 : isEcho(p.error) ? 2 : 1;
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const best = new Map<number, SyntaxProblem>();
  for (const p of candidates) {
    const line = lineNumber(lineStarts, p.offset);
    const current = best.get(line);
    if (!current || rank(p) < rank(current) || (rank(p) === rank(current) && p.offset < current.offset))
      best.set(line, p);
  }
  return [...best.values()];
}

function isEcho(error: YAMLError): boolean {
  return ECHOES.has(error.code) || NEEDS_VALUE.test(error.message);
}

/**
 * ` version: 1` then `app: ...`: the first line's stray indentation makes every top-level key
 * after it an error. The first line is the one to fix.
 */
function indentedFirstLine(
  text: string,
  errors: readonly YAMLError[],
): (Unclosed & { indent: number }) | undefined {
  const lines = text.split("\n");
  let offset = 0;
  for (const line of lines) {
    if (/^\s*(#.*)?\r?$/.test(line) || /^(%|---|\.\.\.)/.test(line)) {
      offset += line.length + 1;
      continue;
    }
    const indent = indentation(line);
    const dedented = errors
      .map((e) => e.pos[0])
      .filter((at) => indentation(lineAt(text, at)) < indent)
      .sort((a, b) => a - b)[0];
    if (indent === 0 || dedented === undefined) return undefined;
    // Only when the first line alone stands out; if several do, the later line may be the slip.
    const between = text.slice(offset + line.length + 1, text.lastIndexOf("\n", dedented - 1) + 1);
    if (between.split("\n").some((l) => !/^\s*(#.*)?\r?$/.test(l) && indentation(l) === indent))
      return undefined;
    return {
      offset: offset + indent,
      cascadeEnd: offset + indent,
      indent,
      message: `the first line is indented ${indent} space${indent === 1 ? "" : "s"} and the lines below it are not: top-level keys start at the beginning of the line`,
    };
  }
  return undefined;
}

/** 1-based, by binary search over the offsets where lines start. */
function lineNumber(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if ((lineStarts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}

/** The whole line that `offset` is on. */
function lineAt(text: string, offset: number): string {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  const end = text.indexOf("\n", offset);
  return text.slice(start, end < 0 ? text.length : end);
}

function explainOne(text: string, error: YAMLError): SyntaxProblem {
  const offset = error.pos[0];
  const plain = { offset, error };
  switch (error.code) {
    case "MULTILINE_IMPLICIT_KEY":
      return explainRunOn(text, error) ?? plain;
    case "BLOCK_AS_IMPLICIT_KEY":
      if (/block sequence/i.test(error.message)) return { offset, error, message: MIXED_BLOCK };
      if (/nested mappings/i.test(error.message)) {
        const value = restOfLine(text, offset);
        return {
          offset,
          error,
          message: `${quote(value)} reads as a key and a value inside a value: put the whole value in quotes if ': ' is part of the text`,
        };
      }
      return plain;
    case "UNEXPECTED_TOKEN":
      return { offset, error, message: unexpectedToken(text, error) };
    case "MISSING_CHAR":
      if (/sequence item without - indicator/i.test(error.message)) {
        return { offset, error, message: misalignedKey(text, skipIndentation(text, offset)) };
      }
      return plain;
    case "BAD_INDENT":
      if (/mapping items must start at the same column/i.test(error.message)) {
        return { offset, error, message: misalignedKey(text, offset) };
      }
      if (/^Flow (sequence|map) in block collection/.test(error.message)) {
        const list = error.message.startsWith("Flow sequence");
        return {
          offset,
          error,
          message: `this line continues the ${list ? "[ ] list" : "{ } map"} above it: indent it more than the key that holds the ${list ? "list" : "map"}`,
        };
      }
      return plain;
    case "BLOCK_IN_FLOW": {
      const rest = restOfLine(text, offset).replace(/[\s,\]}]+$/, "");
      const message = rest.includes(": ")
        ? `${quote(rest)} reads as a key and a value inside an entry of [ ] or { }: is a ',' missing, or does the value need quotes?`
        : `missing ',' after ${quote(rest)}: entries of [ ] and { } are separated by commas`;
      return { offset, error, message };
    }
    case "NON_STRING_KEY":
      return { offset, error, message: "a key must be text, not a list or a map" };
    default:
      return plain;
  }
}

const MIXED_BLOCK =
  "a list item ('- ') where a key (key: value) is expected: a block holds either 'key: value' lines or '- item' lines, not both";

function unexpectedToken(text: string, error: YAMLError): string | undefined {
  const offset = error.pos[0];
  if (/block-seq-ind/.test(error.message)) return MIXED_BLOCK;
  const closer = /flow-(seq|map)-end/.exec(error.message);
  if (closer) {
    const char = closer[1] === "seq" ? "]" : "}";
    return `this '${char}' closes nothing: is there one too many, or is its '${char === "]" ? "[" : "{"}' missing?`;
  }
  if (/Unexpected scalar at node end/.test(error.message)) {
    // At the start of a line: a key that lines up with nothing above it.
    if (/^\s*$/.test(text.slice(text.lastIndexOf("\n", offset - 1) + 1, offset))) {
      return misalignedKey(text, offset);
    }
    const before = text.slice(0, offset).trimEnd().slice(-1);
    const what = quote(restOfLine(text, offset));
    if (before === "'") {
      return `unexpected text ${what} after a closing ': inside '...' write '' for an apostrophe, or use "..." instead`;
    }
    if (before === '"')
      return `unexpected text ${what} after a closing ": inside "..." write \\" for a quote`;
    if (before === "]" || before === "}") return `unexpected text ${what} after the closing '${before}'`;
    return `unexpected text ${what} after the value`;
  }
  return undefined;
}

/** "All mapping items must start at the same column": says which columns would do. */
function misalignedKey(text: string, offset: number): string {
  const lines = text.split("\n");
  const lineIndex = text.slice(0, offset).split("\n").length - 1;
  const line = lines[lineIndex] ?? "";
  const indent = indentation(line);
  const key = quote(line.trim().replace(/:(\s.*)?$/, ""));
  // The indentations still open above this line: each earlier line indented less than the last.
  const open: { indent: number; line: number; listItem: boolean }[] = [];
  let limit = Infinity;
  for (let i = lineIndex - 1; i >= 0 && limit > 0; i--) {
    const above = lines[i] ?? "";
    if (/^\s*(#.*)?\r?$/.test(above)) continue;
    // "    - id: u1" opens a list at 4 and a map at 6.
    const dashes = /^(\s*)((?:-\s+)*)(\S?)/.exec(above);
    const n = dashes?.[1]?.length ?? 0;
    const content = n + (dashes?.[2]?.length ?? 0);
    const columns: { indent: number; listItem: boolean }[] = [];
    if (content > n && dashes?.[3]) columns.push({ indent: content, listItem: false });
    columns.push({ indent: n, listItem: content > n });
    for (const column of columns) {
      if (column.indent >= limit) continue;
      limit = column.indent;
      open.push({ ...column, line: i + 1 });
    }
  }
  const list = open.find((o) => o.indent === indent && o.listItem);
  if (list) {
    return `${key} stands among the items of the list above (line ${list.line}) without a '- ': a block holds either 'key: value' lines or '- item' lines, not both`;
  }
  const levels = [...new Set(open.map((o) => o.indent))];
  const choices =
    levels.length > 1 ? `${levels.slice(0, -1).join(", ")} or ${levels.at(-1)}` : `${levels[0] ?? 0}`;
  return `${key} is indented ${indent} space${indent === 1 ? "" : "s"}, but the keys above it are indented ${choices}: line it up with the keys of its map`;
}

/**
 * A plain scalar that runs over a line break and then meets ':'. Either its own line lacks the
 * colon of a key (`dark-mode` then `  stage: Beta`), or it is a value and the next line is
 * indented too far (`stage: Beta` then `  archived: true`).
 */
function runsIntoNextLine(text: string, error: YAMLError): "own-line" | "over-indented" | undefined {
  const start = error.pos[0];
  const lineEnd = text.indexOf("\n", start);
  if (lineEnd < 0 || error.pos[1] <= lineEnd + 1) return undefined;
  const prefix = text.slice(text.lastIndexOf("\n", start - 1) + 1, start);
  return /^\s*(-\s+)*$/.test(prefix) ? "own-line" : "over-indented";
}

function explainRunOn(text: string, error: YAMLError): SyntaxProblem | undefined {
  const start = error.pos[0];
  const kind = runsIntoNextLine(text, error);
  if (!kind) return undefined;
  const first = restOfLine(text, start);
  if (kind === "own-line") {
    const glued = /^([^:]*):(\S.*)$/.exec(first);
    const message = glued
      ? `${quote(first)} needs a space after ':' to be a key and a value: write ${quote(`${glued[1]}: ${glued[2]}`)}`
      : `${quote(first)} has no ':' after it: a key needs one (${quote(`${first}:`)}), or this line belongs to the line above`;
    return { offset: start, error, message };
  }
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const holder = quote(text.slice(lineStart, start).trim().replace(/:$/, ""));
  const next = text.indexOf("\n", start) + 1;
  const nextKey = quote(
    restOfLine(text, next)
      .trim()
      .replace(/:(\s.*)?$/, ""),
  );
  return {
    offset: next,
    error,
    message: `${nextKey} is indented deeper than ${holder} above it, whose value ${quote(first)} cannot hold keys: indent it like ${holder}`,
  };
}

interface Unclosed {
  offset: number;
  /** Errors from here to cascadeEnd follow from this one. */
  cascadeEnd: number;
  message: string;
}

interface TokenLike {
  type?: unknown;
  offset?: unknown;
  source?: unknown;
  end?: unknown;
  start?: unknown;
}

/** Quotes and flow brackets that are opened and never closed, found in yaml's concrete syntax tree. */
function unclosedTokens(text: string, cst: readonly CST.Token[]): Unclosed[] {
  const quotes: Unclosed[] = [];
  const brackets: { token: TokenLike; offset: number; cascadeEnd: number }[] = [];
  for (const document of cst) {
    for (const token of tokens(document)) {
      // A file of stray quotes would otherwise yield one problem per line, and quadratic work.
      if (quotes.length + brackets.length >= MAX_UNCLOSED) break;
      if (typeof token.offset !== "number") continue;
      const end = (): number => skipSpace(text, tokenEnd(token));
      if (
        (token.type === "double-quoted-scalar" || token.type === "single-quoted-scalar") &&
        typeof token.source === "string" &&
        !closedQuote(token.source)
      ) {
        const q = token.source[0] ?? '"';
        quotes.push({
          offset: token.offset,
          cascadeEnd: end(),
          message: `the ${q} opened here is never closed: end the text with ${q}`,
        });
      } else if (token.type === "flow-collection" && !closesFlow(token)) {
        brackets.push({ token, offset: token.offset, cascadeEnd: end() });
      }
    }
  }
  const result = [...quotes];
  for (const b of brackets.sort((x, y) => x.offset - y.offset)) {
    // A quote left open inside the brackets is why they seem unclosed.
    if (result.some((u) => u.offset >= b.offset && u.offset <= b.cascadeEnd)) continue;
    if (result.some((u) => b.offset >= u.offset && b.offset <= u.cascadeEnd)) continue;
    const list = (b.token.start as TokenLike | undefined)?.source === "[";
    const [open, close] = list ? ["[", "]"] : ["{", "}"];
    // The bracket may well be closed, on a line indented too little to count: not "never closed".
    if (closesOnLine(text, b.cascadeEnd, open, close)) continue;
    result.push({
      offset: b.offset,
      cascadeEnd: b.cascadeEnd,
      message: `the '${open}' opened here is never closed: end the ${list ? "list" : "map"} with '${close}'`,
    });
  }
  return result;
}

/** Every token object in the tree, depth-first, without recursion (trees can be deep). */
function* tokens(root: unknown): Generator<TokenLike> {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const next = stack.pop();
    if (Array.isArray(next)) {
      for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]);
    } else if (typeof next === "object" && next !== null) {
      if ("type" in next) yield next as TokenLike;
      for (const value of Object.values(next))
        if (typeof value === "object" && value !== null) stack.push(value);
    }
  }
}

/** Where a token ends: the furthest end of anything inside it. */
function tokenEnd(token: TokenLike): number {
  let end = 0;
  for (const t of tokens(token)) {
    if (typeof t.offset !== "number") continue;
    end = Math.max(end, t.offset + (typeof t.source === "string" ? t.source.length : 0));
  }
  return end;
}

function closedQuote(source: string): boolean {
  const q = source[0];
  for (let i = 1; i < source.length; i++) {
    const c = source[i];
    if (q === '"' && c === "\\") i++;
    else if (c === q) {
      if (q === "'" && source[i + 1] === "'") i++;
      else return true;
    }
  }
  return false;
}

function closesFlow(token: TokenLike): boolean {
  return (
    Array.isArray(token.end) &&
    token.end.some((t: TokenLike) => t.type === "flow-seq-end" || t.type === "flow-map-end")
  );
}

/** The line at `offset` closes more `close` brackets than it opens. */
function closesOnLine(text: string, offset: number, open: string, close: string): boolean {
  const line = restOfLine(text, text.lastIndexOf("\n", offset - 1) + 1);
  let depth = 0;
  for (const c of line) {
    if (c === open) depth++;
    else if (c === close && --depth < 0) return true;
  }
  return false;
}

function skipSpace(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && /\s/.test(text[i] ?? "")) i++;
  return i;
}

/** An offset inside a line's indentation moves to the line's first character. */
function skipIndentation(text: string, offset: number): number {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  if (!/^[ \t]*$/.test(text.slice(lineStart, offset))) return offset;
  let i = offset;
  while (text[i] === " " || text[i] === "\t") i++;
  return i < text.length && text[i] !== "\n" && text[i] !== "\r" ? i : offset;
}

function indentation(line: string): number {
  return line.length - line.trimStart().length;
}

/** The rest of the line from `offset`, without a trailing comment or line ending. */
function restOfLine(text: string, offset: number): string {
  const end = text.indexOf("\n", offset);
  return text
    .slice(offset, end < 0 ? text.length : end)
    .replace(/\s+#.*$/, "")
    .trimEnd();
}
