// The state file: loaded once at start, then rewritten atomically (temp file + rename) after every change.
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { parseState, StateFileError, type EmulatorState } from "./state.js";

/** The saved state, or undefined when the file does not exist yet. */
export async function loadState(path: string): Promise<EmulatorState | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StateFileError(`${path}: cannot read the state file (${(err as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(`${path}: the state file is not valid JSON (${(err as Error).message})`);
  }
  return parseState(value, path);
}

/**
 * Writes are serialised and coalesced: while one write runs, later changes wait and are saved
 * together by the next one, so two writes never interleave and the file always holds a whole state.
 */
export class StateFile {
  private dirty = false;
  private running: Promise<void> | undefined;
  private lastError: Error | undefined;
  private writes = 0;

  constructor(
    readonly path: string,
    private readonly snapshot: () => EmulatorState,
  ) {}

  /** Schedules a save of the state as it will be when the write starts. */
  requestSave(): Promise<void> {
    this.dirty = true;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves once every change requested so far is on disk; rejects if the last write failed. */
  async flush(): Promise<void> {
    if (this.running) await this.running.catch(() => undefined);
    if (this.lastError) throw this.lastError;
  }

  private async drain(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      try {
        await this.write(`${JSON.stringify(this.snapshot(), null, 2)}\n`);
        this.lastError = undefined;
      } catch (err) {
        this.lastError = err instanceof Error ? err : new Error(String(err));
        // Keep the change pending: the next request retries the write.
        this.dirty = true;
        throw this.lastError;
      }
    }
  }

  private async write(text: string): Promise<void> {
    // Same directory as the target, so the rename is atomic (never across file systems).
    const temp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${++this.writes}.tmp`);
    try {
      await writeFile(temp, text, "utf8");
      await rename(temp, this.path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
}
