/** The native HTTP client: what a connector needs to talk to a native REST API. */
export { createNativeClient, type CreateNativeClientOptions } from './client.js';
export { systemClock, type Clock } from './clock.js';
export * from './types.js';
