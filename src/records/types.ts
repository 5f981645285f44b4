// Shared record shapes (SPEC §2). The record is the manifest plus what the zone adds.

export type Visibility = 'public' | 'internal';

export interface Endpoint {
  url: string;
  protocol: string;
  region?: string;
}

export interface Manifest {
  name: string;
  /** The zone the publisher means (its namespace; "" for the root): the signature binds it. */
  namespace: string;
  version: string;
  description?: string;
  capabilities: string[];
  endpoints: Endpoint[];
  tags?: string[];
  visibility: Visibility;
}

export type VectorClock = Record<string, number>;

export interface AgentRecord extends Manifest {
  id: string; // FQID
  namespace: string;
  zone: string;
  fingerprint: string; // RFC 7638 SHA-256 thumbprint (base64url) of the publisher key
  digest: string; // "sha256:<hex>" of the RFC 8785 canonical manifest
  jws: string; // the compact JWS as published
  published_at: string; // ISO 8601
  trust: number; // 0..1
  vector_clock: VectorClock;
  /**
   * Only on the record a name held when it was unpublished (its tombstone): the compact
   * JWS of the signed unpublish that removed it, signed by `fingerprint`'s key for
   * `version` — what a parent needs to check the delete (SPEC §6 push and pull). Kept
   * with the tombstone (log and snapshot); absent on deletes stored before it was kept.
   */
  tombstone?: string;
}

/** A signed unpublish request: payload of the DELETE JWS. */
export interface Tombstone {
  name: string;
  namespace: string;
  deleted: true;
  version: string;
}

export interface RegionEndpoint {
  url: string;
  region?: string;
}

export interface Delegation {
  zone: string; // child zone name
  endpoints: RegionEndpoint[];
  fingerprint?: string; // child registry certificate fingerprint
  certificate?: string; // PEM
}
