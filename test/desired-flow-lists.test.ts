// Lists of ids built outside yaml (src/desired/flow-lists.ts) are the nodes yaml builds itself:
// same values, ranges and types; and text where that cannot be told is parsed as written.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fillFlowLists, findFlowLists } from "../src/desired/flow-lists.js";
import { validateDocuments } from "../src/desired/index.js";
import { compose, dump } from "./support/yaml-nodes.js";

/** The document built the fast way, or undefined where the fast way gives up. */
function fast(text: string): unknown {
  const lists = findFlowLists(text);
  if (!lists) return undefined;
  const doc = compose(lists.blanked);
  if (doc.errors.length > 0 || doc.warnings.length > 0 || !fillFlowLists(doc, text, lists)) return undefined;
  return dump(doc.contents);
}

describe("lists of ids built outside yaml", () => {
  it.each([
    ["a list", "a:\n  l: [co-1, b ,c , d]  # x\n  m: [x]\n"],
    ["a trailing comma and spaces", "l: [ a1 , b.c@d/e+f_g ,  ]\n"],
    ["lists in a list and a flow map", "l: [[a, b], [c]]\nm: {k: [x, y], j: z}\n"],
    ["an anchored list and its alias", "a: &x [p, q]\nb: *x\n"],
    ["items in a block list", "l:\n  - [a, b]\n  - c\n"],
    ["CRLF line ends", "l: [a, b]\r\nm: [c]\r\n"],
  ])("%s: the same nodes as yaml's", (_, text) => {
    expect(fast(text)).toBeDefined();
    expect(fast(text)).toEqual(dump(compose(text).contents));
  });

  it.each([
    ["in a quoted string", 'a: "see [a, b]"\n'],
    ["in a single-quoted string", "a: 'see [a, b]'\n"],
    ["in a comment", "a: 1 # [a, b]\n"],
    ["in a block scalar", "a: |\n  [a, b]\n"],
    ["as a key", "? [a, b]\n: v\n"],
    ["beside a syntax error", "a: [a, b]\nb: [c\n"],
  ])("a list %s: parsed as written", (_, text) => {
    expect(fast(text)).toBeUndefined();
  });

  it.each([
    ["numbers", "l: [a, 12]\n"],
    ["null and booleans", "l: [a, null, true, False]\n"],
    ["quoted items", 'l: [a, "b"]\n'],
    ["items over several lines", "l: [a,\n  b]\n"],
    ["a %YAML directive", "%YAML 1.1\n---\nl: [a, b]\n"],
    ["an empty list", "l: []\n"],
  ])("%s: not a list of ids", (_, text) => {
    expect(findFlowLists(text)).toBeUndefined();
  });

  it("random lists of ids, spaces and commas: the same nodes as yaml's", () => {
    const id = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.@/+-]{0,6}$/);
    const spaces = fc.constantFrom("", " ", "  ");
    const list = fc
      .tuple(fc.array(fc.tuple(spaces, id, spaces), { minLength: 1, maxLength: 5 }), fc.boolean(), spaces)
      .map(
        ([items, trailing, end]) =>
          `[${items.map(([a, x, b]) => `${a}${x}${b}`).join(",")}${trailing ? "," : ""}${end}]`,
      );
    const line = fc.tuple(fc.constantFrom("a", "b", "c", "d"), list, fc.constantFrom("", " # note", "  "));
    fc.assert(
      fc.property(fc.uniqueArray(line, { minLength: 1, maxLength: 4, selector: ([k]) => k }), (lines) => {
        const text = lines.map(([k, l, tail]) => `${k}: ${l}${tail}\n`).join("");
        const built = fast(text);
        // Words such as "null" are left to yaml; then there is nothing to compare.
        if (built !== undefined) expect(built).toEqual(dump(compose(text).contents));
      }),
    );
  });

  it("a file of lists loads with each id at its place", () => {
    const text = [
      "version: 1",
      "app: ap1",
      "flags:",
      "  f:",
      "    targeting:",
      "      Production:",
      "        companies: [co-1,  co-2 ]",
      "        users: [u-1]",
      "",
    ].join("\n");
    expect(findFlowLists(text)?.starts).toHaveLength(2);
    const result = validateDocuments([{ file: "f.yaml", text }], { now: new Date() });
    const at = (line: number, col: number): unknown => ({ file: "f.yaml", line, col });
    expect(result.state?.flags[0]?.targeting[0]).toMatchObject({
      companies: [
        { id: "co-1", at: at(7, 21) },
        { id: "co-2", at: at(7, 28) },
      ],
      users: [{ id: "u-1", at: at(8, 17) }],
    });
  });
});
