/**
 * Every input rule of the gateway, in one module: the zod schemas for each mutation's input and for the tenant.
 * They run before any upstream call. They also normalise (trim emails and tokens, lower-case the tenant, turn a
 * null `syncContactEmail` into false): @pothos/plugin-zod hands the parsed value to the resolver, so what a
 * resolver sends upstream is always the normalised value. Schemas are built once, at import.
 */
import currencyCodes from 'currency-codes';
// The codes alone: the package's main entry also loads every country name in 80 languages.
import countries from 'i18n-iso-countries/index.js';
import { z } from 'zod';
import type { ValidationIssue } from '../errors.js';

const email = z
  .string()
  .trim()
  .max(254, 'Must be at most 254 characters')
  .email('Must be a valid email address');

// Passwords are never trimmed: leading and trailing spaces are part of a password.
const password = z.string().min(1, 'Must not be empty').max(1024, 'Must be at most 1024 characters');

const token = z.string().trim().min(1, 'Must not be empty').max(4096, 'Must be at most 4096 characters');

const site = z
  .string()
  .min(1, 'Must not be empty')
  .max(64, 'Must be at most 64 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'Must contain only letters, digits, "-" and "_"');

/** A URL path segment of ours: `.` and `..` would be resolved into another path by URL parsers on the way. */
function notDotsOnly(value: string): boolean {
  return !/^\.+$/.test(value);
}

/** Tokens that go into a URL path: only URL-safe characters, never percent-encoded into another path. */
const pathToken = token
  .regex(/^[A-Za-z0-9._~-]+$/, 'Must contain only letters, digits, ".", "_", "~" and "-"')
  .refine(notDotsOnly, 'Must not be dots only');

/** A profile text (name, title, company, street, ...): trimmed, 1 to 256 characters. */
const profileText = z.string().trim().min(1, 'Must not be empty').max(256, 'Must be at most 256 characters');

const phone = z
  .string()
  .trim()
  .min(1, 'Must not be empty')
  .max(64, 'Must be at most 64 characters')
  .regex(/^[0-9 +\-()./]+$/, 'Must contain only digits, spaces and + - ( ) . /');

/** A language like `en`, `en_US` or `en-US`. */
const language = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,3}([_-][A-Za-z]{2})?$/, 'Must be a language like en, en_US or en-US');

/** An ISO 4217 code, upper-cased; one the maintained list does not know is refused. */
const currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'Must be a three-letter ISO 4217 currency code')
  .refine((code) => currencyCodes.code(code) !== undefined, 'Must be an ISO 4217 currency code that exists');

/** An ISO 3166-1 alpha-2 code, upper-cased; one the maintained list does not know is refused. */
const country = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, 'Must be a two-letter ISO 3166-1 country code')
  .refine((code) => countries.isValid(code), 'Must be an ISO 3166-1 alpha-2 country code that exists');

/** Optional, and null means "not given": for inputs where null has no meaning of its own. */
function optional<S extends z.ZodType>(schema: S) {
  return schema.nullish().transform((value) => value ?? undefined);
}

/** PATCH semantics: absent stays absent (unchanged), null stays null (cleared). */
function clearable<S extends z.ZodType>(schema: S) {
  return schema.nullable().optional();
}

/**
 * PATCH semantics for a field that cannot be cleared: absent stays absent (unchanged), null is refused on the
 * field itself (so that it is reported with every other failing field, and nothing is sent upstream).
 */
function uncleared<S extends z.ZodType>(schema: S, why: string) {
  return schema
    .nullable()
    .optional()
    .refine((value) => value !== null, { message: `Cannot be cleared: ${why}` })
    .transform((value) => value ?? undefined);
}

export const tenantSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, 'Must be at least 3 characters')
  .max(16, 'Must be at most 16 characters')
  .regex(/^[a-z][a-z0-9]+$/, 'Must start with a letter and contain only letters and digits');

