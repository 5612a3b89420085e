import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // CLI tests spawn the built CLI; build once before the run.
    globalSetup: ["test/support/global-setup.ts"],
    // Snapshots refuse canary secrets (test/support/canary.ts).
    setupFiles: ["test/support/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
