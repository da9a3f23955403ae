import { accessTokenOf, requireTenant } from '../context.js';
import { builder } from './builder.js';
import { resultUnion, success, successType } from './success.js';
import {
  changePasswordInput,
  parsedBy,
  requestPasswordResetInput,
  resetPasswordInput,
} from './validation.js';

const RequestPasswordResetInput = builder.inputType('RequestPasswordResetInput', {
  description: 'Who asks for a password reset mail.',
  fields: (t) => ({
    email: t.string({
      required: true,
      description: 'The email the customer logs in with. Trimmed; at most 254 characters.',
    }),
    site: t.string({
      required: false,
      description:
        'The storefront site the request comes from, when it matters for the mail: 1 to 64 letters, digits, "-" or "_".',
    }),
  }),
});

builder.mutationField('requestPasswordReset', (t) =>
  t.field({
    type: successType(
      'RequestPasswordResetSuccess',
      'The request was accepted. It is returned whether or not an account exists for the email, so that the answer reveals nothing about accounts; when one exists, Emporix mails it a reset token.',
    ),
    description:
      'Asks Emporix to mail a password reset token to the customer (POST /customer/{tenant}/password/reset, anonymous token). Works without an Authorization header when the gateway has EMPORIX_CLIENT_ID.',
    args: {
      input: t.arg({
        type: RequestPasswordResetInput,
        required: true,
        description: 'The email to mail the reset token to.',
        validate: { schema: requestPasswordResetInput },
      }),
    },
    errors: resultUnion('requestPasswordReset'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const input = parsedBy(requestPasswordResetInput, args.input);
      await context.limitRate('requestPasswordReset', tenant, input.email.toLowerCase());
      await context.emporix.call('requestPasswordReset', tenant, {
        body: input.site === undefined ? { email: input.email } : { email: input.email, site: input.site },
      });
      return success;
    },
  }),
);

const ResetPasswordInput = builder.inputType('ResetPasswordInput', {
  description: 'A reset token from the mail, and the new password.',
  fields: (t) => ({
    token: t.string({
      required: true,
      description: 'The token from the reset mail. Trimmed; at most 4096 characters.',
    }),
    password: t.string({
      required: true,
      description: 'The new password: 1 to 1024 characters, never trimmed. Emporix may apply its own policy.',
    }),
  }),
});

builder.mutationField('resetPassword', (t) =>
  t.field({
    type: successType('ResetPasswordSuccess', 'The password was replaced; the reset token is used up.'),
    description:
      'Sets a new password with the token from a reset mail (POST /customer/{tenant}/password/reset/update, anonymous token).',
    args: {
      input: t.arg({
        type: ResetPasswordInput,
        required: true,
        description: 'The token from the reset mail, and the new password.',
        validate: { schema: resetPasswordInput },
      }),
    },
    errors: resultUnion('resetPassword'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const input = parsedBy(resetPasswordInput, args.input);
      await context.limitRate('resetPassword', tenant, input.token);
      await context.emporix.call('resetPassword', tenant, {
        body: { token: input.token, password: input.password },
      });
      return success;
    },
  }),
);

const ChangePasswordInput = builder.inputType('ChangePasswordInput', {
  description: "The signed-in customer's current and new password.",
  fields: (t) => ({
    currentPassword: t.string({ required: true, description: 'The current password: 1 to 1024 characters.' }),
    newPassword: t.string({
      required: true,
      description: 'The new password: 1 to 1024 characters, different from the current one, never trimmed.',
    }),
  }),
});

builder.mutationField('changePassword', (t) =>
  t.field({
    type: successType('ChangePasswordSuccess', 'The password was changed.'),
    description:
      "Changes the signed-in customer's password (POST /customer/{tenant}/password/change, customer token). A wrong current password is a ValidationError.",
    args: {
      input: t.arg({
        type: ChangePasswordInput,
        required: true,
        description: 'The current password, and the new one.',
        validate: { schema: changePasswordInput },
      }),
    },
    errors: resultUnion('changePassword'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const input = parsedBy(changePasswordInput, args.input);
      await context.limitRate('changePassword', tenant, accessTokenOf(context));
      await context.emporix.call('changePassword', tenant, {
        body: { currentPassword: input.currentPassword, newPassword: input.newPassword },
      });
      return success;
    },
  }),
);
