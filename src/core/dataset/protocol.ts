// Protocol subsets (DESIGN.md §4): which clips a protocol evaluates, and why the others are left out.
import { PROTOCOL_CLASSES, type ProtocolId } from '../emotions';
import type { Clip, ClipError, ProtocolSubset } from './types';

export function protocolSubset(protocol: ProtocolId, clips: readonly Clip[], errors: readonly ClipError[]): ProtocolSubset {
  const classes = PROTOCOL_CLASSES[protocol];
  const out: ProtocolSubset = { protocol, classes, included: [], excluded: [] };
  for (const c of clips) {
    if (c.emotion === null) out.excluded.push({ id: c.id, emotion: null, reason: 'no emotion label' });
    else if (!(classes as readonly string[]).includes(c.emotion)) {
      out.excluded.push({ id: c.id, emotion: c.emotion, reason: `'${c.emotionRaw}' is not one of the ${protocol} classes (${classes.join(', ')})` });
    } else out.included.push(c.id);
  }
  for (const e of errors) out.excluded.push({ id: e.id, emotion: null, reason: `unusable: ${e.message}` });
  return out;
}
