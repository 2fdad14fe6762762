// Reads {"config": {...}, "url", "encrypt": [documents], "decrypt": [bodies]} on stdin and
// prints {"encrypted": [bodies], "decrypted": [documents or {"error": message}]}, done by
// Mastercard's Node client-encryption library (mastercard-client-encryption, JWE mode)
// configured for a whole XBS body: the document is encrypted into
// {"encrypted_payload": {"data": "<JWE>"}} and such a body decrypted back (SPEC §3.2, §3.5).
//
// config: encryptionCertificate (PEM path), privateKey (PEM path) or keyStore,
// keyStoreAlias and keyStorePassword (PKCS#12), and optionally publicKeyFingerprintType
// ("certificate" or "publicKey") with dataEncoding ("hex"), as the library takes them.
const { JweEncryption } = require("mastercard-client-encryption");

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const config = Object.assign({
    paths: [{
      path: "/crossborder",
      toEncrypt: [{ element: "$", obj: "encrypted_payload" }],
      toDecrypt: [{ element: "encrypted_payload", obj: "$" }],
    }],
    mode: "JWE",
    encryptedValueFieldName: "data",
  }, request.config);
  const jwe = new JweEncryption(config);
  const url = request.url || "/send/v1/partners/P/crossborder/quotes";
  const encrypted = (request.encrypt || []).map(
    (document) => jwe.encrypt(url, {}, document).body);
  const decrypted = (request.decrypt || []).map((body) => {
    try {
      return jwe.decrypt({ body: body, request: { url: url } });
    } catch (error) {
      return { error: String(error && error.message ? error.message : error) };
    }
  });
  process.stdout.write(JSON.stringify({ encrypted: encrypted, decrypted: decrypted }));
});
