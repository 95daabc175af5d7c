// The staff estimate editor (estimates/staff/estimate_form.html): "Position hinzufügen"
// without a round trip, and the article search that fills a row. Without script the form
// still works: the button asks the server for a row, an article number is filled on save.
// The running total is htmx (#running-totals); a filled row tells it with "rows-changed".
(() => {
  const form = document.getElementById("estimate-form");
  const rows = document.getElementById("position-rows");
  if (!form || !rows) return;
  const template = document.getElementById("position-template");
  const totalForms = form.querySelector('input[name="positions-TOTAL_FORMS"]');
  const searchUrl = form.dataset.articleSearch;
  const maxRows = 200;

  const rowsChanged = () => rows.dispatchEvent(new Event("rows-changed", { bubbles: true }));

  document.getElementById("add-position")?.addEventListener("click", (event) => {
    if (!template || !totalForms) return;
    const index = parseInt(totalForms.value, 10) || 0;
    if (index >= maxRows) return; // the server says why
    event.preventDefault();
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__prefix__", String(index)));
    totalForms.value = String(index + 1);
    rows.lastElementChild?.querySelector(".article-search")?.focus();
  });

  let timer = 0;
  let pending = null;

  const resultsOf = (input) => document.getElementById(`${input.id}-results`);

  async function search(input) {
    const box = resultsOf(input);
    const query = input.value.trim();
    if (!box || !searchUrl) return;
    pending?.abort();
    if (query.length < 2) {
      box.replaceChildren();
      return;
    }
    pending = new AbortController();
    try {
      const response = await fetch(`${searchUrl}?q=${encodeURIComponent(query)}`, {
        signal: pending.signal,
        headers: { Accept: "text/html" },
      });
      if (response.ok) box.innerHTML = await response.text(); // our own escaped fragment
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  }

  rows.addEventListener("input", (event) => {
    const input = event.target;
    if (!input.classList?.contains("article-search")) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => search(input), 250);
  });

  rows.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const box = event.target.closest(".position-row")?.querySelector(".article-results");
    box?.replaceChildren();
  });

  rows.addEventListener("click", (event) => {
    const pick = event.target.closest(".article-pick");
    if (!pick) return;
    const row = pick.closest(".position-row");
    const fill = (name, value) => {
      const field = row.querySelector(`[name$="-${name}"]`);
      if (field) field.value = value ?? "";
    };
    fill("article_number", pick.dataset.number);
    fill("text", pick.dataset.text);
    fill("unit", pick.dataset.unit);
    fill("unit_price", pick.dataset.price);
    fill("vat_rate", pick.dataset.vatRate);
    pick.closest(".article-results")?.replaceChildren();
    row.querySelector('[name$="-quantity"]')?.focus();
    rowsChanged();
  });
})();
