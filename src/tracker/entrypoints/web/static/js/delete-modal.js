// Fill the shared delete dialog with the domain whose button opened it.

export function initDeleteModal(root) {
  const modal = root.getElementById("delete-modal");
  if (!modal) {
    return;
  }
  modal.addEventListener("show.bs.modal", (event) => {
    const button = event.relatedTarget;
    if (!button) {
      return;
    }
    modal.querySelector("#delete-form").action = button.dataset.deleteUrl;
    modal.querySelector("[data-domain-name]").textContent = button.dataset.domainName;
  });
  modal.addEventListener("shown.bs.modal", () => {
    modal.querySelector("#delete-confirm").focus();
  });
}
