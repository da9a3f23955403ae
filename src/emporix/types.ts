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

/** An optional text field; Emporix's null counts as absent. */
const text = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

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
  accounts: z
    .array(z.object({ id: text }))
    .nullish()
    .transform((value) => value ?? undefined),
});

export type EmporixCustomer = z.output<typeof emporixCustomer>;
