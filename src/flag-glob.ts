// `--flag GLOB`: which flag keys a command works on.

/**
 * A matcher for flag keys: `*` stands for any run of characters (`/` and `.` included, since keys
 * are not paths), `?` for one character; everything else is literal and case-sensitive. No globs:
 * every key matches.
 */
export function flagMatcher(globs: readonly string[]): (key: string) => boolean {
  if (globs.length === 0) return () => true;
  const patterns = globs.map(
    (glob) =>
      new RegExp(
        `^${Array.from(glob, (c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.+()[\]{}|]/g, "\\$&"))).join("")}$`,
        "su",
      ),
  );
  return (key) => patterns.some((p) => p.test(key));
}
