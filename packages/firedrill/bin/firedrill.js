#!/usr/bin/env node
// The CLI and the user's probe/drill/config files are TypeScript; tsx's loader runs them
// without a build step, so what users edit is exactly what runs.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
