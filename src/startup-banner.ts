/**
 * The human-readable block `npm start` prints when a developer watches it in a terminal: where GraphiQL is, the
 * exact headers to paste, the demo credentials and what to know before trying things repeatedly. Anywhere else
 * (stdout not a terminal, or NODE_ENV=production) the JSON log lines are all there is.
 */
import pino from 'pino';
// Types only: the emulator itself is loaded by main.ts when it runs one, never by this module.
import type { EmulatorDemo, EmulatorTtl, PendingSignUp } from './emulator/types.js';
import type { Logger } from './logger.js';
import type { RateLimitWindow } from './rate-limit.js';

export interface StartupBannerInput {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql */
  graphqlUrl: string;
  graphiql: boolean;
  /** false when RATE_LIMITS=off */
  rateLimits: false | { perTarget: RateLimitWindow };
  /** The embedded emulator, when `npm start` runs one. */
  emulator?: {
    url: string;
    demo: Pick<
      EmulatorDemo,
      'tenant' | 'clientId' | 'email' | 'password' | 'customerToken' | 'anonymousToken'
    > & {
      pendingSignUp?: Pick<PendingSignUp, 'email' | 'confirmationToken'>;
    };
    /** Token lifetimes in seconds, when the emulator tells them. */
    ttl?: Pick<EmulatorTtl, 'customerToken' | 'anonymousToken' | 'mailToken'>;
  };
}

/** Only a developer's terminal gets the block: logs collected from a pipe or in production stay JSON lines. */
export function shouldPrintStartupBanner(environment: {
  isTTY: boolean | undefined;
  nodeEnv: string | undefined;
}): boolean {
  return environment.isTTY === true && environment.nodeEnv?.trim() !== 'production';
}

/** 86400 → "24 h", 900 → "15 min", 45 → "45 s". */
export function formatDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** A URL a browser on this machine can open: a wildcard listen address becomes loopback. */
export function browsableUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0') parsed.hostname = '127.0.0.1';
  else if (parsed.hostname === '[::]') parsed.hostname = '[::1]';
  return parsed.toString();
}

const header = (token: string) => JSON.stringify({ Authorization: `Bearer ${token}` }).replace('":"', '": "');

export function formatStartupBanner(input: StartupBannerInput): string {
  const { emulator } = input;
  const url = browsableUrl(input.graphqlUrl);
  const rule = '─'.repeat(78);
  const lines = [
    rule,
    `Emporix customer gateway is ready${emulator ? ', on the built-in Emporix emulator (development only)' : ''}`,
    '',
    input.graphiql
      ? `  GraphiQL     ${url}   (open it in a browser)`
      : `  GraphQL      ${url}   (GraphiQL is off: GRAPHIQL=on serves it)`,
  ];
  const lifetime = (seconds: number | undefined) =>
    seconds === undefined ? '' : `, valid ${formatDuration(seconds)}`;
  if (emulator) {
    const { demo, ttl } = emulator;
    lines.push(
      `  Headers      paste one into GraphiQL's Headers tab, below the query:`,
      `                 ${header(demo.customerToken)}`,
      `                   the customer ${demo.email}${lifetime(ttl?.customerToken)}`,
      `                 ${header(demo.anonymousToken)}`,
      `                   an anonymous session${lifetime(ttl?.anonymousToken)}; no header at all works too`,
      `  Demo login   ${demo.email} / ${demo.password}   (tenant ${demo.tenant}, client id ${demo.clientId})`,
      '               a flow that changes the password or the email changes these until the next start',
      `  Mails        ${emulator.url}/_emulator/outbox`,
      `               reset, email-change and sign-up tokens${ttl ? ` (valid ${formatDuration(ttl.mailToken)})` : ''}`,
    );
    if (demo.pendingSignUp) {
      lines.push(
        `  Sign-up      ${demo.pendingSignUp.email} awaits its opt-in: try confirmSignUp with the token`,
        `               ${demo.pendingSignUp.confirmationToken}`,
      );
    }
  } else {
    lines.push(`  Headers      ${header('<your Emporix customer or anonymous token>')}`);
  }
  if (input.rateLimits === false) {
    lines.push('  Rate limits  off (RATE_LIMITS=off); without it they are as in production');
  } else {
    const { points, durationSeconds } = input.rateLimits.perTarget;
    lines.push(
      `  Rate limits  as in production: ${points} password resets (or other calls) for one email lock it for ${formatDuration(durationSeconds)};`,
      '               RATE_LIMITS=off npm start to try things repeatedly',
    );
  }
  lines.push(rule);
  return lines.join('\n');
}

/**
 * Writes text to the logger's own destination, so that it comes after every line logged so far: pino writes
 * stdout asynchronously, and a direct process.stdout.write would overtake them.
 */
export function writeAfterLogs(logger: Logger, text: string): void {
  const destination = (logger as unknown as Record<symbol, { write(text: string): unknown } | undefined>)[
    pino.symbols.streamSym
  ];
  (destination ?? process.stdout).write(text);
}
