// pagt_xl: the task pane's "Adgangsnøgle" field, shown only with XLWINGS_AUTH_PROVIDERS=["custom"].
const form = document.querySelector("#pagt-token-form");
if (form && globalThis.config && globalThis.config.authProviders.includes("custom")) {
  const input = document.querySelector("#pagt-token");
  const status = document.querySelector("#pagt-token-status");
  form.classList.remove("d-none");
  const show = () => {
    let saved = "";
    try {
      saved = localStorage.getItem("pagt-xl-token") || "";
    } catch {
      saved = "";
    }
    status.textContent = saved ? "Adgangsnøglen er gemt i denne browser." : "Ingen adgangsnøgle gemt endnu.";
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    try {
      localStorage.setItem("pagt-xl-token", input.value.trim());
    } catch {
      status.textContent = "Nøglen kunne ikke gemmes (lokal lagring er slået fra).";
      return;
    }
    input.value = "";
    show();
  });
  show();
}
