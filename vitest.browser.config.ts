import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:browser`: a real Chromium against a real emulator and gateway. Not mergeConfig: it would
// concatenate the lists and keep the base's exclusion of this very folder.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/browser/**/*.test.ts'],
    exclude: ['node_modules/**'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
