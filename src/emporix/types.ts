/** The JSON shapes Emporix documents for the endpoints the gateway calls (only the fields it uses or sends). */

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

/**
 * `GET /customer/{tenant}/me`: the fields the schema exposes. Emporix may omit any of them but `id`, without which
 * the answer is not a profile (the session refuses it).
 */
export interface EmporixCustomer {
  id: string;
  customerNumber?: string;
  title?: string;
  firstName?: string;
  middleName?: string;
  lastName?: string;
  contactEmail?: string;
  contactPhone?: string;
  company?: string;
  preferredLanguage?: string;
  preferredCurrency?: string;
  preferredSite?: string;
  businessModel?: string;
  accounts?: { id?: string }[];
}

/** `GET /customerlogin/auth/anonymous/login`. */
export interface AnonymousTokenResponse {
  access_token: string;
  token_type?: string;
  expires_in: number;
}
