import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Not mergeConfig: it would concatenate the lists and keep the base's exclusion of this very folder.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/reliability/**/*.test.ts'],
    exclude: ['node_modules/**'],
    // Groups start processes and load them; they run one after another so their figures do not disturb each other.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
