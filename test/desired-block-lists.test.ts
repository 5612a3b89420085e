// Lists of ids written one per line and built outside yaml (src/desired/block-lists.ts) are the
// nodes yaml builds itself: same values, ranges and types; text where that cannot be told is parsed
// as written.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fillBlockLists, findBlockLists } from "../src/desired/block-lists.js";
import { fillFlowLists, findFlowLists } from "../src/desired/flow-lists.js";
import { validateDocuments } from "../src/desired/index.js";
import { compose, dump } from "./support/yaml-nodes.js";

/** The document built the fast way (as parse.ts does), or undefined where it gives up. */
function fast(text: string): unknown {
  const flow = findFlowLists(text);
  const block = findBlockLists(flow?.blanked ?? text);
  if (!block) return undefined;
  const doc = compose(block.blanked);
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  if (!fillBlockLists(doc, text, block) || (flow && !fillFlowLists(doc, text, flow))) return undefined;
  return dump(doc.contents);
}

const AWKWARD = [
  "acme",
  "co-1.b@c/d+e_f",
  "'00123'",
  '"00123"',
  "'true'",
  '"null"',
  "yes",
  "No",
  "on",
  "'#'",
  '"a # b"',
  "':'",
  '"a: b"',
  "'say \"hi\"'",
  '"it\'s"',
  '"café ✓ 🙂"',
  '" padded "',
  "''",
  '""',
];

