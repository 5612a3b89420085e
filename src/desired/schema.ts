// The file format's JSON Schema and checking a document against it. The validator is ajv's
// compiled code, generated from the schema at build time (npm run gen:types): validate starts
// without loading ajv's compiler or compiling the schema.
import { readFileSync } from "node:fs";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { FlagsFile } from "./file-format.generated.js";
import type { Diagnostic } from "./model.js";
import type { ParsedFile } from "./parse.js";
import { pointerToPath } from "./positions.js";
import type { DataPath } from "./positions.js";
import { schemaDiagnostics } from "./schema-messages.js";
import { validate as generated } from "./schema-validator.generated.js";

/** Resolved from this module so that it works from src/ (tests) and dist/ (the package) alike. */
export const SCHEMA_URL = new URL("../../schemas/flags.reflag.schema.json", import.meta.url);

export function readSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_URL, "utf8")) as Record<string, unknown>;
}

const validator = generated as unknown as ValidateFunction<FlagsFile>;

export interface SchemaCheck {
  diagnostics: Diagnostic[];
  /** True when no schema error lies at or below `path`: the data there has its schema's type. */
  isClean: (path: DataPath) => boolean;
}

export function checkSchema(parsed: ParsedFile): SchemaCheck {
  if (validator(parsed.value)) return { diagnostics: [], isClean: () => true };
  const errors: ErrorObject[] = validator.errors ?? [];
  // Every path at or above an error, as keys "\0flags\0dark-mode"; the root is "".
  const tainted = new Set<string>();
  for (const error of errors) {
    // An unknown key leaves the known keys beside it valid.
    if (error.keyword === "additionalProperties") continue;
    let key = "";
    tainted.add(key);
    for (const step of pointerToPath(error.instancePath)) tainted.add((key += `\0${step}`));
  }
  return {
    diagnostics: schemaDiagnostics(errors, parsed.locator),
    // Step by step: below a clean path all is clean, and most paths part from every error early.
    isClean: (path) => {
      let key = "";
      if (!tainted.has(key)) return true;
      for (const step of path) if (!tainted.has((key += `\0${String(step)}`))) return true;
      return false;
    },
  };
}
