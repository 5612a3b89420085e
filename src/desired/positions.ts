// Maps a path in the loaded data (as ajv and the rules see it) back to a line and column in the
// YAML source, following aliases into their anchors.
import { isAlias, isMap, isPair, isScalar, isSeq } from "yaml";
import type { Alias, Document, LineCounter, Node, Pair, YAMLMap } from "yaml";
import type { SourceLocation } from "./model.js";

export type DataPath = readonly (string | number)[];

/** A JSON pointer as ajv reports it: "/flags/a~1b/targeting" -> ["flags", "a/b", "targeting"] */
export function pointerToPath(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((step) => step.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export class Locator {
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
  /** The previous walk: its path, how many steps of it resolved, and the nodes after each step. */
  private readonly last: {
    path: DataPath;
    steps: number;
    written: (Node | null | undefined)[];
    node: (Node | null | undefined)[];
    key: (Node | null | undefined)[];
  };

  /** `anchors`: every alias of the document and the node it stands for (see scanDocument). */
  constructor(
    readonly file: string,
    doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly text: string,
    private readonly anchors: ReadonlyMap<Alias, Node | undefined>,
  ) {
    const root = doc.contents;
    this.last = { path: [], steps: 0, written: [root], node: [this.deref(root)], key: [undefined] };
  }

  /**
   * Where the value at `path` starts (or its nearest ancestor that exists). A value written as an
   * alias (*name) is where the alias is written: that is the use that went wrong, not the anchor.
   */
  value(path: DataPath): SourceLocation {
    const found = this.walk(path);
    return this.offset(rangeStart(found.written) ?? rangeStart(found.node) ?? rangeStart(found.key) ?? 0);
  }

  /** Where the key of the last step of `path` starts; for a list item, where the item starts. */
  key(path: DataPath): SourceLocation {
    const found = this.walk(path);
    return this.offset(rangeStart(found.key) ?? rangeStart(found.node) ?? 0);
  }

  /** The value at `path` exactly as written in the file (007, not 7), if it is a scalar. */
  written(path: DataPath): string | undefined {
    const { node } = this.walk(path);
    if (!isScalar(node) || !node.range) return undefined;
    return this.text.slice(node.range[0], node.range[1]).trim();
  }

  /**
   * For a plain (unquoted) scalar written over several lines, where its second line starts: such
   * an id is almost always a line indented too far, folded into the line above.
   */
  continuation(path: DataPath): SourceLocation | undefined {
    const { node } = this.walk(path);
    if (!isScalar(node) || node.type !== "PLAIN" || !node.range) return undefined;
    const source = this.text.slice(node.range[0], node.range[1]);
    const lineBreak = source.indexOf("\n");
    if (lineBreak < 0) return undefined;
    const rest = source.slice(lineBreak + 1);
    return this.offset(node.range[0] + lineBreak + 1 + (rest.length - rest.trimStart().length));
  }

  /** The scalar that starts at `at` as written: a quoted one through its closing quote, else the rest of the line. */
  scalarAt(at: SourceLocation): string | undefined {
    const start = this.lines.lineStarts[at.line - 1];
    if (start === undefined || at.col < 1) return undefined;
    const from = start + at.col - 1;
    const quote = this.text[from];
    let end = from + 1;
    if (quote === '"') {
      while (end < this.text.length && this.text[end] !== '"') end += this.text[end] === "\\" ? 2 : 1;
    } else if (quote === "'") {
      while (end < this.text.length && !(this.text[end] === "'" && this.text[end + 1] !== "'")) {
        end += this.text[end] === "'" ? 2 : 1;
      }
    } else {
      end = this.text.indexOf("\n", from);
      if (end < 0) end = this.text.length;
    }
    return this.text.slice(from, end + 1);
  }

  offset(offset: number): SourceLocation {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line: Math.max(line, 1), col: Math.max(col, 1) };
  }

  hasAliases(): boolean {
    return this.anchors.size > 0;
  }

  /** The first alias that stands inside the node it refers to (&a [*a]), if any. */
  selfReferentialAlias(): Alias | undefined {
    for (const [alias, target] of this.anchors) {
      const inner = alias.range?.[0];
      const range = target?.range;
      if (inner !== undefined && range && inner >= range[0] && inner < range[2]) return alias;
    }
    return undefined;
  }

  /** Aliases whose anchor is not defined before them, in document order. */
  unresolvedAliases(): Alias[] {
    return [...this.anchors].filter(([, target]) => target === undefined).map(([alias]) => alias);
  }

  /**
   * `written` is the node as written at the last step: an alias, where `node` is its anchor.
   * Callers walk path after path that share all but the last step (every target of a list), so
   * the steps of the previous walk are kept and a walk resumes where the paths part.
   */
  private walk(path: DataPath): {
    node: Node | null | undefined;
    key: Node | null | undefined;
    written: Node | null | undefined;
  } {
    const last = this.last;
    let step = 0;
    while (step < last.steps && step < path.length && last.path[step] === path[step]) step++;
    let written = last.written[step];
    let node = last.node[step];
    let key = last.key[step];
    for (; step < path.length; step++) {
      const name = path[step] as string | number;
      if (isMap(node)) {
        const pair = this.pair(node, String(name));
        if (!pair) break;
        key = pair.key as Node | null;
        written = pair.value as Node | null;
      } else if (isSeq(node)) {
        const item = node.items[Number(name)] as Node | null | undefined;
        if (item === undefined) break;
        key = item;
        written = item;
      } else {
        break;
      }
      node = this.deref(written);
      last.written[step + 1] = written;
      last.node[step + 1] = node;
      last.key[step + 1] = key;
    }
    last.path = path;
    last.steps = step;
    return { node, key, written: isAlias(written) ? written : node };
  }

  /** The node an alias stands for: the last anchor of its name before it. */
  target(alias: Alias): Node | undefined {
    return this.anchors.get(alias);
  }

  private deref(node: Node | null | undefined): Node | null | undefined {
    for (let hops = 0; isAlias(node) && hops < 100; hops++) node = this.target(node);
    return node;
  }

  private pair(map: YAMLMap, key: string): Pair | undefined {
    // A small map (a target's { id, until }) is searched: an index would cost more than it saves.
    if (map.items.length > 8) return this.pairs(map).get(key);
    for (let i = map.items.length - 1; i >= 0; i--) {
      // The last of duplicate keys wins, as in the loaded data.
      const pair = map.items[i];
      if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key) return pair;
    }
    return undefined;
  }

  private pairs(map: YAMLMap): Map<string, Pair> {
    let index = this.keyIndex.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) {
        // The last of duplicate keys wins, as in the loaded data.
        if (isPair(pair) && isScalar(pair.key)) index.set(String(pair.key.value), pair);
      }
      this.keyIndex.set(map, index);
    }
    return index;
  }
}

function rangeStart(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}
