/**
 * Keeps user-configured URLs (webhook channel, status webhooks, Slack) away from the operator's own
 * network: loopback, private, link-local (cloud metadata lives at 169.254.169.254 and fd00:ec2::254),
 * carrier-grade NAT, multicast and reserved ranges are refused. Checked when a URL is saved (to answer
 * 422 at once) and again on every connection through `guardedLookup`, so a name that later resolves
 * inward (DNS rebinding) is refused. A socket does not look up an IP literal, so senders also call
 * `refusePrivateLiteral` before connecting; both raise the same `PrivateAddressError`.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookupAsync } from 'node:dns/promises';
import type { SendFailure } from '../../domain/retry-policy.ts';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  // IPv4-compatible (deprecated, RFC 4291): ::a.b.c.d reaches a.b.c.d on stacks that still honour it.
  // It holds :: and ::1 too.
  ['::', 96],
  // NAT64 (RFC 6052, RFC 8215): both prefixes translate to an IPv4 address chosen by the caller.
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  // Teredo and 6to4 (RFC 4380, RFC 3056) carry an IPv4 address inside and tunnel to it.
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** True when the address is one a webhook must not reach (IPv4-mapped IPv6 is checked as IPv4). */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) {
    if (/^::ffff:/i.test(bare)) return true; // mapped, in hex form: refuse rather than parse
    return blocked.check(bare, 'ipv6');
  }
  return true;
}

export type UrlProblem = string;

/** Null when `url` may be called; otherwise why not. Resolves the host name to check every address. */
export async function checkWebhookUrl(url: string, allowPrivate: boolean): Promise<UrlProblem | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be http or https';
  if (u.username || u.password) return 'must not carry credentials';
  if (allowPrivate) return null;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await dnsLookupAsync(host, { all: true })).map((a) => a.address);
  } catch {
    return `host '${host}' does not resolve`;
  }
  const inward = addresses.find(isPrivateAddress);
  return inward ? `resolves to ${inward}, a private, loopback or link-local address` : null;
}

/** A connection the guard refused: the address, or what a name resolved to, is private. */
export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
  constructor(message: string) {
    super(message);
    this.name = 'PrivateAddressError';
  }
}

/** A `lookup` for sockets that fails rather than connect to a private address. */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const list = addresses;
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad)
      return callback(
        new PrivateAddressError(`${hostname} resolves to private address ${bad.address}`),
        '',
        0,
      );
    if ((options as { all?: boolean }).all)
      return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    const first = list[0];
    if (!first)
      return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    callback(null, first.address, first.family);
  });
};

/** undici `Agent` options that send every connection through the guard, unless private addresses are allowed. */
export function guardedConnect(allowPrivate: boolean): { connect?: { lookup: LookupFunction } } {
  return allowPrivate ? {} : { connect: { lookup: guardedLookup } };
}

/** Throws `PrivateAddressError` when the URL's host is a private IP literal (those skip the lookup). */
export function refusePrivateLiteral(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && isPrivateAddress(host))
    throw new PrivateAddressError(`${host} is a private, loopback or link-local address`);
}

/** `refusePrivateLiteral` for senders that report rather than throw: the permanent failure, or null. */
export function privateLiteralFailure(url: URL): SendFailure | null {
  try {
    refusePrivateLiteral(url);
    return null;
  } catch (err) {
    return refusedSendFailure(err);
  }
}

/** The guard's refusal behind a failed request, wherever the HTTP client wrapped it. */
export function privateAddressRefusal(err: unknown): PrivateAddressError | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e instanceof PrivateAddressError) return e;
    if (e.code === 'EPRIVATEADDRESS') return new PrivateAddressError(String((e as Error).message));
  }
  return undefined;
}

/** A send the guard refused fails for good: retrying would reach the same address. */
export function refusedSendFailure(err: unknown): SendFailure | null {
  const refusal = privateAddressRefusal(err);
  if (!refusal) return null;
  return {
    kind: 'permanent',
    code: 'webhook_url_refused',
    message: `${refusal.message}; Herald does not send there unless allowPrivateWebhookUrls is set.`,
  };
}
