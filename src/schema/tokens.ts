/**
 * The token types the log-in, sign-up and session operations answer with; `emporix/token-answers.ts` reads
 * Emporix's answers into them.
 */

import type { AnonymousTokensShape, CustomerTokensShape } from '../emporix/token-answers.js';
import { builder } from './builder.js';

export const CustomerTokens = builder.objectRef<CustomerTokensShape>('CustomerTokens').implement({
  description:
    "A customer's Emporix tokens. Send `accessToken` as `Authorization: Bearer <accessToken>`; before `accessTokenExpiresAt`, renew it with `refreshCustomerToken`. Keep them out of logs and out of scripts' reach.",
  fields: (t) => ({
    accessToken: t.exposeString('accessToken', { description: 'The customer access token.' }),
    accessTokenExpiresAt: t.expose('accessTokenExpiresAt', {
      type: 'DateTime',
      description: 'When the access token expires (from Emporix `expires_in`, counted from its answer).',
    }),
    refreshToken: t.exposeString('refreshToken', {
      nullable: true,
      description: 'Renews the access token through `refreshCustomerToken`; null when Emporix sent none.',
    }),
    refreshTokenExpiresAt: t.expose('refreshTokenExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the refresh token expires; null when Emporix did not say.',
    }),
    saasToken: t.exposeString('saasToken', {
      nullable: true,
      description:
        "Emporix's SaaS token (a JWT) for the services that ask for it; null when Emporix sent none.",
    }),
    sessionId: t.exposeString('sessionId', {
      nullable: true,
      description: 'The Emporix session id the tokens belong to; null when Emporix sent none.',
    }),
  }),
});

export const AnonymousTokens = builder.objectRef<AnonymousTokensShape>('AnonymousTokens').implement({
  description:
    'An anonymous Emporix session: a shopper who has not logged in. Send `accessToken` as `Authorization: Bearer <accessToken>`; renew it with `refreshAnonymousSession` to keep the same session id.',
  fields: (t) => ({
    accessToken: t.exposeString('accessToken', { description: 'The anonymous access token.' }),
    accessTokenExpiresAt: t.expose('accessTokenExpiresAt', {
      type: 'DateTime',
      description: 'When the access token expires (from Emporix `expires_in`, counted from its answer).',
    }),
    refreshToken: t.exposeString('refreshToken', {
      nullable: true,
      description: 'Renews the session through `refreshAnonymousSession`; null when Emporix sent none.',
    }),
    refreshTokenExpiresAt: t.expose('refreshTokenExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the refresh token expires; null when Emporix did not say.',
    }),
    sessionId: t.exposeString('sessionId', {
      nullable: true,
      description: 'The Emporix session id; it stays the same across refreshes.',
    }),
  }),
});
