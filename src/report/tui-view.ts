// What the tui shows for its keys (SPEC §11): the selected job, its last lines on request and one
// line of words (a request's answer, the help line), drawn under the task list by TuiRenderer.
import { DefaultRenderer, type ListrDefaultRendererOptions } from "listr2";
import type { Colors } from "picocolors/types.js";
import { visible } from "./format.js";

/** How many of the selected job's last lines `l` shows (at most; fewer when the terminal is short). */
export const PANEL_LINES = 20;

const HELP = "↑/↓ select · r restart · s stop · S start · l last lines · q quit (as Ctrl-C) · ? help";

/** What the tui's keys can ask of the tui itself. */
export interface TuiView {
  /** The selected job (an instance name), if any. */
  readonly selected: string | undefined;
  /** Selects the job above (-1) or below (1); the first ↓ selects the first job, the first ↑ the last. */
  move(by: -1 | 1): void;
  /** Shows or hides the selected job's last lines. */
  toggleLines(): void;
  toggleHelp(): void;
  /** Shows a line of words (replacing the one before) until the next key. */
  say(text: string): void;
}

export class KeyView implements TuiView {
  private jobs: readonly string[] = [];
  private index = -1;
  private panel = false;
  private help = false;
  private words = "";
  private ended = false;

  /** `changed` is called after every change (the tui redraws then). */
  constructor(
    private readonly c: Colors,
    private readonly changed: () => void,
  ) {}

  get selected(): string | undefined {
    return this.ended ? undefined : this.jobs[this.index];
  }

  start(jobs: readonly string[]) {
    this.jobs = jobs;
  }

  /** The tui is done: nothing of this is shown any more (nor in the frame it leaves behind). */
  end() {
    this.ended = true;
    this.changed();
  }

  move(by: -1 | 1) {
    const n = this.jobs.length;
    if (n === 0) return;
    this.index = this.index < 0 ? (by > 0 ? 0 : n - 1) : (this.index + by + n) % n;
    this.update("");
  }

  toggleLines() {
    this.panel = !this.panel;
    this.update("");
  }

  toggleHelp() {
    this.help = !this.help;
    this.update("");
  }

  say(text: string) {
    this.update(text);
  }

  private update(words: string) {
    if (this.ended) return;
    this.words = words;
    this.changed();
  }

  /** The lines under the task list, at most `room` of them, none wider than `columns`. */
  footer(lines: (job: string) => readonly string[], room: number, columns: number): string[] {
    const job = this.selected;
    if (this.ended || room <= 0) return [];
    const status = [job === undefined ? "" : `▸ ${visible(job)}`, visible(this.words), this.help ? HELP : ""]
      .filter(Boolean)
      .join("  ");
    const out: string[] = [];
    if (this.panel && job !== undefined && room >= 3) {
      const shown = lines(job).slice(-Math.min(PANEL_LINES, room - 2));
      out.push(this.c.dim(`── ${visible(job)}: last ${shown.length} lines ──`));
      out.push(...shown.map((l) => visible(l)));
    }
    if (status) out.push(status);
    return out.map((l) => cut(l, columns));
  }
}

/**
 * A line cut to fit the terminal's width, so that it never wraps (a wrapped line would make the
 * frame taller than counted). Characters from U+1100 on count as two columns (wide ones do; the
 * others are cut a little early). A cut line loses its colours.
 */
function cut(line: string, columns: number): string {
  const chars = [...line.replace(/\x1b\[[0-9;]*m/g, "")];
  const width = (ch: string) => (ch.codePointAt(0)! >= 0x1100 ? 2 : 1);
  if (chars.reduce((n, ch) => n + width(ch), 0) < columns) return line;
  let used = 1; // the "…"
  const kept: string[] = [];
  for (const ch of chars) {
    if (used + width(ch) >= columns) break;
    used += width(ch);
    kept.push(ch);
  }
  return `${kept.join("")}…`;
}

interface TuiRendererOptions extends ListrDefaultRendererOptions {
  keys?: {
    /** Lines drawn under the task list. */
    footer(): readonly string[];
    /** Called before the last frame is drawn. */
    end(): void;
  };
}

/**
 * listr2's default renderer, drawn on stdout whatever it is (`-o tui` asks for it), with the footer
 * of the tui's keys under the task list. listr2's own `forceTTY` would mark stdout and stderr as
 * terminals for the whole process, and log-update's cursor helpers then write `\e[?25l`/`\e[?25h` to
 * a stderr that is a file or a pipe.
 */
export class TuiRenderer extends DefaultRenderer {
  static override nonTTY = true;
  static override rendererOptions: TuiRendererOptions = DefaultRenderer.rendererOptions;
  private readonly keys: TuiRendererOptions["keys"];

  constructor(...args: ConstructorParameters<typeof DefaultRenderer>) {
    super(...args);
    this.keys = (args[1] as TuiRendererOptions).keys;
  }

  override create(options?: Parameters<DefaultRenderer["create"]>[0]): string {
    const frame = super.create(options);
    const footer = this.keys?.footer() ?? [];
    return footer.length === 0 ? frame : [frame, ...footer].join("\n");
  }

  override end(): void {
    this.keys?.end();
    super.end();
  }
}
