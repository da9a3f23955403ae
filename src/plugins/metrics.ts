import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { UpstreamCallRecord } from '../emporix/http.js';

/**
 * Prometheus metrics on `/metrics`, in a registry of this gateway's own (two gateways in one process stay apart):
 * yoga's HTTP duration and error counts, operations by root field and outcome, and Emporix calls by endpoint and
 * status with latency. Labels are bounded: root fields and union members come from the schema, never from what a
 * client names its operation.
 */
export function createMetrics(options: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  // Node's process metrics start an event-loop monitor that is never stopped: only the process's own gateway
  // (main.ts) turns them on, not every embedded or test instance.
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const operations = new Counter({
    name: 'gateway_operations_total',
    help: 'GraphQL root fields resolved, by field and by the union member they answered (or "error")',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const upstreamRequests = new Counter({
    name: 'gateway_upstream_requests_total',
    help: 'Calls to Emporix, by endpoint and HTTP status ("none" for a timeout or network failure)',
    labelNames: ['endpoint', 'status'] as const,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Duration of calls to Emporix, by endpoint and HTTP status',
    labelNames: ['endpoint', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const sessions = new Counter({
    name: 'gateway_sessions_total',
    help: 'Gateway-held browser sessions, by event: started, refreshed, ended, expired, refused_origin',
    labelNames: ['event'] as const,
    registers: [registry],
  });

  return {
    registry,
    recordSessionEvent(event: string): void {
      sessions.inc({ event });
    },
    recordOperation(field: string, typename: string | null): void {
      operations.inc({ operation: field, outcome: typename ?? 'error' });
    },
    recordUpstreamCall(call: UpstreamCallRecord): void {
      const labels = { endpoint: call.endpoint, status: call.status === null ? 'none' : String(call.status) };
      upstreamRequests.inc(labels);
      upstreamDuration.observe(labels, call.durationMs / 1000);
    },
    plugin: usePrometheus({
      registry,
      endpoint: '/metrics',
      labels: { operationName: false, url: false, path: false },
      // Per-phase histograms (parse, validate, context, execute) cost about 8 % of the gateway's CPU in the
      // benchmark; the HTTP duration and our own counters answer the questions operators ask.
      metrics: {
        graphql_yoga_http_duration: true,
        graphql_envelop_error_result: true,
        graphql_envelop_phase_parse: false,
        graphql_envelop_phase_validate: false,
        graphql_envelop_phase_context: false,
        graphql_envelop_phase_execute: false,
        graphql_envelop_request: false,
        graphql_envelop_request_duration: false,
        graphql_envelop_request_time_summary: false,
        graphql_envelop_deprecated_field: false,
        graphql_envelop_schema_change: false,
        graphql_envelop_phase_subscribe: false,
      },
    }),
  };
}
