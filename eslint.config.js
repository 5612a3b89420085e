import js from "@eslint/js";
import tseslint from "typescript-eslint";

const NAMED_EXPORTS = { selector: "ExportDefaultDeclaration", message: "Use named exports." };
const SPREAD_ARGUMENTS =
  "no spread arguments (push(...xs), Math.max(...xs)) in src/: a large array overflows the stack; loop, or use concat or reduce";

export default tseslint.config(
  // Generated code (ajv standalone, npm run gen:types) is checked by its own test, not linted.
  { ignores: ["dist/", "coverage/", "node_modules/", "src/desired/schema-validator.generated.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": ["error", NAMED_EXPORTS],
    },
  },
  {
    // f(...xs) puts every element on the stack: a data-sized array throws a RangeError.
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        NAMED_EXPORTS,
        { selector: "CallExpression > SpreadElement", message: SPREAD_ARGUMENTS },
        { selector: "NewExpression > SpreadElement", message: SPREAD_ARGUMENTS },
      ],
    },
  },
  {
    files: ["eslint.config.js", "vitest.config.ts"],
    rules: { "no-restricted-syntax": "off" },
  },
);
