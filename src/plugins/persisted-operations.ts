import { createHash } from 'node:crypto';
import { type DocumentNode, GraphQLError, print } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * The optional persisted-operations mode: only the operations of the gateway's own client SDK are executed, sent
 * either as their exact text (what the SDK sends) or by the SHA-256 of that text in
 * `extensions.persistedQuery.sha256Hash` (the automatic-persisted-queries format). Anything else is refused with
 * 400 before it is parsed.
 *
 * yoga's persisted-operations plugin only resolves ids; accepting the SDK's full text as well is what lets the
 * unchanged SDK work in this mode, so the check is ours.
 */
export function usePersistedOperationsOnly(documents: DocumentNode[]): Plugin {
  const byHash = new Map<string, string>();
  for (const document of documents) {
    const text = print(document);
    byHash.set(createHash('sha256').update(text).digest('hex'), text);
  }
  const texts = new Set(byHash.values());

  return {
    onParams({ params, setParams }) {
      const extensions = params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined;
      const id = extensions?.persistedQuery?.sha256Hash;
      if (typeof id === 'string') {
        const query = byHash.get(id);
        if (query === undefined)
          throw refusal('Unknown persisted operation', 'PERSISTED_OPERATION_NOT_FOUND');
        setParams({ ...params, query });
        return;
      }
      if (typeof params.query !== 'string' || !texts.has(params.query)) {
        throw refusal(
          'Only the persisted operations of the gateway client are accepted',
          'PERSISTED_OPERATION_ONLY',
        );
      }
    },
  };
}

function refusal(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}
