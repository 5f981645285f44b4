// Differential test against OpenSSL with key types mixed along the chain: RSA-4096 root,
// P-256 com, RSA-4096 acme-labs.com, P-256 leaves (see diff-run.ts, cases.ts).
import { differential } from './diff-run.js';

differential('mixed RSA/P-256', ['rsa4096', 'p256', 'rsa4096', 'p256']);
