// Command-line numbers for the bench scripts: `--name N`, positive, or the default.
export const argv = process.argv.slice(2);

export function num(name: string, def: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : def;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}
