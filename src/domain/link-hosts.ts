/**
 * The hosts a service registers as its own for click tracking. A click redirect signs any link the
 * service put in its HTML, so without this list Herald's domain would redirect, for the life of a
 * link, to wherever a service (or a template fed with someone else's data) pointed it. A click on a
 * link to a registered host is redirected at once; any other gets a page that names where it leads
 * and lets the reader choose.
 *
 * An entry is a host name (`shop.example`), or `*.` and a host name for every host below it
 * (`*.shop.example` covers `a.shop.example` and `a.b.shop.example`, not `shop.example` itself).
 * Names are kept in their ASCII (punycode) form, as URLs carry them.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

export const MAX_LINK_HOSTS = 100;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The entry as stored, or why it is not one. */
export function normalizeLinkHost(entry: string): { host: string } | { problem: string } {
  const wildcard = entry.startsWith('*.');
  const name = wildcard ? entry.slice(2) : entry;
  if (name.length === 0 || name.length > 253)
    return { problem: 'must be a host name of 1 to 253 characters' };
  if (isIP(name.replace(/^\[|\]$/g, ''))) return { problem: 'must be a host name, not an IP address' };
  // domainToASCII reads a URL's host out of 'a.example/path' or 'a.example:80'; a host is all we take.
  if (/[\s/:?#@[\]\\%*\u0000-\u001f]/.test(name))
    return { problem: 'must be a host name alone: no scheme, port, path or spaces' };
  const ascii = domainToASCII(name.replace(/\.$/, ''));
  if (!ascii) return { problem: 'is not a valid host name' };
  const labels = ascii.split('.');
  if (!labels.every((l) => LABEL.test(l)))
    return {
      problem: 'must be a host name: letters, digits and hyphens between dots (no scheme, port or path)',
    };
  if (wildcard && labels.length < 2)
    return { problem: 'a wildcard must cover a name with a dot, like *.example.com' };
  return { host: wildcard ? `*.${ascii}` : ascii };
}

/** Whether a click may go straight to `url`: its host is one of the registered ones. */
export function linkHostAllowed(url: string, hosts: readonly string[]): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return false;
  }
  return hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h));
}
