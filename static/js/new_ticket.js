// /agent/new/: the requester picker and the resolution fields. Without JavaScript the agent
// types the address (and a name for someone new) and every field shows.
(function () {
  "use strict";

  function picker(box) {
    const email = box.querySelector("[data-requester-email]");
    const name = box.querySelector("input[name=requester_name]");
    const results = box.querySelector("#requester-results");
    let timer = null;
    let asked = 0;

    function show(people) {
      results.replaceChildren(
        ...people.map((person) => {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "list-group-item list-group-item-action";
          button.dataset.testid = "requester-option";
          const strong = document.createElement("strong");
          strong.textContent = person.name || person.email;
          const detail = document.createElement("span");
          detail.className = "text-muted ms-2";
          detail.textContent = [person.email, person.organisation].filter(Boolean).join(" · ");
          button.append(strong, detail);
          button.addEventListener("click", () => {
            email.value = person.email;
            if (name) name.value = person.name;
            results.replaceChildren();
            email.focus();
          });
          return button;
        })
      );
    }

    async function search() {
      const text = email.value.trim();
      const mine = ++asked;
      if (text.length < 2) return show([]);
      const response = await fetch(`${box.dataset.searchUrl}?q=${encodeURIComponent(text)}`, {
        headers: { Accept: "application/json" },
      });
      if (!response.ok || mine !== asked) return;
      const people = (await response.json()).results;
      // The address typed in full is picked already: no list to choose from.
      show(people.length === 1 && people[0].email === text ? [] : people);
    }

    email.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
  }

  function resolutionFields() {
    const status = document.querySelector("select[name=status]");
    const fields = document.querySelector("[data-when-status]");
    if (!status || !fields) return;
    const update = () => (fields.hidden = status.value !== fields.dataset.whenStatus);
    update();
    status.addEventListener("change", update);
  }

  document.querySelectorAll("[data-requester-picker]").forEach(picker);
  resolutionFields();
})();
