// Textbausteine and compose: insert a placeholder at the caret, confirm destructive buttons.
// Loaded as a file (the CSP allows no inline scripts); htmx does the rest.
(function () {
  "use strict";

  let lastField = null;

  document.addEventListener("focusin", function (event) {
    const el = event.target;
    if (el instanceof HTMLElement && el.matches("[data-placeholder-target]")) {
      lastField = el;
    }
  });

  function targetField(button) {
    if (lastField && document.body.contains(lastField)) {
      return lastField;
    }
    const form = button.closest("[data-placeholder-scope]") || document;
    return form.querySelector("[data-placeholder-target='text']");
  }

  function insert(button) {
    const field = targetField(button);
    if (!field) {
      return;
    }
    const token = "{" + button.dataset.insertPlaceholder + "}";
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? start;
    field.focus();
    field.setRangeText(token, start, end, "end");
    // The live preview listens for input events on the form.
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) {
      return;
    }
    const button = target.closest("[data-insert-placeholder]");
    if (button) {
      event.preventDefault();
      insert(button);
      return;
    }
    const confirmer = target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
