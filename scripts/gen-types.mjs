#!/usr/bin/env node
// Generates, from schemas/flags.reflag.schema.json, so that the file format is described once:
// src/desired/file-format.generated.ts (its TypeScript types) and
// src/desired/schema-validator.generated.ts (ajv's compiled validator as standalone code, so that
// validate neither loads ajv's compiler nor compiles the schema at start). `--check` exits 1 when
// either is stale (the tests check this too).
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { compile } from "json-schema-to-typescript";
import prettier from "prettier";

const root = fileURLToPath(new URL("..", import.meta.url));
export const SCHEMA_PATH = `${root}schemas/flags.reflag.schema.json`;
export const OUTPUT_PATH = `${root}src/desired/file-format.generated.ts`;
export const VALIDATOR_PATH = `${root}src/desired/schema-validator.generated.ts`;

/** The options the validator is compiled with: every error, with the data and schema it failed on. */
export const AJV_OPTIONS = { strict: true, allErrors: true, verbose: true, allowUnionTypes: true };

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

/** ajv's standalone code for the schema, as an ES module that imports ajv's small runtime only. */
export async function generateValidator() {
  const require = createRequire(import.meta.url);
  const { Ajv } = require("ajv");
  const standaloneCode = require("ajv/dist/standalone").default;
  const schema = JSON.parse(await readFile(SCHEMA_PATH, "utf8"));
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  let code = standaloneCode(ajv, ajv.compile(schema));
  // ajv writes require() for its runtime helpers even in ES module output.
  const imports = new Map();
  code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)/g, (_all, path) => {
    const name = `runtime_${path.split("/").pop()}`;
    imports.set(name, path);
    return name;
  });
  const header = [
    "// Generated from schemas/flags.reflag.schema.json by scripts/gen-types.mjs (npm run gen:types).",
    "// Do not edit by hand: change the schema and regenerate.",
    "// @ts-nocheck",
    // Node gives a CommonJS module's exports as the default import; bundlers (vitest) give its
    // `default` export when it sets __esModule: either way `${name}.default` is the helper.
    ...[...imports].flatMap(([name, path]) => [
      `import ${name}_module from "${path}.js";`,
      `const ${name} = typeof ${name}_module === "function" ? { default: ${name}_module } : ${name}_module;`,
    ]),
  ].join("\n");
  const options = (await prettier.resolveConfig(VALIDATOR_PATH)) ?? {};
  return prettier.format(`${header}\n${code.replace(/^"use strict";/, "")}`, {
    ...options,
    filepath: VALIDATOR_PATH,
  });
}

async function main() {
  const outputs = [
    [OUTPUT_PATH, await generate()],
    [VALIDATOR_PATH, await generateValidator()],
  ];
  for (const [path, generated] of outputs) {
    if (process.argv.includes("--check")) {
      const current = await readFile(path, "utf8").catch(() => "");
      if (current !== generated) {
        process.stderr.write(`${path} is stale: run npm run gen:types\n`);
        process.exitCode = 1;
      }
      continue;
    }
    await writeFile(path, generated);
    process.stdout.write(`wrote ${path}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
