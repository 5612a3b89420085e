// Maps a path in the loaded data (as ajv and the rules see it) back to a line and column in the
// YAML source, following aliases into their anchors.
import { isAlias, isMap, isPair, isScalar, isSeq, visit } from "yaml";
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
  private anchors: Map<Alias, Node | undefined> | undefined;
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly text: string,
  ) {}

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
    return this.anchorMap().size > 0;
  }

  /** The first alias that stands inside the node it refers to (&a [*a]), if any. */
  selfReferentialAlias(): Alias | undefined {
    for (const [alias, target] of this.anchorMap()) {
      const inner = alias.range?.[0];
      const range = target?.range;
      if (inner !== undefined && range && inner >= range[0] && inner < range[2]) return alias;
    }
    return undefined;
  }

  /** Aliases whose anchor is not defined before them, in document order. */
  unresolvedAliases(): Alias[] {
    return [...this.anchorMap()].filter(([, target]) => target === undefined).map(([alias]) => alias);
  }

  /** `written` is the node as written at the last step: an alias, where `node` is its anchor. */
  private walk(path: DataPath): {
    node: Node | null | undefined;
    key: Node | null | undefined;
    written: Node | null | undefined;
  } {
    let written: Node | null | undefined = this.doc.contents;
    let node: Node | null | undefined = this.deref(written);
    let key: Node | null | undefined;
    for (const step of path) {
      if (isMap(node)) {
        const pair = this.pairs(node).get(String(step));
        if (!pair) break;
        key = pair.key as Node | null;
        written = pair.value as Node | null;
      } else if (isSeq(node)) {
        const item = node.items[Number(step)] as Node | null | undefined;
        if (item === undefined) break;
        key = item;
        written = item;
      } else {
        break;
      }
      node = this.deref(written);
    }
    return { node, key, written: isAlias(written) ? written : node };
  }

  /** The node an alias stands for: the last anchor of its name before it. */
  target(alias: Alias): Node | undefined {
    return this.anchorMap().get(alias);
  }

  private deref(node: Node | null | undefined): Node | null | undefined {
    for (let hops = 0; isAlias(node) && hops < 100; hops++) node = this.target(node);
    return node;
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

  // One pass in document order: an alias refers to the last anchor of its name before it.
  private anchorMap(): Map<Alias, Node | undefined> {
    if (!this.anchors) {
      const anchors = new Map<Alias, Node | undefined>();
      const current = new Map<string, Node>();
      visit(this.doc, {
        Node: (_key, node) => {
          if (isAlias(node)) anchors.set(node, current.get(node.source));
          else if (node.anchor) current.set(node.anchor, node);
        },
      });
      this.anchors = anchors;
    }
    return this.anchors;
  }
}

function rangeStart(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}
