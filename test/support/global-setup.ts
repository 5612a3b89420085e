import { execFileSync } from "node:child_process";

// End-to-end tests run the built CLI (dist/cli.js) as a child process: build it once per run.
export function setup(): void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
}
