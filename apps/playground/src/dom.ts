/**
 * The one way the page makes elements: text goes in as textContent, never as
 * markup, so nothing a program prints (or names a file) can become HTML.
 * The page's CSP enforces Trusted Types with no policy, so an innerHTML
 * string would throw rather than render.
 */
export const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: { className?: string; text?: string; attrs?: Record<string, string> } = {},
  children: Node[] = [],
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
};

/** The element with this id, of this type; a missing one is a bug in index.html, so it throws. */
export const byId = <T extends HTMLElement>(id: string, type: { new (): T }): T => {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is missing or not a ${type.name}`);
  return element;
};

export const formatBytes = (bytes: number): string => {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
};
