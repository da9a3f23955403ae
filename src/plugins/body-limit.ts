import type { Plugin } from 'graphql-yoga';

/**
 * Refuses GraphQL request bodies larger than `maxBytes` with 413, before they are parsed. A declared
 * Content-Length is checked up front (Node's HTTP parser then never reads past it); a chunked body is read up to
 * the limit and no further.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, endResponse, fetchAPI }) {
      if (request.method !== 'POST' || requestParser === undefined) return;
      const tooLarge = () =>
        new fetchAPI.Response(
          JSON.stringify({ errors: [{ message: `Request body is larger than ${maxBytes} bytes` }] }),
          {
            status: 413,
            // The rest of the body is never read, so the connection cannot carry another request.
            headers: { 'content-type': 'application/json', connection: 'close' },
          },
        );
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        if (Number(declared) > maxBytes) endResponse(tooLarge());
        return;
      }
      setRequestParser(async (chunked) => {
        const body = await readAtMost(chunked, maxBytes);
        if (body === undefined) return tooLarge();
        return requestParser(
          new fetchAPI.Request(chunked.url, { method: 'POST', headers: chunked.headers, body }),
        );
      });
    },
  };
}

async function readAtMost(request: Request, maxBytes: number): Promise<string | undefined> {
  if (request.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
