// The request form keeps what was typed while the requester reads a suggested article in the
// same tab: "I still need help" (or the back button) brings them back to the form as they left
// it. Plain JS, no build step; without it the form still works and keeps the subject only.
// sessionStorage belongs to this tab and is gone when it closes; the draft is dropped as soon as
// the form is sent. Files cannot be kept by a page and are chosen again.
(function () {
  "use strict";

  const form = document.querySelector("form[data-draft-key]");
  if (!form) {
    return;
  }
  const key = form.dataset.draftKey;
  let storage;
  try {
    storage = window.sessionStorage;
    storage.getItem(key);
  } catch (error) {
    return; // storage switched off: nothing to keep
  }

  function controls() {
    return Array.from(form.elements).filter(function (element) {
      return element.name && element.name !== "csrfmiddlewaretoken" && element.type !== "file" && element.type !== "hidden";
    });
  }

  function save() {
    const draft = {};
    controls().forEach(function (element) {
      if (element.type === "radio") {
        if (element.checked) {
          draft[element.name] = element.value;
        }
      } else if (element.type === "checkbox") {
        draft[element.name] = element.checked;
      } else {
        draft[element.name] = element.value;
      }
    });
    storage.setItem(key, JSON.stringify(draft));
  }

  function restore() {
    let draft;
    try {
      draft = JSON.parse(storage.getItem(key) || "null");
    } catch (error) {
      draft = null;
    }
    if (!draft) {
      return;
    }
    controls().forEach(function (element) {
      if (!(element.name in draft)) {
        return;
      }
      const value = draft[element.name];
      if (element.type === "radio") {
        element.checked = element.value === value;
      } else if (element.type === "checkbox") {
        element.checked = value === true;
      } else if (value) {
        element.value = value;
      }
    });
    // Show the suggestions for the subject again.
    const subject = form.querySelector("[name=subject]");
    if (subject && subject.value) {
      subject.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  // A form sent back with errors already shows what was posted: the server's copy wins.
  if (form.dataset.bound !== "true") {
    restore();
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function () {
    storage.removeItem(key);
  });
})();
