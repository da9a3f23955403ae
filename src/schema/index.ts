import { builder } from './builder.js';
import './errors.js';
import './customer.js';
import './password.js';
import './email-change.js';

builder.mutationType({
  description:
    'The Emporix credential operations. Each answers with a union of its success type and the error types; none is retried by the gateway.',
});

export const schema = builder.toSchema();
