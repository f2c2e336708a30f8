// Boards: @mention suggestions and focus after quoting. No inline script: the CSP forbids it.
// Everything here is an enhancement; without it a person types "@Full Name" themselves.

const BOX = "[data-mention-box]";
const TYPED = /(?:^|[^\p{L}\p{N}_@])@([\p{L}][\p{L}\p{N}'’. -]{0,40})$/u;

function typedName(textarea) {
  const before = textarea.value.slice(0, textarea.selectionStart);
  const match = before.match(TYPED);
  return match ? match[1] : null;
}

// htmx asks the board who matches: send only the name being typed, never the whole post.
document.body.addEventListener("htmx:configRequest", (event) => {
  const box = event.detail.elt;
  if (!box.matches || !box.matches(BOX)) return;
  const textarea = box.querySelector("textarea");
  const name = typedName(textarea);
  if (!name) {
    event.preventDefault();
    box.querySelector(".tandem-mention-options").replaceChildren();
    return;
  }
  delete event.detail.parameters[textarea.name];
  event.detail.parameters.q = name;
});

// A chosen suggestion replaces the "@part" being typed with "@Full Name ".
document.body.addEventListener("click", (event) => {
  const button = event.target.closest("[data-mention-name]");
  if (!button) return;
  const box = button.closest(BOX);
  const textarea = box.querySelector("textarea");
  const caret = textarea.selectionStart;
  const before = textarea.value.slice(0, caret);
  const at = before.lastIndexOf("@");
  if (at < 0) return;
  const inserted = `@${button.dataset.mentionName} `;
  textarea.value = before.slice(0, at) + inserted + textarea.value.slice(caret);
  textarea.focus();
  textarea.setSelectionRange(at + inserted.length, at + inserted.length);
  box.querySelector(".tandem-mention-options").replaceChildren();
});

// After "Quote" fills the reply form, put the cursor at the end of the text.
document.body.addEventListener("htmx:afterSettle", (event) => {
  const form = event.detail.elt.closest && event.detail.elt.closest("form[data-focus]");
  const target = form || (event.detail.elt.querySelector && event.detail.elt.querySelector("form[data-focus]"));
  if (!target) return;
  const textarea = target.querySelector("textarea");
  textarea.focus();
  textarea.setSelectionRange(textarea.value.length, textarea.value.length);
});
