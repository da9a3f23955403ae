// The whole storefront: GraphQL over fetch with credentials: 'include', so the browser sends the gateway's
// httpOnly session cookie. No token ever reaches this script: log-in asks for them and gets tokens: null.
const { gatewayUrl } = await (await fetch('./config.json')).json();
const $ = (id) => document.getElementById(id);

async function graphql(query, variables) {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(body.errors.map((error) => error.message).join('; '));
  return body.data;
}

const errorFields = `__typename ... on Error { message } ... on UnauthorizedError { code }
  ... on ValidationError { issues { path message } } ... on UpstreamError { retryable }`;

function showError(result) {
  $('error').hidden = result === undefined;
  if (result === undefined) return;
  $('error-type').textContent = result.__typename ?? 'Error';
  $('error-code').textContent = result.code ?? (result.retryable ? 'retryable' : '');
  $('error-message').textContent = result.message;
  $('error-issues').replaceChildren(
    ...(result.issues ?? []).map((issue) =>
      Object.assign(document.createElement('li'), {
        textContent: `${issue.path.join('.')}: ${issue.message}`,
      }),
    ),
  );
}

async function render() {
  const { session } = await graphql('{ session { kind expiresAt } }');
  let me;
  if (session.kind === 'CUSTOMER') {
    ({ me } = await graphql(`{ me { ${errorFields} ... on Customer { firstName lastName contactEmail
      addresses { id street streetNumber zipCode city country } } } }`));
    if (me.__typename !== 'Customer') showError(me);
  }
  const signedIn = me?.__typename === 'Customer';
  $('log-in').hidden = signedIn;
  $('account').hidden = !signedIn;
  if (!signedIn) return;
  $('name').textContent = [me.firstName, me.lastName].filter(Boolean).join(' ');
  $('email').textContent = me.contactEmail;
  $('ends').textContent = new Date(session.expiresAt).toLocaleString();
  $('addresses').replaceChildren(
    ...me.addresses.map((address) =>
      Object.assign(document.createElement('li'), {
        textContent: `${address.street ?? ''} ${address.streetNumber ?? ''}, ${address.zipCode ?? ''} ${address.city ?? ''}, ${address.country ?? ''}`,
      }),
    ),
  );
}

$('log-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const { logIn } = await graphql(
    `mutation ($email: String!, $password: String!) {
      logIn(input: { email: $email, password: $password }) {
        ${errorFields} ... on LogInSuccess { tokens { accessToken } } } }`,
    { email: form.get('email'), password: form.get('password') },
  );
  showError(logIn.__typename === 'LogInSuccess' ? undefined : logIn);
  await render();
});

$('log-out').addEventListener('click', async () => {
  const { logOut } = await graphql(`mutation { logOut { ${errorFields} } }`);
  showError(logOut.__typename === 'LogOutSuccess' ? undefined : logOut);
  await render();
});

$('reload-profile').addEventListener('click', () =>
  render().catch((error) => showError({ message: error.message })),
);

render().catch((error) => showError({ message: error.message }));
