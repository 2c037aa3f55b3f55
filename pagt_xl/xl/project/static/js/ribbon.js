// pagt_xl's ribbon (overrides xlwings Server's static/js/ribbon.js, which is a sample).
// The "Teknologipagt" tab in templates/manifest.xml has six ExecuteFunction buttons whose
// <FunctionName> is the name of a button script (custom_scripts); each runs that script on the
// open workbook, exactly like the task pane's xw-click buttons. "Vis opgaverude" is a
// ShowTaskpane action and needs no code. Loaded by the task pane page, which is also the
// manifest's FunctionFile (shared runtime).
const PAGT_RIBBON_SCRIPTS = [
  "valider",
  "beregn_fordelinger",
  "lav_statusrapport",
  "lav_indstilling",
  "lav_breve",
  "udbetalinger",
];

function pagtRibbonButton(scriptName) {
  return async function (event) {
    try {
      const authResult =
        typeof globalThis.getAuth === "function"
          ? await globalThis.getAuth()
          : { token: "", provider: "" };
      await xlwings.runPython({
        auth: authResult.token,
        scriptName: scriptName,
        headers: { "Auth-Provider": authResult.provider },
      });
    } finally {
      // Office waits for this, also after an error (runPython shows the message itself)
      event.completed();
    }
  };
}

for (const scriptName of PAGT_RIBBON_SCRIPTS) {
  Office.actions.associate(scriptName, pagtRibbonButton(scriptName));
}
