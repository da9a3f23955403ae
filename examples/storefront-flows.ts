/**
 * `npm run example:flows`: a storefront's flows, end to end, with the typed client against the gateway and its
 * built-in emulator (both started here, on free loopback ports): sign-up and confirmation, log-in, refresh and
 * log-out, the profile and address book, single sign-on, and the credential flows. Prints each step.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCustomerClient } from '../src/client/index.js';
import { createEmulator } from '../src/emulator/index.js';
import { createGateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';

const redirectUri = 'http://localhost:4040/callback';
const emulator = await createEmulator();
const gateway = createGateway({
  emporixApiUrl: emulator.url,
  defaultTenant: emulator.demo.tenant,
  clientId: emulator.demo.clientId,
  socialRedirectUris: [redirectUri],
  logger: createLogger({ level: 'silent' }),
});
const server = createServer(gateway.yoga).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
const { tenant, email } = emulator.demo;

/** Tokens are shown cut short: an example prints nothing a reader could reuse. */
function shown(value: unknown): string {
  return JSON.stringify(value, (key, entry) =>
    typeof entry === 'string' && /token$/i.test(key) ? `${entry.slice(0, 6)}…` : entry,
  );
}

function step(title: string, detail: unknown): void {
  console.log(`\n▶ ${title}\n  ${shown(detail)}`);
}

function latestMail(kind: string, to: string): string {
  const mail = emulator
    .outbox()
    .filter((entry) => entry.kind === kind && entry.to === to)
    .at(-1);
  if (!mail) throw new Error(`no ${kind} mail for ${to} in the outbox`);
  return mail.token;
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`unexpected: ${what}`);
}

