import { execFileSync } from "node:child_process";

// End-to-end tests run the built CLI (dist/cli.js) as a child process: build it once per run.
// RS_SKIP_BUILD=1 skips it when only in-process tests are run.
export function setup(): void {
  if (process.env.RS_SKIP_BUILD === "1") return;
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
}
