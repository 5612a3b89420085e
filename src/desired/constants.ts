// Names shared by the loader and the commands.

/** The file read when no -f is given. */
export const DEFAULT_FILE = "flags.reflag.yaml";
