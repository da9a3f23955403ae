import { builder } from './builder.js';
import './errors.js';
import './customer.js';
import './password.js';
import './email-change.js';

builder.mutationType({
  description:
    'The Emporix credential operations. Each answers with a union of its success type and the error types; none is retried by the gateway.',
});

/**
 * An Apollo Federation v2 subgraph (`_service`, `_entities`, `@link`); as a plain GraphQL endpoint it works the
 * same as any schema.
 */
export const schema = builder.toSubGraphSchema({
  linkUrl: 'https://specs.apollo.dev/federation/v2.6',
  federationDirectives: ['@key'],
});
