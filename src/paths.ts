// Files shipped beside the compiled code, found the same way from src/ and dist/.
import { readFileSync } from "node:fs";

const root = new URL("../", import.meta.url);

export const readPackageFile = (relative: string): string => readFileSync(new URL(relative, root), "utf8");

export const packageVersion = (): string =>
  (JSON.parse(readPackageFile("package.json")) as { version: string }).version;
