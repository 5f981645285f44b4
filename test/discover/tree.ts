// A small tree of real nodes on port 0 for discover across registries:
//   root (root-bot: deep_only, shared_cap)
//   └─ com (com-bot: shared_cap)
//      ├─ leaf.com (leaf-bot: leaf_cap)
//      └─ sib.com (sib-bot: shared_cap, leaf_cap)
// so a query can be answered first at the leaf, the parent or the root, and a
// federated query hears from every kind of registry.
import { startFederation, type Federation } from '../../src/node/federation.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { ROOT } from '../helpers/node.js';

const port = { root: 17300, com: 17310, leaf: 17311, sib: 17312 };
const url = (p: number) => `http://127.0.0.1:${p}`;
const agent = (name: string, capabilities: string[]) => ({
  name, version: '1.0.0', description: `${name} for discover tests`, capabilities,
  endpoints: [{ url: `https://agents.example/${name}`, protocol: 'a2a', region: 'eu-west' }], tags: [], visibility: 'public',
});
const policy = { upstreams: { allow_private: true } };

export const Z = { root: ROOT, com: `com.${ROOT}`, leaf: `leaf.com.${ROOT}`, sib: `sib.com.${ROOT}` };

export function treeConfigs() {
  return [
    parseZoneFile({
      zone: ROOT, listen: { port: port.root }, region: 'us-east', policy, agents: [agent('root-bot', ['deep_only', 'shared_cap'])],
      delegations: [{ zone: Z.com, endpoints: [{ url: url(port.com) }] }],
    }),
    parseZoneFile({
      zone: Z.com, parent: { zone: ROOT, url: url(port.root) }, listen: { port: port.com }, region: 'us-east', policy,
      agents: [agent('com-bot', ['shared_cap'])],
      delegations: [{ zone: Z.leaf, endpoints: [{ url: url(port.leaf) }] }, { zone: Z.sib, endpoints: [{ url: url(port.sib) }] }],
    }),
    parseZoneFile({ zone: Z.leaf, parent: { zone: Z.com, url: url(port.com) }, listen: { port: port.leaf }, region: 'eu-west', policy, agents: [agent('leaf-bot', ['leaf_cap'])] }),
    parseZoneFile({ zone: Z.sib, parent: { zone: Z.com, url: url(port.com) }, listen: { port: port.sib }, region: 'eu-west', policy, agents: [agent('sib-bot', ['shared_cap', 'leaf_cap'])] }),
  ];
}

export const startTree = (): Promise<Federation> => startFederation(treeConfigs(), { ephemeralPorts: true, fsync: false });

/**
 * Stops the node behind `server` the moment a discover question reaches it: the
 * request is in and being worked on when the connection and listener go away.
 */
export function stopOnDiscover(server: import('node:http').Server): Promise<void> {
  return new Promise((resolve) => {
    server.on('request', (req) => {
      if (!req.url?.startsWith('/v1/discover')) return;
      req.socket.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
}
