/**
 * How URL fetching turns a host name into addresses. The default asks the system resolver for
 * every address; tests pass a stub so that names can "resolve" to private addresses.
 */
import { lookup } from 'node:dns/promises';

/** One resolved address. */
export type ResolvedAddress = { address: string; family: 4 | 6 };

/** Resolves a host name to all its addresses (never an empty list: throw instead). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo), all addresses. */
export const systemResolver: HostResolver = async (hostname) => {
  const addresses = await lookup(hostname, { all: true, verbatim: true });
  return addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};