export const changeCustomerEmailInput = z
  .object({
    email,
    password,
    newEmail: email,
    syncContactEmail: z
      .boolean()
      .nullish()
      .transform((value) => value ?? false),
  })
  .check((payload) => {
    const { email: current, newEmail } = payload.value;
    if (typeof current === 'string' && typeof newEmail === 'string' && sameEmail(current, newEmail)) {
      payload.issues.push({
        code: 'custom',
        path: ['newEmail'],
        message: 'Must differ from the current email',
        input: newEmail,
      });
    }
  });

export const confirmCustomerEmailChangeInput = z.object({ token });

export const requestPasswordResetInput = z.object({
  email,
  site: site.nullish().transform((value) => value ?? undefined),
});

export const resetPasswordInput = z.object({ token, password });

export const changePasswordInput = z
  .object({ currentPassword: password, newPassword: password })
  .check((payload) => {
    const { currentPassword, newPassword } = payload.value;
    if (typeof currentPassword === 'string' && currentPassword === newPassword) {
      payload.issues.push({
        code: 'custom',
        path: ['newPassword'],
        message: 'Must differ from the current password',
        input: newPassword,
      });
    }
  });

// Sign-up and log-in (issue: the Authentication and Double opt-in operations)

export const signUpInput = z.object({
  email,
  password,
  firstName: optional(profileText),
  lastName: optional(profileText),
  title: optional(profileText),
  contactPhone: optional(phone),
  company: optional(profileText),
  preferredLanguage: optional(language),
  preferredCurrency: optional(currency),
  preferredSite: optional(site),
});

export const confirmSignUpInput = z.object({ token: pathToken });

export const resendSignUpConfirmationInput = z.object({ email });

// Not held to Emporix's 6-character minimum here: a shorter password is answered like a wrong one (see logIn).
export const logInInput = z.object({ email, password });

export const refreshCustomerTokenInput = z.object({ refreshToken: token });

export const startAnonymousSessionInput = z
  .object({
    currency: optional(currency),
    siteCode: optional(site),
    language: optional(language),
    targetLocation: optional(country),
  })
  .nullish()
  .transform((value) => value ?? {});

export const refreshAnonymousSessionInput = z.object({
  refreshToken: token,
  anonymousToken: optional(token),
});

// Single sign-on

const pkceVerifier = z
  .string()
  .regex(/^[A-Za-z0-9._~-]{43,128}$/, 'Must be 43 to 128 characters of A-Z, a-z, 0-9, "-", ".", "_" and "~"');

export const logInWithSocialProviderInput = z.object({
  code: z
    .string()
    .trim()
    .min(1, 'Must not be empty')
    .max(2048, 'Must be at most 2048 characters')
    .regex(/^[A-Za-z0-9._~-]+$/, 'Must contain only URL-safe characters'),
  redirectUri: z.string().trim().min(1, 'Must not be empty').max(2048, 'Must be at most 2048 characters'),
  codeVerifier: optional(pkceVerifier),
  anonymousSessionId: optional(z.string().trim().uuid('Must be a UUID')),
});

export const exchangeExternalTokenInput = z.object({
  subjectAccessToken: z
    .string()
    .trim()
    .max(8192, 'Must be at most 8192 characters')
    .regex(
      /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/,
      'Must be a compact JWS: three base64url parts',
    ),
  config: optional(
    z
      .string()
      .min(1, 'Must not be empty')
      .max(64, 'Must be at most 64 characters')
      .regex(/^[A-Za-z0-9_-]+$/, 'Must contain only letters, digits, "-" and "_"'),
  ),
});

// Profile and address book

/** Address ids go into the path: URL-safe, never percent-encoded into another path. */
export const addressId = z
  .string()
  .trim()
  .min(1, 'Must not be empty')
  .max(128, 'Must be at most 128 characters')
  .regex(/^[A-Za-z0-9._~-]+$/, 'Must contain only letters, digits, ".", "_", "~" and "-"')
  .refine(notDotsOnly, 'Must not be dots only');

