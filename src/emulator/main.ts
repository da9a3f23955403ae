import { formatBanner } from './banner.js';
import { createEmulator } from './index.js';

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4010;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`EMULATOR_PORT must be a port number, got '${raw}'`);
  }
  return port;
}

const emulator = await createEmulator({
  host: process.env.HOST || '127.0.0.1',
  port: parsePort(process.env.EMULATOR_PORT),
});
process.stdout.write(`${formatBanner(emulator)}\n`);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`Received ${signal}, stopping the emulator\n`);
  await emulator.close();
  process.exit(0);
}
process.once('SIGINT', (signal) => void stop(signal));
process.once('SIGTERM', (signal) => void stop(signal));
