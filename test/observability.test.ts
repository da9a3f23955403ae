/** /metrics in Prometheus format, /readiness, and /health as a liveness check. */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const base = () => stack.url.replace(/\/graphql$/, '');

describe('/metrics', () => {
  it('counts operations by root field and outcome, and upstream calls by endpoint and status with latency', async () => {
    const client = stack.client({ token: stack.emulator.demo.customerToken });
    await client.Me();
    await client.ChangePassword({ input: { currentPassword: 'wrong', newPassword: 'Other-Passw0rd!' } });
    await client.ChangePassword({ input: { currentPassword: 'same', newPassword: 'same' } });

    const response = await fetch(`${base()}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/gateway_operations_total\{operation="me",outcome="Customer"\} 1/);
    expect(text).toMatch(
      /gateway_operations_total\{operation="changePassword",outcome="ValidationError"\} 2/,
    );
    expect(text).toMatch(/gateway_upstream_requests_total\{endpoint="getMe",status="200"\} 1/);
    expect(text).toMatch(/gateway_upstream_requests_total\{endpoint="changePassword",status="400"\} 1/);
    expect(text).toMatch(
      /gateway_upstream_request_duration_seconds_bucket\{le="[^"]+",endpoint="getMe",status="200"\}/,
    );
    expect(text).toContain('graphql_yoga_http_duration');
    // Client-chosen operation names never become labels.
    expect(text).not.toContain('operationName=');
  });
});

describe('/readiness and /health', () => {
  it('is ready while Emporix answers; /health is 200', async () => {
    const ready = await fetch(`${base()}/readiness`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, upstream: 'up', draining: false });
    expect((await fetch(`${base()}/health`)).status).toBe(200);
  });

  it('is not ready when Emporix cannot be reached, while /health stays 200', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const unreachable = await startStack({ gateway: { emporixApiUrl: `http://127.0.0.1:${closedPort}` } });
    try {
      const base = unreachable.url.replace(/\/graphql$/, '');
      const answer = await fetch(`${base}/readiness`);
      expect(answer.status).toBe(503);
      expect(await answer.json()).toEqual({ ready: false, upstream: 'down', draining: false });
      expect((await fetch(`${base}/health`)).status).toBe(200);
    } finally {
      await unreachable.close();
    }
  });

  it('turns not ready once draining starts, and closes connections after each response', async () => {
    const draining = await startStack();
    try {
      draining.gateway.startDraining();
      const base = draining.url.replace(/\/graphql$/, '');
      const answer = await fetch(`${base}/readiness`);
      expect(answer.status).toBe(503);
      expect(await answer.json()).toEqual({ ready: false, upstream: 'up', draining: true });
      const response = await fetch(`${base}/health`);
      expect(response.headers.get('connection')).toBe('close');
    } finally {
      await draining.close();
    }
  });
});
