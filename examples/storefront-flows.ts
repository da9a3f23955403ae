/**
 * `npm run example:flows`: a storefront's credential flows, end to end, with the typed client against the gateway
 * and its built-in emulator (both started here, on free loopback ports). Prints each step.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCustomerClient } from '../src/client/index.js';
import { createEmulator } from '../src/emulator/index.js';
import { createGateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';

const emulator = await createEmulator();
const gateway = createGateway({
  emporixApiUrl: emulator.url,
  defaultTenant: emulator.demo.tenant,
  logger: createLogger({ level: 'silent' }),
});
const server = createServer(gateway.yoga).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
const { tenant, clientId, email } = emulator.demo;

function step(title: string, detail: unknown): void {
  console.log(`\n▶ ${title}\n  ${JSON.stringify(detail)}`);
}

/** What a storefront does first: an anonymous session token from Emporix. */
async function anonymousToken(): Promise<string> {
  const response = await fetch(
    `${emulator.url}/customerlogin/auth/anonymous/login?${new URLSearchParams({ tenant, client_id: clientId })}`,
  );
  return ((await response.json()) as { access_token: string }).access_token;
}

async function logIn(loginEmail: string, password: string, anonymous: string): Promise<string> {
  const response = await fetch(`${emulator.url}/customer/${tenant}/login`, {
    method: 'POST',
    headers: { authorization: `Bearer ${anonymous}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: loginEmail, password }),
  });
  if (!response.ok) throw new Error(`login failed with ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function latestMail(kind: string): Promise<string> {
  const outbox = (await (await fetch(`${emulator.url}/_emulator/outbox`)).json()) as {
    kind: string;
    token: string;
  }[];
  const mail = outbox.filter((entry) => entry.kind === kind).at(-1);
  if (!mail) throw new Error(`no ${kind} mail in the outbox`);
  return mail.token;
}

try {
  const anonymous = await anonymousToken();
  step('1. anonymous token from Emporix', { token: `${anonymous.slice(0, 6)}…` });
  const asVisitor = createCustomerClient({ url, token: anonymous, tenant });

  const reset = await asVisitor.RequestPasswordReset({ input: { email } });
  step('2. requestPasswordReset', reset.requestPasswordReset);

  const resetToken = await latestMail('password-reset');
  step('3. the reset mail in the emulator outbox', { to: email, token: `${resetToken.slice(0, 6)}…` });

  const newPassword = 'Storefront-Passw0rd!';
  const { resetPassword } = await asVisitor.ResetPassword({
    input: { token: resetToken, password: newPassword },
  });
  step('4. resetPassword', resetPassword);

  const customerToken = await logIn(email, newPassword, anonymous);
  step('5. log in with the new password', { token: `${customerToken.slice(0, 6)}…` });
  const asCustomer = createCustomerClient({ url, token: customerToken, tenant });

  const newEmail = 'storefront.customer@example.com';
  const { changeCustomerEmail } = await asCustomer.ChangeCustomerEmail({
    input: { email, password: newPassword, newEmail, syncContactEmail: true },
  });
  step('6. changeCustomerEmail', changeCustomerEmail);

  const confirmation = await latestMail('email-change');
  const { confirmCustomerEmailChange } = await asVisitor.ConfirmCustomerEmailChange({
    input: { token: confirmation },
  });
  step('7. confirmCustomerEmailChange with the token mailed to the new address', confirmCustomerEmailChange);

  const { me } = await asCustomer.Me();
  step('8. me', me);
  if (me.__typename !== 'Customer' || me.contactEmail !== newEmail)
    throw new Error('the email change did not show');

  const { changePassword } = await asCustomer.ChangePassword({
    input: { currentPassword: 'not-the-password', newPassword: 'Another-Passw0rd!' },
  });
  step('9. changePassword with a wrong current password (a typed error, not an exception)', changePassword);
  console.log('\nAll flows done.');
} finally {
  server.close();
  await gateway.close();
  await emulator.close();
}
