import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

/** A caller's id is kept only when it is a plain token of sane length: it goes upstream and into every log line. */
const acceptableRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every HTTP request an id: the caller's `X-Request-Id` when acceptable, else a new UUID. It is sent to
 * Emporix, logged with every line of the request, and echoed in the response's `X-Request-Id`.
 */
export function createRequestIds() {
  const ids = new WeakMap<Request, string>();

  function requestIdOf(request: Request): string {
    let id = ids.get(request);
    if (id === undefined) {
      const offered = request.headers.get('x-request-id');
      id = offered !== null && acceptableRequestId.test(offered) ? offered : randomUUID();
      ids.set(request, id);
    }
    return id;
  }

  const plugin: Plugin = {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };

  return { requestIdOf, plugin };
}
