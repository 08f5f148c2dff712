/*
 * Kinerja: small page behaviours. No framework beyond htmx and Bootstrap.
 *
 * 1. CSRF for htmx: every htmx request carries X-CSRFToken from the csrftoken cookie.
 *    <body hx-headers> also sets it from the template; the cookie wins because it is always
 *    the current one (the token rotates at login, possibly in another tab).
 * 2. data-confirm="Pesan?" on a form, a submit button, a link or an htmx trigger asks
 *    window.confirm() first and cancels the action when the user says no.
 * 3. A .table-responsive that actually scrolls sideways (a wide table on a phone) becomes a
 *    focusable, named region, so keyboard users can scroll it too (WCAG 2.1.1; axe
 *    scrollable-region-focusable). Re-checked after htmx swaps and on resize.
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

  function focusableScrollers() {
    var label = document.documentElement.lang === "en" ? "Table (scroll sideways)" : "Tabel (geser ke samping)";
    var boxes = document.querySelectorAll(".table-responsive");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) {
          box.setAttribute("aria-label", label);
        }
        box.setAttribute("data-gulir", "");
      } else if (!scrolls && box.hasAttribute("data-gulir")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("data-gulir");
      }
    }
  }

  // A sub-menu that scrolls sideways on a phone (.dialog-subnav) opens with its active item in view:
  // "Log Harian" or "Verifikasi Log" sit past the right edge of a 390px screen otherwise.
  function activeSubnavInView() {
    var navs = document.querySelectorAll(".dialog-subnav");
    for (var i = 0; i < navs.length; i++) {
      var nav = navs[i];
      var link = nav.querySelector(".nav-link.active");
      if (!link || nav.scrollWidth <= nav.clientWidth + 1) {
        continue;
      }
      var box = nav.getBoundingClientRect();
      var item = link.getBoundingClientRect();
      if (item.left < box.left || item.right > box.right) {
        nav.scrollLeft += item.left - box.left - (box.width - item.width) / 2;
      }
    }
  }

  var resizeTimer = null;
  document.addEventListener("DOMContentLoaded", activeSubnavInView);
  document.addEventListener("DOMContentLoaded", focusableScrollers);
  document.addEventListener("htmx:afterSettle", focusableScrollers);
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(focusableScrollers, 100);
  });
})();
