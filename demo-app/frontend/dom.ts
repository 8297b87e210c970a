/** The element with this `data-testid`; a missing one is a bug in the page, so it throws. */
export function byTestId<T extends HTMLElement = HTMLElement>(
  testId: string,
  root: ParentNode = document,
): T {
  const element = root.querySelector<T>(`[data-testid="${testId}"]`);
  if (!element) throw new Error(`element [data-testid="${testId}"] is missing`);
  return element;
}

/** Creates an element; text goes in as textContent only, so user data is never parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

export function showMessage(target: HTMLElement, text: string): void {
  target.textContent = text;
  target.hidden = text === '';
}
