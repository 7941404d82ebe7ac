// Keyboard shortcuts for agents. Plain JS, no build step; the pages work without it.
// Lists: j / k move, Enter or o opens, x selects. Ticket page: r reply, n internal note,
// a assign to me. Everywhere: / search, ? this help.
(function () {
  "use strict";

  function typing(event) {
    const target = event.target;
    return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
  }

  function rows() {
    return Array.from(document.querySelectorAll("[data-queue-row]"));
  }

  function current() {
    return document.querySelector("[data-queue-row].table-active");
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(current());
    const next = all[Math.min(all.length - 1, Math.max(0, index + step))];
    all.forEach((row) => row.classList.remove("table-active"));
    next.classList.add("table-active");
    next.scrollIntoView({ block: "nearest" });
    const link = next.querySelector("a");
    if (link) link.focus({ preventScroll: true });
  }

  function focusReply(internal) {
    const body = document.getElementById("reply-body");
    const toggle = document.getElementById("note-toggle");
    if (!body) return false;
    if (toggle) toggle.checked = internal;
    body.focus();
    return true;
  }

  const actions = {
    j: () => move(1),
    k: () => move(-1),
    o: () => current() && (window.location.href = current().dataset.href),
    Enter: () => current() && (window.location.href = current().dataset.href),
    x: () => {
      const box = current() && current().querySelector("input[type=checkbox]");
      if (box) box.checked = !box.checked;
    },
    r: () => focusReply(false),
    n: () => focusReply(true),
    a: () => {
      const take = document.getElementById("take-button");
      if (take) take.click();
    },
    "/": () => {
      const search = document.getElementById("queue-search");
      if (search) search.focus();
    },
    "?": () => {
      const help = document.getElementById("shortcuts-help");
      if (help && window.bootstrap) window.bootstrap.Modal.getOrCreateInstance(help).show();
    },
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    const action = actions[event.key];
    if (!action) return;
    if (event.key === "Enter" && !current()) return;
    event.preventDefault();
    action();
  });
})();
