#!/usr/bin/env node
// Generates src/desired/file-format.generated.ts from schemas/flags.reflag.schema.json, so the file
// format is described once. `--check` exits 1 when the generated file is stale (used by the tests).
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";
import prettier from "prettier";

const root = fileURLToPath(new URL("..", import.meta.url));
export const SCHEMA_PATH = `${root}schemas/flags.reflag.schema.json`;
export const OUTPUT_PATH = `${root}src/desired/file-format.generated.ts`;

const BANNER = [
  "// Generated from schemas/flags.reflag.schema.json by scripts/gen-types.mjs (npm run gen:types).",
  "// Do not edit by hand: change the schema and regenerate.",
].join("\n");

/** The generated TypeScript source, formatted with the repository's prettier settings. */
export async function generate() {
  const schema = JSON.parse(await readFile(SCHEMA_PATH, "utf8"));
  const source = await compile(schema, "FlagsFile", {
    bannerComment: BANNER,
    additionalProperties: false,
    format: false,
    strictIndexSignatures: true,
    unknownAny: true,
  });
  const options = (await prettier.resolveConfig(OUTPUT_PATH)) ?? {};
  return prettier.format(source, { ...options, filepath: OUTPUT_PATH });
}

async function main() {
  const generated = await generate();
  if (process.argv.includes("--check")) {
    const current = await readFile(OUTPUT_PATH, "utf8").catch(() => "");
    if (current !== generated) {
      process.stderr.write(`${OUTPUT_PATH} is stale: run npm run gen:types\n`);
      process.exitCode = 1;
    }
    return;
  }
  await writeFile(OUTPUT_PATH, generated);
  process.stdout.write(`wrote ${OUTPUT_PATH}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
