// The page's ANSI parser: colours and weights of SGR sequences become styles; every other escape
// sequence is dropped; search looks in the text without them.
import { describe, expect, it } from "vitest";
import { parseAnsi, stripAnsi } from "../../src/web/page/ansi.js";

describe("parseAnsi", () => {
  it("turns SGR sequences into styled segments (16, 256 and 24-bit colours, bold, reset)", () => {
    expect(parseAnsi("plain")).toEqual([{ text: "plain", style: null }]);
    expect(parseAnsi("\x1b[1;31merr\x1b[0m ok \x1b[38;5;196mx\x1b[48;2;1;2;3my\x1b[39;49mz")).toEqual([
      { text: "err", style: { bold: true, color: "#cc0000" } },
      { text: " ok ", style: null },
      { text: "x", style: { color: "rgb(255,0,0)" } },
      { text: "y", style: { color: "rgb(255,0,0)", background: "rgb(1,2,3)" } },
      { text: "z", style: null },
    ]);
    expect(parseAnsi("\x1b[92mgreen\x1b[m")).toEqual([{ text: "green", style: { color: "#8ae234" } }]);
  });

  it("drops cursor moves and titles, keeping the text", () => {
    const line = "\x1b]0;title\x07\x1b[2K\x1b[1Gdone \x1b[?25h100%";
    expect(parseAnsi(line)).toEqual([
      { text: "done ", style: null },
      { text: "100%", style: null },
    ]);
    expect(stripAnsi(line)).toBe("done 100%");
  });
});
