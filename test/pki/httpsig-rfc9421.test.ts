// Our hand-written signature base, RFC 8941 parser and algorithms against the RFC 9421
// examples: Appendix B.2.1 (rsa-pss-sha512), B.2.3 (rsa-pss-sha512, full coverage),
// B.2.4 (ecdsa-p256-sha256), §4.3 proxy_sig (rsa-v1_5-sha256, deterministic: our
// signature must be byte-identical), the derived components of §2.2, and RFC 9530's digest.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signBytes, verifyBytes } from '../../src/pki/httpsig/algs.js';
import { componentValue, signatureBase, type MessageView } from '../../src/pki/httpsig/base.js';
import { checkContentDigest, contentDigest } from '../../src/pki/httpsig/digest.js';
import { parseDictionary, parseList, serializeInnerList, type InnerList } from '../../src/pki/httpsig/sfv.js';
import { RFC_KEYS } from './httpsig-rfc-keys.js';

const b64 = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'base64');
const DIGEST_REQ = 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:';

/** RFC 9421 Appendix B.2 "test-request" (body {"hello": "world"}). */
const testRequest = (authority = 'example.com', extra: Record<string, string> = {}): MessageView => {
  const fields: Record<string, string> = {
    host: authority,
    date: 'Tue, 20 Apr 2021 02:07:55 GMT',
    'content-type': 'application/json',
    'content-digest': DIGEST_REQ,
    'content-length': '18',
    ...extra,
  };
  return { method: 'POST', targetUri: `https://${authority}/foo?param=Value&Pet=dog`, field: (n) => fields[n] };
};

/** The "test-response" (body {"message": "good dog"}). */
const testResponse: MessageView = {
  status: 200,
  field: (n) =>
    ({
      date: 'Tue, 20 Apr 2021 02:07:56 GMT',
      'content-type': 'application/json',
      'content-digest': 'sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:',
      'content-length': '23',
    })[n],
};

const member = (header: string, label: string) => parseDictionary(header, 'Signature-Input').get(label) as InnerList;

test('B.2.1 minimal signature: base reproduced, the RFC signature verifies (rsa-pss-sha512)', () => {
  const m = member('sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"', 'sig-b21');
  const base = signatureBase(m, testRequest());
  assert.is(base, '"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"');
  const sig = b64(`d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==`);
  const pub = createPublicKey(RFC_KEYS.rsaPssPublic);
  assert.ok(verifyBytes('rsa-pss-sha512', pub, Buffer.from(base), sig));
  assert.not.ok(verifyBytes('rsa-pss-sha512', pub, Buffer.from(base + ' '), sig));
  // And our own rsa-pss-sha512 with the RFC's RSASSA-PSS (rsa-pss type) private key.
  const priv = createPrivateKey(RFC_KEYS.rsaPssPrivate);
  assert.is(priv.asymmetricKeyType, 'rsa-pss');
  assert.ok(verifyBytes('rsa-pss-sha512', pub, Buffer.from(base), signBytes('rsa-pss-sha512', priv, Buffer.from(base))));
});

test('B.2.3 full coverage: base reproduced, the RFC signature verifies (rsa-pss-sha512)', () => {
  const m = member(
    'sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
    'sig-b23',
  );
  const base = signatureBase(m, testRequest());
  assert.is(
    base,
    [
      '"date": Tue, 20 Apr 2021 02:07:55 GMT',
      '"@method": POST',
      '"@path": /foo',
      '"@query": ?param=Value&Pet=dog',
      '"@authority": example.com',
      '"content-type": application/json',
      `"content-digest": ${DIGEST_REQ}`,
      '"content-length": 18',
      '"@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
    ].join('\n'),
  );
  const sig = b64(`bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==`);
  assert.ok(verifyBytes('rsa-pss-sha512', createPublicKey(RFC_KEYS.rsaPssPublic), Buffer.from(base), sig));
});

test('B.2.4 signing a response: base reproduced, the RFC r||s signature verifies (ecdsa-p256-sha256)', () => {
  const m = member('sig-b24=("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"', 'sig-b24');
  const base = signatureBase(m, testResponse);
  assert.is(
    base,
    [
      '"@status": 200',
      '"content-type": application/json',
      '"content-digest": sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:',
      '"content-length": 23',
      '"@signature-params": ("@status" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-ecc-p256"',
    ].join('\n'),
  );
  const sig = b64('wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==');
  assert.is(sig.length, 64, 'RFC 9421 ECDSA signatures are raw r||s');
  const pub = createPublicKey(RFC_KEYS.eccPublic);
  assert.ok(verifyBytes('ecdsa-p256-sha256', pub, Buffer.from(base), sig));
  const ours = signBytes('ecdsa-p256-sha256', createPrivateKey(RFC_KEYS.eccPrivate), Buffer.from(base));
  assert.is(ours.length, 64);
  assert.ok(verifyBytes('ecdsa-p256-sha256', pub, Buffer.from(base), ours));
});

