// A safe Markdown SUBSET renderer for model answers: headings, paragraphs, bullet/numbered lists,
// quotes, rules, fenced code, **bold**, *italic*, `code`. It builds DOM nodes with createElement and
// text nodes only: model text is never parsed as HTML, so "<img onerror=...>" stays visible text.
// Every text run remembers its character offsets in the source so claim-check spans (which are
// offsets into the raw answer) can be marked on the rendered text.
import type { ClaimMark } from '../src/shared/protocol';

interface Seg {
  text: string;
  start: number; // offset in the full answer
  bold: boolean;
  italic: boolean;
  code: boolean;
}

/** Inline scan of `s` (which starts at `base` in the full answer) into styled segments. */
export function inlineSegments(s: string, base: number): Seg[] {
  const out: Seg[] = [];
  let bold = false;
  let italic = false;
  let runStart = 0;
  const flush = (end: number) => {
    if (end > runStart) out.push({ text: s.slice(runStart, end), start: base + runStart, bold, italic, code: false });
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '`') {
      const close = s.indexOf('`', i + 1);
      if (close > i + 1) {
        flush(i);
        out.push({ text: s.slice(i + 1, close), start: base + i + 1, bold, italic, code: true });
        i = close + 1;
        runStart = i;
        continue;
      }
    }
    if (c === '*' && s[i + 1] === '*') {
      // Only toggle on when a closing marker exists, so a stray "**" mid-stream shows as text.
      // Underscores are left alone: they occur inside identifiers far more often than as emphasis.
      if (bold || s.indexOf('**', i + 2) > 0) {
        flush(i);
        bold = !bold;
        i += 2;
        runStart = i;
        continue;
      }
    } else if (c === '*' && (italic || (s[i + 1] !== ' ' && s[i + 1] !== undefined && s.indexOf('*', i + 1) > 0))) {
      flush(i);
      italic = !italic;
      i += 1;
      runStart = i;
      continue;
    }
    i++;
  }
  flush(s.length);
  return out;
}

/** Append the segments to `parent`, splitting text at claim boundaries and wrapping claimed text in <mark>. */
function appendSegments(parent: Node, segs: Seg[], claims: readonly ClaimMark[]): void {
  const doc = parent.ownerDocument ?? document;
  for (const seg of segs) {
    let host: Node = parent;
    if (seg.code) {
      const el = doc.createElement('code');
      parent.appendChild(el);
      host = el;
    } else if (seg.bold || seg.italic) {
      let el: HTMLElement = doc.createElement(seg.bold ? 'strong' : 'em');
      parent.appendChild(el);
      if (seg.bold && seg.italic) {
        const inner = doc.createElement('em');
        el.appendChild(inner);
        el = inner;
      }
      host = el;
    }
    appendClaimed(host, seg.text, seg.start, claims);
  }
}

function appendClaimed(host: Node, text: string, start: number, claims: readonly ClaimMark[]): void {
  const doc = host.ownerDocument ?? document;
  const end = start + text.length;
  const cuts = new Set<number>([start, end]);
  for (const c of claims) {
    if (c.end <= start || c.start >= end) continue;
    cuts.add(Math.max(c.start, start));
    cuts.add(Math.min(c.end, end));
  }
  const points = [...cuts].sort((a, b) => a - b);
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k];
    const b = points[k + 1];
    const piece = text.slice(a - start, b - start);
    const claim = claims.find((c) => c.start <= a && c.end >= b);
    if (!claim || claim.status === 'not-checkable') {
      host.appendChild(doc.createTextNode(piece));
      continue;
    }
    const mark = doc.createElement('mark');
    mark.className = `claim claim-${claim.status}`;
    mark.dataset.status = claim.status;
    // The index into `claims`: the lane words the reason and lights the regions from it.
    mark.dataset.claim = String(claims.indexOf(claim));
    if (claim.region) mark.dataset.region = claim.region;
    mark.appendChild(doc.createTextNode(piece));
    host.appendChild(mark);
  }
}

