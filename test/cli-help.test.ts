// --help of every command: option descriptions start in one column, lines fit 100 columns.
import { describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";

describe("--help", () => {
  it.each(["validate", "plan", "apply", "emulator"])(
    "lines up the option descriptions of %s",
    async (command) => {
      const r = await runCli([command, "--help"]);
      expect(r.code).toBe(0);
      const lines = r.stdout.split("\n");
      // "  -f, --file PATH     text" or "      --flag GLOB      text": where the text starts.
      const starts = lines
        .map((l) => /^ {2}(?:-\w, | {4})--[\w-]+(?: [A-Z]+)? {2,}(?=\S)/.exec(l)?.[0].length)
        .filter((n): n is number => n !== undefined);
      expect(starts.length).toBeGreaterThan(3);
      expect(new Set(starts).size).toBe(1);
      // Continuation lines are indented to the same column.
      const column = starts[0]!;
      for (const l of lines.filter((l) => /^ {8,}\S/.test(l)))
        expect(l.length - l.trimStart().length).toBe(column);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    },
  );
});
