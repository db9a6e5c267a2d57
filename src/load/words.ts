// Splits a command string into argv the way a POSIX shell splits words (quotes and backslashes
// honoured), without running a shell, and finds the shell syntax that only a shell would act on.

export type Split =
  | { ok: true; words: string[]; warnings: { index: number; text: string }[] }
  | { ok: false; index: number; problem: string };

/** Operators that need a shell, longest first. */
const OPERATORS = ["&&", "||", "$(", "|", ";", ">", "<", "&", "`"];

export function splitWords(text: string): Split {
  const words: string[] = [];
  const warnings: { index: number; text: string }[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) return { ok: false, index: i, problem: "unterminated single quote" };
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        const d = text[j]!;
        if (d === "\\" && j + 1 < text.length && '"\\$`\n'.includes(text[j + 1]!)) {
          j++;
          if (text[j] !== "\n") word += text[j];
        } else if (d === "`" || (d === "$" && text[j + 1] === "(")) {
          return { ok: false, index: j, problem: `"${d === "`" ? "`" : "$("}" needs a shell` };
        } else {
          if (d === "$" && isVariable(text, j)) warnings.push({ index: j, text: variableAt(text, j) });
          word += d;
        }
      }
      if (j >= text.length) return { ok: false, index: i, problem: "unterminated double quote" };
      inWord = true;
      i = j + 1;
    } else if (c === "\\") {
      if (i + 1 < text.length && text[i + 1] !== "\n") word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (text.startsWith("${{", i) && text.indexOf("}}", i + 3) !== -1) {
      // A `${{ … }}` expression is part of the word it is in, spaces and all.
      const end = text.indexOf("}}", i + 3) + 2;
      word += text.slice(i, end);
      inWord = true;
      i = end;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (op) return { ok: false, index: i, problem: `"${op}" needs a shell` };
      if (c === "$" && isVariable(text, i)) warnings.push({ index: i, text: variableAt(text, i) });
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return { ok: true, words, warnings };
}

/** `$NAME` or `${NAME}`, but not a `${{ … }}` expression. */
const isVariable = (text: string, i: number) => /^\$([A-Za-z_]|\{(?!\{))/.test(text.slice(i, i + 3));

const variableAt = (text: string, i: number) =>
  /^\$(\{[^}]*\}?|[A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i))?.[0] ?? "$";
