// File triggers: chokidar events on the folders that hold the flag files, debounced into one
// "look again" call. Which event it was does not matter (editors save by rename, Kubernetes swaps a
// `..data` symlink, a folder watch reports a late `unlink`): the loop re-reads the files and acts
// only when their content hash changed.
import { lstat, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { watch, type FSWatcher } from "chokidar";

export interface WatchOptions {
  /** The -f paths: files or directories. */
  paths: string[];
  cwd: string;
  /** Poll the file system instead of native events (network and host-mounted volumes). */
  poll: boolean;
  /** Quiet time after the last event before `onChange` runs. */
  debounceMs: number;
  /** Longest a stream of events may delay `onChange`. */
  maxWaitMs: number;
  onChange: () => void;
  onError: (err: Error) => void;
}

export interface FileWatch {
  close(): Promise<void>;
}

export const POLL_INTERVAL_MS = 250;

/**
 * Watches the folder of each file (and each folder given) one level deep. Watching the folder, not
 * the file, is what sees a rename save, a delete-and-recreate and a ConfigMap's symlink swap: the
 * file's own inode is gone after each of them.
 */
export async function watchFiles(options: WatchOptions): Promise<FileWatch> {
  const found = await Promise.all(options.paths.map((p) => watchRoots(resolve(options.cwd, p))));
  const roots = [...new Set(found.map((f) => f.root))];
  const linkParents = [...new Set(found.flatMap((f) => f.linkParents))].filter((d) => !roots.includes(d));
  const debounced = debounce(options.onChange, options.debounceMs, options.maxWaitMs);
  const open = (paths: string[], followSymlinks: boolean): Promise<FSWatcher> => {
    const watcher = watch(paths, {
      ignoreInitial: true,
      depth: 0,
      followSymlinks,
      usePolling: options.poll,
      interval: POLL_INTERVAL_MS,
      binaryInterval: POLL_INTERVAL_MS,
      ignorePermissionErrors: true,
    });
    watcher.on("all", () => debounced.call());
    watcher.on("error", (err) => options.onError(err instanceof Error ? err : new Error(String(err))));
    return new Promise((ready) => watcher.once("ready", () => ready(watcher)));
  };
  // A moved link is only reported by a watcher that does not follow it.
  const watchers = await Promise.all([
    open(roots, true),
    ...(linkParents.length > 0 ? [open(linkParents, false)] : []),
  ]);
  return {
    close: async () => {
      debounced.cancel();
      await Promise.all(watchers.map((w) => w.close()));
    },
  };
}

/**
 * A directory is watched itself; a file (or a path that does not exist yet) through its folder.
 * When a folder on the way is a symlink (git-sync's `current` link), the folder holding that link
 * is watched too: swapping the link changes nothing inside the folder it pointed to before.
 */
async function watchRoots(path: string): Promise<{ root: string; linkParents: string[] }> {
  const info = await stat(path).catch(() => undefined);
  const root = info?.isDirectory() ? path : dirname(path);
  const linkParents: string[] = [];
  for (let dir = root; dirname(dir) !== dir; dir = dirname(dir)) {
    const link = await lstat(dir).catch(() => undefined);
    if (link?.isSymbolicLink()) linkParents.push(dirname(dir));
  }
  return { root, linkParents };
}

/** Trailing-edge debounce with a ceiling: a burst of events gives one call, a long stream one per maxWait. */
export function debounce(fn: () => void, waitMs: number, maxWaitMs: number) {
  let timer: NodeJS.Timeout | undefined;
  let firstAt: number | undefined;
  const fire = () => {
    timer = undefined;
    firstAt = undefined;
    fn();
  };
  return {
    call(): void {
      const now = Date.now();
      firstAt ??= now;
      if (timer) clearTimeout(timer);
      timer = setTimeout(fire, Math.max(0, Math.min(waitMs, firstAt + maxWaitMs - now)));
    },
    cancel(): void {
      if (timer) clearTimeout(timer);
      timer = undefined;
      firstAt = undefined;
    },
  };
}