const tag = z
  .string()
  .trim()
  .min(1, 'Must not be empty')
  .max(64, 'Must be at most 64 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'Must contain only letters, digits, "_" and "-"');

/** At most 20 tags, duplicates removed (they are joined with commas in a query string: none may hold one). */
const tags = z
  .array(tag)
  .max(20, 'Must have at most 20 tags')
  .transform((list) => [...new Set(list)]);

const extraLines = z.array(profileText).max(4, 'Must have at most 4 lines');

const zipCode = z.string().trim().min(1, 'Must not be empty').max(32, 'Must be at most 32 characters');

export const updateCustomerProfileInput = z
  .object({
    title: clearable(profileText),
    // The contract: null is sent, and Emporix decides (we assume it refuses null names and preferences: README).
    firstName: clearable(profileText),
    middleName: clearable(profileText),
    lastName: clearable(profileText),
    contactPhone: clearable(phone),
    company: clearable(profileText),
    preferredLanguage: clearable(language),
    preferredCurrency: clearable(currency),
    preferredSite: clearable(site),
    // Emporix: "Cannot be unset once a value is present."
    contactEmail: uncleared(email, 'Emporix keeps a contact email once it has one'),
    companyRegistrationId: clearable(profileText),
    expectedVersion: optional(z.number().int().min(0, 'Must not be negative')),
  })
  .check((payload) => {
    const input = payload.value;
    // A refused null counts as given: the answer names that field rather than "nothing to change".
    const changes = Object.entries(input).filter(
      ([key, value]) => key !== 'expectedVersion' && value !== undefined,
    );
    if (changes.length === 0) {
      payload.issues.push({
        code: 'custom',
        path: [],
        message: 'Nothing to change: give at least one field',
        input,
      });
    }
    // Emporix's B2B rule, as far as the input can tell: the stored profile is Emporix's to check.
    if (typeof input.companyRegistrationId === 'string') {
      for (const field of ['firstName', 'lastName', 'company'] as const) {
        if (input[field] === null) {
          payload.issues.push({
            code: 'custom',
            path: [field],
            message: 'Cannot be cleared while setting companyRegistrationId: a B2B profile needs it',
            input: null,
          });
        }
      }
    }
  });

export const addCustomerAddressInput = z.object({
  contactName: profileText,
  country,
  // Nothing to clear on a new address: null means not given.
  companyName: optional(profileText),
  street: optional(profileText),
  streetNumber: optional(profileText),
  streetAppendix: optional(profileText),
  zipCode: optional(zipCode),
  city: optional(profileText),
  state: optional(profileText),
  contactPhone: optional(phone),
  extraLines: optional(extraLines),
  tags: optional(tags),
});

export const updateCustomerAddressInput = z
  .object({
    id: addressId,
    // The contract: a field given as null is sent as null (Emporix clears it, or refuses: its `Address` requires a
    // contact name, so `contactName: null` is Emporix's 400).
    companyName: clearable(profileText),
    street: clearable(profileText),
    streetNumber: clearable(profileText),
    streetAppendix: clearable(profileText),
    zipCode: clearable(zipCode),
    city: clearable(profileText),
    state: clearable(profileText),
    contactPhone: clearable(phone),
    contactName: clearable(profileText),
    country: clearable(country),
    // null clears all four lines (extraLine1..extraLine4 sent as null), like [].
    extraLines: extraLines.nullable().optional(),
    tags: clearable(tags),
  })
  .check((payload) => {
    const { id: _id, ...fields } = payload.value;
    // A refused null counts as given: the answer names that field rather than "nothing to change".
    if (Object.values(fields).every((value) => value === undefined)) {
      payload.issues.push({
        code: 'custom',
        path: [],
        message: 'Nothing to change: give at least one field besides id',
        input: payload.value,
      });
    }
  });

export const addressIdInput = z.object({ id: addressId });

export const addressTagsInput = z.object({
  id: addressId,
  tags: tags.refine((list) => list.length > 0, 'Must have at least one tag'),
});

export type ChangeCustomerEmailInput = z.output<typeof changeCustomerEmailInput>;
export type ConfirmCustomerEmailChangeInput = z.output<typeof confirmCustomerEmailChangeInput>;
export type RequestPasswordResetInput = z.output<typeof requestPasswordResetInput>;
export type ResetPasswordInput = z.output<typeof resetPasswordInput>;
export type ChangePasswordInput = z.output<typeof changePasswordInput>;

function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** zod's issues as our `ValidationIssue`s, with `prefix` put before each path. */
export function issuesFromZod(error: z.ZodError, prefix: string[] = []): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)],
    message: issue.message,
    code: issue.code,
  }));
}

