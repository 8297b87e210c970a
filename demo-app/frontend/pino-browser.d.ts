// pino ships its browser build without a declaration of its own; its API is pino's.
declare module 'pino/browser' {
  import pino from 'pino';
  export default pino;
}
