import { type Page, page } from "./page-shell.js";

/** Sign-in: name and password to `POST /api/session`, then on to `?next` (a path on this site only). */
const SCRIPT = `
(function () {
  var next = new URLSearchParams(location.search).get("next") || "/search";
  if (next.charAt(0) !== "/" || next.charAt(1) === "/" || next.charAt(1) === "\\\\") next = "/search";
  $("signin").addEventListener("submit", function (ev) {
    ev.preventDefault();
    $("message").textContent = "";
    fetch("/api/session", {
      method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: $("name").value, password: $("password").value }),
    }).then(function (r) {
      if (r.ok) { location.href = next; return; }
      return r.json().then(function (j) { $("message").textContent = (j && j.error) || "sign-in failed"; },
        function () { $("message").textContent = "sign-in failed (HTTP " + r.status + ")"; });
    }, function () { $("message").textContent = "the station did not answer"; });
  });
})();
`;

export function signInPage(): Page {
  return page({
    title: "Sign in",
    bare: true,
    body: `<form class="signin panel" id="signin">
  <h1>camsync station</h1>
  <label>Name <input id="name" name="name" autocomplete="username" required autofocus></label>
  <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
  <button class="primary" type="submit" id="submit">Sign in</button>
  <div class="message" id="message" role="alert"></div>
</form>`,
    script: SCRIPT,
  });
}
