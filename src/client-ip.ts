import type { IncomingMessage } from 'node:http';

/**
 * Which proxies in front of the gateway are trusted to report the client's address in `X-Forwarded-For`:
 * `false` (default) uses the socket's address and ignores the header, so a client cannot pick its own rate-limit
 * key; a number N trusts the N nearest proxies; `true` trusts all and takes the left-most address.
 */
export type TrustProxy = boolean | number;

export function clientIpOf(req: IncomingMessage | undefined, trustProxy: TrustProxy): string {
  const socketAddress = req?.socket.remoteAddress ?? 'unknown';
  if (trustProxy === false || trustProxy === 0 || req === undefined) return socketAddress;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const chain = [...forwarded, socketAddress];
  if (trustProxy === true) return chain[0] ?? socketAddress;
  return chain[Math.max(0, chain.length - 1 - trustProxy)] ?? socketAddress;
}
