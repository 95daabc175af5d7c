// The appointment calendar (appointments/staff/calendar.html): drag a block to another time
// or advisor (HTML5 drag and drop: mouse on desktop, touch on iPadOS and Chrome on tablets).
// The drop posts to the block's move URL; when the server answers "overbooking", staff must
// say yes explicitly before it is sent again with confirm_overbooking=1. Without script every
// block still has its "Verschieben" page (the phone form).
(() => {
  const root = document.getElementById("calendar");
  if (!root) return;
  const status = document.getElementById("cal-status");
  const csrf = root.dataset.csrf || "";
  let dragged = null;

  const say = (text, kind = "danger") => {
    if (!status) return;
    status.className = `alert alert-${kind} mt-2`;
    status.textContent = text;
  };

  // The target's start: a day-view cell has its own; a week cell keeps the time of day.
  const targetStart = (target, block) => {
    if (target.dataset.start) return target.dataset.start;
    const time = (block.dataset.start || "").slice(11, 16);
    return `${target.dataset.day}T${time || "08:00"}`;
  };

  async function move(block, start, advisor, confirmOverbooking = false) {
    const body = new FormData();
    body.append("start", start);
    body.append("advisor", advisor);
    if (confirmOverbooking) body.append("confirm_overbooking", "1");
    let answer;
    try {
      const response = await fetch(block.dataset.moveUrl, {
        method: "POST",
        body,
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
        credentials: "same-origin",
      });
      answer = await response.json();
    } catch (error) {
      say(root.dataset.failed || "Error");
      return;
    }
    if (answer.ok) {
      say(answer.message, "success");
      window.location.reload();
      return;
    }
    if (answer.code === "overbooking" && !confirmOverbooking) {
      if (window.confirm(`${answer.message}\n\n${root.dataset.confirmOverbooking || ""}`)) {
        await move(block, start, advisor, true);
      }
      return;
    }
    say(answer.message);
  }

  const dropTarget = (element) =>
    element instanceof Element ? element.closest("[data-drop]") : null;

  root.addEventListener("dragstart", (event) => {
    const block = event.target instanceof Element && event.target.closest("[data-move-url]");
    if (!block) return;
    dragged = block;
    block.classList.add("cal-drag-source");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", block.id);
    // Let the cells under other blocks receive the drop (after the drag image is taken).
    window.setTimeout(() => root.classList.add("cal-dragging"), 0);
  });

  root.addEventListener("dragend", () => {
    dragged?.classList.remove("cal-drag-source");
    root.classList.remove("cal-dragging");
    root.querySelectorAll(".cal-drop-over").forEach((el) => el.classList.remove("cal-drop-over"));
    dragged = null;
  });

  root.addEventListener("dragover", (event) => {
    const target = dropTarget(event.target);
    if (!dragged || !target) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    root.querySelectorAll(".cal-drop-over").forEach((el) => {
      if (el !== target) el.classList.remove("cal-drop-over");
    });
    target.classList.add("cal-drop-over");
  });

  root.addEventListener("drop", (event) => {
    const target = dropTarget(event.target);
    if (!dragged || !target) return;
    event.preventDefault();
    const block = dragged;
    const start = targetStart(target, block);
    const advisor = target.dataset.advisor ?? "";
    if (start === block.dataset.start && advisor === block.dataset.advisor) return;
    move(block, start, advisor);
  });
})();