const RE_HEADING = /^(#{1,6})[ \t]+/;
const RE_ITEM = /^([ \t]*)([-*+]|\d{1,3}[.)])[ \t]+/;
const RE_RULE = /^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$/;
const RE_QUOTE = /^>[ \t]?/;
const RE_FENCE = /^[ \t]*```/;

/**
 * Render `src` (a slice of the full answer beginning at offset `base`) into a fragment.
 * `claims` are offsets into the full answer.
 */
export function renderMarkdown(src: string, base = 0, claims: readonly ClaimMark[] = [], doc: Document = document): DocumentFragment {
  const frag = doc.createDocumentFragment();
  let para: HTMLElement | null = null;
  let list: HTMLElement | null = null;
  let quote: HTMLElement | null = null;
  let pre: HTMLElement | null = null;
  let pos = 0;
  const closeBlocks = () => {
    para = null;
    list = null;
    quote = null;
  };
  while (pos <= src.length) {
    const nl = src.indexOf('\n', pos);
    const lineEnd = nl < 0 ? src.length : nl;
    const line = src.slice(pos, lineEnd);
    const lineBase = base + pos;
    if (pre) {
      if (RE_FENCE.test(line)) pre = null;
      else pre.firstChild!.appendChild(doc.createTextNode((pre.firstChild!.textContent ? '\n' : '') + line));
    } else if (RE_FENCE.test(line)) {
      closeBlocks();
      pre = doc.createElement('pre');
      pre.appendChild(doc.createElement('code'));
      frag.appendChild(pre);
    } else if (line.trim() === '') {
      closeBlocks();
    } else if (RE_HEADING.test(line)) {
      closeBlocks();
      const m = RE_HEADING.exec(line)!;
      // Every answer heading is an h3 under the lane's h2 (heading levels never skip, whatever the model
      // writes: "#####" is common); the Markdown depth stays as a class for the look.
      const h = doc.createElement('h3');
      h.className = `md-h${m[1].length}`;
      appendSegments(h, inlineSegments(line.slice(m[0].length), lineBase + m[0].length), claims);
      frag.appendChild(h);
    } else if (RE_RULE.test(line)) {
      closeBlocks();
      frag.appendChild(doc.createElement('hr'));
    } else if (RE_ITEM.test(line)) {
      const m = RE_ITEM.exec(line)!;
      const ordered = /\d/.test(m[2]);
      const tag = ordered ? 'OL' : 'UL';
      const currentList = list as HTMLElement | null;
      if (!currentList || currentList.tagName !== tag) {
        para = null;
        quote = null;
        const l = doc.createElement(tag.toLowerCase());
        if (m[1].length >= 2) l.className = 'nested';
        frag.appendChild(l);
        list = l;
      }
      const li = doc.createElement('li');
      if (m[1].length >= 2) li.className = 'indent';
      appendSegments(li, inlineSegments(line.slice(m[0].length), lineBase + m[0].length), claims);
      list!.appendChild(li);
    } else if (RE_QUOTE.test(line)) {
      const m = RE_QUOTE.exec(line)!;
      if (!quote) {
        para = null;
        list = null;
        quote = doc.createElement('blockquote');
        frag.appendChild(quote);
      } else quote.appendChild(doc.createElement('br'));
      appendSegments(quote, inlineSegments(line.slice(m[0].length), lineBase + m[0].length), claims);
    } else {
      const currentList = list as HTMLElement | null;
      if (currentList && /^[ \t]{2,}/.test(line) && currentList.lastElementChild) {
        // Continuation line of a list item.
        currentList.lastElementChild.appendChild(doc.createElement('br'));
        appendSegments(currentList.lastElementChild, inlineSegments(line, lineBase), claims);
      } else {
        list = null;
        quote = null;
        if (!para) {
          para = doc.createElement('p');
          frag.appendChild(para);
        } else para.appendChild(doc.createElement('br'));
        appendSegments(para, inlineSegments(line, lineBase), claims);
      }
    }
    if (nl < 0) break;
    pos = nl + 1;
  }
  return frag;
}

/**
 * Where the stable prefix of a growing answer ends: the last blank line outside a code fence.
 * Text before it will not re-render differently when more arrives, so it is rendered once.
 */
export function stableEnd(text: string, from: number): number {
  let end = from;
  let fence = false;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break;
    const line = text.slice(pos, nl);
    if (RE_FENCE.test(line)) fence = !fence;
    else if (!fence && line.trim() === '' && nl + 1 > from) end = nl + 1;
    pos = nl + 1;
  }
  return end;
}
