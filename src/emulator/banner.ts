import type { Emulator } from './types.js';

/** The only place where demo credentials are printed; they are fake and local to the emulator. */
export function formatBanner(emulator: Emulator): string {
  const { demo, url } = emulator;
  return [
    'Emporix Customer Management emulator',
    `  URL:              ${url}`,
    `  Tenant:           ${demo.tenant}`,
    `  Client id:        ${demo.clientId}`,
    `  Customer email:   ${demo.email}`,
    `  Password:         ${demo.password}`,
    `  Customer token:   ${demo.customerToken}`,
    `  Anonymous token:  ${demo.anonymousToken}`,
    `  Outbox (mails):   ${url}/_emulator/outbox`,
    `  Faults:           POST/DELETE ${url}/_emulator/faults`,
  ].join('\n');
}
