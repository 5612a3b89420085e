// YAML text -> document with positions and plain data; every YAML problem becomes a diagnostic.
import { Composer, Document, LineCounter, Parser, YAMLParseError, isScalar } from "yaml";
import type { CST, Node, YAMLError } from "yaml";
import { diagnostic, hasErrors, quote, wholeFile } from "./diagnostics.js";
import { fillBlockLists, findBlockLists } from "./block-lists.js";
import { fillFlowLists, findFlowLists } from "./flow-lists.js";
import { expansionProblem, MAX_DEPTH, MAX_EXPANDED_NODES, tooDeepAt } from "./limits.js";
import type { Diagnostic, SourceLocation } from "./model.js";
import { Locator } from "./positions.js";
import { scanDocument } from "./scan.js";
import type { DuplicateKey } from "./scan.js";
import { explainSyntaxErrors } from "./syntax.js";

/** yaml's own guard (uses of an anchor times its nested aliases), behind expansionProblem's. */
export const MAX_ALIAS_COUNT = 10_000;

const ALIAS_BOMB =
  "aliases expand this file too far (an alias inside its own anchor, or aliases of aliases): " +
  "this looks like an alias bomb; reuse lists with plain aliases";
const TOO_DEEP = `the YAML nests more than ${MAX_DEPTH} levels deep; a flags file needs about 8`;

const SPACES_ONLY = "YAML indents with spaces only";
const ONE_DOCUMENT = "put each '---' part in a file of its own";

export interface ParsedFile {
  file: string;
  doc: Document.Parsed;
  locator: Locator;
  /** The document as plain data (what the schema and the rules see). */
  value: unknown;
}

export interface ParseResult {
  parsed?: ParsedFile;
  diagnostics: Diagnostic[];
}

export function parseYaml(file: string, given: string): ParseResult {
  // YAML counts a lone CR (old Mac line endings) as a line break; yaml does not. Same offsets.
  const text = given.replace(/\r(?!\n)/g, "\n");
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    const at = deep === "indentation" ? wholeFile(file) : positionIn(file, text, deep);
    return { diagnostics: [diagnostic("error", "yaml-too-deep", TOO_DEEP, at)] };
  }
  const { doc, cst, lines } = composeFast(text);
  const scan = scanDocument(doc);
  const locator = new Locator(file, doc, lines, text, scan.anchors);
  const duplicates = withoutStackTraces(() => duplicateKeys(doc, scan.duplicates, locator));
  const problems = explainSyntaxErrors(text, firstErrors(doc.errors), cst).sort(
    (a, b) => a.offset - b.offset,
  );
  const diagnostics: Diagnostic[] = [
    ...problems
      .slice(0, MAX_SYNTAX_ERRORS)
      .map(({ offset, error, message }) =>
        error && message === undefined
          ? yamlError(error, offset, text, duplicates, locator)
          : diagnostic(
              "error",
              "yaml-syntax",
              `invalid YAML: ${message ?? error?.message ?? "syntax error"}`,
              locator.offset(offset),
            ),
      ),
    ...doc.warnings.map((w) =>
      diagnostic("warning", "yaml-warning", `YAML: ${sentence(w.message)}`, locator.offset(w.pos[0])),
    ),
  ];
  if (doc.errors.length > MAX_SYNTAX_ERRORS || problems.length > MAX_SYNTAX_ERRORS) {
    const message = "more YAML errors after this line are not shown: fix these first and run again";
    const last = problems[Math.min(problems.length, MAX_SYNTAX_ERRORS) - 1]?.offset ?? 0;
    diagnostics.push(diagnostic("error", "yaml-too-many-errors", message, locator.offset(last)));
  }
  const tags = unsupportedTags(scan.tagged, text, locator);
  if (tags.length > 0) {
    // The value of a tagged node would be a Buffer, Set, Map or Date: checking it yields nonsense.
    const rest = diagnostics.filter((d) => d.code !== "yaml-warning" || !d.message.includes("tag"));
    return { diagnostics: [...rest, ...tags] };
  }
  for (const alias of locator.unresolvedAliases()) {
    const at = locator.offset(alias.range?.[0] ?? 0);
    const message = `unknown alias *${alias.source}: define the anchor &${alias.source} before using it`;
    diagnostics.push(diagnostic("error", "yaml-unknown-alias", message, at));
  }
  if (hasErrors(diagnostics)) return { diagnostics };
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    const message = "the file is empty: expected 'version: 1' and settings or flags";
    return {
      diagnostics: [...diagnostics, diagnostic("error", "empty-file", message, { file, line: 1, col: 1 })],
    };
  }
  // Without aliases the document is as large and as deep as written.
  const expansion = locator.hasAliases()
    ? expansionProblem(doc.contents, (alias) => locator.target(alias))
    : scan.size > MAX_EXPANDED_NODES
      ? "size"
      : scan.depth > MAX_DEPTH
        ? "depth"
        : undefined;
  if (expansion) {
    // Without aliases only plain indentation can be that deep; with them, an anchor likely holds itself.
    const loop = locator.selfReferentialAlias();
    const failure = loop
      ? diagnostic(
          "error",
          "yaml-alias-limit",
          `alias *${loop.source} is inside its own anchor &${loop.source}: it would repeat forever`,
          locator.offset(loop.range?.[0] ?? 0),
        )
      : expansion === "size" || locator.hasAliases()
        ? diagnostic("error", "yaml-alias-limit", ALIAS_BOMB, wholeFile(file))
        : diagnostic("error", "yaml-too-deep", TOO_DEEP, wholeFile(file));
    return { diagnostics: [...diagnostics, failure] };
  }
  try {
    const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return { parsed: { file, doc, locator, value }, diagnostics };
  } catch (err) {
    const bomb = err instanceof ReferenceError && /alias count/i.test(err.message);
    const reason = err instanceof Error ? err.message : String(err);
    const failure = bomb
      ? diagnostic("error", "yaml-alias-limit", ALIAS_BOMB, wholeFile(file))
      : diagnostic("error", "yaml-syntax", `invalid YAML: ${sentence(reason)}`, wholeFile(file));
    return { diagnostics: [...diagnostics, failure] };
  }
}

