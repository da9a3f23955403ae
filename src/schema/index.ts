import { GraphQLList, GraphQLNonNull, GraphQLScalarType, GraphQLSchema, isScalarType } from 'graphql';
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
export const schema = describeFederationElements(
  builder.toSubGraphSchema({
    linkUrl: 'https://specs.apollo.dev/federation/v2.6',
    federationDirectives: ['@key'],
  }),
);

/**
 * Describes what the federation plugin adds (`_Any`, `_Entity`, `_Service`, `Query._entities(representations:)`,
 * `Query._service`): @apollo/subgraph defines them without descriptions (only `_Service.sdl` has one) and
 * @pothos/plugin-federation has no option for them. `toSubGraphSchema` answers a lexicographically sorted copy whose
 * object and union types are this schema's own, so their descriptions are set in place; `_Any`, a scalar, is still
 * @apollo/subgraph's shared object, so it is swapped for a described copy rather than changed. The subgraph SDL
 * (`_service { sdl }`) leaves all of these out and is unchanged. A missing element (a plugin upgrade renaming one)
 * throws, so the gap cannot come back silently.
 */
function describeFederationElements(subgraph: GraphQLSchema): GraphQLSchema {
  const fields = subgraph.getQueryType()?.getFields() ?? {};
  const entities = fields._entities;
  const service = fields._service;
  const representations = entities?.args.find((arg) => arg.name === 'representations');
  const entity = subgraph.getType('_Entity');
  const serviceType = subgraph.getType('_Service');
  const any = subgraph.getType('_Any');
  if (!entities || !service || !representations || !entity || !serviceType || !isScalarType(any))
    throw new Error('the federation plugin no longer adds _entities, _service, _Entity, _Service and _Any');
  entity.description =
    'Every type another subgraph can reference by its key (@key), for federation routers only.';
  serviceType.description = "This subgraph's own definition, for federation routers only.";
  entities.description =
    'Resolves entities of this subgraph from their representations, for federation routers only (a client queries the fields that reference them). Answers one entity, or null, per representation, in their order.';
  representations.description = 'The entities to resolve, each as `__typename` and its key fields.';
  service.description =
    "This subgraph's SDL with its federation directives (@link, @key), for federation routers composing a supergraph.";
  const describedAny = new GraphQLScalarType({
    ...any.toConfig(),
    description:
      'An entity representation, for federation routers only: an object with `__typename` and the key fields of the entity (for Customer, `{ __typename: "Customer", id }`).',
  });
  representations.type = new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(describedAny)));
  const config = subgraph.toConfig();
  return new GraphQLSchema({
    ...config,
    types: config.types.map((type) => (type === any ? describedAny : type)),
  });
}
