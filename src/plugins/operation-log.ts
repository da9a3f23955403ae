import { useOnResolve } from '@envelop/on-resolve';
import { type GraphQLResolveInfo, getNamedType, getOperationAST, isUnionType } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { isOperationError } from '../errors.js';
import type { Logger } from '../logger.js';

interface FieldOutcome {
  field: string;
  /** The union member the field resolved to; null when it threw (a masked, unexpected error). */
  typename: string | null;
}

const outcomesOf = new WeakMap<object, FieldOutcome[]>();

/**
 * One JSON log line per GraphQL operation: its name (or its root field when it has none), the root field,
 * duration, the result's `__typename` and the last upstream status. Never variables, headers or bodies.
 * Unexpected errors are logged here with the request id, before yoga masks them.
 */
export function useOperationLog(
  logger: Logger,
  loggedErrors: WeakSet<Error>,
  onFieldOutcome?: (field: string, typename: string | null) => void,
): Plugin<Context> {
  // The operation line holds only names (the client's operation name cut to 100 characters), numbers and the
  // validated request id, so it skips redaction, which cost ten times the rest of the log call (about 5 % of the
  // gateway's CPU in the benchmark). Every other line, the unexpected-error one included, is redacted.
  const operationLogger = logger.child({}, { redact: [] });
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(
        useOnResolve<Context>(
          ({ context, info }) => {
            if (info.path.prev !== undefined) return;
            return ({ result }) => {
              let outcomes = outcomesOf.get(context);
              if (outcomes === undefined) {
                outcomes = [];
                outcomesOf.set(context, outcomes);
              }
              const outcome = { field: info.fieldName, typename: typenameOf(result, context, info) };
              outcomes.push(outcome);
              onFieldOutcome?.(outcome.field, outcome.typename);
            };
          },
          { skipDefaultResolvers: true },
        ),
      );
    },
    onExecute({ args }) {
      const started = performance.now();
      return {
        onExecuteDone({ result }) {
          const context = args.contextValue;
          const outcomes = outcomesOf.get(context) ?? [];
          const first = outcomes[0];
          const operationName = getOperationAST(args.document, args.operationName)?.name?.value;
          const calls = context.upstreamCalls;
          const line = {
            requestId: context.requestId,
            // A client names its operation: bounded, so a name cannot blow up the line.
            operation: (operationName ?? first?.field ?? '').slice(0, 100) || null,
            rootField: first?.field ?? null,
            typename: first?.typename ?? null,
            durationMs: Math.round((performance.now() - started) * 100) / 100,
            upstreamStatus: calls.at(-1)?.status ?? null,
            upstreamCalls: calls.length,
            ...(outcomes.length > 1 ? { fields: outcomes } : {}),
          };
          const errors = 'errors' in result ? (result.errors ?? []) : [];
          for (const error of errors) {
            const original = error.originalError;
            if (original && !('extensions' in original)) {
              loggedErrors.add(original);
              // Federation's _entities throws for a representation it cannot resolve: the caller's doing, and
              // anyone may send one, so it must not be able to fill the error log.
              const callerCaused = error.path?.[0] === '_entities';
              logger[callerCaused ? 'warn' : 'error'](
                { requestId: context.requestId, err: original },
                callerCaused ? 'entity not resolved' : 'unexpected error',
              );
            }
          }
          operationLogger.info(line, 'operation');
        },
      };
    },
  };
}

function typenameOf(result: unknown, context: Context, info: GraphQLResolveInfo): string | null {
  if (result instanceof Error && !isOperationError(result)) {
    return null;
  }
  const type = getNamedType(info.returnType);
  // Our result unions resolve their member; federation's _Entity list has no resolveType of its own.
  if (!isUnionType(type) || !type.resolveType) return type.name;
  const resolved = type.resolveType(result, context, info, type);
  return typeof resolved === 'string' ? resolved : null;
}
