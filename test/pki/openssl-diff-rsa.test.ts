// Differential test against OpenSSL, every certificate RSA-4096 (see diff-run.ts, cases.ts).
import { differential } from './diff-run.js';

differential('RSA-4096', ['rsa4096', 'rsa4096', 'rsa4096', 'rsa4096']);
