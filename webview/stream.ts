// One reasoning lane's text area. Deltas are buffered and rendered at most once per animation frame:
// the stable prefix (up to the last blank line) is rendered once and kept, only the growing tail block is
// rebuilt, so a 2,000-token answer costs a small, bounded amount of work per frame.
import type { ClaimMark } from '../src/shared/protocol';
import { renderMarkdown, stableEnd } from './markdown';

export class StreamView {
  private text = '';
  private renderedStable = 0;
  private scheduled = false;
  private readonly stableEl: HTMLElement;
  private readonly tailEl: HTMLElement;
  private claims: readonly ClaimMark[] = [];

  constructor(readonly root: HTMLElement) {
    this.stableEl = document.createElement('div');
    this.tailEl = document.createElement('div');
    this.stableEl.className = 'md-stable';
    this.tailEl.className = 'md-tail';
    root.append(this.stableEl, this.tailEl);
  }

  get value(): string {
    return this.text;
  }

  reset(text = ''): void {
    this.text = text;
    this.renderedStable = 0;
    this.claims = [];
    this.stableEl.replaceChildren();
    this.tailEl.replaceChildren();
    this.schedule();
  }

  append(delta: string): void {
    this.text += delta;
    this.schedule();
  }

  /** Re-render everything with claim marks (once, when the claim check arrives). */
  setClaims(claims: readonly ClaimMark[]): void {
    this.claims = claims;
    this.stableEl.replaceChildren(renderMarkdown(this.text, 0, claims));
    this.renderedStable = this.text.length;
    this.tailEl.replaceChildren();
  }

  /** Render now (tests and the final flush use it). */
  flush(): void {
    this.scheduled = false;
    const end = stableEnd(this.text, this.renderedStable);
    if (end > this.renderedStable) {
      this.stableEl.appendChild(renderMarkdown(this.text.slice(this.renderedStable, end), this.renderedStable, this.claims));
      this.renderedStable = end;
    }
    this.tailEl.replaceChildren(renderMarkdown(this.text.slice(this.renderedStable), this.renderedStable, this.claims));
    const scroller = this.root.closest('.lane-body');
    if (scroller && scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80) scroller.scrollTop = scroller.scrollHeight;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => this.flush());
  }
}
