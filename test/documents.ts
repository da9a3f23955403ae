/** Documents the tests need that are not operations of the client SDK. */
import type { MeQuery } from '../src/client/index.js';

type MeMember = MeQuery['me'];

/** `me` under two aliases: one upstream call is expected. */
export const meTwice = /* GraphQL */ `
  query MeTwice {
    first: me {
      __typename
      ... on Customer {
        id
      }
    }
    second: me {
      __typename
      ... on Customer {
        contactEmail
      }
    }
  }
`;

export interface MeTwiceQuery {
  first: Pick<MeMember, '__typename'> & Partial<Extract<MeMember, { __typename: 'Customer' }>>;
  second: Pick<MeMember, '__typename'> & Partial<Extract<MeMember, { __typename: 'Customer' }>>;
}
