export type DiscoverScope = 'local' | 'hierarchy' | 'federated';
export type DiscoverSort = 'trust' | 'latency' | 'name';

export interface DiscoverResult {
  id: string;
  name: string;
  namespace: string;
  registry: string;
  version: string;
  capabilities: string[];
  trust: number;
  latency_ms: number;
}

export interface RegistryReport {
  zone: string;
  url: string | null;
  count: number;
  latency_ms: number;
  status: 'ok' | 'error' | 'timeout';
  role: 'local' | 'parent' | 'root' | 'sibling';
  error?: string;
  /** Ids of the agents it answered with (the first 20), for the escalation lines. */
  agents?: string[];
  /** The registry's answer was reused from the last TTL (src/discover/remote-cache.ts); latency_ms is when it was asked. */
  cached?: boolean;
  /** Results this registry sent that failed validation and were left out. */
  dropped?: number;
}

export interface DiscoverAnswer {
  query: string;
  scope: DiscoverScope;
  results: DiscoverResult[];
  /** Distinct agents found across the registries asked; `results` holds the first `limit`. */
  total: number;
  registries: RegistryReport[];
}
