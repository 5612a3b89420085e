// Flag files for the daemon tests, and the ways editors and Kubernetes replace them on disk.
import { mkdir, rename, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunningEmulator } from "../../src/emulator/index.js";

/** dark-mode in Production targets exactly these companies (live it starts as [globex]). */
export function darkMode(companies: string[], extra = ""): string {
  return `version: 1
app: apDemoApp01
${extra}flags:
  dark-mode:
    targeting:
      Production:
        companies: [${companies.join(", ")}]
`;
}

export function liveCompanies(emulator: RunningEmulator, flag = "dark-mode", env = "enProduction"): string[] {
  return emulator.store.getTargets(emulator.appId, flag, env).companyIds;
}

export function writes(emulator: RunningEmulator): number {
  const s = emulator.stats();
  return (s.byMethod.POST ?? 0) + (s.byMethod.PATCH ?? 0);
}

export type SaveStyle = "in-place" | "rename" | "backup" | "recreate";

/** Replaces `path`'s content the way an editor does. */
export async function save(path: string, content: string, style: SaveStyle): Promise<void> {
  switch (style) {
    case "in-place":
      await writeFile(path, content);
      break;
    case "rename": // write a temporary file, rename it over the original (atomic save)
      await writeFile(`${path}.tmp-save`, content);
      await rename(`${path}.tmp-save`, path);
      break;
    case "backup": // vim's default: move the original aside, write a new file, delete the backup
      await rename(path, `${path}~`);
      await writeFile(path, content);
      await unlink(`${path}~`);
      break;
    case "recreate":
      await unlink(path);
      await writeFile(path, content);
      break;
  }
}

/**
 * A Kubernetes ConfigMap volume: dir/flags.yaml -> ..data/flags.yaml, ..data -> ..<timestamp>/.
 * `swap` replaces the content the way the kubelet does: a new timestamped folder, a new ..data_tmp
 * link renamed over ..data, the old folder removed.
 */
export async function configMap(dir: string, content: string) {
  let generation = 0;
  const writeGeneration = async (text: string) => {
    const folder = `..2026_12_01_00_00_0${generation++}.000000001`;
    await mkdir(join(dir, folder));
    await writeFile(join(dir, folder, "flags.yaml"), text);
    return folder;
  };
  let current = await writeGeneration(content);
  await symlink(current, join(dir, "..data"));
  await symlink(join("..data", "flags.yaml"), join(dir, "flags.yaml"));
  return {
    file: join(dir, "flags.yaml"),
    swap: async (text: string) => {
      const next = await writeGeneration(text);
      await symlink(next, join(dir, "..data_tmp"));
      await rename(join(dir, "..data_tmp"), join(dir, "..data"));
      await rm(join(dir, current), { recursive: true });
      current = next;
    },
  };
}

/**
 * git-sync's layout: root/current -> root/.worktrees/<hash>/ holding the repository's files. `swap`
 * checks out a new worktree and moves the `current` link to it; the old worktree stays for a while.
 */
export async function gitSync(root: string, content: string) {
  let generation = 0;
  const checkout = async (text: string) => {
    const worktree = join(root, ".worktrees", `commit${generation++}`);
    await mkdir(worktree, { recursive: true });
    await writeFile(join(worktree, "flags.yaml"), text);
    return worktree;
  };
  await symlink(await checkout(content), join(root, "current"));
  return {
    file: join(root, "current", "flags.yaml"),
    swap: async (text: string) => {
      await symlink(await checkout(text), join(root, "current.tmp"));
      await rename(join(root, "current.tmp"), join(root, "current"));
    },
  };
}
