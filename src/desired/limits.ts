// Guards against YAML that is cheap to write and expensive to load: deep nesting and aliases that
// expand a small file into a huge document. A flags file is about eight levels deep.
import { isAlias, isMap, isPair, isSeq } from "yaml";
import type { Alias, Node } from "yaml";

/** Deeper than any flags file needs; far below what exhausts the parser's stack. */
export const MAX_DEPTH = 100;
/** Nodes after expanding aliases: room for a 5 MiB file of ids, not for an alias bomb. */
export const MAX_EXPANDED_NODES = 2_000_000;

/**
 * The offset where flow brackets ([, {) or compact lists (- - -) first nest deeper than
 * MAX_DEPTH, or "indentation" when block indentation alone does (thousands of levels would
 * exhaust the parser's stack). Found before parsing because the parser itself is slow on such
 * input. A block scalar's more-indented lines count as levels too, which no real file reaches.
 */
export function tooDeepAt(text: string): number | "indentation" | undefined {
  let depth = 0;
  let quote: string | undefined;
  let lineStart = true;
  let dashes = 0;
  const indents: number[] = [];
  let unindented = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (unindented && c !== " " && c !== "\n" && c !== "\r" && c !== "#" && depth === 0) {
      // The first character of a block line: the indentations still open above it are its depth.
      const indent = i - (text.lastIndexOf("\n", i - 1) + 1);
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= indent) indents.pop();
      indents.push(indent);
      if (indents.length > MAX_DEPTH) return "indentation";
    }
    if (c !== " ") unindented = c === "\n";
    if (c === "\n") {
      lineStart = true;
      dashes = 0;
    } else if (c === "#" && (i === 0 || /\s/.test(text[i - 1] ?? ""))) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end - 1;
    } else if (c === '"' || c === "'") {
      quote = c;
      lineStart = false;
    } else if (c === "[" || c === "{") {
      depth++;
    } else if (c === "]" || c === "}") {
      depth = Math.max(0, depth - 1);
    } else if (lineStart && c === "-" && /\s/.test(text[i + 1] ?? "")) {
      dashes++;
    } else if (c !== " " && c !== "\t") {
      lineStart = false;
    }
    if (depth + dashes > MAX_DEPTH) return i;
  }
  return undefined;
}

/** Walks the document as loading would, aliases expanded, and stops once it is too big or deep. */
export function expansionProblem(
  root: Node | null,
  target: (alias: Alias) => Node | undefined,
): "depth" | "size" | undefined {
  const stack: [unknown, number][] = [[root, 0]];
  let nodes = 0;
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    if (++nodes > MAX_EXPANDED_NODES) return "size";
    if (depth > MAX_DEPTH) return "depth";
    if (isAlias(node)) {
      const anchored = target(node);
      if (anchored) stack.push([anchored, depth]);
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items) stack.push([item, depth + 1]);
    } else if (isPair(node)) {
      stack.push([node.key, depth], [node.value, depth]);
    }
  }
  return undefined;
}
