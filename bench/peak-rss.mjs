// Preloaded into a measured child process (node --import): when it exits, writes its peak RSS
// (KiB) and the CPU time it used (µs), so that figures do not depend on the harness's own process.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const usage = process.resourceUsage();
  const cpuUs = usage.userCPUTime + usage.systemCPUTime;
  writeFileSync(process.env.BENCH_PEAK_RSS_FILE, JSON.stringify({ maxRssKb: usage.maxRSS, cpuUs }));
});
