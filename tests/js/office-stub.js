// Office.js, Excel and CustomFunctions stubbed for tests/test_xl_browser.py (there is no Excel here).
//
// The test serves this file in place of office.js, so the task pane and the server's real
// xlwings.js (custom-scripts/index.js) and custom-functions code run unchanged on top of it,
// as in xlwings-server's own JS tests (tests/js/harness.js, which stubs Office.onReady,
// Excel.run with a fake context, CustomFunctions.associate). Unlike that harness, the fake
// workbook here holds real cells: the test injects the sheets of a real sample overview as
// `globalThis.__pagtStubBook` = {name, sheets: [{name, values, numberFormats}]} before any
// script runs, and reads the workbook back through `globalThis.__pagt`.
//
// Office.js semantics kept: objects are proxies that are "loaded" and "synced" (here every
// property is always current, so load() and sync() do nothing), a range's address carries its
// sheet, values use "" for empty cells, a text starting with "=" is a formula, null in a values
// matrix leaves that cell alone, and worksheets.items is ordered by position.
// Not modelled: formula evaluation (a formula cell's value is its text), merged cells, tables,
// charts, pictures, notes (ExcelApi 1.18 is reported as unsupported), events beyond recording.
(function () {
  "use strict";

  const SUPPORTED = {
    ExcelApi: 17, // 1.1 .. 1.17
    ExcelAPI: 17,
    CustomFunctionsRuntime: 4,
    SharedRuntime: 1,
    DialogApi: 1,
    RibbonApi: 1,
  };

  const state = {
    workbookName: "Book1.xlsx",
    sheets: [], // ordered by position
    activeIndex: 0,
    registrations: {}, // CustomFunctions.associate(id, fn)
    ribbonActions: {}, // Office.actions.associate(id, fn)
    dialogs: [], // Office.context.ui.displayDialogAsync urls (xlwings' alert boxes)
    unsupported: [], // Office.js members the page asked for that the stub does not have
  };

  // -- addresses -----------------------------------------------------------------------------
  function columnName(index) {
    let name = "";
    for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
      name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
    }
    return name;
  }

  function columnIndex(letters) {
    let n = 0;
    for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
    return n - 1;
  }

  function parseCell(text) {
    const m = /^\$?([A-Z]{1,3})\$?([0-9]+)$/.exec(text.toUpperCase());
    if (!m) throw new Error(`stub: cannot parse the cell address '${text}'`);
    return [parseInt(m[2], 10) - 1, columnIndex(m[1])];
  }

  function sheetPrefix(name) {
    return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? `${name}!` : `'${name.replace(/'/g, "''")}'!`;
  }

  // -- cells ---------------------------------------------------------------------------------
  function newCell() {
    return { value: "", formula: null, numberFormat: "General", fill: null, font: {} };
  }

  class Sheet {
    constructor(name) {
      this.name = name;
      this.cells = new Map(); // "row,col" -> cell
      this.autofitColumns = [];
      this.visibility = "Visible";
      this.showGridlines = true;
      this.names = emptyCollection();
      this.tables = emptyCollection();
      this.charts = emptyCollection();
      this.shapes = emptyCollection();
      this.pivotTables = emptyCollection();
      this.protection = { protected: false, load() { return this; } };
      this.pageLayout = { getPrintAreaOrNullObject: () => nullObject() };
      this.onSelectionChanged = { add: () => ({ context: null }) };
      this.onCalculated = { add: () => ({ context: null }) };
    }

    cell(row, col, create = false) {
      const key = `${row},${col}`;
      let cell = this.cells.get(key);
      if (!cell && create) {
        cell = newCell();
        this.cells.set(key, cell);
      }
      return cell;
    }

    /** [firstRow, firstCol, lastRow, lastCol] of the cells holding a value, null if none. */
    usedBounds() {
      let b = null;
      for (const [key, cell] of this.cells) {
        if (cell.value === "" || cell.value === null) continue;
        const [r, c] = key.split(",").map(Number);
        b = b ? [Math.min(b[0], r), Math.min(b[1], c), Math.max(b[2], r), Math.max(b[3], c)] : [r, c, r, c];
      }
      return b;
    }

    /** The proxy Office.js hands out for this sheet. */
    api() {
      if (this._api) return this._api;
      const sheet = this;
      const api = {
        get name() { return sheet.name; },
        set name(v) { sheet.name = String(v); },
        get position() { return state.sheets.indexOf(sheet); },
        set position(p) {
          state.sheets.splice(state.sheets.indexOf(sheet), 1);
          state.sheets.splice(Math.min(p, state.sheets.length), 0, sheet);
        },
        get visibility() { return sheet.visibility; },
        set visibility(v) { sheet.visibility = v; },
        get showGridlines() { return sheet.showGridlines; },
        set showGridlines(v) { sheet.showGridlines = Boolean(v); },
        isNullObject: false,
        names: sheet.names,
        tables: sheet.tables,
        charts: sheet.charts,
        shapes: sheet.shapes,
        pivotTables: sheet.pivotTables,
        protection: sheet.protection,
        pageLayout: sheet.pageLayout,
        onSelectionChanged: sheet.onSelectionChanged,
        onCalculated: sheet.onCalculated,
        load() { return api; },
        activate() { state.activeIndex = state.sheets.indexOf(sheet); },
        delete() { state.sheets.splice(state.sheets.indexOf(sheet), 1); },
        getRange(address = null) {
          if (address === null) return new Range(sheet, 0, 0, 1048576, 16384).api();
          const [first, last = first] = address.split("!").pop().split(":");
          const [r1, c1] = parseCell(first);
          const [r2, c2] = parseCell(last);
          return new Range(sheet, r1, c1, r2 - r1 + 1, c2 - c1 + 1).api();
        },
        getRangeByIndexes(row, col, rowCount, colCount) {
          return new Range(sheet, row, col, rowCount, colCount).api();
        },
        getUsedRangeOrNullObject() {
          const b = sheet.usedBounds();
          if (!b) return nullObject();
          return new Range(sheet, b[0], b[1], b[2] - b[0] + 1, b[3] - b[1] + 1).api();
        },
        getUsedRange(valuesOnly = false) {
          const used = api.getUsedRangeOrNullObject(valuesOnly);
          return used.isNullObject ? api.getRange("A1") : used;
        },
      };
      this._api = withUnsupportedLog(api, `Worksheet '${sheet.name}'`);
      return this._api;
    }
  }

  function broadcast(matrix, rows, cols, what) {
    if (!Array.isArray(matrix)) return Array.from({ length: rows }, () => Array(cols).fill(matrix));
    if (matrix.length === 1 && matrix[0].length === 1) {
      return Array.from({ length: rows }, () => Array(cols).fill(matrix[0][0]));
    }
    if (matrix.length !== rows || matrix.some((row) => row.length !== cols)) {
      throw new Error(`stub: ${what} of ${matrix.length}x${(matrix[0] || []).length} for a ${rows}x${cols} range`);
    }
    return matrix;
  }

  class Range {
    constructor(sheet, row, col, rowCount, colCount) {
      Object.assign(this, { sheet, row, col, rowCount, colCount });
    }

    forEach(fn) {
      for (let r = 0; r < this.rowCount; r++) {
        for (let c = 0; c < this.colCount; c++) fn(this.sheet.cell(this.row + r, this.col + c, true), r, c);
      }
    }

    matrix(read) {
      return Array.from({ length: this.rowCount }, (_, r) =>
        Array.from({ length: this.colCount }, (_, c) => read(this.sheet.cell(this.row + r, this.col + c))),
      );
    }

    address() {
      const first = `${columnName(this.col)}${this.row + 1}`;
      const last = `${columnName(this.col + this.colCount - 1)}${this.row + this.rowCount}`;
      return sheetPrefix(this.sheet.name) + (first === last ? first : `${first}:${last}`);
    }

    api() {
      const range = this;
      const setFont = (property, value) => range.forEach((cell) => (cell.font[property] = value));
      const font = new Proxy({}, {
        set(_, property, value) { setFont(property, value); return true; },
        get(_, property) {
          const cell = range.sheet.cell(range.row, range.col);
          return cell ? cell.font[property] : undefined;
        },
      });
      const fill = {
        get color() {
          const cell = range.sheet.cell(range.row, range.col);
          return cell && cell.fill ? cell.fill : "#FFFFFF";
        },
        set color(v) { range.forEach((cell) => (cell.fill = String(v).toUpperCase())); },
        clear() { range.forEach((cell) => (cell.fill = null)); },
        load() { return fill; },
      };
      const format = {
        font,
        fill,
        autofitColumns() { range.sheet.autofitColumns.push(range.address()); },
        autofitRows() {},
        load() { return format; },
        set rowHeight(v) {},
        set columnWidth(v) {},
        set wrapText(v) {},
        set horizontalAlignment(v) {},
        set verticalAlignment(v) {},
      };
      const api = {
        isNullObject: false,
        get address() { return range.address(); },
        get rowIndex() { return range.row; },
        get columnIndex() { return range.col; },
        get rowCount() { return range.rowCount; },
        get columnCount() { return range.colCount; },
        get worksheet() { return range.sheet.api(); },
        get values() { return range.matrix((cell) => (cell ? cell.value : "")); },
        set values(matrix) {
          const values = broadcast(matrix, range.rowCount, range.colCount, "values");
          range.forEach((cell, r, c) => {
            const v = values[r][c];
            if (v === null || v === undefined) return; // Office.js: null leaves the cell as it is
            if (typeof v === "string" && v.startsWith("=")) {
              cell.formula = v; // not evaluated: the stub has no calculation engine
              cell.value = v;
            } else if (typeof v === "string" && v.startsWith("'")) {
              cell.formula = null;
              cell.value = v.slice(1); // Excel's text prefix
            } else {
              cell.formula = null;
              cell.value = v;
            }
          });
        },
        get formulas() { return range.matrix((cell) => (cell ? (cell.formula ?? cell.value) : "")); },
        set formulas(matrix) { api.values = matrix; },
        get numberFormat() { return range.matrix((cell) => (cell ? cell.numberFormat : "General")); },
        set numberFormat(matrix) {
          const formats = broadcast(matrix, range.rowCount, range.colCount, "numberFormat");
          range.forEach((cell, r, c) => (cell.numberFormat = formats[r][c]));
        },
        set hyperlink(link) {
          range.forEach((cell) => (cell.hyperlink = link));
        },
        format,
        load() { return api; },
        select() {},
        clear(applyTo = "All") {
          range.forEach((cell) => {
            if (applyTo !== "Formats") Object.assign(cell, { value: "", formula: null });
            if (applyTo !== "Contents") Object.assign(cell, { numberFormat: "General", fill: null, font: {} });
          });
        },
        getSurroundingRegion() {
          return range.sheet.api().getUsedRangeOrNullObject(true);
        },
        getCellProperties() {
          return { value: range.matrix((cell) => ({ format: { fill: cell && cell.fill ? { color: cell.fill, pattern: "Solid" } : { color: "#FFFFFF", pattern: "None" } } })) };
        },
        setCellProperties(properties) {
          range.forEach((cell, r, c) => {
            const f = properties[r][c]?.format?.fill;
            if (!f) return;
            if (f.pattern === "None") cell.fill = null;
            else if (f.color) cell.fill = String(f.color).toUpperCase();
          });
        },
      };
      return withUnsupportedLog(api, `Range ${range.address()}`);
    }
  }

  // -- collections and the workbook ------------------------------------------------------------
  function emptyCollection() {
    const collection = { items: [], load() { return collection; }, getCount() { return { value: 0 }; } };
    return collection;
  }

  function nullObject() {
    const obj = { isNullObject: true, load() { return obj; } };
    return obj;
  }

  function findSheet(name) {
    const folded = String(name).toLowerCase();
    return state.sheets.find((s) => s.name.toLowerCase() === folded);
  }

  const worksheets = {
    get items() { return state.sheets.map((s) => s.api()); },
    load() { return worksheets; },
    getItem(name) {
      const sheet = findSheet(name);
      if (!sheet) throw new Error(`stub: no sheet '${name}'`);
      return sheet.api();
    },
    getItemOrNullObject(name) {
      const sheet = findSheet(name);
      return sheet ? sheet.api() : nullObject();
    },
    getActiveWorksheet() { return state.sheets[state.activeIndex].api(); },
    getCount() { return { value: state.sheets.length }; },
    add(name = null) {
      let chosen = name;
      for (let i = state.sheets.length + 1; !chosen; i++) if (!findSheet(`Sheet${i}`)) chosen = `Sheet${i}`;
      if (findSheet(chosen)) throw new Error(`stub: a sheet '${chosen}' exists already`);
      const sheet = new Sheet(chosen);
      state.sheets.push(sheet);
      return sheet.api();
    },
    onCalculated: { add: () => ({ context: null }) },
    onAdded: { add: () => ({ context: null }) },
  };

  const application = {
    calculationMode: "Automatic",
    cultureInfo: {
      name: "da-DK",
      datetimeFormat: { shortDatePattern: "dd-MM-yyyy", load() { return this; } },
      load() { return this; },
    },
    load() { return application; },
    calculate() {},
  };

  const workbook = {
    get name() { return state.workbookName; },
    worksheets,
    names: emptyCollection(),
    application,
    load() { return workbook; },
    getSelectedRange() { return state.sheets[state.activeIndex].api().getRange("A1"); },
  };

  function newContext() {
    return withUnsupportedLog(
      { workbook: withUnsupportedLog(workbook, "Workbook"), application, sync: async () => {}, trackedObjects: { add() {}, remove() {} } },
      "RequestContext",
    );
  }

  /** Record (for the test) any member the page reads that the stub does not model. */
  function withUnsupportedLog(obj, what) {
    return new Proxy(obj, {
      get(target, property, receiver) {
        if (!(property in target) && typeof property === "string" && property !== "then" && property !== "toJSON") {
          state.unsupported.push(`${what}.${property}`);
        }
        return Reflect.get(target, property, receiver);
      },
    });
  }

  // -- the globals -------------------------------------------------------------------------------
  const info = { host: "Excel", platform: "OfficeOnline" };
  globalThis.Office = {
    onReady(callback) {
      if (callback) callback(info);
      return Promise.resolve(info);
    },
    HostType: { Excel: "Excel" },
    PlatformType: { OfficeOnline: "OfficeOnline", PC: "PC", Mac: "Mac" },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    EventType: { DialogMessageReceived: "dialogMessageReceived", DialogEventReceived: "dialogEventReceived" },
    context: {
      host: "Excel",
      platform: "OfficeOnline",
      diagnostics: { version: "stub", platform: "OfficeOnline" },
      requirements: {
        isSetSupported(name, version = "1.1") {
          const minor = parseInt(String(version).split(".")[1] || "0", 10);
          return name in SUPPORTED && minor <= SUPPORTED[name];
        },
      },
      ui: {
        // xlwings' alert box (book.app.alert): recorded, then refused so that nothing waits on it
        displayDialogAsync(url, options, callback) {
          state.dialogs.push(url);
          if (callback) callback({ status: "failed", error: { code: 12007, message: "stub: no dialogs" } });
        },
      },
    },
    actions: { associate(id, fn) { state.ribbonActions[id] = fn; } },
    addin: { showAsTaskpane: async () => {}, hide: async () => {} },
    auth: { getAccessToken: async () => { throw new Error("stub: no Entra ID"); } },
  };

  globalThis.Excel = {
    run: async (batchOrContext, maybeBatch) => {
      const batch = typeof batchOrContext === "function" ? batchOrContext : maybeBatch;
      return await batch(newContext());
    },
    RequestContext: class {
      constructor() { return newContext(); }
    },
    ShapeType: { image: "Image" },
    ClearApplyTo: { all: "All", formats: "Formats", contents: "Contents" },
  };

  class CustomFunctionsError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }
  globalThis.CustomFunctions = {
    associate(id, fn) { state.registrations[id] = fn; },
    Error: CustomFunctionsError,
    ErrorCode: { invalidValue: "#VALUE!", notAvailable: "#N/A", divisionByZero: "#DIV/0!", invalidNumber: "#NUM!", nullReference: "#NULL!", invalidName: "#NAME?", invalidReference: "#REF!" },
  };

  // -- the workbook the test injected, and what the test reads back ----------------------------------
  const book = globalThis.__pagtStubBook || { name: "Book1.xlsx", sheets: [{ name: "Sheet1", values: [[""]] }] };
  state.workbookName = book.name;
  for (const spec of book.sheets) {
    const sheet = new Sheet(spec.name);
    spec.values.forEach((row, r) =>
      row.forEach((value, c) => {
        const format = spec.numberFormats ? spec.numberFormats[r][c] : "General";
        if (value === "" && format === "General") return;
        Object.assign(sheet.cell(r, c, true), { value, numberFormat: format });
      }),
    );
    state.sheets.push(sheet);
  }

  globalThis.__pagt = {
    state,
    registeredIds: () => Object.keys(state.registrations).sort(),
    ribbonIds: () => Object.keys(state.ribbonActions).sort(),
    /** Call a registered cell function as Excel would: the arguments, then the invocation. */
    async callFunction(id, args, address = "Ark1!B2") {
      const results = [];
      const invocation = { address, setResult: (r) => results.push(r), onCanceled: null };
      try {
        return { result: await state.registrations[id](...args, invocation) };
      } catch (error) {
        return { error: String(error.message || error), code: error.code || null };
      }
    },
    /** A range's values as Excel passes them to a cell function ("" for empty cells). */
    rangeValues(sheetName, address) {
      return worksheets.getItem(sheetName).getRange(address).values;
    },
    /** The workbook as plain data: per sheet (in position order) the used cells with what was set. */
    snapshot() {
      return state.sheets.map((sheet) => ({
        name: sheet.name,
        autofit: sheet.autofitColumns,
        cells: Object.fromEntries(
          [...sheet.cells]
            .filter(([, cell]) => cell.value !== "" || cell.fill || Object.keys(cell.font).length || cell.numberFormat !== "General")
            .map(([key, cell]) => {
              const [r, c] = key.split(",").map(Number);
              return [`${columnName(c)}${r + 1}`, cell];
            }),
        ),
      }));
    },
  };
})();
