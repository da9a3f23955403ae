import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships both ESM (.mjs, picked by Vite through its "module" field) and CommonJS (picked by Node
    // for yoga and Pothos). Two copies cannot share a schema, so our sources get the one Node gives everyone.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The reliability suite runs real processes under load: `npm run test:reliability`; the browser tests drive
    // a real Chromium: `npm run test:browser`.
    exclude: ['test/reliability/**', 'test/browser/**', 'node_modules/**'],
    // Each file starts its own emulator and gateway on port 0, so files are isolated and may run in parallel.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
