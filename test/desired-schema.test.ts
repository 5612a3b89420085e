// The file format's JSON Schema: compiles under ajv strict, documents every property, and is the
// one source of the TypeScript types.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { readSchema } from "../src/desired/schema.js";

const ROOT = join(import.meta.dirname, "..");

type SchemaNode = Record<string, unknown>;

/** Every subschema that describes a property or a map's values, with a readable path. */
function propertySchemas(
  node: unknown,
  path: string,
  out: [string, SchemaNode][] = [],
): [string, SchemaNode][] {
  if (typeof node !== "object" || node === null) return out;
  const schema = node as SchemaNode;
  for (const [key, child] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) {
    out.push([`${path}.${key}`, child as SchemaNode]);
    propertySchemas(child, `${path}.${key}`, out);
  }
  if (typeof schema.additionalProperties === "object") {
    const child = schema.additionalProperties as SchemaNode;
    if (!("$ref" in child)) out.push([`${path}.*`, child]);
    propertySchemas(child, `${path}.*`, out);
  }
  for (const [key, child] of Object.entries((schema.definitions ?? {}) as Record<string, unknown>)) {
    out.push([`#${key}`, child as SchemaNode]);
    propertySchemas(child, `#${key}`, out);
  }
  for (const branch of (schema.anyOf ?? []) as unknown[]) propertySchemas(branch, path, out);
  return out;
}

describe("schemas/flags.reflag.schema.json", () => {
  it("is draft-07 and compiles with ajv in strict mode", async () => {
    const schema = readSchema();
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(() => new Ajv({ strict: true, allowUnionTypes: true }).compile(schema)).not.toThrow();
    const script = pathToFileURL(join(ROOT, "scripts/gen-types.mjs")).href;
    const { AJV_OPTIONS } = (await import(script)) as { AJV_OPTIONS: Record<string, unknown> };
    expect(() => new Ajv(AJV_OPTIONS).compile(schema)).not.toThrow();
  });

  it("gives every property a description, and examples where a value is typed", () => {
    const entries = propertySchemas(readSchema(), "");
    expect(entries.length).toBeGreaterThan(20);
    const undocumented = entries
      .filter(([, s]) => !("$ref" in s) && typeof s.description !== "string")
      .map(([p]) => p);
    expect(undocumented).toEqual([]);
    const leafWithoutExamples = entries
      .filter(
        ([, s]) =>
          typeof s.type === "string" && ["string", "boolean", "integer"].includes(s.type) && !("enum" in s),
      )
      .filter(([, s]) => !Array.isArray(s.examples))
      .map(([p]) => p);
    expect(leafWithoutExamples).toEqual([]);
  });

  it("keeps the settled vocabulary of the file format", () => {
    const schema = readSchema() as {
      properties: Record<string, unknown>;
      definitions: Record<string, { properties?: object }>;
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        "version",
        "app",
        "changeDescription",
        "notifications",
        "policy",
        "environments",
        "flags",
      ]),
    );
    expect(Object.keys(schema.definitions.Flag?.properties ?? {})).toEqual([
      "name",
      "description",
      "stage",
      "archived",
      "targeting",
    ]);
    expect(Object.keys(schema.definitions.Policy?.properties ?? {})).toEqual([
      "prune",
      "maxChanges",
      "maxRemovalShare",
    ]);
    expect(Object.keys(schema.definitions.EnvironmentTargeting?.properties ?? {})).toEqual([
      "companies",
      "users",
    ]);
  });
});

describe("src/desired/schema-validator.generated.ts", () => {
  it("is ajv's standalone code for the schema (run npm run gen:types)", async () => {
    const script = pathToFileURL(join(ROOT, "scripts/gen-types.mjs")).href;
    const { generateValidator } = (await import(script)) as { generateValidator: () => Promise<string> };
    const current = await readFile(join(ROOT, "src/desired/schema-validator.generated.ts"), "utf8");
    expect(current).toBe(await generateValidator());
  });
});

describe("src/desired/file-format.generated.ts", () => {
  it("is what scripts/gen-types.mjs generates from the schema (run npm run gen:types)", async () => {
    const script = pathToFileURL(join(ROOT, "scripts/gen-types.mjs")).href;
    const { generate } = (await import(script)) as { generate: () => Promise<string> };
    const current = await readFile(join(ROOT, "src/desired/file-format.generated.ts"), "utf8");
    expect(current).toBe(await generate());
  });
});
