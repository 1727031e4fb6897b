// Small DOM builders for the panel. Text always goes in as text nodes (never HTML).

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function icon(name: string): HTMLElement {
  const s = h('span', `codicon codicon-${name}`);
  s.setAttribute('aria-hidden', 'true');
  return s;
}

/**
 * A toolbar button in VS Code's action-bar style: a codicon, an optional visible label (hidden when the
 * toolbar is narrow), and the label as the accessible name and tooltip either way.
 */
export function toolButton(opts: { icon?: string; label: string; action: string; showLabel?: boolean; keys?: string }): HTMLButtonElement {
  const b = h('button', 'tb');
  b.type = 'button';
  b.dataset.action = opts.action;
  if (opts.icon) b.appendChild(icon(opts.icon));
  if (opts.showLabel) b.appendChild(h('span', 'tb-label', opts.label));
  else b.classList.add('icon-only');
  setLabel(b, opts.label, opts.keys);
  return b;
}

export function setLabel(b: HTMLElement, label: string, keys?: string): void {
  b.setAttribute('aria-label', label);
  b.title = keys ? `${label} (${keys})` : label;
  if (keys) b.setAttribute('aria-keyshortcuts', keys);
  const l = b.querySelector('.tb-label');
  if (l) l.textContent = label;
}

/** A two-state toolbar button (aria-pressed). */
export function toggleButton(opts: { icon?: string; label: string; action: string; showLabel?: boolean; keys?: string }): HTMLButtonElement {
  const b = toolButton(opts);
  b.setAttribute('aria-pressed', 'false');
  return b;
}

export const isPressed = (b: HTMLElement) => b.getAttribute('aria-pressed') === 'true';
export const setPressed = (b: HTMLElement, on: boolean) => b.setAttribute('aria-pressed', String(on));

export function divider(): HTMLElement {
  const d = h('span', 'tb-sep');
  d.setAttribute('role', 'separator');
  d.setAttribute('aria-orientation', 'vertical');
  return d;
}
