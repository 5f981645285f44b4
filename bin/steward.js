#!/usr/bin/env node
// `steward` from a checkout: load the TypeScript sources through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/steward/main.ts');
