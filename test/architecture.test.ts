// Folders of src/ depend one way only: no two folders import each other, directly or round a cycle.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../src");

/** folder -> folders it imports from (top-level folders of src/; files at the top count as "."). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const folderOf = (file: string) => relative(SRC, file).split("/")[0]!.replace(/\.ts$/, "") || ".";
  const files = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  for (const name of files) {
    const file = join(SRC, name);
    const from = name.includes("/") ? folderOf(file) : ".";
    const deps = graph.get(from) ?? new Set<string>();
    graph.set(from, deps);
    for (const match of readFileSync(file, "utf8").matchAll(/^(?:import|export)[^;]*?from "(\.[^"]+)"/gms)) {
      const target = resolve(dirname(file), match[1]!);
      const to = relative(SRC, target).includes("/") ? folderOf(target) : ".";
      if (to !== from && to !== ".") deps.add(to);
    }
  }
  return graph;
}

describe("architecture", () => {
  it("has no import cycle between the folders of src/", () => {
    const graph = folderGraph();
    const cycles: string[] = [];
    // Depth-first search with an explicit stack: the graph is a handful of folders.
    for (const start of graph.keys()) {
      const stack: string[][] = [[start]];
      while (stack.length > 0) {
        const path = stack.pop()!;
        for (const next of graph.get(path[path.length - 1]!) ?? []) {
          if (next === start) cycles.push([...path, next].join(" -> "));
          else if (!path.includes(next)) stack.push([...path, next]);
        }
      }
    }
    expect(cycles).toEqual([]);
  });

  it("keeps the commands on the reconcile core: plan and apply do not call diff or execute directly", () => {
    for (const command of ["plan", "apply"]) {
      const text = readFileSync(join(SRC, "cli/commands", `${command}.ts`), "utf8");
      expect(text, command).toContain("reconcile/index.js");
      expect(text, command).not.toMatch(/plan\/diff|apply\/execute|live\/read/);
    }
  });
});
