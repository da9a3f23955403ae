import type { GraphiQLOptions } from 'graphql-yoga';

/** What GraphiQL opens with, before anything is stored in the browser. */
export const graphiqlOptions: GraphiQLOptions = {
  title: 'Emporix customer gateway',
  defaultQuery: [
    '# Emporix customer gateway',
    '#',
    '# Paste a headers line that `npm start`',
    '# printed into the Headers tab below:',
    '#   {"Authorization": "Bearer <token>"}',
    '# then press the run button (Ctrl-Enter).',
    '# Without a token, `me` answers the profile',
    '# of an anonymous session.',
    '',
    'query Me {',
    '  me {',
    '    __typename',
    '    ... on Customer { loginEmail firstName lastName }',
    '    ... on Error { message }',
    '  }',
    '}',
    '',
  ].join('\n'),
};

/**
 * GraphiQL from our own dependencies: @graphql-yoga/render-graphiql inlines its scripts, styles, fonts, favicon and
 * the Monaco workers (as blob: URLs) into one page, so it works without reaching any CDN (yoga's default page loads
 * everything from unpkg). The page is about 9 MB: it is loaded only when first asked for, and rendered once per set
 * of options.
 */
export function createGraphiQLRenderer(): (options: GraphiQLOptions) => Promise<string> {
  const pages = new Map<string, Promise<string>>();
  return (options) => {
    const key = JSON.stringify(options);
    let page = pages.get(key);
    if (page === undefined) {
      page = import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options));
      // A failed import must not stay cached.
      page.catch(() => pages.delete(key));
      pages.set(key, page);
    }
    return page;
  };
}
