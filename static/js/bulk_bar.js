// The queue's bulk bar shows the fields of the chosen action only. Without JavaScript every
// field shows and the server ignores those the action does not use.
(function () {
  "use strict";

  function update(select) {
    const bar = select.closest("[data-testid=bulk-bar]");
    bar.querySelectorAll("[data-bulk-field]").forEach((field) => {
      const shown = field.dataset.bulkField === select.value;
      field.hidden = !shown;
      // Hidden fields are not posted: nothing the agent cannot see is sent.
      field.querySelectorAll("input, select").forEach((control) => (control.disabled = !shown));
    });
  }

  function init() {
    document.querySelectorAll("[data-bulk-action]").forEach((select) => {
      update(select);
      select.addEventListener("change", () => update(select));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