describe("lists of ids one per line built outside yaml", () => {
  it.each([
    ["a list", "a:\n  l:\n    - co-1\n    - b\n    - c\n    - d\n  m: 1\n"],
    ["a list at the key's indentation", "l:\n- a\n- b\n- c\nm: x\n"],
    ["a list as the document", "- a\n- b\n- c\n"],
    ["awkward quoted ids and words", `l:\n${AWKWARD.map((id) => `  - ${id}\n`).join("")}`],
    ["trailing spaces", "l:\n  - a  \n  - 'b' \n  - \"c\"   \n  - d\n"],
    ["CRLF line ends", "l:\r\n  - a\r\n  - b \r\n  - c\r\n  - d\r\n"],
    [
      "comments and empty lines between items",
      "l:\n  - a\n  - b\n  - c\n  # note\n  - d\n\n  - e\n  - f\n  - g\n",
    ],
    ["comments before and after", "# head\nl: # list\n  - a\n  - b\n  - c\n# tail\n"],
    [
      "items the run stops at",
      "l:\n  - a\n  - b\n  - c\n  - 00123\n  - &x d\n  - *x\n  - e\t\n  - f # g\n  - h\n  - i\n  - j\n",
    ],
    ["unicode and tabs that yaml reads", "l:\n  - a\n  - b\n  - c\n  - café\n  -\tt\n  - d\n  - e\n  - f\n"],
    ["an anchored list and its alias", "a: &x\n  - p\n  - q\n  - r\nb: *x\n"],
    ["lists in a list of maps", "- l:\n    - a\n    - b\n    - c\n  m:\n  - d\n  - e\n  - f\n- x\n"],
    ["beside one-line lists", "a: [p, q]\nb:\n  - a\n  - b\n  - c\nc: {k: [x]}\n"],
    ["the last item without a line end", "l:\n  - a\n  - b\n  - c\n  - d"],
    ["nested lists at two indentations", "l:\n  - a\n  - b\n  - c\n  -\n    - d\n    - e\n    - f\n"],
  ])("%s: the same nodes as yaml's", (_, text) => {
    expect(fast(text)).toBeDefined();
    expect(fast(text)).toEqual(dump(compose(text).contents));
  });

  it.each([
    ["in a block scalar", "a: |\n  - x\n  - y\n  - z\n"],
    ["in a quoted string", 'a: "x\n  - p\n  - q\n  - r\n  y"\n'],
    ["in a plain string", "a: x\n  - p\n  - q\n  - r\n"],
    ["as a key", "? - a\n  - b\n  - c\n: v\n"],
    ["beside a syntax error", "l:\n  - a\n  - b\n  - c\nm: [x\n"],
    ["under a tab-indented line", "l:\n  - a\n  - b\n  - c\n\tm: 1\n"],
  ])("a list %s: parsed as written", (_, text) => {
    expect(fast(text)).toBeUndefined();
  });

  it.each([
    ["two items", "l:\n  - a\n  - b\n"],
    ["numbers, null and booleans", "l:\n  - 1\n  - null\n  - true\n  - False\n"],
    ["escapes and doubled quotes", 'l:\n  - "a\\tb"\n  - \'it\'\'s\'\n  - "c\\""\n'],
    ["items at other indentations", "l:\n  - a\n   - b\n  - c\n"],
    ["a %YAML directive", "%YAML 1.1\n---\nl:\n  - a\n  - b\n  - c\n"],
  ])("%s: no run of ids", (_, text) => {
    expect(findBlockLists(text)).toBeUndefined();
  });

  it("random lists of awkward items: the same nodes as yaml's", () => {
    const item = fc.oneof(
      { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.@/+-]{0,6}$/) },
      { weight: 3, arbitrary: fc.constantFrom(...AWKWARD, "'[a, b]'", '"x\\ty"', "'it''s'") },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom("'", '"'), fc.string({ unit: "grapheme", maxLength: 4 }))
          .map(([q, s]) => `${q}${s.replace(/['"\\\n\r]/g, "")}${q}`),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "12",
          "0x1F",
          ".inf",
          "~",
          "null",
          "TRUE",
          "&a x",
          "*a",
          "a #c",
          "a:b",
          "- x",
          "[x]",
        ),
      },
    );
    const line = fc.tuple(
      item,
      fc.constantFrom("", "", "", " ", "  ", "\t", " # c"),
      fc.constantFrom("", "", "", "", "", "\n", "  # between\n"),
    );
    const list = fc.tuple(
      fc.constantFrom("a", "b", "c"),
      fc.constantFrom("", "  ", "    "),
      fc.array(line, { minLength: 1, maxLength: 12 }),
    );
    const eol = fc.constantFrom("\n", "\r\n");
    fc.assert(
      fc.property(
        fc.uniqueArray(list, { minLength: 1, maxLength: 3, selector: ([k]) => k }),
        eol,
        (lists, nl) => {
          const text = lists
            .map(
              ([key, indent, lines]) =>
                `${key}:\n${lines.map(([id, tail, gap]) => `${indent}- ${id}${tail}\n${gap ? indent + gap : ""}`).join("")}`,
            )
            .join("")
            .replace(/\n/g, nl);
          const built = fast(text);
          // Text yaml reads differently (or not at all) is left to yaml; then there is nothing to compare.
          if (built !== undefined) expect(built).toEqual(dump(compose(text).contents));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a file of such lists loads with each id at its place, and problems point at it", () => {
    const text = [
      "version: 1",
      "app: ap1",
      "flags:",
      "  f:",
      "    targeting:",
      "      Production:",
      "        companies:",
      "          - co-1",
      "          - 'co-2'  ",
      "          - co-3",
      "          - co-1",
      "          - co-4",
      "        users:\r",
      "        - u-1\r",
      '        - "u 2 "\r',
      "        - u-3\r",
      "",
    ].join("\n");
    expect(findBlockLists(text)?.ends).toHaveLength(6);
    const result = validateDocuments([{ file: "f.yaml", text }], { now: new Date() });
    const at = (line: number, col: number): unknown => ({ file: "f.yaml", line, col });
    expect(result.state?.flags[0]?.targeting[0]).toMatchObject({
      companies: [
        { id: "co-1", at: at(8, 13) },
        { id: "co-2", at: at(9, 13) },
        { id: "co-3", at: at(10, 13) },
        { id: "co-4", at: at(12, 13) },
      ],
      users: [
        { id: "u-1", at: at(14, 11) },
        { id: "u 2 ", at: at(15, 11) },
        { id: "u-3", at: at(16, 11) },
      ],
    });
    const problems = result.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);
    expect(problems).toEqual(["11:13 duplicate-target", "15:11 id-whitespace"]);
  });
});
