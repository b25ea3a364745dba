// Module resolve hook (registered by zod_schemas.mjs): the schemas of the zod differential test
// (tests/zod/schemas.mjs) import 'zod'; imported as `schemas.mjs?zod=NAME` they get the package
// NAME installed in this folder instead (zod 3.24.1 as Morph uses, or zod4 = zod 4), so both
// versions run the one description of Morph's schemas.
const here = import.meta.url;

export async function resolve(specifier, context, next) {
  const wanted = specifier === 'zod' && /[?&]zod=([\w.-]+)/.exec(context.parentURL ?? '');
  if (wanted) return next(wanted[1], { ...context, parentURL: here });
  return next(specifier, context);
}
