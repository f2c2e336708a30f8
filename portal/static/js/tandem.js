// Starts the NHS.UK components. No inline script anywhere: the CSP forbids it.
import { initAll } from "../vendor/nhsuk-frontend-10.6.1/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
document.body.addEventListener("htmx:afterSettle", (event) => initAll({ scope: event.detail.elt }));
