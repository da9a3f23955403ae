/**
 * Every input rule of the gateway, in one module: the zod schemas for each mutation's input and for the tenant.
 * They run before any upstream call. They also normalise (trim emails and tokens, lower-case the tenant, turn a
 * null `syncContactEmail` into false): @pothos/plugin-zod hands the parsed value to the resolver, so what a
 * resolver sends upstream is always the normalised value. Schemas are built once, at import.
 */
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
