// Reads {"key_pem", "consumer_key", "cases": [{method, url, body, nonce, timestamp}]} on stdin
// and prints one Authorization header per case, signed by Mastercard's Node signer.
const OAuth = require("mastercard-oauth1-signer");

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const realNonce = OAuth.getNonce;
  const headers = request.cases.map((c) => {
    OAuth.getNonce = c.nonce === null ? realNonce : () => c.nonce;
    OAuth.getTimestamp = () => c.timestamp;
    return OAuth.getAuthorizationHeader(c.url, c.method, c.body, request.consumer_key,
                                        request.key_pem);
  });
  process.stdout.write(JSON.stringify(headers));
});
