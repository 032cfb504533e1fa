// Rows whose lookup is still running ask the server for their state until
// the result arrives, then swap in the row the server rendered.

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 15000;
// After this many requests (about ten minutes) the row stops asking; a
// reload starts again.
const MAX_ATTEMPTS = 60;

export function pollPendingRows(root) {
  for (const row of root.querySelectorAll("tr[data-pending='true']")) {
    schedule(row, 0, FIRST_DELAY_MS);
  }
}

function schedule(row, attempt, delay) {
  if (attempt >= MAX_ATTEMPTS) {
    return;
  }
  window.setTimeout(() => poll(row, attempt, delay), delay);
}

async function poll(row, attempt, delay) {
  const nextDelay = Math.min(delay * 1.5, MAX_DELAY_MS);
  let state;
  try {
    const response = await fetch(row.dataset.statusUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.status === 404) {
      row.remove();
      return;
    }
    if (!response.ok || !isJson(response)) {
      schedule(row, attempt + 1, nextDelay);
      return;
    }
    state = await response.json();
  } catch {
    schedule(row, attempt + 1, nextDelay);
    return;
  }
  if (state.pending) {
    schedule(row, attempt + 1, nextDelay);
    return;
  }
  replaceRow(row, state.html);
}

function isJson(response) {
  const type = response.headers.get("Content-Type") || "";
  return type.startsWith("application/json");
}

function replaceRow(row, html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const fresh = template.content.querySelector("tr");
  if (!fresh) {
    return;
  }
  fresh.classList.add("is-new");
  row.replaceWith(fresh);
}
