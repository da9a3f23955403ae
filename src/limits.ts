/** Limits on the GraphQL documents and bodies a client may send. */
export interface GraphQLLimits {
  /** Deepest field nesting. @default 8 */
  maxDepth?: number;
  /** Aliases in one operation. @default 15 */
  maxAliases?: number;
  /** Tokens in one document (also what keeps graphql-js from overflowing its stack on deep nesting). @default 1000 */
  maxTokens?: number;
  /** Directives in one operation. @default 10 */
  maxDirectives?: number;
  /** graphql-armor's cost of one operation. @default 5000 */
  maxCost?: number;
  /** Largest request body, in bytes; larger ones get 413. @default 1 MiB */
  maxBodyBytes?: number;
  /** Values in the variables of one request, all nesting levels counted. @default 200 */
  maxVariableValues?: number;
}

export const defaultGraphQLLimits: Required<GraphQLLimits> = {
  maxDepth: 8,
  maxAliases: 15,
  maxTokens: 1000,
  maxDirectives: 10,
  maxCost: 5000,
  maxBodyBytes: 1024 * 1024,
  maxVariableValues: 200,
};
