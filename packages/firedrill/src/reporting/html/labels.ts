import { type Html, html } from './escape.ts';

/** Average advance of the 11–12 px sans-serif used in SVG labels; close enough to keep labels apart. */
const CHAR_W = 6.2;
const GAP = 8;

interface Request {
  row: number;
  px: number;
  text: string;
  cls: string;
  priority: number;
}

/**
 * Places text labels in a swimlane picture without overlaps. Each lane has two label rows (above
 * and below its markers); a label takes the first row where it fits. Labels are placed by
 * priority first (a failed condition's "not seen within 1m" must never lose to an event name),
 * then left to right. A label that fits nowhere is dropped: its marker still has a tooltip.
 */
export class LabelLayout {
  readonly #requests: Request[] = [];

  constructor(
    readonly xMax: number,
    /** y of a lane's label rows, by lane index: [above, below]. */
    readonly rowsY: (lane: number) => readonly [number, number],
  ) {}

  add(lane: number, px: number, text: string, cls: string, priority = 0): void {
    this.#requests.push({ row: lane, px, text, cls, priority });
  }

  render(): Html[] {
    const taken = new Map<string, Array<[number, number]>>();
    const sorted = [...this.#requests].sort((a, b) => b.priority - a.priority || a.px - b.px);
    const out: Html[] = [];
    for (const r of sorted) {
      const w = r.text.length * CHAR_W;
      // Near the right edge a label ends at its marker instead of starting there.
      const anchorEnd = r.px + w > this.xMax;
      const left = anchorEnd ? r.px - w : r.px - 3;
      const right = left + w;
      const y = this.rowsY(r.row);
      for (const slot of [0, 1] as const) {
        const key = `${r.row}:${slot}`;
        const spans = taken.get(key) ?? [];
        if (spans.some(([a, b]) => left < b + GAP && right + GAP > a)) continue;
        spans.push([left, right]);
        taken.set(key, spans);
        out.push(
          html`<text class="${r.cls}" x="${(anchorEnd ? r.px : r.px - 3).toFixed(1)}" y="${y[slot]}" text-anchor="${anchorEnd ? 'end' : 'start'}">${r.text}</text>`,
        );
        break;
      }
    }
    return out;
  }
}
