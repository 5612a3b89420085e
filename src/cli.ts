#!/usr/bin/env node
import { main } from "./cli/main.js";
import { processIO } from "./cli/io.js";

// A closed pipe (`reflag-sync plan | head`) is the reader's choice, not an error worth a stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2), processIO());
