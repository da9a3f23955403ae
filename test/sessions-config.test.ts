/**
 * The session configuration: SESSIONS, SESSION_SECRET (required in production; ≥ 32 bytes as hex or base64;
 * comma-separated for rotation; never echoed), SESSION_MAX_AGE_SECONDS, SESSION_COOKIE_SECURE (true in production,
 * else false); and `npm start` with SESSIONS=on, as a user runs it (a random secret, with a warning).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { parseSessionSecrets } from '../src/sessions/crypto.js';
import { gql, logInForCookie, meQuery, sleep } from './sessions-support.js';

const production = { NODE_ENV: 'production', EMPORIX_API_URL: 'https://api.emporix.io' };

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults: sessions off, 30 days, a plain cookie outside production and a secure one in it', () => {
    const development = loadConfig({});
    expect(development.SESSIONS).toBe('off');
    expect(development.SESSION_MAX_AGE_SECONDS).toBe(2_592_000);
    expect(development.sessionCookieSecure).toBe(false);
    const secret = randomBytes(32).toString('hex');
    const inProduction = loadConfig({ ...production, SESSIONS: 'on', SESSION_SECRET: secret });
    expect(inProduction.sessionCookieSecure).toBe(true);
    expect(loadConfig({ ...production, SESSION_COOKIE_SECURE: 'false' }).sessionCookieSecure).toBe(false);
    expect(loadConfig({ SESSION_COOKIE_SECURE: 'true' }).sessionCookieSecure).toBe(true);
    expect(loadConfig({ SESSION_MAX_AGE_SECONDS: '600' }).SESSION_MAX_AGE_SECONDS).toBe(600);
  });

  it('requires SESSION_SECRET with SESSIONS=on in production, and only then', () => {
    expect(configError({ ...production, SESSIONS: 'on' })).toMatch(/SESSION_SECRET: Is required/);
    expect(loadConfig({ SESSIONS: 'on' }).SESSION_SECRET).toBeUndefined();
    expect(loadConfig({ ...production }).SESSIONS).toBe('off');
  });

  it('refuses a short or unreadable secret, names it by position and never echoes it', () => {
    const short = randomBytes(31).toString('hex');
    const good = randomBytes(32).toString('base64');
    const message = configError({ SESSION_SECRET: `${good},${short}` });
    expect(message).toMatch(/SESSION_SECRET: Secret 2 must be at least 32 bytes/);
    expect(message).not.toContain(short);
    expect(message).not.toContain(good);
    expect(configError({ SESSION_SECRET: 'not a secret at all, not even close!!' })).toMatch(
      /SESSION_SECRET/,
    );
    expect(configError({ SESSIONS: 'maybe' })).toMatch(/SESSIONS: Must be on or off/);
    expect(configError({ SESSION_COOKIE_SECURE: 'yes' })).toMatch(
      /SESSION_COOKIE_SECURE: Must be true or false/,
    );
    expect(configError({ SESSION_MAX_AGE_SECONDS: '0' })).toMatch(/SESSION_MAX_AGE_SECONDS/);
  });

  it('reads 32 bytes as hex, base64 and base64url; several for rotation, in order', () => {
    const bytes = [randomBytes(32), randomBytes(32), randomBytes(48)];
    const [a, b, c] = bytes as [Buffer, Buffer, Buffer];
    const parsed = parseSessionSecrets(
      ` ${a.toString('hex')} , ${b.toString('base64')},${c.toString('base64url')}`,
    );
    expect(parsed.map((secret) => secret.toString('hex'))).toEqual(
      bytes.map((secret) => secret.toString('hex')),
    );
  });
});

describe('npm start with SESSIONS=on', () => {
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    }
  });

  it('starts with a random secret and a warning, and serves sessions with the configured cookie', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        EMULATOR_PORT: '0',
        LOG_LEVEL: 'info',
        SESSIONS: 'on',
        SESSION_MAX_AGE_SECONDS: '120',
        CORS_ORIGINS: 'http://localhost:4040',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    let url: string | undefined;
    for (const deadline = Date.now() + 20_000; url === undefined && Date.now() < deadline; ) {
      url = /"url":"(http:\/\/127\.0\.0\.1:\d+\/graphql)"/.exec(output)?.[1];
      if (url === undefined) await sleep(50);
    }
    if (url === undefined) throw new Error(`npm start did not listen; output:\n${output}`);
    expect(output).toContain('SESSIONS=on without SESSION_SECRET: using a random secret');

    const emulator = { demo: { email: 'demo@example.com', password: 'Demo-Passw0rd!' } };
    const { set, cookie, answer } = await logInForCookie({ url, emulator } as Parameters<
      typeof logInForCookie
    >[0]);
    expect(answer.body.data.logIn.tokens).toBeNull();
    expect(set.name).toBe('emporix_session');
    expect(set.attributes.secure).toBeUndefined();
    expect(Number(set.attributes['max-age'])).toBeLessThanOrEqual(120);
    expect(Number(set.attributes['max-age'])).toBeGreaterThan(110);
    const me = await gql(url, meQuery, { headers: { cookie, origin: 'http://localhost:4040' } });
    expect(me.body.data.me.contactEmail).toBe('demo@example.com');
    expect(me.headers.get('access-control-allow-credentials')).toBe('true');
    // The secret, the id and the cookie never reach the output.
    expect(output).not.toContain(set.value);
  }, 30_000);
});
