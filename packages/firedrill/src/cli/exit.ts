export { SetupError } from '../core/errors.ts';

/** Exit codes CI gates on: 0 all passed, 1 something under test failed, 2 the setup is wrong. */
export const EXIT = { ok: 0, failed: 1, setup: 2 } as const;
