// The publish and unpublish rules (SPEC §2) as pure functions over an injected view of
// the zone. Storing the result, ordering concurrent publishes and keeping the
// ConfusableIndex up to date are the caller's job (src/node/publisher.ts).
// Order of checks: JWS shape and signature first (an attacker's schema errors are not
// worth reporting before we know who signed), then the schema, then the zone rules.
import semver from 'semver';
import { StewardError } from '../errors/index.js';
import { MAX_NAME } from '../names/index.js';
import type { ConfusableIndex } from './confusable.js';
import { manifestDigest } from './digest.js';
import { verifyCompactJws } from './jws.js';
import { validateManifest, validateTombstone } from './schema.js';
import { computeTrust } from './trust.js';
import type { AgentRecord, Manifest, VectorClock } from './types.js';

export interface PublishPolicy {
  /** When set, only these key fingerprints may publish (empty: nobody). */
  allowedFingerprints?: string[];
  /** Keys the zone vouches for without restricting publishing (counts for trust). */
  verifiedFingerprints?: string[];
}

/** What the zone knows about earlier publishes; used for the trust score only. */
export interface PublishHistory {
  /** When `fingerprint` first published `label` (the start of its unbroken hold on the name). */
  nameHeldSince?(label: string, fingerprint: string): Date | string | undefined;
  /** When `fingerprint` first published anything in this zone. */
  keyFirstSeen?(fingerprint: string): Date | string | undefined;
}

export interface PublishInput {
  jws: string;
  zone: string;
  namespace: string;
  replicaId: string;
  now?: Date;
  current(label: string): AgentRecord | undefined;
  /** The record a name held when it was unpublished (its tombstone), if it was. */
  unpublished?(label: string): AgentRecord | undefined;
  confusables: ConfusableIndex;
  policy?: PublishPolicy;
  history?: PublishHistory;
}

const DAY_MS = 86_400_000;

/** A signed manifest or tombstone is bound to the namespace it names (SPEC §2). */
function checkNamespace(signed: string, zoneNamespace: string, zone: string, what: string): void {
  if (signed === zoneNamespace) return;
  const shown = (ns: string) => (ns === '' ? '"" (the root zone)' : `"${ns}"`);
  throw new StewardError(
    'WRONG_NAMESPACE',
    `the ${what} is signed for namespace ${shown(signed)}, but this zone (${zone}) is namespace ${shown(zoneNamespace)}; sign it for this zone's namespace`,
    { namespace: signed, zone_namespace: zoneNamespace },
  );
}

/** Days from `since` to `now`; 0 when unknown or in the future. */
function daysSince(since: Date | string | undefined, now: Date): number {
  const ms = since === undefined ? NaN : new Date(since).getTime();
  return Number.isFinite(ms) ? Math.max(0, (now.getTime() - ms) / DAY_MS) : 0;
}

export async function preparePublish(input: PublishInput): Promise<AgentRecord> {
  const { zone, policy } = input;
  const now = input.now ?? new Date();
  const verified = await verifyCompactJws(input.jws);
  const manifest = validateManifest(verified.payload);
  checkNamespace(manifest.namespace, input.namespace, zone, 'manifest');
  const { name, version } = manifest;
  const { fingerprint } = verified;
  const id = `${name}.${zone}`;
  if (id.length > MAX_NAME) {
    throw new StewardError('SCHEMA_VIOLATION', `manifest: /name makes the agent ID ${id.length} octets; at most ${MAX_NAME}`);
  }

  if (policy?.allowedFingerprints && !policy.allowedFingerprints.includes(fingerprint)) {
    throw new StewardError('FORBIDDEN', `key ${fingerprint} may not publish in ${zone} (not on the zone's publisher list)`, { fingerprint });
  }

  const current = input.current(name);
  if (current) {
    if (current.fingerprint !== fingerprint) {
      throw new StewardError(
        'KEY_MISMATCH',
        `${id} is published by key ${current.fingerprint}; this manifest is signed by key ${fingerprint}`,
        { published_fingerprint: current.fingerprint, fingerprint },
      );
    }
    if (!semver.gt(version, current.version)) {
      throw new StewardError(
        'VERSION_NOT_RISING',
        `${id} is at version ${current.version}; version ${version} is not greater`,
        { published_version: current.version, version },
      );
    }
  } else {
    checkUnpublished(input.unpublished?.(name), id, version, fingerprint);
    const clash = input.confusables.findConflict(name);
    if (clash !== undefined) {
      const existing = `${clash}.${zone}`;
      throw new StewardError('CONFUSABLE_NAME', `${name} is confusable with the existing agent ${existing}`, { existing });
    }
  }

  // Continuity is time, not a count of versions: how long this key has held this name.
  // Without a history, the hold began no later than the version being replaced; a key's
  // age is at least that too. A burst of version bumps therefore adds nothing.
  const sameKey = current !== undefined && current.fingerprint === fingerprint;
  const heldSince = sameKey ? (input.history?.nameHeldSince?.(name, fingerprint) ?? current.published_at) : undefined;
  const firstSeen = input.history?.keyFirstSeen?.(fingerprint) ?? (sameKey ? current.published_at : undefined);
  const trust = computeTrust({
    signatureVerified: true,
    nameHeldDays: daysSince(heldSince, now),
    allEndpointsHttps: manifest.endpoints.every((e) => e.url.toLowerCase().startsWith('https://')),
    hasDescription: (manifest.description ?? '').trim().length > 0,
    verifiedPublisher: Boolean(
      policy?.allowedFingerprints?.includes(fingerprint) || policy?.verifiedFingerprints?.includes(fingerprint),
    ),
    keyAgeDays: daysSince(firstSeen, now),
  });

  const clock: VectorClock = { ...(current?.vector_clock ?? {}) };
  clock[input.replicaId] = (clock[input.replicaId] ?? 0) + 1;

  return {
    id,
    ...manifestFields(manifest),
    namespace: input.namespace,
    zone,
    fingerprint,
    digest: manifestDigest(manifest),
    jws: input.jws.trim(),
    published_at: now.toISOString(),
    trust,
    vector_clock: clock,
  };
}

