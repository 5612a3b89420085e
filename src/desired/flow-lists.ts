// One-line lists of plain ids ("companies: [co-1, co-2, ...]") are most of a large flags file, and
// yaml's concrete syntax tree costs about 1 KiB per item (280 MiB for 300,000 targets, most of the
// time spent loading being its garbage collection). Such lists are blanked before yaml parses the
// text, and their items are then built here as the very nodes yaml's composer would build.
import { isMap, isPair, isSeq, Scalar } from "yaml";
import type { Document } from "yaml";

export interface FlowLists {
  /** The text with every list's items replaced by spaces: same length, same lines. */
  blanked: string;
  /** Offsets of each list's '[' in the text, in order. */
  starts: number[];
  /** Per list, its items as [start, end, end with trailing spaces] offsets, flattened. */
  items: number[][];
}

const SPACE = 0x20;
const COMMA = 0x2c;
const CLOSE = 0x5d;

/**
 * An id that the core schema reads as a string and that yaml reads as one plain scalar in a flow
 * list: it starts with a letter (never a number, .inf or an indicator) and holds no indicator.
 */
export function isIdChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x2d || // -
    c === 0x5f || // _
    c === 0x2e || // .
    c === 0x40 || // @
    c === 0x2f || // /
    c === 0x2b // +
  );
}

export function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** Plain words the core schema reads as null or a boolean, not a string. */
const NOT_STRINGS = new Set(["null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"]);

/** Whether the word text[start, end) is null or a boolean (only words of four or five letters can be). */
export function isNotString(text: string, start: number, end: number): boolean {
  return (end - start === 4 || end - start === 5) && NOT_STRINGS.has(text.slice(start, end));
}

/** A %YAML directive may change what a plain word means: such text is parsed as written. */
export function hasDirective(text: string): boolean {
  return text.startsWith("%") || text.includes("\n%");
}

/** The string scalar yaml builds for an id at text[start, end), its range ending at `next`. */
export function idScalar(
  value: string,
  start: number,
  end: number,
  next: number,
  type: Scalar.Type = "PLAIN",
): Scalar {
  const scalar = new Scalar(value);
  scalar.range = [start, end, next];
  scalar.source = value;
  scalar.type = type;
  return scalar;
}

/**
 * Finds the one-line lists of ids in `text`. Finding one where yaml sees none (inside a quoted
 * string, a comment or a block scalar) is harmless: fillFlowLists then finds no list there and
 * the caller parses the text as written.
 */
export function findFlowLists(text: string): FlowLists | undefined {
  if (hasDirective(text)) return undefined;
  const starts: number[] = [];
  const items: number[][] = [];
  const parts: string[] = [];
  let copied = 0;
  for (let open = text.indexOf("["); open >= 0; open = text.indexOf("[", open + 1)) {
    const found = listAt(text, open);
    if (!found) continue;
    const close = found.close;
    starts.push(open);
    items.push(found.items);
    parts.push(text.slice(copied, open + 1), " ".repeat(close - open - 1));
    copied = close;
    open = close;
  }
  if (starts.length === 0) return undefined;
  parts.push(text.slice(copied));
  return { blanked: parts.join(""), starts, items };
}

/** The list of ids whose '[' is at `open`: its items and the offset of its ']'. */
function listAt(text: string, open: number): { items: number[]; close: number } | undefined {
  const items: number[] = [];
  let i = open + 1;
  const n = text.length;
  while (i < n && text.charCodeAt(i) === SPACE) i++;
  for (;;) {
    const start = i;
    if (i >= n || !isLetter(text.charCodeAt(i))) return undefined;
    while (i < n && isIdChar(text.charCodeAt(i))) i++;
    const end = i;
    if (isNotString(text, start, end)) return undefined;
    while (i < n && text.charCodeAt(i) === SPACE) i++;
    items.push(start, end, i);
    const c = text.charCodeAt(i);
    if (c === CLOSE) return { items, close: i };
    if (c !== COMMA) return undefined;
    i++;
    while (i < n && text.charCodeAt(i) === SPACE) i++;
    // A trailing comma before ']' is allowed, as in yaml.
    if (text.charCodeAt(i) === CLOSE) return { items, close: i };
  }
}

/**
 * Puts the items back into the lists of `doc`, parsed from `lists.blanked`: plain string scalars
 * with the ranges yaml gives them. False when some blanked list is not an empty flow list written
 * as a value in `doc`: then the caller must parse the text as written.
 */
export function fillFlowLists(doc: Document.Parsed, text: string, lists: FlowLists): boolean {
  const byStart = new Map<number, number>();
  lists.starts.forEach((start, index) => byStart.set(start, index));
  let filled = 0;
  const nodes: unknown[] = [doc.contents];
  while (nodes.length > 0) {
    const node = nodes.pop();
    if (isMap(node)) {
      for (const pair of node.items) if (isPair(pair)) nodes.push(pair.value);
    } else if (isSeq(node)) {
      const index = node.range ? byStart.get(node.range[0]) : undefined;
      const offsets = index === undefined ? undefined : lists.items[index];
      if (offsets && node.flow === true && node.items.length === 0) {
        for (let k = 0; k < offsets.length; k += 3) {
          const start = offsets[k] ?? 0;
          const end = offsets[k + 1] ?? 0;
          node.items.push(idScalar(text.slice(start, end), start, end, offsets[k + 2] ?? end));
        }
        filled++;
      } else {
        for (const item of node.items) nodes.push(item);
      }
    }
  }
  return filled === lists.starts.length;
}
