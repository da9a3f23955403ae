/**
 * Runs the built gateway (`GATEWAY_ENTRY`) unchanged, plus one thing the load group needs to tell a leak from a
 * late garbage collection: on SIGUSR2 it collects garbage fully and writes the live heap to `HEAP_REPORT_PATH`.
 * Peak RSS under load measures when V8 got round to collecting (on a busy 2-core machine, hundreds of MiB apart
 * between runs); the live heap after a full collection measures what the process keeps.
 *
 * Started with `node --expose-gc`; test-only, never part of the product.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';

const { GATEWAY_ENTRY: entry, HEAP_REPORT_PATH: reportPath } = process.env;
if (!entry || !reportPath || typeof globalThis.gc !== 'function') {
  throw new Error('heap-probe needs GATEWAY_ENTRY, HEAP_REPORT_PATH and node --expose-gc');
}
const collect = globalThis.gc;

let sequence = 0;
process.on('SIGUSR2', () => {
  // Twice: the first pass can leave objects that only become unreachable once finalizers of the first have run.
  collect();
  collect();
  const { heapUsed, external, arrayBuffers, rss } = process.memoryUsage();
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size]),
  );
  sequence += 1;
  // Written aside and renamed, so that a reader never sees half a report.
  writeFileSync(
    `${reportPath}.tmp`,
    JSON.stringify({ sequence, heapUsed, external, arrayBuffers, rss, spaces }),
  );
  renameSync(`${reportPath}.tmp`, reportPath);
});

await import(pathToFileURL(entry).href);
