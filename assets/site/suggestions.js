// Suggestions of the search boxes (home page, results page): an ARIA 1.2
// combobox over GET /api/v1/suggestions. Without this script the boxes are
// plain forms to /recherche, which reads the last word as a prefix too.
const MIN_CHARS = 2;
const DELAY_MS = 120;

function setup(input) {
  const form = input.form;
  if (!form || input.dataset.suggestions === "on") return;
  input.dataset.suggestions = "on";
  const id = input.id + "-suggestions";
  const list = document.createElement("ul");
  list.id = id;
  list.className = "vi-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  const status = document.createElement("p");
  status.className = "fr-sr-only";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  form.append(list, status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", id);

  let items = [];
  let active = -1;
  let timer = 0;
  let inflight = null;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(i) {
    items.forEach((li, j) => li.setAttribute("aria-selected", j === i ? "true" : "false"));
    active = i;
    if (i >= 0) input.setAttribute("aria-activedescendant", items[i].id);
    else input.removeAttribute("aria-activedescendant");
  }

  function render(data) {
    list.replaceChildren();
    items = data.suggestions.map((s, i) => {
      const li = document.createElement("li");
      li.id = id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.url = s.url;
      const title = document.createElement("span");
      title.className = "vi-suggestions__title";
      title.textContent = s.libelle;
      const detail = document.createElement("span");
      detail.className = "vi-suggestions__detail";
      detail.textContent = (s.objet === "formation" ? "Formation — " : "Établissement — ") + s.detail;
      li.append(title, detail);
      li.addEventListener("mousedown", (e) => { e.preventDefault(); location.assign(s.url); });
      list.append(li);
      return li;
    });
    active = -1;
    const open = items.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    status.textContent = open ? items.length + (items.length > 1 ? " suggestions" : " suggestion") +
      ", flèches haut et bas pour choisir" : "";
  }

  async function fetchSuggestions() {
    const q = input.value;
    if (q.trim().length < MIN_CHARS) { close(); return; }
    if (inflight) inflight.abort();
    inflight = new AbortController();
    try {
      const r = await fetch("/api/v1/suggestions?q=" + encodeURIComponent(q), { signal: inflight.signal, headers: { Accept: "application/json" } });
      if (!r.ok) { close(); return; }
      const data = await r.json();
      if (input.value === q) render(data);
    } catch (e) {
      if (e.name !== "AbortError") close();
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, DELAY_MS);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && items.length) {
      e.preventDefault();
      highlight((active + 1) % items.length);
    } else if (e.key === "ArrowUp" && items.length) {
      e.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      location.assign(items[active].dataset.url);
    } else if (e.key === "Escape") {
      close();
    }
  });
  // A chosen suggestion wins over the form (some keyboards send Enter as a
  // separate character event, which submits the form anyway).
  form.addEventListener("submit", (e) => {
    if (active >= 0 && items[active]) {
      e.preventDefault();
      location.assign(items[active].dataset.url);
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

for (const input of document.querySelectorAll("#recherche-accueil-q, #recherche-page-q")) setup(input);
