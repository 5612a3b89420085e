// One pass over a parsed document, in document order, for what parsing leaves to check: anchors
// and the aliases that use them, keys given twice, tags, and the document's size and depth.
// Iterative: a document is data, and deep data must not exhaust the stack.
import { isAlias, isCollection, isMap, isNode, isPair, isScalar } from "yaml";
import type { Alias, Document, Node, Scalar } from "yaml";

export interface DuplicateKey {
  /** The repeated key, and where the first one of its name starts. */
  key: Scalar;
  first: number;
  /** The map is the file's `flags:`. */
  inFlags: boolean;
}

export interface DocumentScan {
  /** Every alias, and the node it stands for: the last anchor of its name before it. */
  anchors: Map<Alias, Node | undefined>;
  duplicates: DuplicateKey[];
  /** Nodes that carry a tag (!!str, !!binary, !foo ...), keys included. */
  tagged: Node[];
  /** Nodes and map entries, aliases not expanded. */
  size: number;
  /** How deeply maps and lists nest. */
  depth: number;
}

export function scanDocument(doc: Document.Parsed): DocumentScan {
  const scan: DocumentScan = { anchors: new Map(), duplicates: [], tagged: [], size: 0, depth: 0 };
  const root = doc.contents;
  const flags: unknown = isMap(root) ? root.get("flags", true) : undefined;
  const current = new Map<string, Node>();
  const nodes: unknown[] = [root];
  const depths: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop() ?? 0;
    if (!isNode(node)) continue;
    scan.size++;
    if (depth > scan.depth) scan.depth = depth;
    if (node.tag !== undefined) scan.tagged.push(node);
    if (isAlias(node)) {
      scan.anchors.set(node, current.get(node.source));
      continue;
    }
    if (node.anchor) current.set(node.anchor, node);
    if (!isCollection(node)) continue;
    const seen = isMap(node) ? new Map<string, number>() : undefined;
    // Pushed last to first, so that they are taken in document order.
    for (let i = node.items.length - 1; i >= 0; i--) {
      const item: unknown = node.items[i];
      if (isPair(item)) {
        scan.size++;
        nodes.push(item.value, item.key);
        depths.push(depth + 1, depth + 1);
      } else {
        nodes.push(item);
        depths.push(depth + 1);
      }
    }
    if (seen) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        const start = pair.key.range?.[0] ?? 0;
        const first = seen.get(name);
        if (first === undefined) seen.set(name, start);
        else scan.duplicates.push({ key: pair.key, first, inFlags: node === flags });
      }
    }
  }
  return scan;
}