/**
 * An unpublished name stays bound to the key that held it (as a package registry keeps a
 * deleted package's name from being taken over: clients that knew the name must never be
 * sent to someone else's endpoints), and its versions are never reused.
 */
function checkUnpublished(tomb: AgentRecord | undefined, id: string, version: string, fingerprint: string): void {
  if (!tomb) return;
  if (tomb.fingerprint !== fingerprint) {
    throw new StewardError(
      'KEY_MISMATCH',
      `${id} was unpublished by key ${tomb.fingerprint}; only that key may publish it again, and this manifest is signed by key ${fingerprint}`,
      { published_fingerprint: tomb.fingerprint, fingerprint },
    );
  }
  if (!semver.gt(version, tomb.version)) {
    throw new StewardError(
      'VERSION_NOT_RISING',
      `${id} was at version ${tomb.version} when it was unpublished; version ${version} is not greater (versions are never reused)`,
      { published_version: tomb.version, version },
    );
  }
}

/** The manifest's own fields in a fixed order (optional ones only when present; namespace is the record's). */
export function manifestFields(m: Manifest): Omit<Manifest, 'namespace'> {
  const out: Omit<Manifest, 'namespace'> = { name: m.name, version: m.version, capabilities: m.capabilities, endpoints: m.endpoints, visibility: m.visibility };
  if (m.description !== undefined) out.description = m.description;
  if (m.tags !== undefined) out.tags = m.tags;
  return out;
}

export interface UnpublishInput {
  jws: string;
  zone: string;
  namespace: string;
  current(label: string): AgentRecord | undefined;
  /** The name from the request path, when there is one; must match the signed name. */
  label?: string;
}

/**
 * Checks a signed unpublish request `{"name","namespace","deleted":true,"version"}`
 * against the zone and the stored record: this namespace, same key, same version.
 * Returns the record to remove.
 */
export async function prepareUnpublish(input: UnpublishInput): Promise<{ label: string; record: AgentRecord }> {
  const verified = await verifyCompactJws(input.jws);
  const tomb = validateTombstone(verified.payload);
  checkNamespace(tomb.namespace, input.namespace, input.zone, 'unpublish request');
  const id = `${tomb.name}.${input.zone}`;
  if (input.label !== undefined && input.label !== tomb.name) {
    throw new StewardError('BAD_REQUEST', `the signed request names ${tomb.name}, but the request is for ${input.label}`);
  }
  const record = input.current(tomb.name);
  if (!record) throw new StewardError('NOT_FOUND', `no agent ${id} to unpublish`);
  if (record.fingerprint !== verified.fingerprint) {
    throw new StewardError(
      'KEY_MISMATCH',
      `${id} is published by key ${record.fingerprint}; this request is signed by key ${verified.fingerprint}`,
      { published_fingerprint: record.fingerprint, fingerprint: verified.fingerprint },
    );
  }
  if (record.version !== tomb.version) {
    throw new StewardError(
      'VERSION_MISMATCH',
      `${id} is at version ${record.version}; the request names version ${tomb.version}`,
      { published_version: record.version, version: tomb.version },
    );
  }
  return { label: tomb.name, record };
}
