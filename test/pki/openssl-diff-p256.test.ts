// Differential test against OpenSSL, every certificate P-256 (see diff-run.ts, cases.ts).
import { differential } from './diff-run.js';

differential('P-256', ['p256', 'p256', 'p256', 'p256']);
