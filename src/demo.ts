#!/usr/bin/env node
// The main job on an embedded default: the bundled emulator with its demo app, then
// plan -> apply -> plan on the repo's flags.reflag.yaml. No Reflag account needed.
import { startEmulator } from "./emulator/index.js";
import { main } from "./cli/main.js";
import { processIO } from "./cli/io.js";

// A closed pipe (`npm run demo | head`) is the reader's choice; anything else is a real error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  process.exit(process.exitCode ?? 0);
});

const file = process.argv[2] ?? "flags.reflag.yaml";
const emulator = await startEmulator({ port: 0 });
const io = processIO();
const env = { ...process.env, REFLAG_API_URL: emulator.url, REFLAG_API_KEY: emulator.apiKey };
const run = async (args: string[]): Promise<number> => {
  io.stdout.write(`\n$ reflag-sync ${args.join(" ")}\n`);
  return main(args, { ...io, env });
};

let exitCode = 1;
try {
  io.stdout.write(`Local Reflag emulator with its demo app ${emulator.appId} at ${emulator.url}\n`);
  const planned = await run(["plan", "-f", file, "--detailed-exitcode"]);
  const applied = planned === 2 ? await run(["apply", "-f", file, "--yes"]) : planned;
  const replanned = applied === 0 ? await run(["plan", "-f", file, "--detailed-exitcode"]) : applied;
  exitCode = replanned;
  io.stdout.write(
    replanned === 0
      ? "\nThe second plan is empty: the app now matches the file.\n"
      : planned !== 2
        ? `\nThe first plan ${planned === 0 ? "found nothing to change" : "failed"} (exit ${planned}): see above.\n`
        : `\nThe demo did not converge (exit ${replanned}): see above.\n`,
  );
} finally {
  await emulator.close();
}
process.exitCode = exitCode;