test('§4.3 proxy_sig: base reproduced, rsa-v1_5-sha256 signature byte-identical to the RFC', () => {
  const header =
    'sig1=("@method" "@authority" "@path" "content-digest" "content-type" "content-length");created=1618884475;keyid="test-key-ecc-p256", ' +
    'proxy_sig=("@method" "@authority" "@path" "content-digest" "content-type" "content-length" "forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540';
  const msg = testRequest('origin.host.internal.example', { forwarded: 'for=192.0.2.123;host=example.com;proto=https' });
  const base = signatureBase(member(header, 'proxy_sig'), msg);
  assert.is(
    base,
    [
      '"@method": POST',
      '"@authority": origin.host.internal.example',
      '"@path": /foo',
      `"content-digest": ${DIGEST_REQ}`,
      '"content-type": application/json',
      '"content-length": 18',
      '"forwarded": for=192.0.2.123;host=example.com;proto=https',
      '"@signature-params": ("@method" "@authority" "@path" "content-digest" "content-type" "content-length" "forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540',
    ].join('\n'),
  );
  const rfcSig = b64(`S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+JH+8XY1I6+8Cy+CM5g92iHgxtRPz+MjniOaYmdkDcnL9cCpXJleXsOckpURl49GwiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7LB5YAv0RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtflzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+YuI87HU38lZHowtznbLVdp770I6VHR6WfgS9ddzirrswsE1w5o0LV/g==`);
  assert.ok(verifyBytes('rsa-v1_5-sha256', createPublicKey(RFC_KEYS.rsaPublic), Buffer.from(base), rfcSig));
  assert.equal(signBytes('rsa-v1_5-sha256', createPrivateKey(RFC_KEYS.rsaPrivate), Buffer.from(base)), rfcSig);
});

test('§2.2 derived components of the test request', () => {
  const msg: MessageView = { method: 'POST', targetUri: 'https://www.example.com/path?param=value', field: () => undefined };
  assert.is(componentValue('@method', msg), 'POST');
  assert.is(componentValue('@target-uri', msg), 'https://www.example.com/path?param=value');
  assert.is(componentValue('@authority', msg), 'www.example.com');
  assert.is(componentValue('@scheme', msg), 'https');
  assert.is(componentValue('@request-target', msg), '/path?param=value');
  assert.is(componentValue('@path', msg), '/path');
  assert.is(componentValue('@query', msg), '?param=value');
  assert.is(componentValue('@query', { ...msg, targetUri: 'https://www.example.com/path' }), '?');
  assert.is(componentValue('@authority', { ...msg, targetUri: 'https://WWW.Example.com:443/' }), 'www.example.com');
  assert.throws(() => componentValue('@query-param', msg), /not supported/);
  assert.throws(() => componentValue('x-missing', msg), /not in the message/);
});

test('a component listed twice or with parameters is refused (§2.5)', () => {
  assert.throws(() => signatureBase(member('s=("@method" "@method")', 's'), testRequest()), /listed twice/);
  assert.throws(() => signatureBase(member('s=("content-type";sf)', 's'), testRequest()), /parameters/);
});

test('RFC 9530 digests: sha-256 and sha-512 of the test request body', () => {
  const body = Buffer.from('{"hello": "world"}');
  assert.is(contentDigest(body), 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:');
  checkContentDigest(`${contentDigest(body)}, ${DIGEST_REQ}`, body);
  assert.throws(() => checkContentDigest(DIGEST_REQ, body), /no sha-256/);
  assert.throws(() => checkContentDigest(contentDigest(Buffer.from('{"hello": "World"}')), body), /does not match/);
  assert.throws(() => checkContentDigest('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:AAAA:', body), /sha-512 must be 64 bytes/);
});

test('RFC 8941: parses what the RFCs send, re-serializes signature params unchanged', () => {
  const input =
    'sig1=("@method" "@target-uri" "content-digest");created=1618884475;expires=1618884775;nonce="abc_-DEF";keyid="sha256:00";alg="ecdsa-p256-sha256"';
  const m = member(input, 'sig1');
  assert.is(`sig1=${serializeInnerList(m)}`, input);
  const list = parseList(':AQID:, :BAUG:', 'chain');
  assert.equal(list.map((x) => (x.kind === 'item' && x.bare.t === 'bin' ? [...x.bare.v] : null)), [[1, 2, 3], [4, 5, 6]]);
  const d = parseDictionary('a=1, b;x=?0, c=(1 2);q=1.5, d=tok/en, e="s\\"q"', 'x');
  assert.equal([...d.keys()], ['a', 'b', 'c', 'd', 'e']);
});

test('RFC 8941: malformed values and oversized structures are refused with 400', () => {
  const bad = ['sig1=(', 'sig1=("a"', 'Sig1=()', 'a=1,', 'a=1 b=2', 'a="\x01"', 'a=:AB*:', 'a=1234567890123456', 'a=1.2345', 'a="\\x"', 'a=?2'];
  for (const v of bad) {
    try {
      parseDictionary(v, 'Signature-Input');
      assert.unreachable(`accepted ${JSON.stringify(v)}`);
    } catch (err) {
      assert.is((err as { status?: number }).status, 400, `${JSON.stringify(v)}: ${(err as Error).message}`);
    }
  }
  assert.throws(() => parseDictionary('a=1, b=2, c=3', 'x', 2), /more than 2 members/);
  assert.throws(() => parseList(Array(10).fill(':AA==:').join(', '), 'x', 5), /more than 5/);
  assert.throws(() => parseDictionary(`a=(${Array(40).fill('1').join(' ')})`, 'x', 16), /inner list longer/);
});

test.run();
