import { DateTimeResolver } from 'graphql-scalars';
import { builder } from './builder.js';

// graphql-scalars' DateTime: an ISO 8601 instant with a time zone (UTC when the gateway computes it).
builder.addScalarType('DateTime', DateTimeResolver);
