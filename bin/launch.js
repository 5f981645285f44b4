// What both commands share: run the compiled entry point in dist/ when the package was
// built (`npm run build`; what production and the Docker image run, with no dev
// dependency), else the TypeScript sources through tsx (a checkout without a build).
// STEWARD_FROM_SOURCE=1 forces the sources: the test runner sets it, so tests never
// exercise a stale build.
import { existsSync } from 'node:fs';

export async function launch(entry) {
  const built = new URL(`../dist/${entry}.js`, import.meta.url);
  if (!process.env.STEWARD_FROM_SOURCE && existsSync(built)) return import(built.href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(`../src/${entry}.ts`, import.meta.url).href);
}
