import { requireToken } from '../guards.js';
import { invalidToken } from '../http.js';
import { type Route, route } from '../router.js';
import type { CustomerRecord } from '../state.js';

export function customerProfile(c: CustomerRecord) {
  // Optional fields are left out rather than sent as null, as the real API does.
  return {
    id: c.id,
    customerNumber: c.customerNumber,
    ...(c.title !== undefined && { title: c.title }),
    firstName: c.firstName,
    lastName: c.lastName,
    ...(c.contactEmail !== undefined && { contactEmail: c.contactEmail }),
    ...(c.contactPhone !== undefined && { contactPhone: c.contactPhone }),
    ...(c.company !== undefined && { company: c.company }),
    preferredLanguage: c.preferredLanguage,
    preferredCurrency: c.preferredCurrency,
    preferredSite: c.preferredSite,
    accounts: [{ id: c.loginEmail }],
    businessModel: 'B2C',
    mixins: {},
    metadata: { mixins: {}, version: c.version },
  };
}

const anonymousProfile = {
  firstName: 'Anonymous',
  lastName: 'Anonymous',
  preferredSite: 'main',
  customerNumber: '00000000',
  id: '00000000',
  accounts: [],
};

export const customerRoutes: Route[] = [
  route('GET', '/customer/:tenant/me', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    const token = requireToken(ctx, tenant);
    if (token.kind === 'anonymous') return { status: 200, body: anonymousProfile };
    const customer = ctx.state.findCustomer(tenant, token.customerId);
    if (!customer) throw invalidToken();
    return { status: 200, body: customerProfile(customer) };
  }),
];
