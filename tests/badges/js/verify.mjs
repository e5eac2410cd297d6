// Third-party verification of biaslab badges, offline:
//   node --import ./register.mjs verify.mjs [--jwk ISSUER_ES256_JWK] FILE...
// .json/.png/.svg: the credential (read from the file here, not by biaslab) goes to
// @digitalcredentials/verifier-core, the verifier of the Learner Credential Wallet.
// .jwt: the VC-JWT is checked with the `jose` library, with the key in its header or, given
// --jwk, with the issuer's published ES256 key.
// One JSON line per file: {file, verifier, accepted, message, result}. Network use is refused:
// every attempt is reported in the last line ({"refused": [...]}).
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

const LD_DIR = process.env.BIASLAB_LD_DIR;
const index = JSON.parse(fs.readFileSync(path.join(LD_DIR, 'index.json'), 'utf8'));
const refused = [];

// verifier-core fetches the JSON schema a credential names; serve the shipped one, refuse the rest
globalThis.fetch = async (input) => {
  const url = typeof input === 'string' ? input : input.url ?? String(input);
  const file = index.schemas[url];
  if (file) return new Response(fs.readFileSync(path.join(LD_DIR, file)), { status: 200 });
  refused.push(url);
  throw new Error(`offline: refused to fetch ${url}`);
};
for (const mod of [http, https]) {
  for (const name of ['request', 'get']) {
    mod[name] = (...args) => {
      refused.push(String(args[0]?.href ?? args[0]?.host ?? args[0]));
      throw new Error('offline: refused a network request');
    };
  }
}

const { verifyCredential } = await import('@digitalcredentials/verifier-core');
const jose = await import('jose');
const { requested } = await import('@digitalcredentials/security-document-loader');

function pngCredential(bytes) {
  if (bytes.subarray(0, 8).toString('latin1') !== '\x89PNG\r\n\x1a\n') throw new Error('not a PNG');
  for (let pos = 8; pos + 8 <= bytes.length;) {
    const length = bytes.readUInt32BE(pos);
    const type = bytes.subarray(pos + 4, pos + 8).toString('latin1');
    const body = bytes.subarray(pos + 8, pos + 8 + length);
    if (type === 'iTXt') {
      const keywordEnd = body.indexOf(0);
      if (body.subarray(0, keywordEnd).toString('latin1') === 'openbadgecredential') {
        // keyword \0 compression-flag compression-method language \0 translated-keyword \0 text
        let at = keywordEnd + 3;
        at = body.indexOf(0, at) + 1;
        at = body.indexOf(0, at) + 1;
        return body.subarray(at).toString('utf8');
      }
    }
    if (type === 'IEND') break;
    pos += 12 + length;
  }
  throw new Error('no openbadgecredential iTXt chunk');
}

function svgCredential(text) {
  const match = text.match(/<openbadges:credential[^>]*>([\s\S]*?)<\/openbadges:credential>/);
  if (!match) throw new Error('no <openbadges:credential> element');
  return match[1].replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1');
}

function summarise(result) {
  if (result.errors) return { accepted: false, message: result.errors.map((e) => `${e.name}: ${e.message}`).join('; ') };
  const failed = (result.log ?? []).filter((step) => step.valid === false && step.id !== 'registered_issuer');
  const schema = (result.additionalInformation ?? []).find((entry) => entry.id === 'schema_check');
  const schemaResults = Array.isArray(schema?.results) ? schema.results : [];
  const schemaFailed = schemaResults.filter((r) => !r.result?.valid);
  const steps = (result.log ?? []).map((step) => `${step.id}=${step.valid}`).join(', ');
  const schemas = schemaResults.map((r) => `schema ${path.basename(r.schema)}=${r.result?.valid}`).join(', ');
  const accepted = failed.length === 0 && schemaResults.length > 0 && schemaFailed.length === 0;
  return { accepted, message: [steps, schemas].filter(Boolean).join('; ') };
}

async function checkCredential(file, text) {
  let credential;
  try {
    credential = JSON.parse(text);
  } catch (error) {
    return { verifier: 'verifier-core', accepted: false, message: `not JSON: ${error.message}` };
  }
  const result = await verifyCredential({ credential, knownDIDRegistries: [] });
  const { stackTrace, ...rest } = result.errors?.[0] ?? {};
  return { verifier: 'verifier-core', ...summarise(result), result: { log: result.log, errors: result.errors?.map(({ name, message }) => ({ name, message })), additionalInformation: result.additionalInformation } };
}

async function checkJwt(token, pinned) {
  try {
    const header = jose.decodeProtectedHeader(token);
    const key = pinned ? await jose.importJWK(pinned, 'ES256') : await jose.importJWK(header.jwk, header.alg);
    const { payload, protectedHeader } = await jose.jwtVerify(token, key, { algorithms: ['ES256'], typ: 'JWT' });
    const claims = ['iss', 'jti', 'sub', 'nbf'].filter((c) => payload[c] === undefined);
    if (claims.length) return { verifier: 'jose', accepted: false, message: `missing claims ${claims}` };
    return { verifier: 'jose', accepted: true, message: `${protectedHeader.alg} signature valid; iss=${payload.iss}`, result: { header: protectedHeader } };
  } catch (error) {
    return { verifier: 'jose', accepted: false, message: `${error.code ?? error.name}: ${error.message}` };
  }
}

const args = process.argv.slice(2);
let pinned = null;
if (args[0] === '--jwk') {
  pinned = JSON.parse(fs.readFileSync(args[1], 'utf8'));
  args.splice(0, 2);
}
for (const file of args) {
  let outcome;
  try {
    const bytes = fs.readFileSync(file);
    if (file.endsWith('.jwt')) outcome = await checkJwt(bytes.toString('utf8').trim(), pinned);
    else if (file.endsWith('.png')) outcome = await checkCredential(file, pngCredential(bytes));
    else if (file.endsWith('.svg')) outcome = await checkCredential(file, svgCredential(bytes.toString('utf8')));
    else outcome = await checkCredential(file, bytes.toString('utf8'));
  } catch (error) {
    outcome = { verifier: 'reader', accepted: false, message: `${error.name}: ${error.message}` };
  }
  console.log(JSON.stringify({ file: path.basename(file), ...outcome }));
}
console.log(JSON.stringify({ refused, requested: [...new Set(requested)] }));
