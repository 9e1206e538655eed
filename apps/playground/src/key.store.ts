const STORAGE_KEY = 'sps.apiKey';

/**
 * The API key lives in sessionStorage: it survives a reload but not the tab,
 * is never written into a URL, and is sent only in the Authorization header.
 */
export const keyStore = {
  get: (): string | null => sessionStorage.getItem(STORAGE_KEY),
  set: (key: string): void => sessionStorage.setItem(STORAGE_KEY, key),
  clear: (): void => sessionStorage.removeItem(STORAGE_KEY),
};
