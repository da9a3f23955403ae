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
];
