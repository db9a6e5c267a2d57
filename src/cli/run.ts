// `procflow run` (placeholder until the executor lands).
export async function runCommand(_file: string, _jobs: string[], _opts: unknown): Promise<number> {
  process.stderr.write("procflow run: not implemented yet\n");
  return 70;
}
