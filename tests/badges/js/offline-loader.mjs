// Stands in for @digitalcredentials/security-document-loader (see hooks.mjs): the JSON-LD
// contexts biaslab ships (biaslab/badges/ld/index.json) and did:key documents, resolved the way
// the wallet's own loader resolves them; any other URL is refused, and nothing is fetched.
import fs from 'node:fs';
import path from 'node:path';
import * as didKey from '@digitalcredentials/did-method-key';
import * as Ed25519Multikey from '@digitalcredentials/ed25519-multikey';
import { CachedResolver } from '@digitalcredentials/did-io';

const LD_DIR = process.env.BIASLAB_LD_DIR;
if (!LD_DIR) throw new Error('BIASLAB_LD_DIR (biaslab/badges/ld) is not set');
const index = JSON.parse(fs.readFileSync(path.join(LD_DIR, 'index.json'), 'utf8'));
const contexts = new Map(Object.entries(index.contexts).map(
  ([url, file]) => [url, JSON.parse(fs.readFileSync(path.join(LD_DIR, file), 'utf8'))]));

const resolver = new CachedResolver();
const didKeyDriver = didKey.driver();
didKeyDriver.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });
resolver.use(didKeyDriver);

export const requested = [];

export async function documentLoader(url) {
  requested.push(url);
  if (contexts.has(url)) {
    return { contextUrl: null, documentUrl: url, document: structuredClone(contexts.get(url)) };
  }
  if (url.startsWith('did:key:')) {
    return { contextUrl: null, documentUrl: url, document: await resolver.get({ url }) };
  }
  throw new Error(`NotFoundError: ${url} is not a context biaslab ships (offline: nothing is fetched)`);
}

export function securityLoader() {
  return { build: () => documentLoader };
}
