// Lists written one id per line ("- co-1" under "companies:"), the format export writes, cost as
// much in yaml's syntax tree as one-line lists (see flow-lists.ts). In each run of three or more
// such lines, everything from the end of the first id to the line of the last is blanked (line
// breaks too: blank lines still cost yaml two tokens each) before yaml parses the text; yaml builds
// the first and last items, and the ones between are built here as yaml would.
import { isMap, isPair, isScalar, isSeq, type Scalar } from "yaml";
import type { Document } from "yaml";
import { hasDirective, idScalar, isIdChar, isLetter, isNotString } from "./flow-lists.js";

export interface BlockLists {
  /** The text with each run's inside replaced by spaces: same length, fewer line breaks. */
  blanked: string;
  /** Per run: offset of its first item's value, of the line after it, and of its last item's value. */
  ends: number[];
  /** Per run, the items between its first and last as [start, end, next line, quote], flattened. */
  items: number[][];
}

const SPACE = 0x20;
const DASH = 0x2d;
const CR = 0x0d;
const LF = 0x0a;
const SINGLE = 0x27;
const DOUBLE = 0x22;
const BACKSLASH = 0x5c;

/** Fewer lines in a run leave nothing between the first and the last to blank. */
const MIN_RUN = 3;

/**
 * A character yaml copies as written between simple quotes: printable, no escape, no line break
 * (not even U+2028/9), no byte-order mark.
 */
function isQuotedChar(c: number, quote: number): boolean {
  if (c === quote || c === BACKSLASH) return false;
  if (c >= 0x20 && c <= 0x7e) return true;
  return c >= 0xa0 && c !== 0xfeff && c !== 0x2028 && c !== 0x2029;
}

/**
 * The item on the line at `i` ("<indent>- <id><spaces>" then a line break), as
 * [indent, start, end, quote, offset of the next line], or undefined.
 */
function itemAt(text: string, i: number): number[] | undefined {
  const n = text.length;
  const lineStart = i;
  while (i < n && text.charCodeAt(i) === SPACE) i++;
  const indent = i - lineStart;
  if (text.charCodeAt(i) !== DASH || text.charCodeAt(i + 1) !== SPACE) return undefined;
  i += 2;
  const start = i;
  const first = text.charCodeAt(i);
  let quote = 0;
  if (first === SINGLE || first === DOUBLE) {
    quote = first;
    i++;
    while (i < n && isQuotedChar(text.charCodeAt(i), quote)) i++;
    if (text.charCodeAt(i) !== quote) return undefined;
    i++;
  } else {
    if (!isLetter(first)) return undefined;
    while (i < n && isIdChar(text.charCodeAt(i))) i++;
    if (isNotString(text, start, i)) return undefined;
  }
  const end = i;
  while (i < n && text.charCodeAt(i) === SPACE) i++;
  if (text.charCodeAt(i) === CR) i++;
  if (text.charCodeAt(i) !== LF) return undefined;
  return [indent, start, end, quote, i + 1];
}

/**
 * Finds the runs of one-id lines at one indentation in `text`. Finding one where yaml sees no list
 * (inside a block scalar or a quoted string) is harmless: fillBlockLists then fails to match it.
 */
export function findBlockLists(text: string): BlockLists | undefined {
  if (hasDirective(text)) return undefined;
  const ends: number[] = [];
  const items: number[][] = [];
  const parts: string[] = [];
  let copied = 0;
  let line = 0;
  while (line < text.length) {
    const first = itemAt(text, line);
    if (!first) {
      const next = text.indexOf("\n", line);
      line = next < 0 ? text.length : next + 1;
      continue;
    }
    // Extend the run while the next line holds one id at the same indentation.
    const run: number[][] = [first];
    let after = first[4] ?? text.length;
    for (;;) {
      const item = itemAt(text, after);
      if (!item || item[0] !== first[0]) break;
      run.push(item);
      after = item[4] ?? text.length;
    }
    if (run.length >= MIN_RUN) {
      const last = run[run.length - 1] ?? first;
      const middle: number[] = [];
      for (let k = 1; k < run.length - 1; k++) {
        const item = run[k] ?? first;
        middle.push(item[1] ?? 0, item[2] ?? 0, item[4] ?? 0, item[3] ?? 0);
      }
      ends.push(first[1] ?? 0, first[4] ?? 0, last[1] ?? 0);
      items.push(middle);
      // From the end of the first id to the line break before the last item's line.
      const from = first[2] ?? 0;
      const to = ((run[run.length - 2] ?? first)[4] ?? 1) - 1;
      parts.push(text.slice(copied, from), " ".repeat(to - from));
      copied = to;
    }
    line = after;
  }
  if (ends.length === 0) return undefined;
  parts.push(text.slice(copied));
  return { blanked: parts.join(""), ends, items };
}

/**
 * Puts the blanked items back between the first and last item of each run in `doc`, parsed from
 * `lists.blanked`. False when some run's first and last items are not adjacent string items of
 * one block list in `doc`: then the caller must parse the text as written.
 */
export function fillBlockLists(doc: Document.Parsed, text: string, lists: BlockLists): boolean {
  const byFirst = new Map<number, number>();
  for (let r = 0; r < lists.ends.length; r += 3) byFirst.set(lists.ends[r] ?? 0, r / 3);
  let filled = 0;
  const nodes: unknown[] = [doc.contents];
  while (nodes.length > 0) {
    const node = nodes.pop();
    if (isMap(node)) {
      for (const pair of node.items) if (isPair(pair)) nodes.push(pair.value);
    } else if (isSeq(node)) {
      if (node.flow === true) {
        for (const item of node.items) if (isMap(item) || isSeq(item)) nodes.push(item);
        continue;
      }
      let built: unknown[] | undefined;
      for (let j = 0; j < node.items.length; j++) {
        const item = node.items[j];
        built?.push(item);
        if (isMap(item) || isSeq(item)) nodes.push(item);
        const run = isScalar(item) && item.range ? byFirst.get(item.range[0]) : undefined;
        if (run === undefined) continue;
        const last = node.items[j + 1];
        if (!isScalar(last) || last.range?.[0] !== lists.ends[run * 3 + 2]) return false;
        // The first item's range ends after its own line break, which was blanked.
        if (isScalar(item) && item.range) item.range[2] = lists.ends[run * 3 + 1] ?? item.range[2];
        if (!built) built = node.items.slice(0, j + 1);
        const offsets = lists.items[run] ?? [];
        for (let k = 0; k < offsets.length; k += 4) built.push(scalarAt(text, offsets, k));
        filled++;
      }
      if (built) node.items = built;
    }
  }
  return filled * 3 === lists.ends.length;
}

/** The string scalar yaml builds for the item at offsets[k..k+3]. */
function scalarAt(text: string, offsets: number[], k: number): Scalar {
  const start = offsets[k] ?? 0;
  const end = offsets[k + 1] ?? 0;
  const quote = offsets[k + 3] ?? 0;
  const value = quote === 0 ? text.slice(start, end) : text.slice(start + 1, end - 1);
  const type = quote === 0 ? "PLAIN" : quote === DOUBLE ? "QUOTE_DOUBLE" : "QUOTE_SINGLE";
  // A block item's range ends after its line break.
  return idScalar(value, start, end, offsets[k + 2] ?? end, type);
}
