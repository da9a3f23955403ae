/**
 * Where the gateway's CPU goes, from a V8 `.cpuprofile`: self time summed by function and by module (a package
 * under node_modules, node's own internals, or a gateway file). Used by `npm run bench -- --profile`, and on its
 * own: `node --import tsx bench/profile.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  /** CPU time: all samples but idle ones. */
  totalMs: number;
  idleMs: number;
  samples: number;
  /** True when only the samples of the load window were counted (start-up left out). */
  windowed: boolean;
  functions: ProfileEntry[];
  modules: ProfileEntry[];
}

/** `node_modules/graphql/execution/execute.js` → `graphql`; `dist/schema/x.js` → `gateway dist/schema/x.js`. */
function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.replace(/^file:\/\//, '');
  const inModules = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inModules?.[1]) return inModules[1];
  const own = /\/(dist|src|bench)\/(.*)$/.exec(path);
  return own ? `gateway ${own[1]}/${own[2]}` : path;
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, '')
    .replace(/.*\/(dist|src|bench)\//, '$1/');
}

/**
 * @param window monotonic microseconds (process.hrtime, the clock V8 stamps samples with); samples outside are
 *   left out, so that start-up and shut-down do not dilute the load. Ignored when it would leave nothing.
 */
export function summariseProfile(
  file: string,
  top = 25,
  window?: { fromUs: number; toUs: number },
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // A sample stands for the time until the next one (as in Chrome's profiler); timeDeltas[i] precedes sample i.
  let time = profile.startTime;
  const timed = profile.samples.map((id, index) => {
    time += profile.timeDeltas[index] ?? 0;
    return { id, time, us: profile.timeDeltas[index + 1] ?? 0 };
  });
  const inWindow = window ? timed.filter((s) => s.time >= window.fromUs && s.time <= window.toUs) : [];
  const used = inWindow.length > 0 ? inWindow : timed;
  const selfUs = new Map<number, number>();
  for (const sample of used) selfUs.set(sample.id, (selfUs.get(sample.id) ?? 0) + sample.us);

  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    // Idle is the event loop waiting (for the stub or the load generator): not CPU the gateway spends.
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    totalUs += us;
    const name = frame.url
      ? `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
      : frame.functionName;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const module = moduleOf(frame.url, frame.functionName);
    modules.set(module, (modules.get(module) ?? 0) + us);
  }
  const rank = (map: Map<string, number>): ProfileEntry[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: totalUs > 0 ? us / totalUs : 0 }));
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    samples: used.length,
    windowed: inWindow.length > 0,
    functions: rank(functions),
    modules: rank(modules),
  };
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const lines = (entries: ProfileEntry[]) =>
    entries.map(
      (entry) =>
        `  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.selfMs.toFixed(0).padStart(7)} ms  ${entry.name}`,
    );
  return [
    `CPU profile: ${summary.totalMs.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle, ${summary.samples} samples${summary.windowed ? ' (load window only)' : ''}; shares are of busy time`,
    'Self time by module:',
    ...lines(summary.modules),
    'Self time by function:',
    ...lines(summary.functions),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/profile.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatProfileSummary(summariseProfile(file, Number(top ?? 25)))}\n`);
}
