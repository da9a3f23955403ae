/**
 * What stands between Node's HTTP parser and yoga. The parser accepts requests the Fetch adapter cannot turn into
 * a `Request` (it builds `http://<Host><target>` and throws `TypeError: Invalid URL`, answered 500), or turns into
 * the wrong one (a Host of `x/admin?` moves the path). Every request gets a deliberate answer here instead:
 *
 * - a target in origin form (`/graphql?…`) goes on as it is: the hot path is one character comparison and, for a
 *   Host seen before, one Set lookup;
 * - a target in absolute form (`http://any.host/graphql`, what a client sends through a proxy) is served as its
 *   path and query; its authority decides nothing, like the Host header;
 * - anything else (`*`, an authority, garbage), a Host that is not a host name or address with an optional port,
 *   a Transfer-Encoding other than `chunked`, and CONNECT: 400 with a short JSON body, connection closed; a method
 *   other than POST, GET, OPTIONS and HEAD: 405 (yoga would answer WebDAV's and DELETE's with a CSRF message).
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError } from 'graphql';

/** A host name, an IPv4 address or a bracketed IPv6 address, then an optional port: nothing URL syntax would reread. */
const hostShape = /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
/** Hosts already checked, so that steady traffic pays one lookup; bounded so that junk cannot grow it. */
const knownHosts = new Set<string>();
const maxKnownHosts = 256;

function acceptableHost(host: string): boolean {
  if (knownHosts.has(host)) return true;
  // The shape first (no userinfo, path, query or fragment can hide in it), then the URL parser itself: it refuses
  // a port over 65535, an IPv4 part over 255 and malformed IPv6, all of which would be a 500 further on.
  if (!hostShape.test(host) || !URL.canParse(`http://${host}/`)) return false;
  if (knownHosts.size < maxKnownHosts) knownHosts.add(host);
  return true;
}

/** The path and query of an absolute-form target, or undefined when the target is not an http(s) URL. */
function pathOfAbsoluteForm(target: string): string | undefined {
  if (!/^https?:\/\//i.test(target)) return undefined;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  return `${url.pathname}${url.search}`;
}

function badRequestBody(message: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
}

function refuse(res: ServerResponse, message: string, status = 400): void {
  const body = JSON.stringify({
    errors: [{ message, extensions: { code: status === 405 ? 'METHOD_NOT_ALLOWED' : 'BAD_REQUEST' } }],
  });
  // The body of the request, if any, is never read: the connection cannot carry another request.
  res.shouldKeepAlive = false;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
    ...(status === 405 ? { allow: 'GET, POST, OPTIONS, HEAD' } : {}),
  });
  res.end(body);
}

/**
 * Wraps a Node request listener (e.g. `gateway.yoga`) with the checks above. The listener sees only origin-form
 * targets and well-formed Host headers.
 */
export function guardRequests(listener: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const target = req.url ?? '';
    // 47 is '/': the origin form every ordinary client sends.
    if (target.charCodeAt(0) !== 47) {
      const path = pathOfAbsoluteForm(target);
      if (path === undefined) {
        refuse(res, 'The request target must be a path such as /graphql (or an absolute http URL).');
        return;
      }
      req.url = path;
    }
    const host = req.headers.host;
    // Absent or empty is allowed (HTTP/1.0); Node itself answers 400 to HTTP/1.1 without one.
    if (host !== undefined && host !== '' && !acceptableHost(host)) {
      refuse(res, 'The Host header must be a host name or address, with an optional port.');
      return;
    }
    const { method } = req;
    if (method !== 'POST' && method !== 'GET' && method !== 'OPTIONS' && method !== 'HEAD') {
      refuse(res, 'Only POST (and GET for queries) is served here.', 405);
      return;
    }
    const transferEncoding = req.headers['transfer-encoding'];
    if (transferEncoding !== undefined && transferEncoding.toLowerCase() !== 'chunked') {
      refuse(res, 'Transfer-Encoding must be chunked (no other coding is accepted).');
      return;
    }
    listener(req, res);
  };
}

/** Answers CONNECT (which Node hands to a 'connect' listener, or else closes without a word) with 400. */
function refuseConnect(_req: IncomingMessage, socket: Duplex): void {
  const body = badRequestBody('CONNECT is not supported: this is a GraphQL endpoint, not a proxy.');
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * `createServer` for the gateway: `listener` (e.g. `gateway.yoga`) behind `guardRequests`, and CONNECT refused.
 * Use it instead of `createServer(gateway.yoga)`.
 */
export function createGatewayServer(listener: RequestListener, options: ServerOptions = {}): Server {
  const server = createServer(options, guardRequests(listener));
  server.on('connect', refuseConnect);
  return server;
}

/** What answers a request body that is not JSON: it quotes nothing of the body. */
export const invalidJsonMessage = 'The request body is not valid JSON';

function badRequest(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}

/**
 * For an error yoga raised while reading the request, the short 400 a caller gets instead; undefined for any other
 * error. Both quote the caller's input back: yoga's JSON body parser puts the parser's message, which quotes the
 * body (600 KB in, 600 KB out), in `extensions.originalError`; a GET's `variables` or `extensions` that is not
 * JSON throws a bare SyntaxError (a 500, and an "unexpected error" log line quoting the query string). Errors of
 * the execution reach maskError wrapped in a GraphQLError, never as a bare SyntaxError.
 */
export function requestInputError(error: unknown): GraphQLError | undefined {
  if (error instanceof SyntaxError) {
    return badRequest('The variables or extensions parameter is not valid JSON');
  }
  if (!(error instanceof GraphQLError) || error.extensions.originalError === undefined) return undefined;
  if (error.message === 'POST body sent invalid JSON.') return badRequest(invalidJsonMessage);
  const { originalError: _dropped, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { extensions, path: error.path, nodes: error.nodes });
}
