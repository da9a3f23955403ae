/**
 * What the benchmark sends: one fixed request per scenario, the exact body every response must have, and which
 * upstream call (if any) each response must have cost. Bodies are compared byte for byte, so an error answer
 * (a union error member, a GraphQL error, a 4xx/5xx) can never be counted as throughput.
 */
import { benchCustomer } from './stub.js';

export const benchTenant = 'bench';
const anonymousToken = 'Bearer bench-anonymous-token';
const customerToken = 'Bearer bench-customer-token';

export interface Targets {
  minReqPerSec: number;
  maxP99Ms?: number;
  maxRssMiB?: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** `gateway`: POST /graphql on the gateway; `stub`: the REST call straight to the stub (the upper limit). */
  target: 'gateway' | 'stub';
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
  expectedBody: string;
  /** The one stub request (`METHOD path`) every response costs, or null when nothing may reach the stub. */
  upstream: string | null;
  targets?: Targets;
}

function graphql(
  name: string,
  description: string,
  authorization: string,
  query: string,
  data: unknown,
  upstream: string | null,
  targets?: Targets,
): Scenario {
  return {
    name,
    description,
    target: 'gateway',
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query }),
    expectedBody: JSON.stringify({ data }),
    upstream,
    ...(targets ? { targets } : {}),
  };
}

const upstreamTargets: Targets = { minReqPerSec: 3000, maxP99Ms: 40, maxRssMiB: 150 };

export const scenarios: Scenario[] = [
  graphql(
    'requestPasswordReset',
    'anonymous mutation, one upstream POST answered 204',
    anonymousToken,
    'mutation { requestPasswordReset(input: {email: "bench@example.com"}) { __typename } }',
    { requestPasswordReset: { __typename: 'RequestPasswordResetSuccess' } },
    `POST /customer/${benchTenant}/password/reset`,
    upstreamTargets,
  ),
  graphql(
    'changePassword',
    'customer mutation, one upstream POST answered 204',
    customerToken,
    'mutation { changePassword(input: {currentPassword: "Old-Passw0rd!", newPassword: "New-Passw0rd!"}) { __typename } }',
    { changePassword: { __typename: 'ChangePasswordSuccess' } },
    `POST /customer/${benchTenant}/password/change`,
  ),
  graphql(
    'me',
    'query, one upstream GET answered with a small customer',
    customerToken,
    '{ me { __typename ... on Customer { id contactEmail } } }',
    { me: { __typename: 'Customer', id: benchCustomer.id, contactEmail: benchCustomer.contactEmail } },
    `GET /customer/${benchTenant}/me`,
    upstreamTargets,
  ),
  graphql(
    'validationFailure',
    'input rejected by the gateway, nothing sent upstream',
    customerToken,
    'mutation { changePassword(input: {currentPassword: "same", newPassword: "same"}) { __typename } }',
    { changePassword: { __typename: 'ValidationError' } },
    null,
    { minReqPerSec: 6000 },
  ),
  {
    name: 'direct',
    description: 'the REST call straight to the stub, no gateway: the upper limit',
    target: 'stub',
    method: 'POST',
    path: `/customer/${benchTenant}/password/reset`,
    headers: { 'content-type': 'application/json', authorization: anonymousToken },
    body: JSON.stringify({ email: 'bench@example.com' }),
    expectedBody: '',
    upstream: `POST /customer/${benchTenant}/password/reset`,
  },
];

/** The scenario `--profile` profiles: the most common real call, one upstream round trip. */
export const profiledScenario = 'requestPasswordReset';
