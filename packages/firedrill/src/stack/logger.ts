import pino, { type Logger } from 'pino';

/** For callers that pass no logger: the library stays quiet. */
export const silentLogger: Logger = pino({ level: 'silent' });
