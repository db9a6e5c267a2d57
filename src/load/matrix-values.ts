// Numbers as written. A matrix's values (SPEC §5): a number keeps the text it was written with (`3.10`,
// not YAML's 3.1; `1.0`, `0x10`), which names its instance and is what `${{ matrix.K }}` and
// PROCFLOW_MATRIX_K give; a number written plainly (`20`) stays a number. A number in `args` or `env`
// reaches the job as written too (a version 1.10, an id too long for a double).
import type { Scalar } from "../graph/types.js";
import type { Locator, Path } from "./parse.js";

/** The values of the matrix key at `path` (a list), numbers as written in `text`. */
export function writtenValues(
  values: readonly Scalar[],
  path: Path,
  locate: Locator,
  text: string,
): Scalar[] {
  return values.map((v, i) => {
    if (typeof v !== "number") return v;
    const written = writtenNumber(v, [...path, i], locate, text);
    return written === String(v) ? v : written;
  });
}

/** The number at `path` as written in `text` (`1.10`, `0x10`), or as JavaScript shows it. */
export function writtenNumber(v: number, path: Path, locate: Locator, text: string): string {
  const written = text.slice(...locate(path)).trim();
  return written !== String(v) && Number(written) === v ? written : String(v);
}
