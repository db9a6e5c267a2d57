// A matrix's values as written (SPEC §5): a number keeps the text it was written with (`3.10`, not
// YAML's 3.1; `1.0`, `0x10`), which names its instance and is what `${{ matrix.K }}` and
// PROCFLOW_MATRIX_K give. A number written plainly (`20`) stays a number.
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
    const written = text.slice(...locate([...path, i])).trim();
    return written !== String(v) && Number(written) === v ? written : v;
  });
}
