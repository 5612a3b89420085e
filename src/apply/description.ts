// The audit text sent with every change: the CLI flag, else the file's, then the git commit.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const DEFAULT_DESCRIPTION = "Applied by reflag-sync";

/**
 * "abc1234 Subject line" inside a git work tree, else undefined; "(with uncommitted changes)" is
 * added when one of `files` differs from that commit.
 */
export async function describeGitCommit(dir: string, files: string[] = []): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["-C", dir, "log", "-1", "--format=%h %s"], { timeout: 5000 });
    const head = stdout.trim();
    if (!head) return undefined;
    const { stdout: status } = await run(
      "git",
      // Only the flag files count: an unrelated edit elsewhere in the repository does not.
      ["-C", dir, "status", "--porcelain", "--untracked-files=all", "--", ...files],
      { timeout: 5000 },
    );
    return status.trim() ? `${head} (with uncommitted changes)` : head;
  } catch {
    return undefined; // not a git work tree, or no git: the description just has no commit
  }
}

export function changeDescription(
  override: string | undefined,
  fromFile: string | undefined,
  commit: string | undefined,
): string {
  if (override !== undefined) return override;
  const base = fromFile ?? DEFAULT_DESCRIPTION;
  return commit ? `${base} (git ${commit})` : base;
}
