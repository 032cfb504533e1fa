// The add field is a textarea so that a pasted list keeps its line breaks.
// It grows with its content, and Enter submits while it contains one line.

export function initDomainInput(root) {
  const field = root.querySelector("textarea.add-names");
  if (!field) {
    return;
  }
  const resize = () => {
    field.style.height = "auto";
    field.style.height = `${field.scrollHeight + 2}px`;
  };
  field.addEventListener("input", resize);
  field.addEventListener("keydown", (event) => {
    const oneLine = !field.value.includes("\n");
    if (event.key === "Enter" && !event.shiftKey && oneLine) {
      event.preventDefault();
      field.form.requestSubmit();
    }
  });
  resize();
}
