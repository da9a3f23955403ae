/** The JSON shapes Emporix documents for the endpoints the gateway calls (only the fields it uses or sends). */
import { z } from 'zod';

export interface ChangeCustomerEmailBody {
  email: string;
  password: string;
  newEmail: string;
  syncContactEmail: boolean;
}

export interface ConfirmCustomerEmailChangeBody {
  token: string;
}

export interface RequestPasswordResetBody {
  email: string;
  site?: string;
}

export interface ResetPasswordBody {
  token: string;
  password: string;
}

export interface ChangePasswordBody {
  currentPassword: string;
  newPassword: string;
}

/** The JSON body each endpoint that takes one is sent, by catalogue name. */
export interface SignUpBody {
  email: string;
  password: string;
  customerDetails: {
    contactEmail: string;
    title?: string;
    firstName?: string;
    lastName?: string;
    contactPhone?: string;
    company?: string;
    preferredLanguage?: string;
    preferredCurrency?: string;
    preferredSite?: string;
  };
}

/** `CustomerPatchDto`: absent fields are left as they are, null ones cleared. */
export interface UpdateProfileBody {
  title?: string | null;
  firstName?: string | null;
  middleName?: string | null;
  lastName?: string | null;
  contactPhone?: string | null;
  company?: string | null;
  preferredLanguage?: string | null;
  preferredCurrency?: string | null;
  preferredSite?: string | null;
  contactEmail?: string;
  b2b?: { companyRegistrationId: string | null };
  metadata?: { version: number };
}

/** `AddressCreateDto` / `AddressUpdateDto`: on update, absent fields are left as they are, null ones cleared. */
export interface AddressBody {
  contactName?: string | null;
  companyName?: string | null;
  street?: string | null;
  streetNumber?: string | null;
  streetAppendix?: string | null;
  extraLine1?: string | null;
  extraLine2?: string | null;
  extraLine3?: string | null;
  extraLine4?: string | null;
  zipCode?: string | null;
  city?: string | null;
  state?: string | null;
  country?: string | null;
  contactPhone?: string | null;
  tags?: string[] | null;
  isDefault?: boolean;
}

export interface EndpointBodies {
  signUp: SignUpBody;
  logIn: { email: string; password: string };
  resendSignUpConfirmation: { email: string };
  updateMe: UpdateProfileBody;
  addAddress: AddressBody;
  updateAddress: AddressBody;
  changeCustomerEmail: ChangeCustomerEmailBody;
  confirmCustomerEmailChange: ConfirmCustomerEmailChangeBody;
  requestPasswordReset: RequestPasswordResetBody;
  resetPassword: ResetPasswordBody;
  changePassword: ChangePasswordBody;
}

/** An optional text field; Emporix's null counts as absent. */
const text = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

/** An optional number; Emporix's null counts as absent, and a numeric string is read as its number. */
const count = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .nullish()
  .transform((value) => value ?? undefined);

/** An address as Emporix answers it (`AddressDto`); only `id` is required of it. */
export const emporixAddress = z.object({
  id: z.string(),
  contactName: text,
  companyName: text,
  street: text,
  streetNumber: text,
  streetAppendix: text,
  extraLine1: text,
  extraLine2: text,
  extraLine3: text,
  extraLine4: text,
  zipCode: text,
  city: text,
  state: text,
  country: text,
  contactPhone: text,
  isDefault: z
    .boolean()
    .nullish()
    .transform((value) => value ?? false),
  tags: z
    .array(z.string())
    .nullish()
    .transform((value) => value ?? []),
});

export type EmporixAddress = z.output<typeof emporixAddress>;

/**
 * `GET /customer/{tenant}/me`: the fields the schema exposes. Emporix may omit any of them but `id`. An answer of
 * another shape is an UpstreamError, never a field that fails to serialise later.
 */
export const emporixCustomer = z.object({
  id: z.string(),
  customerNumber: text,
  title: text,
  firstName: text,
  middleName: text,
  lastName: text,
  contactEmail: text,
  contactPhone: text,
  company: text,
  preferredLanguage: text,
  preferredCurrency: text,
  preferredSite: text,
  businessModel: text,
  lastLogin: text,
  b2b: z
    .object({ companyRegistrationId: text })
    .nullish()
    .transform((value) => value ?? undefined),
  metadata: z
    .object({ version: count })
    .nullish()
    .transform((value) => value ?? undefined),
  accounts: z
    .array(z.object({ id: text }))
    .nullish()
    .transform((value) => value ?? undefined),
  /** Present only when the profile was read with `?expand=addresses`. */
  addresses: z
    .array(emporixAddress)
    .nullish()
    .transform((value) => value ?? undefined),
  defaultAddress: emporixAddress.nullish().transform((value) => value ?? undefined),
});

export type EmporixCustomer = z.output<typeof emporixCustomer>;

/**
 * A customer token (`CustomerToken`, `RefreshCustomerToken`, `ExchangeAuthTokenResponse`, the social log-in
 * answer): snake_case first, the deprecated camelCase duplicates the schemas still list as a fall-back. The spec
 * types some lifetimes as strings: numbers and numeric strings are both read.
 */
export const emporixCustomerToken = z
  .object({
    access_token: text,
    accessToken: text,
    expires_in: count,
    expiresIn: count,
    refresh_token: text,
    refreshToken: text,
    refresh_token_expires_in: count,
    refreshTokenExpiresIn: count,
    saas_token: text,
    saasToken: text,
    session_id: text,
    sessionId: text,
    session_idle_time: count,
    social_access_token: text,
    social_id_token: text,
    // Typed string in the spec, a boolean in its example: both are read.
    initialPassword: z
      .union([z.boolean(), z.string()])
      .nullish()
      .transform((value) => value === true || (typeof value === 'string' && value.toLowerCase() === 'true')),
  })
  .transform((token, payload) => {
    const accessToken = token.access_token ?? token.accessToken;
    const expiresIn = token.expires_in ?? token.expiresIn;
    if (accessToken === undefined || accessToken === '' || expiresIn === undefined) {
      payload.issues.push({ code: 'custom', message: 'No access token or lifetime', input: token });
      return z.NEVER;
    }
    return {
      accessToken,
      expiresIn,
      refreshToken: token.refresh_token ?? token.refreshToken,
      refreshTokenExpiresIn: token.refresh_token_expires_in ?? token.refreshTokenExpiresIn,
      saasToken: token.saas_token ?? token.saasToken,
      sessionId: token.session_id ?? token.sessionId,
      sessionIdleTime: token.session_idle_time,
      socialAccessToken: token.social_access_token,
      socialIdToken: token.social_id_token,
      initialPassword: token.initialPassword,
    };
  });

export type EmporixCustomerToken = z.output<typeof emporixCustomerToken>;

/** `AnonymousAccessToken`; its session id is camelCase, unlike the customer token's. */
export const emporixAnonymousToken = z.object({
  access_token: z.string().min(1),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  refresh_token: text,
  refresh_token_expires_in: count,
  sessionId: text,
});

export type EmporixAnonymousToken = z.output<typeof emporixAnonymousToken>;

/** `ValidateTokenResponse`. */
export const emporixTokenInfo = z.object({
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  scope: text,
  email: text,
  sessionId: text,
  legalEntityId: text,
});

export type EmporixTokenInfo = z.output<typeof emporixTokenInfo>;

/** `ResourceLocation`: the id of what a POST created. */
export const emporixResourceLocation = z.object({ id: z.string().min(1) });
