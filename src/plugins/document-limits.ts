import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLLimits } from '../limits.js';

/** The `extensions.code` of each document limit's refusal. */
export const documentLimitCodes = {
  maxTokens: 'MAX_TOKENS_EXCEEDED',
  maxDepth: 'MAX_DEPTH_EXCEEDED',
  maxAliases: 'MAX_ALIASES_EXCEEDED',
  maxDirectives: 'MAX_DIRECTIVES_EXCEEDED',
  maxCost: 'MAX_COST_EXCEEDED',
} as const;

type DocumentLimit = keyof typeof documentLimitCodes;

/**
 * graphql-armor's document limits, whose refusals say which limit refused and at what value. armor words them
 * "Syntax Error: Query depth limit of 8 exceeded, found 14." with no code, so a client cannot tell a limit from a
 * typo: each refusal here is that sentence without the "Syntax Error" and with
 * `extensions: { code: 'MAX_DEPTH_EXCEEDED', limit: 8, found: 14 }` (`found` when armor counted it). It still stops
 * parsing or validation at once, as armor's own error does.
 */
export function useDocumentLimits(limits: Required<GraphQLLimits>): Plugin[] {
  const rejectWith = (limit: DocumentLimit) => ({
    onReject: [
      (_context: unknown, error: GraphQLError) => {
        throw limitError(limit, limits[limit], error.message);
      },
    ],
  });
  return [
    maxTokensPlugin({ n: limits.maxTokens, ...rejectWith('maxTokens') }),
    maxDepthPlugin({
      n: limits.maxDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      ...rejectWith('maxDepth'),
    }),
    maxAliasesPlugin({ n: limits.maxAliases, ...rejectWith('maxAliases') }),
    maxDirectivesPlugin({ n: limits.maxDirectives, ...rejectWith('maxDirectives') }),
    costLimitPlugin({ maxCost: limits.maxCost, ignoreIntrospection: true, ...rejectWith('maxCost') }),
  ] as Plugin[];
}

function limitError(limit: DocumentLimit, value: number, armorMessage: string): GraphQLError {
  const message = armorMessage.replace(/^Syntax Error: /, '');
  const found = /found (\d+)/.exec(message)?.[1];
  return new GraphQLError(message, {
    extensions: {
      code: documentLimitCodes[limit],
      limit: value,
      ...(found === undefined ? {} : { found: Number(found) }),
    },
  });
}