/** Syntax errors beyond these are not looked at: a garbled file yields one per character. */
export const MAX_SYNTAX_ERRORS = 100;
/** The parser stops after this many unparsable top-level tokens (5 MiB of "]" is 5 Mi errors). */
const MAX_ERROR_TOKENS = 1000;

const OPTIONS = {
  prettyErrors: false,
  // The core schema keeps 2026-12-31 a string even under a %YAML 1.1 directive.
  schema: "core",
  stringKeys: true,
  // Checked by duplicateKeys, in linear time.
  uniqueKeys: false,
  // "error" keeps MULTIPLE_DOCS reported; anything chattier would print to the console.
  logLevel: "error",
} as const;

/**
 * compose(), with the lists of ids blanked first and built afterwards (see flow-lists.ts and
 * block-lists.ts); the text as written whenever that is not exactly what yaml would have built,
 * and for any problem: its messages need the syntax tree of the text itself.
 */
function composeFast(text: string): { doc: Document.Parsed; cst: CST.Token[]; lines: LineCounter } {
  const flow = findFlowLists(text);
  const block = findBlockLists(flow?.blanked ?? text);
  const blanked = block?.blanked ?? flow?.blanked;
  if (blanked !== undefined) {
    const { doc } = compose(blanked, new LineCounter());
    const clean = doc.errors.length === 0 && doc.warnings.length === 0;
    const filled =
      clean && (!block || fillBlockLists(doc, text, block)) && (!flow || fillFlowLists(doc, text, flow));
    // The blanked text lost line breaks: count those of the text as written.
    if (filled) return { doc, cst: [], lines: linesOf(text) };
  }
  const lines = new LineCounter();
  return { ...compose(text, lines), lines };
}

function linesOf(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines.addNewLine(i + 1);
  return lines;
}

/**
 * parseDocument, taken apart to keep the concrete syntax tree (for explaining syntax errors
 * without parsing twice) and to stop early on a file that is nothing but errors.
 */
function compose(text: string, lines: LineCounter): { doc: Document.Parsed; cst: CST.Token[] } {
  const cst: CST.Token[] = [];
  const parser = new Parser(lines.addNewLine);
  function* tokens(): Generator<CST.Token> {
    let errorTokens = 0;
    for (const token of parser.parse(text)) {
      cst.push(token);
      yield token;
      if (token.type === "error" && ++errorTokens >= MAX_ERROR_TOKENS) return;
    }
  }
  return withoutStackTraces(() => {
    let doc: Document.Parsed | undefined;
    for (const next of new Composer(OPTIONS).compose(tokens(), true, text.length)) {
      if (!doc) {
        doc = next;
      } else {
        const message = "Source contains multiple documents; please use YAML.parseAllDocuments()";
        doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], "MULTIPLE_DOCS", message));
        break;
      }
    }
    return { doc: doc ?? (new Document(null, OPTIONS) as unknown as Document.Parsed), cst };
  });
}

