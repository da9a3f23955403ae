/**
 * `npm run schema:print` writes the schema as SDL to `schema.graphql`; the test suite fails when that file is
 * stale, so a schema change always shows in review.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSubgraphSchema } from '@apollo/subgraph';
import { printSchema } from 'graphql';
import { schema } from './index.js';

export const schemaFile = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

export function printGatewaySchema(): string {
  return `${printSchema(schema)}\n`;
}

/** The subgraph SDL a federation gateway composes (the same as `_service { sdl }`): with `@link` and `@key`. */
export function printSubgraphSdl(): string {
  return printSubgraphSchema(schema);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(schemaFile, printGatewaySchema());
  console.log(`wrote ${schemaFile}`);
}
