import { z } from 'zod';
import { parseBody } from '../http.js';
import { type Route, route } from '../router.js';

const faultBody = z.strictObject({
  method: z.string().min(1).optional(),
  path: z.string().startsWith('/'),
  status: z.number().int().min(200).max(599).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  delayMs: z.number().min(0).optional(),
  destroySocket: z.boolean().optional(),
  times: z.number().int().min(1).optional(),
});

const clockBody = z.strictObject({ advanceSeconds: z.number().min(0).finite() });

const seconds = z.number().min(0).finite().optional();
const ttlBody = z.strictObject({
  customerToken: seconds,
  anonymousToken: seconds,
  mailToken: seconds,
  refreshToken: seconds,
});
const idpTtl = z.number().positive().finite().optional();
const socialCodeBody = z.strictObject({
  email: z.string().min(1),
  redirectUri: z.string().min(1),
  codeChallenge: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'codeChallenge must be an S256 challenge: 43 base64url characters.')
    .optional(),
  ttlSeconds: idpTtl,
});
const idpTokenBody = z.strictObject({ email: z.string().min(1), ttlSeconds: idpTtl });

/**
 * Controls for people poking at the emulator by hand (e.g. from GraphiQL); tests use the
 * Emulator object instead. These requests are neither recorded nor subject to faults.
 */
export const adminRoutes: Route[] = [
  route('GET', '/_emulator/outbox', (ctx) => ({ status: 200, body: ctx.state.outbox() })),
  route('DELETE', '/_emulator/outbox', (ctx) => {
    ctx.state.clearOutbox();
    return { status: 204 };
  }),
  route('GET', '/_emulator/faults', (ctx) => ({ status: 200, body: ctx.state.faults.list() })),
  route('POST', '/_emulator/faults', (ctx) => {
    ctx.state.faults.add(parseBody(ctx, faultBody));
    return { status: 201, body: ctx.state.faults.list() };
  }),
  route('DELETE', '/_emulator/faults', (ctx) => {
    ctx.state.faults.clear();
    return { status: 204 };
  }),
  route('GET', '/_emulator/requests', (ctx) => ({ status: 200, body: ctx.state.requests() })),
  route('DELETE', '/_emulator/requests', (ctx) => {
    ctx.state.clearRequests();
    return { status: 204 };
  }),
  route('POST', '/_emulator/clock', (ctx) => {
    ctx.state.advanceClock(parseBody(ctx, clockBody).advanceSeconds);
    return { status: 200, body: { now: new Date(ctx.state.now()).toISOString() } };
  }),
  route('GET', '/_emulator/ttl', (ctx) => ({ status: 200, body: { ...ctx.state.ttl } })),
  route('PUT', '/_emulator/ttl', (ctx) => ({ status: 200, body: ctx.state.setTtl(parseBody(ctx, ttlBody)) })),
  // The emulated identity provider: what a real IdP would hand the storefront after its own log-in page.
  route('POST', '/_emulator/social/codes', (ctx) => ({
    status: 201,
    body: { code: ctx.state.mintSocialCode(parseBody(ctx, socialCodeBody)) },
  })),
  route('POST', '/_emulator/idp/tokens', (ctx) => ({
    status: 201,
    body: { token: ctx.state.mintExternalToken(parseBody(ctx, idpTokenBody)) },
  })),
];
