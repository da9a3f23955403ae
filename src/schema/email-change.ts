import { requireTenant } from '../context.js';
import { builder } from './builder.js';
import { resultUnion, success, successType } from './success.js';
import { changeCustomerEmailInput, confirmCustomerEmailChangeInput, parsedBy } from './validation.js';

const ChangeCustomerEmailInput = builder.inputType('ChangeCustomerEmailInput', {
  description: "The signed-in customer's current login email and password, and the email to change to.",
  fields: (t) => ({
    email: t.string({
      required: true,
      description: 'The current login email. Trimmed; at most 254 characters.',
    }),
    password: t.string({ required: true, description: 'The current password: 1 to 1024 characters.' }),
    newEmail: t.string({
      required: true,
      description:
        'The new login email: trimmed, at most 254 characters, different from `email` ignoring case.',
    }),
    syncContactEmail: t.boolean({
      required: false,
      defaultValue: false,
      description: 'Whether the contact email changes too once the change is confirmed. Null means false.',
    }),
  }),
});

builder.mutationField('changeCustomerEmail', (t) =>
  t.field({
    type: successType(
      'ChangeCustomerEmailSuccess',
      'Emporix accepted the change and mailed a confirmation token to the new address; the login email changes when `confirmCustomerEmailChange` is called with it.',
    ),
    description:
      "Starts changing the signed-in customer's login email (POST /customer/{tenant}/me/accounts/internal/email/change, customer token with scope customer.customerprofile_edit).",
    args: {
      input: t.arg({
        type: ChangeCustomerEmailInput,
        required: true,
        description:
          "The customer's current email and password, and the new email (which gets the confirmation mail).",
        validate: { schema: changeCustomerEmailInput },
      }),
    },
    errors: resultUnion('changeCustomerEmail'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const input = parsedBy(changeCustomerEmailInput, args.input);
      await context.limitRate('changeCustomerEmail', tenant, input.email.toLowerCase());
      await context.emporix.call('changeCustomerEmail', tenant, {
        body: {
          email: input.email,
          password: input.password,
          newEmail: input.newEmail,
          syncContactEmail: input.syncContactEmail,
        },
      });
      return success;
    },
  }),
);

const ConfirmCustomerEmailChangeInput = builder.inputType('ConfirmCustomerEmailChangeInput', {
  description: 'The token from the email-change mail.',
  fields: (t) => ({
    token: t.string({ required: true, description: 'Trimmed; at most 4096 characters.' }),
  }),
});

builder.mutationField('confirmCustomerEmailChange', (t) =>
  t.field({
    type: successType(
      'ConfirmCustomerEmailChangeSuccess',
      "The login email is now the new one (and the contact email too, when the change asked for it). The customer's existing tokens stay valid.",
    ),
    description:
      'Completes an email change with the token mailed to the new address (POST /customer/{tenant}/me/accounts/internal/email/change/confirm, anonymous token).',
    args: {
      input: t.arg({
        type: ConfirmCustomerEmailChangeInput,
        required: true,
        description: 'The token from the mail sent to the new address.',
        validate: { schema: confirmCustomerEmailChangeInput },
      }),
    },
    errors: resultUnion('confirmCustomerEmailChange'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const input = parsedBy(confirmCustomerEmailChangeInput, args.input);
      await context.limitRate('confirmCustomerEmailChange', tenant, input.token);
      await context.emporix.call('confirmCustomerEmailChange', tenant, { body: { token: input.token } });
      return success;
    },
  }),
);
