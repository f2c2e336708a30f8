// Starts the NHS.UK components, and keeps keyboard focus sensible after htmx swaps.
// No inline script anywhere: the CSP forbids it.
import { initAll } from "../vendor/nhsuk-frontend-10.6.1/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// When a swap removes the element that had focus (a deleted row), move focus to the
// element its form names in data-focus-after, so keyboard users are not sent to the top.
let focusAfter = null;
document.body.addEventListener("htmx:beforeRequest", (event) => {
  focusAfter = event.detail.elt.closest("[data-focus-after]")?.dataset.focusAfter ?? null;
});
document.body.addEventListener("htmx:afterSettle", (event) => {
  initAll({ scope: event.detail.elt.isConnected ? event.detail.elt : document.body });
  const focusLost = !document.activeElement?.isConnected || document.activeElement === document.body;
  if (focusAfter && focusLost) {
    document.querySelector(focusAfter)?.focus();
  }
  focusAfter = null;
});
