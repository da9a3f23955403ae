import { builder } from './builder.js';
import './scalars.js';
import './errors.js';
import './customer.js';
import './addresses.js';
import './log-in.js';
import './single-sign-on.js';
import './password.js';
import './email-change.js';

builder.mutationType({
  description:
    "The Emporix customer operations: sign-up, log-in and tokens, the profile and address book, and credentials. Each answers with a union of its success type and the error types; none is retried by the gateway (except with a fresh anonymous token when Emporix refuses the gateway's own).",
});

/**
 * An Apollo Federation v2 subgraph (`_service`, `_entities`, `@link`); as a plain GraphQL endpoint it works the
 * same as any schema.
 */
export const schema = builder.toSubGraphSchema({
  linkUrl: 'https://specs.apollo.dev/federation/v2.6',
  federationDirectives: ['@key'],
});
