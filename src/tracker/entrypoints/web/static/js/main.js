// Entry point of the page scripts; each module finds its own elements.
import { initDeleteModal } from "./delete-modal.js";
import { initDomainInput } from "./domain-input.js";
import { pollPendingRows } from "./status.js";

initDeleteModal(document);
initDomainInput(document);
pollPendingRows(document);
