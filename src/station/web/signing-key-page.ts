import { escapeHtml } from "../../core/escape-html.js";
import { type Page, type PublishedKey, page } from "./page-shell.js";

/**
 * `/station-key`: the public key court exports are signed with, in full, and its fingerprint, so a
 * prosecutor's expert can compare them with the key inside an export (`station-key.pub.pem`) and with
 * the one the agency published. Rendered by the server: the page shows the key the process signs with.
 */
export function signingKeyPage(key: PublishedKey): Page {
  const fingerprint = escapeHtml(key.fingerprint);
  return page({
    title: "Signing key",
    body: `<h1>Station signing key</h1>
<section class="panel signing-key">
  <p>Every export for court made by this station is signed with this Ed25519 key: <code>SHA256SUMS.sig</code>
  is its signature over <code>SHA256SUMS</code>, and the export carries a copy of the public key
  (<code>station-key.pub.pem</code>). Check an export against the key your agency published, not against that copy.</p>
  <h2>Fingerprint (SHA-256 of the DER public key)</h2>
  <p><code id="signing-key-fingerprint">${fingerprint}</code></p>
  <h2>Public key (PEM)</h2>
  <pre id="signing-key-pem">${escapeHtml(key.publicPem.trim())}</pre>
  <p><a href="/station-key.pub.pem" download="station-key.pub.pem">Download station-key.pub.pem</a></p>
  <h2>Checking an export</h2>
  <pre>camsync verify EXPORT.zip --key station-key.pub.pem
# without --key it prints "signed by key ${fingerprint}" when this key signed it
openssl pkey -pubin -in station-key.pub.pem -outform DER | sha256sum</pre>
</section>`,
    script: "",
  });
}
