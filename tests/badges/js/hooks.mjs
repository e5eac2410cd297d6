// Module hook: verifier-core builds its JSON-LD document loader from
// @digitalcredentials/security-document-loader when it is imported, with remote fetching on.
// Here that module is replaced by offline-loader.mjs, which serves only biaslab's shipped
// contexts and did:key documents, so the wallet's verifier runs exactly as it does in the wallet
// except that it can reach nothing.
const LOADER = '@digitalcredentials/security-document-loader';

export async function resolve(specifier, context, nextResolve) {
  if (specifier === LOADER) {
    return { url: new URL('./offline-loader.mjs', import.meta.url).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
