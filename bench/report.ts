/**
 * The benchmark's result: per-round figures reduced to one row per scenario (medians over the alternating
 * rounds, so one disturbed round does not move the figure), the targets checked, and the one table printed.
 * The JSON written under bench/results/ is exactly the `BenchResult` object.
 */
import type { Scenario, Targets } from './scenarios.js';

export interface RoundFigures {
  round: number;
  /** Windows measured for this round: more than 1 when other processes disturbed the first (see `otherCpu`). */
  attempts: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Checked responses in the measured window (warm-up excluded). */
  responses: number;
  /** Stub requests counted during warm-up and measurement together. */
  upstreamRequests: number;
  /** Gateway CPU time over the measured window's wall time (1 = one core busy all along). */
  gatewayCpu: number | null;
  /**
   * CPU the rest of the machine used meanwhile (all cores, minus the gateway, the stub and the load generator),
   * in cores: above ~0.1 something else ran (a build, tests) and the figures of that round are disturbed.
   */
  otherCpu: number | null;
  /** Gateway RSS right after the measured window. */
  gatewayRssMiB: number | null;
}

export interface ScenarioResult {
  name: string;
  description: string;
  target: Scenario['target'];
  rounds: RoundFigures[];
  reqPerSec: { median: number; min: number; max: number };
  p50Ms: number;
  p99Ms: number;
  gatewayCpu: number | null;
  /** The largest `otherCpu` over the rounds. */
  otherCpuMax: number | null;
  rssAfterLoadMiB: number | null;
  ratioToDirect: number | null;
  /** req/s relative to the bare yoga handler's (bench/bare.ts) in the same run. */
  ratioToBare: number | null;
  /** `targets.minRatio`'s ratio: req/s relative to the named scenario's in the same run. */
  ratio: { to: string; value: number | null } | null;
  targets: Targets | null;
  /** Each target with its verdict; empty when the scenario has none. */
  checks: Array<{ what: string; target: string; actual: string; pass: boolean }>;
  verdict: 'PASS' | 'MISS' | null;
}

export interface BenchResult {
  mode: 'full' | 'quick' | 'profile';
  command: string;
  startedAt: string;
  finishedAt: string;
  git: { commit: string | null; dirty: boolean | null };
  settings: { durationS: number; warmupS: number; rounds: number; connections: number; retries: number };
  environment: {
    node: string;
    cpuModel: string;
    cpus: number;
    loadAverageBefore: number[];
    pinning: string;
    pinned: boolean;
  };
  startup: { samplesMs: number[]; medianMs: number; maxMs: number; targetMs: number; pass: boolean };
  /** How the gateway was started; besides these, only PATH, HOST, PORT and EMPORIX_API_URL (the stub) are set. */
  gateway: {
    command: string;
    env: Record<string, string>;
    /** The cookie scenarios' gateways: the same command and env plus these (REDIS_URL for the Redis one). */
    sessionsEnv: Record<string, string> | null;
    /** The reference peer's command, pinned to the gateway's core. */
    bare: string | null;
  };
  /** `file`: null when the log was deleted after a successful run (see --keep-log). */
  gatewayLog: { file: string | null; bytes: number; bytesPerResponse: number };
  scenarios: ScenarioResult[];
  /** Wrong bodies, non-2xx, errors, timeouts, unexpected upstream calls: any of them fails the run. */
  failures: string[];
  ok: boolean;
  /** True when another process used more than `disturbanceLimit` of a core during some measured window. */
  disturbed: boolean;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function maxOf(values: Array<number | null>): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : Math.max(...known);
}

export function summariseScenario(scenario: Scenario, rounds: RoundFigures[]): ScenarioResult {
  const rates = rounds.map((round) => round.reqPerSec);
  const cpu = rounds.map((round) => round.gatewayCpu).filter((value): value is number => value !== null);
  const result: ScenarioResult = {
    name: scenario.name,
    description: scenario.description,
    target: scenario.target,
    rounds,
    reqPerSec: { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) },
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
    gatewayCpu: cpu.length > 0 ? median(cpu) : null,
    otherCpuMax: maxOf(rounds.map((round) => round.otherCpu)),
    rssAfterLoadMiB: maxOf(rounds.map((round) => round.gatewayRssMiB)),
    ratioToDirect: null,
    ratioToBare: null,
    ratio: null,
    targets: scenario.targets ?? null,
    checks: [],
    verdict: null,
  };
  const targets = scenario.targets;
  if (targets) {
    if (targets.maxP99Ms !== undefined) {
      result.checks.push({
        what: 'p99',
        target: `<= ${targets.maxP99Ms} ms`,
        actual: `${result.p99Ms} ms`,
        pass: result.p99Ms <= targets.maxP99Ms,
      });
    }
    if (targets.maxRssMiB !== undefined) {
      const rss = result.rssAfterLoadMiB;
      result.checks.push({
        what: 'RSS',
        target: `<= ${targets.maxRssMiB} MiB`,
        actual: rss === null ? 'unknown' : `${rss.toFixed(1)} MiB`,
        pass: rss !== null && rss <= targets.maxRssMiB,
      });
    }
  }
  return result;
}