try {
  // The gateway has the storefront's client id, so a visitor needs no token at all.
  const asVisitor = createCustomerClient({ url, tenant });

  const { startAnonymousSession } = await asVisitor.StartAnonymousSession({ input: { currency: 'EUR' } });
  step('1. startAnonymousSession', startAnonymousSession);

  // Sign-up, confirmation, me, log-out
  const newcomer = 'newcomer@example.com';
  const { signUp } = await asVisitor.SignUp({
    input: { email: newcomer, password: 'Newcomer-Passw0rd!', firstName: 'New', lastName: 'Comer' },
  });
  step('2. signUp', signUp);
  const { confirmSignUp } = await asVisitor.ConfirmSignUp({
    input: { token: latestMail('signup-confirmation', newcomer) },
  });
  step('3. confirmSignUp with the token from the confirmation mail', confirmSignUp);
  expect(confirmSignUp.__typename === 'ConfirmSignUpSuccess', 'confirmSignUp failed');
  const newcomerToken =
    confirmSignUp.__typename === 'ConfirmSignUpSuccess' ? confirmSignUp.tokens?.accessToken : '';
  const asNewcomer = createCustomerClient({ url, tenant, token: newcomerToken });
  step('4. me with the new token', (await asNewcomer.Me()).me);
  step('5. logOut', (await asNewcomer.LogOut()).logOut);
  const afterLogOut = (await asNewcomer.Me()).me;
  step('6. me after logOut (the token is dead)', afterLogOut);
  expect(afterLogOut.__typename === 'UnauthorizedError', 'the token still worked after logOut');

  // Log-in, refresh, token details
  const { logIn } = await asVisitor.LogIn({ input: { email, password: emulator.demo.password } });
  step('7. logIn', logIn);
  if (logIn.__typename !== 'LogInSuccess' || !logIn.tokens?.refreshToken) throw new Error('logIn failed');
  const { refreshCustomerToken } = await asVisitor.RefreshCustomerToken({
    input: { refreshToken: logIn.tokens.refreshToken },
  });
  step('8. refreshCustomerToken', refreshCustomerToken);
  if (refreshCustomerToken.__typename !== 'RefreshCustomerTokenSuccess' || !refreshCustomerToken.tokens) {
    throw new Error('refreshCustomerToken failed');
  }
  const asCustomer = createCustomerClient({ url, tenant, token: refreshCustomerToken.tokens.accessToken });
  step('9. accessTokenInfo with the refreshed token', (await asCustomer.AccessTokenInfo()).accessTokenInfo);

  // Profile and address book
  const { me } = await asCustomer.MeWithAddressBook();
  step('10. me with the address book (one upstream call)', me);
  if (me.__typename !== 'Customer') throw new Error('me failed');
  const { updateCustomerProfile } = await asCustomer.UpdateCustomerProfile({
    input: { firstName: 'Dana', preferredCurrency: 'chf', expectedVersion: me.version },
    withCustomer: true,
  });
  step('11. updateCustomerProfile with expectedVersion', updateCustomerProfile);
  const { updateCustomerProfile: stale } = await asCustomer.UpdateCustomerProfile({
    input: { lastName: 'Stale', expectedVersion: me.version },
  });
  step('12. the same expectedVersion again: a version conflict', stale);

  const { addCustomerAddress } = await asCustomer.AddCustomerAddress({
    input: {
      contactName: 'Dana Customer',
      street: 'Unter den Linden',
      streetNumber: '5',
      zipCode: '10117',
      city: 'Berlin',
      country: 'de',
    },
  });
  step('13. addCustomerAddress', addCustomerAddress);
  if (addCustomerAddress.__typename !== 'AddCustomerAddressSuccess' || !addCustomerAddress.address) {
    throw new Error('addCustomerAddress failed');
  }
  const id = addCustomerAddress.address.id;
  step(
    '14. setDefaultCustomerAddress',
    (await asCustomer.SetDefaultCustomerAddress({ input: { id } })).setDefaultCustomerAddress,
  );
  step(
    '15. addCustomerAddressTags',
    (await asCustomer.AddCustomerAddressTags({ input: { id, tags: ['SHIPPING'] } })).addCustomerAddressTags,
  );
  step(
    '16. updateCustomerAddress',
    (await asCustomer.UpdateCustomerAddress({ input: { id, extraLines: ['c/o Reception'], state: null } }))
      .updateCustomerAddress,
  );
  step(
    '17. removeCustomerAddress',
    (await asCustomer.RemoveCustomerAddress({ input: { id } })).removeCustomerAddress,
  );
  step('18. customerAddress of the removed id', (await asCustomer.CustomerAddress({ id })).customerAddress);

  // Single sign-on
  const verifier = randomBytes(32).toString('base64url');
  const code = emulator.mintSocialCode({
    email: 'social@example.com',
    redirectUri,
    codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
  });
  const { logInWithSocialProvider } = await asVisitor.LogInWithSocialProvider({
    input: { code, redirectUri, codeVerifier: verifier },
  });
  step('19. logInWithSocialProvider with an Auth0-style code and its PKCE verifier', logInWithSocialProvider);
  const { exchangeExternalToken } = await asVisitor.ExchangeExternalToken({
    input: { subjectAccessToken: emulator.mintExternalToken({ email: 'b2b.buyer@example.com' }) },
  });
  step("20. exchangeExternalToken with an identity provider's token", exchangeExternalToken);

  // Credentials
  const reset = await asVisitor.RequestPasswordReset({ input: { email } });
  step('21. requestPasswordReset', reset.requestPasswordReset);
  const newPassword = 'Storefront-Passw0rd!';
  const { resetPassword } = await asVisitor.ResetPassword({
    input: { token: latestMail('password-reset', email), password: newPassword },
  });
  step('22. resetPassword with the token from the reset mail', resetPassword);
  const newEmail = 'storefront.customer@example.com';
  const { changeCustomerEmail } = await asCustomer.ChangeCustomerEmail({
    input: { email, password: newPassword, newEmail, syncContactEmail: true },
  });
  step('23. changeCustomerEmail', changeCustomerEmail);
  const { confirmCustomerEmailChange } = await asVisitor.ConfirmCustomerEmailChange({
    input: { token: latestMail('email-change', newEmail) },
  });
  step('24. confirmCustomerEmailChange with the token mailed to the new address', confirmCustomerEmailChange);
  const changed = (await asCustomer.Me()).me;
  step('25. me', changed);
  expect(
    changed.__typename === 'Customer' && changed.contactEmail === newEmail,
    'the email change did not show',
  );
  const { changePassword } = await asCustomer.ChangePassword({
    input: { currentPassword: 'not-the-password', newPassword: 'Another-Passw0rd!' },
  });
  step('26. changePassword with a wrong current password (a typed error, not an exception)', changePassword);
  console.log('\nAll flows done.');
} finally {
  server.close();
  await gateway.close();
  await emulator.close();
}
