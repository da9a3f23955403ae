/**
 * The responses the emulator answers, as the official OpenAPI description of the Emporix Customer Service
 * (customer-managed) documents them, restated by hand as zod schemas: one entry per operation (method and path
 * template) and documented status. test/emulator-spec.test.ts checks every emulator answer against them.
 *
 * Written from that description (the Emporix developer portal's customer-management API reference), not
 * generated from it: the description carries no licence, so it is neither copied into this repository nor read
 * by any code or test here. Only what the emulator answers is restated, and in the emulator's own words.
 *
 * How the schemas read the description:
 * - Objects are strict: a field that neither the schema nor a documented example of that answer names is
 *   refused, so that a misspelt or invented field in the emulator is caught. (JSON Schema would let it pass.)
 * - A field is required when every documented example of the answer carries it (or, for an answer without
 *   examples, when the schema lists it); it is optional when an example leaves it out, when it is deprecated,
 *   or when it depends on data the emulator does not model (legal entities).
 * - Where the schema and its example disagree, the example wins, since it shows what the service sends; each
 *   such place says so.
 * - `NO_CONTENT` marks an answer the description gives no content for (204, 202, the PATCH 200s, and the 401
 *   of validateauthtoken): it must have an empty body.
 */
import { z } from 'zod';

/** The description documents no content for this answer: the body must be empty. */
export const NO_CONTENT = 'no content';
export type DocumentedBody = z.ZodType | typeof NO_CONTENT;
/** Documented statuses of one operation and the body each one has. */
export type DocumentedOperation = Readonly<Record<number, DocumentedBody>>;

const int32 = z
  .number()
  .int()
  .min(-(2 ** 31))
  .max(2 ** 31 - 1);
const nonEmpty = z.string().min(1);
const mixins = z.record(z.string(), z.unknown());

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** `pattern: '[a-z]+[a-z_]*[a-z]+'`. JSON Schema patterns are not anchored, hence neither is this one. */
const errorType = z.string().regex(/[a-z]+[a-z_]*[a-z]+/);

/**
 * ErrorMessage. The schema marks nothing required; every documented example (400, 403, 404, 409) has type,
 * status and message, so they are required here. `status` "should be consistent with the HTTP response code":
 * the test checks that too.
 */
export const errorMessage = z.strictObject({
  status: z.number().int().min(100).max(599),
  type: errorType,
  message: z.string(),
  moreInfo: z.string().optional(),
  details: z
    .array(
      z.strictObject({
        field: z.string(),
        type: errorType,
        message: z.string(),
        moreInfo: z.string().optional(),
      }),
    )
    .optional(),
});

/** `401_unauthorized`: the API gateway's fault object, not an ErrorMessage. Both examples carry every field. */
export const unauthorizedFault = z.strictObject({
  fault: z.strictObject({
    faultstring: z.string(),
    detail: z.strictObject({ errorcode: z.string() }),
  }),
});

// ---------------------------------------------------------------------------------------------------------------
// Tokens

/**
 * AnonymousAccessToken. The schema lists access_token, token_type, expires_in, sessionId and scope; the examples
 * also carry refresh_token and refresh_token_expires_in, which one example (the deprecated refresh by
 * anonymous_token) leaves out.
 */
export const anonymousAccessToken = z.strictObject({
  access_token: z.string(),
  token_type: z.string(),
  expires_in: int32,
  refresh_token: z.string().optional(),
  refresh_token_expires_in: int32.optional(),
  sessionId: z.string(),
  scope: z.string(),
});

/** The deprecated camelCase duplicates RefreshCustomerToken still lists; no example shows them. */
const deprecatedTokenFields = {
  accessToken: nonEmpty.optional(),
  expiresIn: int32.optional(),
  refreshToken: nonEmpty.optional(),
  refreshTokenExpiresIn: int32.optional(),
};

/** RefreshCustomerToken (`type: number, format: int32` for the lifetimes). The example carries every field. */
export const refreshCustomerToken = z.strictObject({
  access_token: nonEmpty,
  expires_in: int32,
  refresh_token: nonEmpty,
  refresh_token_expires_in: int32,
  token_type: z.string(),
  session_id: z.string(),
  ...deprecatedTokenFields,
});

