#!/usr/bin/env node
// `steward`: dist/ when built, else the sources through tsx (see launch.js).
import { launch } from './launch.js';

await launch('cli/steward/main');
