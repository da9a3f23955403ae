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
  /** At least this share of another scenario's req/s in the same run (absolute req/s mean little on a shared VM). */
  minRatio?: { to: string; min: number };
  maxP99Ms?: number;
  maxRssMiB?: number;
}

/**
 * Which process a scenario loads: the production gateway; the same build with SESSIONS=on (memory store, or Redis
 * for `sessionsRedis`); the bare yoga handler (bench/bare.ts); or the stub itself (the upper limit).
 */
export type Target = 'gateway' | 'sessions' | 'sessionsRedis' | 'bare' | 'stub' | `variant:${string}`;

export interface Scenario {
  name: string;
  description: string;
  target: Target;
  /** The session cookie is added to `headers` once the run has logged in through that gateway. */
  sessionCookie?: boolean;
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

const rss: Targets = { maxRssMiB: 150 };
/** The bare handler's req/s is the reference: the gateway's features may cost at most 10 % of it. */
const againstBare: Targets = { minRatio: { to: 'bare', min: 0.9 }, maxP99Ms: 40, maxRssMiB: 150 };

export const scenarios: Scenario[] = [
  graphql(
    'requestPasswordReset',
    'anonymous mutation, one upstream POST answered 204',
    anonymousToken,
    'mutation { requestPasswordReset(input: {email: "bench@example.com"}) { __typename } }',
    { requestPasswordReset: { __typename: 'RequestPasswordResetSuccess' } },
    `POST /customer/${benchTenant}/password/reset`,
    againstBare,
  ),
  graphql(
    'changePassword',
    'customer mutation, one upstream POST answered 204',
    customerToken,
    'mutation { changePassword(input: {currentPassword: "Old-Passw0rd!", newPassword: "New-Passw0rd!"}) { __typename } }',
    { changePassword: { __typename: 'ChangePasswordSuccess' } },
    `POST /customer/${benchTenant}/password/change`,
    rss,
  ),
  graphql(
    'me',
    'query, one upstream GET answered with a small customer',
    customerToken,
    '{ me { __typename ... on Customer { id contactEmail } } }',
    { me: { __typename: 'Customer', id: benchCustomer.id, contactEmail: benchCustomer.contactEmail } },
    `GET /customer/${benchTenant}/me`,
    againstBare,
  ),
  graphql(
    'validationFailure',
    'input rejected by the gateway, nothing sent upstream',
    customerToken,
    'mutation { changePassword(input: {currentPassword: "same", newPassword: "same"}) { __typename } }',
    { changePassword: { __typename: 'ValidationError' } },
    null,
    // Nothing goes upstream: the error path must be cheaper than a round trip, not dearer.
    { minRatio: { to: 'requestPasswordReset', min: 1.5 }, maxRssMiB: 150 },
  ),
  ...sessionScenarios(),
  {
    ...graphql(
      'bare',
      'bare graphql-yoga handler, same undici POST to the stub, no features: the reference',
      anonymousToken,
      'mutation { requestPasswordReset(input: {email: "bench@example.com"}) { __typename } }',
      { requestPasswordReset: { __typename: 'RequestPasswordResetSuccess' } },
      `POST /customer/${benchTenant}/password/reset`,
    ),
    target: 'bare',
  },
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

/**
 * `me` over a browser session (SESSIONS=on, cookie, no Authorization): memory store, and Redis when REDIS_URL is
 * set. Compared with the bearer `me` of the production gateway.
 */
function sessionScenarios(): Scenario[] {
  const targets: Targets = { minRatio: { to: 'me', min: 0.85 }, maxRssMiB: 150 };
  const me = (name: string, target: Target, store: string): Scenario => {
    const scenario = graphql(
      name,
      `query over a cookie session (SESSIONS=on, ${store} store), one upstream GET`,
      '',
      '{ me { __typename ... on Customer { id contactEmail } } }',
      { me: { __typename: 'Customer', id: benchCustomer.id, contactEmail: benchCustomer.contactEmail } },
      `GET /customer/${benchTenant}/me`,
      targets,
    );
    const { authorization: _none, ...headers } = scenario.headers;
    return { ...scenario, target, headers, sessionCookie: true };
  };
  return [
    me('meCookie', 'sessions', 'memory'),
    ...(process.env.REDIS_URL ? [me('meCookieRedis', 'sessionsRedis', 'Redis')] : []),
  ];
}

/** The scenario `--profile` profiles unless --scenarios names others: one upstream round trip. */
export const profiledScenario = 'requestPasswordReset';
