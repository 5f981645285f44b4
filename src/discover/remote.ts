// Asking other registries: their local discover, and their zone info (to learn the tree).
import { request } from 'undici';
import type { DiscoverResult, DiscoverSort } from './types.js';

export interface RemoteOptions { timeoutMs: number }

async function getJson(url: string, { timeoutMs }: RemoteOptions): Promise<{ status: number; body: any }> {
  const res = await request(url, {
    method: 'GET',
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json' },
  });
  const text = await res.body.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${url} answered ${res.statusCode} with a body that is not JSON`);
  }
  return { status: res.statusCode, body };
}

export async function remoteLocalDiscover(
  baseUrl: string,
  q: string,
  sort: DiscoverSort,
  limit: number,
  opts: RemoteOptions,
): Promise<DiscoverResult[]> {
  const u = new URL('/v1/discover', baseUrl);
  u.search = new URLSearchParams({ q, scope: 'local', sort, limit: String(limit) }).toString();
  const { status, body } = await getJson(u.toString(), opts);
  if (status !== 200 || !Array.isArray(body?.results)) throw new Error(`${baseUrl} answered ${status}: ${body?.detail ?? 'no results array'}`);
  return body.results as DiscoverResult[];
}

export interface RemoteZoneInfo {
  zone: string;
  parent: { zone: string; endpoints: { url: string; region?: string }[] } | null;
  delegations: { zone: string; endpoints: { url: string; region?: string }[] }[];
}

export async function remoteZoneInfo(baseUrl: string, opts: RemoteOptions): Promise<RemoteZoneInfo> {
  const { status, body } = await getJson(new URL('/v1/zone', baseUrl).toString(), opts);
  if (status !== 200 || typeof body?.zone !== 'string') throw new Error(`${baseUrl}/v1/zone answered ${status}`);
  return body as RemoteZoneInfo;
}
