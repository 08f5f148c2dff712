/*
 * Kinerja: small page behaviours. No framework beyond htmx and Bootstrap.
 *
 * 1. CSRF for htmx: every htmx request carries X-CSRFToken from the csrftoken cookie.
 *    <body hx-headers> also sets it from the template; the cookie wins because it is always
 *    the current one (the token rotates at login, possibly in another tab).
 * 2. data-confirm="Pesan?" on a form, a submit button, a link or an htmx trigger asks
 *    window.confirm() first and cancels the action when the user says no.
 */
(function () {
  "use strict";

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var item = parts[i].trim();
      if (item.substring(0, name.length + 1) === name + "=") {
        return decodeURIComponent(item.substring(name.length + 1));
      }
    }
    return null;
  }

  function csrfCookieName() {
    return (document.body && document.body.getAttribute("data-csrf-cookie")) || "csrftoken";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = readCookie(csrfCookieName());
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  function cancel(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  // Forms: the message may sit on the form or on the button that submitted it.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var message =
        (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        cancel(event);
      }
    },
    true
  );

  // Links and htmx triggers outside a form submit. Submit buttons are left to the submit handler
  // above so the question is asked once.
  document.addEventListener(
    "click",
    function (event) {
      var el = event.target.closest ? event.target.closest("[data-confirm]") : null;
      if (!el || el.tagName === "FORM") {
        return;
      }
      var isSubmit =
        el.form && (el.tagName === "BUTTON" || el.tagName === "INPUT") && (el.type || "submit") === "submit";
      if (isSubmit) {
        return;
      }
      if (!window.confirm(el.getAttribute("data-confirm"))) {
        cancel(event);
      }
    },
    true
  );
})();
