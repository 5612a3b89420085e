// The desired-state module's public surface: load files, or validate text already read.
export { DEFAULT_FILE } from "./constants.js";
export { loadDesired } from "./load.js";
export type { LoadedFiles, LoadOptions } from "./load.js";
export { validateDocuments } from "./validate.js";
export type { LoadResult, ValidateOptions } from "./validate.js";
export type { SourceText } from "./read.js";
export { DEFAULT_MAX_FILE_BYTES } from "./read.js";
export { DEFAULT_WARN_EXPIRING_MS } from "./expiry.js";
export { countTargets } from "./summary.js";
