// File triggers: chokidar events on the folders that hold the flag files, debounced into one
// "look again" call. Which event it was does not matter (editors save by rename, Kubernetes swaps a
// `..data` symlink, a folder watch reports a late `unlink`): the loop re-reads the files and acts
// only when their content hash changed.
import { stat } from "node:fs/promises";
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
  const roots = [...new Set(await Promise.all(options.paths.map((p) => watchRoot(resolve(options.cwd, p)))))];
  const watcher: FSWatcher = watch(roots, {
    ignoreInitial: true,
    depth: 0,
    usePolling: options.poll,
    interval: POLL_INTERVAL_MS,
    binaryInterval: POLL_INTERVAL_MS,
    ignorePermissionErrors: true,
  });
  const debounced = debounce(options.onChange, options.debounceMs, options.maxWaitMs);
  watcher.on("all", () => debounced.call());
  watcher.on("error", (err) => options.onError(err instanceof Error ? err : new Error(String(err))));
  await new Promise<void>((ready) => watcher.once("ready", () => ready()));
  return {
    close: async () => {
      debounced.cancel();
      await watcher.close();
    },
  };
}

/** A directory is watched itself; a file (or a path that does not exist yet) through its folder. */
async function watchRoot(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  return info?.isDirectory() ? path : dirname(path);
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