/**
 * CustomerToken: RefreshCustomerToken plus the SaaS token and initialPassword. The double opt-in example leaves
 * out session_id and initialPassword, so they are optional here; the log-in answer requires them (its example
 * has them). initialPassword is typed string in the schema but its example is `false`: the example wins.
 */
export const customerToken = refreshCustomerToken.extend({
  session_id: z.string().optional(),
  saas_token: nonEmpty,
  saasToken: nonEmpty.optional(),
  initialPassword: z.boolean().optional(),
});

/** The log-in's CustomerToken, with what its example shows besides the schema's minimum. */
export const loginCustomerToken = customerToken.required({ session_id: true, initialPassword: true });

/** ValidateTokenResponse. legalEntityId (in the example) only exists for customers of a legal entity. */
export const validateTokenResponse = z.strictObject({
  token_type: z.string(),
  expires_in: int32,
  scope: z.string(),
  sessionId: z.string(),
  email: z.string(),
  legalEntityId: z.string().optional(),
});

/** ExchangeAuthTokenResponse. The example carries every field. */
export const exchangeAuthTokenResponse = z.strictObject({
  subject_access_token: z.string(),
  access_token: nonEmpty,
  saas_token: nonEmpty,
  refresh_token: nonEmpty,
  refresh_token_expires_in: int32,
  session_idle_time: int32,
  token_type: z.string(),
  expires_in: int32,
  scope: z.string(),
  session_id: z.string(),
});

/**
 * The socialLogin 200 answer, an inline schema without example: every field it lists is required. Unlike every
 * other token answer, it types both lifetimes as strings.
 */
export const socialLoginResponse = z.strictObject({
  social_access_token: z.string(),
  social_id_token: z.string(),
  refresh_token: z.string(),
  refresh_token_expires_in: z.string(),
  session_idle_time: z.number().int(),
  token_type: z.string(),
  access_token: z.string(),
  saas_token: z.string(),
  expires_in: z.string(),
  scope: z.string(),
});

// ---------------------------------------------------------------------------------------------------------------
// Profile and addresses

/** DefaultDtoMetadata (BasicMetadataDto + version). */
const defaultDtoMetadata = z.strictObject({
  mixins: mixins.optional(),
  version: z.number().int().optional(),
});

const addressText = {
  companyName: z.string().optional(),
  street: z.string().optional(),
  streetNumber: z.string().optional(),
  streetAppendix: z.string().optional(),
  extraLine1: z.string().optional(),
  extraLine2: z.string().optional(),
  extraLine3: z.string().optional(),
  extraLine4: z.string().optional(),
  zipCode: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  contactPhone: z.string().optional(),
};

/**
 * AddressDto (AddressCommonDto + id and isDefault). Its example carries id, contactName, isDefault and tags on
 * top of the text fields, which are optional (an address leaves out what is not set); it has no metadata, which
 * the schema lists (with the version an update may send back).
 */
export const addressDto = z.strictObject({
  id: z.string(),
  contactName: z.string(),
  ...addressText,
  country: z.string().optional(),
  isDefault: z.boolean(),
  tags: z.array(z.string()),
  metadata: defaultDtoMetadata.optional(),
  mixins: mixins.optional(),
});

/** Address, as Customer.addresses and defaultAddress use it: only contactName is required; a two-letter country. */
const address = z.strictObject({
  id: z.string().optional(),
  contactName: z.string(),
  ...addressText,
  country: z.string().length(2).optional(),
  isDefault: z.boolean().optional(),
  tags: z.array(z.string()).optional(),
  metadata: defaultDtoMetadata.optional(),
  mixins: mixins.optional(),
});

/**
 * Customer. Both examples (a logged-in and an anonymous customer) carry id, customerNumber, firstName, lastName,
 * preferredSite and accounts; everything else is optional.
 */
