// The seed's four federation alerts (GET /v1/alerts), computed from the health summary
// (src/health/summary.ts) each time they are asked for: nothing to go stale, and an alert
// clears as soon as its cause is gone. Each firing alert says since when (derived from
// the facts, not from when someone last looked) and why. The same rules, with the same
// thresholds, ship for Prometheus in ops/prometheus/alerts.yml.
import type { HealthSummary } from '../health/summary.js';

export type AlertName = 'registry_down' | 'high_sync_lag' | 'partition_detected' | 'high_conflict_rate';

export const THRESHOLDS = {
  /** More than this many registries offline. */
  registriesDown: 1,
  /** Seconds behind the root. */
  syncLagSeconds: 60,
  /** Conflicts in the last hour. */
  conflictsPerHour: 10,
} as const;

export interface Alert {
  name: AlertName;
  severity: 'critical' | 'warning';
  /** ISO time since when the condition holds. */
  since: string;
  /** Why, in a sentence. */
  reason: string;
  value: number;
  threshold: number;
  /** The registries or peers involved. */
  peers?: string[];
}

export interface AlertSources {
  summary: () => HealthSummary;
  /** When the nth most recent conflict of the last hour was resolved (ms). */
  nthRecentConflict: (n: number) => number | undefined;
  /** Include peers' error messages (addresses, ports) in reasons: for the zone's operator only. */
  errors?: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function evaluateAlerts(src: AlertSources): { alerts: Alert[]; checked: AlertName[]; evaluated_at: string } {
  const s = src.summary();
  const alerts: Alert[] = [];
  if (s.down.length > THRESHOLDS.registriesDown) {
    // It fired when the (threshold+1)th of those still down went down.
    const since = s.down.map((r) => r.since).sort((a, b) => a - b)[THRESHOLDS.registriesDown]!;
    alerts.push({
      name: 'registry_down', severity: 'critical', since: iso(since), value: s.down.length, threshold: THRESHOLDS.registriesDown,
      peers: s.down.map((r) => r.key),
      reason: `${s.down.length} registries offline: ${s.down.map((r) => `${r.key} (${r.role}${src.errors && r.lastError ? `: ${r.lastError}` : ''})`).join(', ')}`,
    });
  }
  if (s.behindRootSeconds > THRESHOLDS.syncLagSeconds) {
    const lagging = s.registries.filter((r) => r.lagSeconds !== undefined && r.lagSeconds > 0 && (r.role === 'parent' || r.role === 'child'))
      .sort((a, b) => b.lagSeconds! - a.lagSeconds!);
    alerts.push({
      name: 'high_sync_lag', severity: 'warning', value: Math.round(s.behindRootSeconds), threshold: THRESHOLDS.syncLagSeconds,
      since: iso(s.now - (s.behindRootSeconds - THRESHOLDS.syncLagSeconds) * 1000),
      peers: lagging.map((r) => r.key),
      reason: `changes may be ${Math.round(s.behindRootSeconds)} s behind the root: ${lagging.map((r) => `${r.key} (${r.role}) last in sync ${Math.round(r.lagSeconds!)} s ago`).join(', ')}`,
    });
  }
  if (s.partitions.length) {
    alerts.push({
      name: 'partition_detected', severity: 'critical', value: s.partitions.length, threshold: 0,
      since: iso(Math.min(...s.partitions.map((p) => p.since))),
      peers: s.partitions.map((p) => p.peer),
      reason: `split brain detected with ${s.partitions.map((p) => `${p.peer}${p.detail ? ` (${p.detail})` : ''}`).join(', ')}`,
    });
  }
  if (s.conflictsLastHour > THRESHOLDS.conflictsPerHour) {
    // Of the conflicts in the window (oldest first), the 11th made it fire.
    const since = src.nthRecentConflict(s.conflictsLastHour - THRESHOLDS.conflictsPerHour) ?? s.now;
    alerts.push({
      name: 'high_conflict_rate', severity: 'warning', since: iso(since), value: s.conflictsLastHour, threshold: THRESHOLDS.conflictsPerHour,
      reason: `${s.conflictsLastHour} replica conflicts in the last hour (more than ${THRESHOLDS.conflictsPerHour}); the losing writes are in the audit log (kind=conflict)`,
    });
  }
  return { alerts, checked: ['registry_down', 'high_sync_lag', 'partition_detected', 'high_conflict_rate'], evaluated_at: iso(s.now) };
}