/** The operations that send the gateway's storefront client id (EMPORIX_CLIENT_ID) to Emporix. */
const clientIdOperations = new Set(['startAnonymousSession', 'refreshAnonymousSession']);

/**
 * The rules that depend on the gateway's configuration rather than on the input alone (zod's schemas are built once,
 * for every gateway): checked in the resolver, and added by the builder to a ValidationError zod raises, so that one
 * answer still lists every failing field.
 */
export function configurationIssues(
  field: string,
  args: Record<string, unknown>,
  configuration: {
    clientId: string | undefined;
    settings: { socialRedirectUris: readonly string[]; production: boolean };
  },
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (clientIdOperations.has(field) && configuration.clientId === undefined) {
    issues.push({
      path: ['clientId'],
      message: 'The gateway has no storefront client id: configure EMPORIX_CLIENT_ID',
      code: 'invalid_type',
    });
  }
  const uri = (args.input as { redirectUri?: unknown } | undefined)?.redirectUri;
  if (field === 'logInWithSocialProvider' && typeof uri === 'string') {
    const { socialRedirectUris, production } = configuration.settings;
    const message = redirectUriProblem(uri.trim(), socialRedirectUris, production);
    if (message !== undefined) issues.push({ path: ['input', 'redirectUri'], message, code: 'custom' });
  }
  return issues;
}

function redirectUriProblem(
  uri: string,
  allowed: readonly string[],
  production: boolean,
): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'Must be an absolute URL';
  }
  const localhost = url.protocol === 'http:' && url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(localhost && !production)) {
    return production ? 'Must be an https URL' : 'Must be an https URL, or http://localhost…';
  }
  if (allowed.length === 0) return 'The gateway allows no redirect URI: configure SOCIAL_REDIRECT_URIS';
  // An open redirect URI would let a stolen code be redeemed through the gateway.
  return allowed.includes(uri) ? undefined : 'Is not one of the redirect URIs in SOCIAL_REDIRECT_URIS';
}

export type TenantResolution = { ok: true; tenant: string } | { ok: false; issues: ValidationIssue[] };

/**
 * The tenant of a request: the `X-Emporix-Tenant` header, or the configured default when the header is absent or
 * blank. The default was validated at start-up, so only the header can fail here.
 */
export function resolveTenant(header: string | null, defaultTenant: string | undefined): TenantResolution {
  const raw = header?.trim() ? header : defaultTenant;
  if (raw === undefined) {
    return {
      ok: false,
      issues: [
        {
          path: ['tenant'],
          message: 'No tenant: send the X-Emporix-Tenant header, or configure EMPORIX_TENANT',
          code: 'invalid_type',
        },
      ],
    };
  }
  const parsed = tenantSchema.safeParse(raw);
  return parsed.success
    ? { ok: true, tenant: parsed.data }
    : { ok: false, issues: issuesFromZod(parsed.error, ['tenant']) };
}

/**
 * The value `schema` produced. plugin-zod hands the parsed, normalised value to the resolver but types it as the
 * raw GraphQL input; this names the real type in one place instead of a cast in every resolver.
 */
export function parsedBy<S extends z.ZodType>(_schema: S, value: unknown): z.output<S> {
  return value as z.output<S>;
}