export const customer = z.strictObject({
  id: z.string(),
  customerNumber: z.string(),
  title: z.string().optional(),
  firstName: z.string(),
  middleName: z.string().optional(),
  lastName: z.string(),
  contactEmail: z.string().optional(),
  contactPhone: z.string().optional(),
  company: z.string().optional(),
  preferredLanguage: z.string().optional(),
  preferredCurrency: z.string().length(3).optional(),
  preferredSite: z.string(),
  accounts: z.array(z.strictObject({ id: z.string().optional(), providerId: z.string().optional() })),
  addresses: z.array(address).optional(),
  defaultAddress: address.optional(),
  businessModel: z.enum(['B2B', 'B2C']).optional(),
  b2b: z
    .strictObject({
      companyRegistrationId: z.string().optional(),
      legalEntities: z
        .array(
          z.strictObject({
            id: z.string().optional(),
            name: z.string().optional(),
            contactAssignmentId: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  mixins: mixins.optional(),
  metadata: defaultDtoMetadata.optional(),
  lastLogin: z.iso.datetime({ offset: true }).optional(),
});

/** ResourceLocation: what a creation answers. */
export const resourceLocation = z.strictObject({ id: z.string() });

// ---------------------------------------------------------------------------------------------------------------
// Operations

const badRequest = errorMessage;
const unauthorized = unauthorizedFault;
const forbidden = errorMessage;
const addressNotFound = errorMessage;
const conflict = errorMessage;

/** Every operation of the description, with the statuses it documents. Keys: `METHOD /path/{template}`. */
export const documentedResponses = {
  'GET /customerlogin/auth/anonymous/login': { 200: anonymousAccessToken },
  'GET /customerlogin/auth/anonymous/refresh': { 200: anonymousAccessToken },
  'POST /customer/{tenant}/signup': {
    201: resourceLocation,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
    409: conflict,
  },
  'POST /customer/{tenant}/login': { 200: loginCustomerToken, 400: badRequest, 401: unauthorized },
  'GET /customer/{tenant}/logout': { 204: NO_CONTENT, 400: badRequest, 401: unauthorized },
  'GET /customer/{tenant}/refreshauthtoken': {
    200: refreshCustomerToken,
    400: badRequest,
    401: unauthorized,
  },
  // The 401 is documented as "Unauthorized" without content.
  'GET /customer/{tenant}/validateauthtoken': { 200: validateTokenResponse, 401: NO_CONTENT },
  'POST /customer/{tenant}/exchangeauthtoken': {
    200: exchangeAuthTokenResponse,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
  },
  'POST /customer/{tenant}/socialLogin': { 200: socialLoginResponse, 400: badRequest, 401: unauthorized },
  'GET /customer/{tenant}/me': { 200: customer, 400: badRequest, 401: unauthorized, 403: forbidden },
  'PATCH /customer/{tenant}/me': { 200: NO_CONTENT, 400: badRequest, 401: unauthorized, 403: forbidden },
  'GET /customer/{tenant}/me/addresses': {
    200: z.array(addressDto),
    400: badRequest,
    401: unauthorized,
    403: forbidden,
  },
  'POST /customer/{tenant}/me/addresses': {
    201: resourceLocation,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
  },
  'GET /customer/{tenant}/me/addresses/{addressId}': {
    200: addressDto,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
    404: addressNotFound,
  },
  'PATCH /customer/{tenant}/me/addresses/{addressId}': {
    200: NO_CONTENT,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
    404: addressNotFound,
  },
  'DELETE /customer/{tenant}/me/addresses/{addressId}': {
    204: NO_CONTENT,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
    404: addressNotFound,
  },
  'POST /customer/{tenant}/me/addresses/{addressId}/tags': {
    204: NO_CONTENT,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
    404: addressNotFound,
  },
  'DELETE /customer/{tenant}/me/addresses/{addressId}/tags': {
    204: NO_CONTENT,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
    404: addressNotFound,
  },
  'POST /customer/{tenant}/me/accounts/internal/email/change': {
    204: NO_CONTENT,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
  },
  'POST /customer/{tenant}/me/accounts/internal/email/change/confirm': {
    204: NO_CONTENT,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
  },
  'POST /customer/{tenant}/password/reset': {
    204: NO_CONTENT,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
  },
  'POST /customer/{tenant}/password/reset/update': {
    204: NO_CONTENT,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
  },
  'POST /customer/{tenant}/password/change': {
    204: NO_CONTENT,
    400: badRequest,
    401: unauthorized,
    403: forbidden,
  },
  'GET /customer/{tenant}/signup/optin/{token}': { 200: customerToken, 400: badRequest, 401: unauthorized },
  'POST /customer/{tenant}/signup/optin/refresh_token': {
    202: NO_CONTENT,
    400: badRequest,
    401: unauthorized,
  },
} as const satisfies Readonly<Record<string, DocumentedOperation>>;

export type DocumentedOperationKey = keyof typeof documentedResponses;