/** Ratios (to the direct call, to the bare handler, the targets' own) are only known once every scenario has run. */
export function addRatios(results: ScenarioResult[]): void {
  const rate = (name: string) => results.find((result) => result.name === name)?.reqPerSec.median;
  const direct = results.find((result) => result.target === 'stub')?.reqPerSec.median;
  const bare = results.find((result) => result.target === 'bare')?.reqPerSec.median;
  for (const result of results) {
    result.ratioToDirect = direct ? result.reqPerSec.median / direct : null;
    result.ratioToBare = bare && result.target !== 'stub' ? result.reqPerSec.median / bare : null;
    const minRatio = result.targets?.minRatio;
    if (minRatio) {
      const reference = rate(minRatio.to);
      const value = reference ? result.reqPerSec.median / reference : null;
      result.ratio = { to: minRatio.to, value };
      // A reference left out of the run (--scenarios) cannot be checked: no verdict rather than a false one.
      if (value !== null) {
        result.checks.unshift({
          what: `x ${minRatio.to}`,
          target: `>= ${minRatio.min}`,
          actual: value.toFixed(2),
          pass: value >= minRatio.min,
        });
      }
    }
    if (result.targets) result.verdict = result.checks.every((check) => check.pass) ? 'PASS' : 'MISS';
  }
}

/** Above this, in cores, another process ran during a measured window. */
export const disturbanceLimit = 0.1;

const percent = (cores: number) => `${Math.round(cores * 100)}%`;

const whole = (value: number) => Math.round(value).toLocaleString('en-US');

function targetText(targets: Targets | null): string {
  if (!targets) return '';
  return [
    targets.minRatio === undefined ? '' : `>=${targets.minRatio.min} x ${targets.minRatio.to}`,
    targets.maxP99Ms === undefined ? '' : `p99<=${targets.maxP99Ms}`,
    targets.maxRssMiB === undefined ? '' : `RSS<=${targets.maxRssMiB}`,
  ]
    .filter(Boolean)
    .join(', ');
}

export function formatReport(result: BenchResult): string {
  const header = [
    'scenario',
    'req/s',
    'min-max',
    'p50 ms',
    'p99 ms',
    'gw CPU',
    'other',
    'RSS MiB',
    'x bare',
    'ratio',
    'x direct',
    'target',
    'result',
  ];
  const rows = result.scenarios.map((s) => [
    s.name,
    whole(s.reqPerSec.median),
    `${whole(s.reqPerSec.min)}-${whole(s.reqPerSec.max)}`,
    String(s.p50Ms),
    String(s.p99Ms),
    s.target === 'stub' || s.gatewayCpu === null ? '-' : percent(s.gatewayCpu),
    s.otherCpuMax === null ? '-' : percent(s.otherCpuMax),
    s.target === 'stub' || s.rssAfterLoadMiB === null ? '-' : s.rssAfterLoadMiB.toFixed(1),
    s.ratioToBare === null ? '-' : s.ratioToBare.toFixed(2),
    s.ratio?.value == null ? '-' : `${s.ratio.value.toFixed(2)} x ${s.ratio.to}`,
    s.ratioToDirect === null ? '-' : s.ratioToDirect.toFixed(2),
    targetText(s.targets),
    s.verdict === null ? '' : `${s.verdict}${s.verdict === 'MISS' ? ` (${missed(s)})` : ''}`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        numeric.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const { startup, settings, environment } = result;
  const disturbed = disturbedScenarios(result.scenarios);
  return [
    '',
    `Gateway benchmark (${result.mode}), ${result.finishedAt}`,
    `command: ${result.command}`,
    `node ${environment.node}, ${environment.cpus} CPU (${environment.cpuModel}), load average before ${environment.loadAverageBefore.map((value) => value.toFixed(2)).join(' ')}`,
    `pinning: ${environment.pinning}`,
    `gateway: ${Object.entries(result.gateway.env)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ')} ${result.gateway.command} (rate limits on, budgets too large to refuse)`,
    `load: autocannon, ${settings.connections} connections, ${settings.rounds} alternating round(s) of ${settings.warmupS} s warm-up + ${settings.durationS} s measured per scenario; every response body checked`,
    ...(settings.retries > 0
      ? [
          `a window in which other processes used more than ${percent(disturbanceLimit)} of a core is measured again, up to ${settings.retries} time(s); the least disturbed is kept`,
        ]
      : []),
    `start-up (spawn to first 200 of /health, NODE_ENV=production): median ${startup.medianMs.toFixed(0)} ms (max ${startup.maxMs.toFixed(0)} ms) over ${startup.samplesMs.length} start(s); target: median <= ${startup.targetMs} ms: ${startup.pass ? 'PASS' : 'MISS'}`,
    `gateway log (pino, level info, to a file): ${(result.gatewayLog.bytes / 1048576).toFixed(1)} MiB, ${result.gatewayLog.bytesPerResponse} bytes per response${result.gatewayLog.file ? `, kept at ${result.gatewayLog.file}` : ' (deleted; --keep-log keeps it)'}`,
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    'req/s: median over rounds (min-max); p50/p99: median over rounds; gw CPU: gateway CPU time / wall time while measured;',
    'other: CPU used meanwhile by processes outside the run (max over rounds); RSS: gateway resident set right after',
    'load, max over rounds; x bare: req/s relative to the bare yoga handler (bench/bare.ts) in the same run; ratio: req/s',
    'relative to the scenario the target names; x direct: req/s relative to the direct REST call to the stub.',
    ...(disturbed.length > 0
      ? [
          `DISTURBED: other processes used more than ${percent(disturbanceLimit)} of a core while ${disturbed.map((s) => s.name).join(', ')} ran: run again on a quiet machine.`,
        ]
      : []),
    result.ok ? 'All responses were the expected ones.' : `FAILED:\n  ${result.failures.join('\n  ')}`,
    '',
  ].join('\n');
}

export function disturbedScenarios(scenarios: ScenarioResult[]): ScenarioResult[] {
  return scenarios.filter((s) => (s.otherCpuMax ?? 0) > disturbanceLimit);
}

function missed(result: ScenarioResult): string {
  return result.checks
    .filter((check) => !check.pass)
    .map((check) => `${check.what} ${check.actual}`)
    .join(', ');
}
