/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation ChangeCustomerEmail($input: ChangeCustomerEmailInput!) {\n  changeCustomerEmail(input: $input) {\n    __typename\n    ... on ChangeCustomerEmailSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}": typeof types.ChangeCustomerEmailDocument,
    "mutation ChangePassword($input: ChangePasswordInput!) {\n  changePassword(input: $input) {\n    __typename\n    ... on ChangePasswordSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}": typeof types.ChangePasswordDocument,
    "mutation ConfirmCustomerEmailChange($input: ConfirmCustomerEmailChangeInput!) {\n  confirmCustomerEmailChange(input: $input) {\n    __typename\n    ... on ConfirmCustomerEmailChangeSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}": typeof types.ConfirmCustomerEmailChangeDocument,
    "fragment OperationErrorFields on Error {\n  __typename\n  message\n  ... on ValidationError {\n    issues {\n      path\n      message\n      code\n    }\n  }\n  ... on UnauthorizedError {\n    code\n  }\n  ... on ForbiddenError {\n    requiredScopes\n  }\n  ... on RateLimitedError {\n    retryAfterSeconds\n  }\n  ... on UpstreamError {\n    status\n    retryable\n  }\n}": typeof types.OperationErrorFieldsFragmentDoc,
    "query MeTwice {\n  first: me {\n    __typename\n    ... on Customer {\n      id\n    }\n  }\n  second: me {\n    __typename\n    ... on Customer {\n      contactEmail\n    }\n  }\n}": typeof types.MeTwiceDocument,
    "query Me {\n  me {\n    __typename\n    ... on Customer {\n      id\n      customerNumber\n      firstName\n      lastName\n      contactEmail\n      loginEmail\n    }\n    ...OperationErrorFields\n  }\n}": typeof types.MeDocument,
    "mutation RequestPasswordReset($input: RequestPasswordResetInput!) {\n  requestPasswordReset(input: $input) {\n    __typename\n    ... on RequestPasswordResetSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}": typeof types.RequestPasswordResetDocument,
    "mutation ResetPassword($input: ResetPasswordInput!) {\n  resetPassword(input: $input) {\n    __typename\n    ... on ResetPasswordSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}": typeof types.ResetPasswordDocument,
};
const documents: Documents = {
    "mutation ChangeCustomerEmail($input: ChangeCustomerEmailInput!) {\n  changeCustomerEmail(input: $input) {\n    __typename\n    ... on ChangeCustomerEmailSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}": types.ChangeCustomerEmailDocument,
    "mutation ChangePassword($input: ChangePasswordInput!) {\n  changePassword(input: $input) {\n    __typename\n    ... on ChangePasswordSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}": types.ChangePasswordDocument,
    "mutation ConfirmCustomerEmailChange($input: ConfirmCustomerEmailChangeInput!) {\n  confirmCustomerEmailChange(input: $input) {\n    __typename\n    ... on ConfirmCustomerEmailChangeSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}": types.ConfirmCustomerEmailChangeDocument,
    "fragment OperationErrorFields on Error {\n  __typename\n  message\n  ... on ValidationError {\n    issues {\n      path\n      message\n      code\n    }\n  }\n  ... on UnauthorizedError {\n    code\n  }\n  ... on ForbiddenError {\n    requiredScopes\n  }\n  ... on RateLimitedError {\n    retryAfterSeconds\n  }\n  ... on UpstreamError {\n    status\n    retryable\n  }\n}": types.OperationErrorFieldsFragmentDoc,
    "query MeTwice {\n  first: me {\n    __typename\n    ... on Customer {\n      id\n    }\n  }\n  second: me {\n    __typename\n    ... on Customer {\n      contactEmail\n    }\n  }\n}": types.MeTwiceDocument,
    "query Me {\n  me {\n    __typename\n    ... on Customer {\n      id\n      customerNumber\n      firstName\n      lastName\n      contactEmail\n      loginEmail\n    }\n    ...OperationErrorFields\n  }\n}": types.MeDocument,
    "mutation RequestPasswordReset($input: RequestPasswordResetInput!) {\n  requestPasswordReset(input: $input) {\n    __typename\n    ... on RequestPasswordResetSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}": types.RequestPasswordResetDocument,
    "mutation ResetPassword($input: ResetPasswordInput!) {\n  resetPassword(input: $input) {\n    __typename\n    ... on ResetPasswordSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}": types.ResetPasswordDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChangeCustomerEmail($input: ChangeCustomerEmailInput!) {\n  changeCustomerEmail(input: $input) {\n    __typename\n    ... on ChangeCustomerEmailSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}"): (typeof documents)["mutation ChangeCustomerEmail($input: ChangeCustomerEmailInput!) {\n  changeCustomerEmail(input: $input) {\n    __typename\n    ... on ChangeCustomerEmailSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChangePassword($input: ChangePasswordInput!) {\n  changePassword(input: $input) {\n    __typename\n    ... on ChangePasswordSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}"): (typeof documents)["mutation ChangePassword($input: ChangePasswordInput!) {\n  changePassword(input: $input) {\n    __typename\n    ... on ChangePasswordSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConfirmCustomerEmailChange($input: ConfirmCustomerEmailChangeInput!) {\n  confirmCustomerEmailChange(input: $input) {\n    __typename\n    ... on ConfirmCustomerEmailChangeSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}"): (typeof documents)["mutation ConfirmCustomerEmailChange($input: ConfirmCustomerEmailChangeInput!) {\n  confirmCustomerEmailChange(input: $input) {\n    __typename\n    ... on ConfirmCustomerEmailChangeSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment OperationErrorFields on Error {\n  __typename\n  message\n  ... on ValidationError {\n    issues {\n      path\n      message\n      code\n    }\n  }\n  ... on UnauthorizedError {\n    code\n  }\n  ... on ForbiddenError {\n    requiredScopes\n  }\n  ... on RateLimitedError {\n    retryAfterSeconds\n  }\n  ... on UpstreamError {\n    status\n    retryable\n  }\n}"): (typeof documents)["fragment OperationErrorFields on Error {\n  __typename\n  message\n  ... on ValidationError {\n    issues {\n      path\n      message\n      code\n    }\n  }\n  ... on UnauthorizedError {\n    code\n  }\n  ... on ForbiddenError {\n    requiredScopes\n  }\n  ... on RateLimitedError {\n    retryAfterSeconds\n  }\n  ... on UpstreamError {\n    status\n    retryable\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MeTwice {\n  first: me {\n    __typename\n    ... on Customer {\n      id\n    }\n  }\n  second: me {\n    __typename\n    ... on Customer {\n      contactEmail\n    }\n  }\n}"): (typeof documents)["query MeTwice {\n  first: me {\n    __typename\n    ... on Customer {\n      id\n    }\n  }\n  second: me {\n    __typename\n    ... on Customer {\n      contactEmail\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Me {\n  me {\n    __typename\n    ... on Customer {\n      id\n      customerNumber\n      firstName\n      lastName\n      contactEmail\n      loginEmail\n    }\n    ...OperationErrorFields\n  }\n}"): (typeof documents)["query Me {\n  me {\n    __typename\n    ... on Customer {\n      id\n      customerNumber\n      firstName\n      lastName\n      contactEmail\n      loginEmail\n    }\n    ...OperationErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RequestPasswordReset($input: RequestPasswordResetInput!) {\n  requestPasswordReset(input: $input) {\n    __typename\n    ... on RequestPasswordResetSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}"): (typeof documents)["mutation RequestPasswordReset($input: RequestPasswordResetInput!) {\n  requestPasswordReset(input: $input) {\n    __typename\n    ... on RequestPasswordResetSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ResetPassword($input: ResetPasswordInput!) {\n  resetPassword(input: $input) {\n    __typename\n    ... on ResetPasswordSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}"): (typeof documents)["mutation ResetPassword($input: ResetPasswordInput!) {\n  resetPassword(input: $input) {\n    __typename\n    ... on ResetPasswordSuccess {\n      success\n    }\n    ...OperationErrorFields\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;