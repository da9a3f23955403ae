/**
 * The stub as its own process, so that it can be pinned to the load generator's core with taskset and never
 * competes with the gateway. Prints `{"url":"http://127.0.0.1:PORT"}` as one line on stdout once it listens.
 */
import { startStub } from './stub.js';

const stub = await startStub();
process.stdout.write(`${JSON.stringify({ url: stub.url })}\n`);

const stop = () => {
  void stub.close().then(() => process.exit(0));
  // Never hang the benchmark's clean-up on a connection that does not close.
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
