/** Safe URL fetching (work in progress). */
import { FetchFailedError } from '../../errors.ts';
import type { HostResolver } from './host-resolver.ts';

export type FetchedDocument = { bytes: Uint8Array; contentType: string | null; finalUrl: string };
export type FetchUrlOptions = {
  maxBytes: number;
  fetchTimeoutMs: number;
  maxRedirects: number;
  urlAllowList: string[];
  signal?: AbortSignal;
  lookup?: HostResolver;
};

export async function fetchUrl(url: string, _options: FetchUrlOptions): Promise<FetchedDocument> {
  throw new FetchFailedError('fetch_unavailable', `Fetching '${url}' is not available yet.`);
}
