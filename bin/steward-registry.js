#!/usr/bin/env node
// `steward-registry`: dist/ when built, else the sources through tsx (see launch.js).
import { launch } from './launch.js';

await launch('cli/registry/main');