/** Every YAML error is an Error: a million of them would capture a million stack traces. */
function withoutStackTraces<T>(run: () => T): T {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return run();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** The first MAX_SYNTAX_ERRORS errors, in the order of the text. */
function firstErrors(errors: readonly YAMLError[]): YAMLError[] {
  if (errors.length <= MAX_SYNTAX_ERRORS) return [...errors];
  return [...errors].sort((a, b) => a.pos[0] - b.pos[0]).slice(0, MAX_SYNTAX_ERRORS);
}

function yamlError(
  e: YAMLError,
  offset: number,
  text: string,
  duplicates: ReadonlyMap<number, string>,
  locator: Locator,
): Diagnostic {
  const at = locator.offset(offset);
  switch (e.code) {
    case "TAB_AS_INDENT":
      return diagnostic("error", "yaml-tab-indent", `a tab is used for indentation: ${SPACES_ONLY}`, at);
    case "DUPLICATE_KEY": {
      const message =
        duplicates.get(e.pos[0]) ?? "a key appears twice in one map: each key may be given once";
      return diagnostic("error", "duplicate-key", message, at);
    }
    case "MULTIPLE_DOCS":
      return diagnostic("error", "yaml-syntax", `a flags file holds one YAML document: ${ONE_DOCUMENT}`, at);
    default: {
      const tabHint = indentedWithTab(text, e.pos[0])
        ? ` (this line is indented with a tab: ${SPACES_ONLY})`
        : "";
      return diagnostic("error", "yaml-syntax", `invalid YAML: ${sentence(e.message)}${tabHint}`, at);
    }
  }
}

/**
 * Keys given twice in one map, as yaml's own DUPLICATE_KEY errors. yaml's uniqueKeys compares
 * each key with every earlier one, which takes minutes on a large file; scanDocument is one pass.
 */
function duplicateKeys(
  doc: Document.Parsed,
  found: readonly DuplicateKey[],
  locator: Locator,
): Map<number, string> {
  const messages = new Map<number, string>();
  for (const { key, first, inFlags } of found) {
    const start = key.range?.[0] ?? 0;
    const name = String(key.value);
    const kind = inFlags ? "flag" : "key";
    const message = `${kind} ${quote(name)} is given twice in this map (first at line ${locator.offset(first).line})`;
    messages.set(start, message);
    const end = key.range?.[1] ?? start;
    doc.errors.push(new YAMLParseError([start, end], "DUPLICATE_KEY", "Map keys must be unique"));
  }
  return messages;
}

/** Tags whose values are plain data: the core schema's own types, and '!' (a plain string). */
const PLAIN_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`).concat("!"),
);

/** One error per node with a tag that builds something else (!!binary, !!set, !!timestamp, !foo). */
function unsupportedTags(tagged: readonly Node[], text: string, locator: Locator): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const node of tagged) {
    if (node.tag === undefined || PLAIN_TAGS.has(node.tag)) continue;
    if (out.length >= MAX_SYNTAX_ERRORS) break;
    const start = node.range?.[0] ?? 0;
    const tag = node.tag.replace(/^tag:yaml\.org,2002:/, "!!");
    const at = tagOffset(text, start) ?? start;
    const shown = /^[!\w.:/,<>%-]+$/.test(tag) ? `'${tag}'` : quote(tag);
    const message = `YAML tag ${shown} is not supported: a flags file holds plain text, numbers, true or false, lists and maps; remove the tag`;
    out.push(diagnostic("error", "yaml-tag", message, locator.offset(at)));
  }
  return out;
}

/** Where the tag of the node at `start` is written: the '!' token among the properties before it. */
function tagOffset(text: string, start: number): number | undefined {
  let end = start;
  // At most a tag and an anchor stand before a node, in either order.
  for (let props = 0; props < 2; props++) {
    while (end > 0 && /\s/.test(text[end - 1] ?? "")) end--;
    let begin = end;
    while (begin > 0 && !/\s/.test(text[begin - 1] ?? "")) begin--;
    const token = text.slice(begin, end);
    if (token.startsWith("!")) return begin;
    if (!token.startsWith("&")) return undefined;
    end = begin;
  }
  return undefined;
}

/** For the one problem found before the parser (and its line counter) runs. */
function positionIn(file: string, text: string, offset: number): SourceLocation {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { file, line, col: offset - before.lastIndexOf("\n") };
}

function indentedWithTab(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ ]*\t/.test(text.slice(lineStart, offset + 1));
}

/** yaml's messages start with a capital and may run over several lines. */
function sentence(message: string): string {
  const first =
    message
      .split("\n")[0]
      ?.replace(/ at line \d+, column \d+:?$/, "")
      .trim() ?? "";
  return /^[A-Z]([a-z]| [a-z])/.test(first) ? first.charAt(0).toLowerCase() + first.slice(1) : first;
}
