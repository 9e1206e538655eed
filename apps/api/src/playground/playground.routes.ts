/** Where the playground's bundled assets are served; the page itself is at `/`. */
export const PLAYGROUND_ASSETS_PREFIX = '/playground/';

/** The playground's routes: the page and its static files, all public (the page asks for a key itself). */
export const isPlaygroundRoute = (route: string): boolean =>
  route === '/' || route.startsWith(PLAYGROUND_ASSETS_PREFIX);
