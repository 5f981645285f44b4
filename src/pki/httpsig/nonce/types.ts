// Replay protection for signed requests (SPEC §5): a nonce is claimed once for as long as
// the request carrying it could still be accepted. Two implementations behind one
// interface: in process, and Redis shared by the nodes of a site.
//
// The contract both keep: claim() answers true exactly once per key within its TTL, even
// for concurrent calls; when the store cannot decide (Redis down or slow, memory full of
// live nonces) claim() throws NONCE_STORE_DOWN (503), so the request is refused — a
// store that cannot remember must never answer "not seen".
export interface NonceStore {
  readonly name: 'memory' | 'redis';
  /** True if `key` was not seen in the last `ttlSeconds`; it is now recorded for that long. */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  close(): Promise<void>;
}
