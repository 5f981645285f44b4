import type { Hono } from 'hono';
import type { NodeContext } from '../../node/context.js';

export function zoneRoutes(app: Hono, ctx: NodeContext) {
  app.get('/v1/zone', (c) => {
    const { config } = ctx;
    return c.json({
      zone: config.zone,
      namespace: config.namespace,
      parent: config.parent ? { zone: config.parent.zone, endpoints: config.parent.endpoints } : null,
      serial: ctx.store.serial,
      region: config.region,
      replicas: config.replicas,
      delegations: ctx.delegations.list().map((d) => ({ zone: d.zone, endpoints: d.endpoints, fingerprint: d.fingerprint ?? null })),
      certificate: ctx.identity?.certificatePem ?? null,
      /** The certificate's issuers up to and including the root (PEM), nearest first. */
      chain: ctx.identity?.chainPems ?? [],
    });
  });
}
