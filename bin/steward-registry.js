#!/usr/bin/env node
// Runs the TypeScript entry point through tsx, so `npx steward-registry …` works in a checkout.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/registry/main.ts');
