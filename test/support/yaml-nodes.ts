// yaml's own nodes, for comparing what src/desired builds outside yaml with what yaml builds itself.
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Parser } from "yaml";
import type { Document } from "yaml";

const OPTIONS = { schema: "core", stringKeys: true, uniqueKeys: false, logLevel: "error" } as const;

/** The first document of `text`, composed as src/desired/parse.ts composes it. */
export function compose(text: string): Document.Parsed {
  const docs = [...new Composer(OPTIONS).compose(new Parser(new LineCounter().addNewLine).parse(text))];
  return docs[0] as Document.Parsed;
}

/** Every node as plain data: its kind, value, range, type, flow style, comments and anchor. */
export function dump(node: unknown): unknown {
  if (isPair(node)) return { key: dump(node.key), value: dump(node.value) };
  if (isAlias(node)) return { alias: node.source, range: node.range };
  if (isScalar(node)) return { ...node };
  if (isMap(node) || isSeq(node)) {
    const { items, schema: _schema, ...rest } = node;
    return { kind: isMap(node) ? "map" : "seq", ...rest, items: items.map(dump) };
  }
  return node;
}
