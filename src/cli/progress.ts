// Progress on stderr for reads and applies that take more than a second, on a terminal only,
// so piped or redirected output never carries it.
import type { CliIO } from "./io.js";

export interface Progress {
  update(label: string, done: number, total: number): void;
  done(): void;
}

const QUIET: Progress = { update: () => {}, done: () => {} };

export function startProgress(io: CliIO, delayMs = 1000): Progress {
  if (!io.stderr.isTTY || io.env.CI) return QUIET;
  let line = "";
  let shown = false;
  let finished = false;
  const timer = setTimeout(() => {
    shown = true;
    if (line) io.stderr.write(`\r${line}`);
  }, delayMs);
  timer.unref();
  return {
    update(label, done, total) {
      // A request still in flight may report after done(): the line is gone for good by then.
      if (finished) return;
      line = `${label} ${done}/${total}\u001b[K`;
      if (shown) io.stderr.write(`\r${line}`);
    },
    done() {
      finished = true;
      clearTimeout(timer);
      if (shown) io.stderr.write("\r\u001b[K");
    },
  };
}
