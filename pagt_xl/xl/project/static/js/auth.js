// pagt_xl: how the add-in authenticates (overrides xlwings Server's static/js/auth.js).
// Entra ID works as in xlwings Server. With XLWINGS_AUTH_PROVIDERS=["custom"] the token is
// the access key typed once into the task pane ("Adgangsnøgle"), kept in localStorage,
// which the task pane and the cell functions share (the manifest uses a shared runtime).
globalThis.getAuth = async function () {
  if (config.authProviders.includes("entraid")) {
    const token = await xlwings.getAccessToken();
    return {
      token: token,
      provider: "entraid",
    };
  }
  if (config.authProviders.includes("custom")) {
    let token = "";
    try {
      token = localStorage.getItem("pagt-xl-token") || "";
    } catch {
      token = "";
    }
    return {
      token: token,
      provider: "custom",
    };
  }
  return {
    token: "",
    provider: "",
  };
};
