import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

/**
 * Which proxies in front of the gateway are trusted to report the client's address in `X-Forwarded-For`:
 * `false` (default) uses the socket's address and ignores the header, so a client cannot pick its own rate-limit
 * key; a number N trusts the N nearest proxies; `true` trusts all and takes the left-most address, which the
 * client itself chooses unless the proxy overwrites it (prefer a number).
 */
export type TrustProxy = boolean | number;

/**
 * The client's address as a rate-limit key, or undefined when the gateway runs without Node's request (as a
 * fetch handler) and so cannot know it. IPv6 addresses are reduced to their /64, since one host commonly owns a
 * whole /64, and IPv4-mapped ones to plain IPv4.
 */
export function clientIpOf(req: IncomingMessage | undefined, trustProxy: TrustProxy): string | undefined {
  if (req === undefined) return undefined;
  const socketAddress = req.socket.remoteAddress;
  if (trustProxy === false || trustProxy === 0) return socketAddress && rateLimitKey(socketAddress);
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const chain = socketAddress ? [...forwarded, socketAddress] : forwarded;
  const chosen = trustProxy === true ? chain[0] : chain[Math.max(0, chain.length - 1 - trustProxy)];
  return chosen && rateLimitKey(chosen);
}

function rateLimitKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const missing = address.includes('::') ? 8 - headGroups.length - tailGroups.length : 0;
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
