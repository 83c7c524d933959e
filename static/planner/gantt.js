/* Phaseout Gantt chart: draws a plan's systems and steps as SVG from the JSON endpoint.
 *
 * No inline script or style (the CSP forbids both): this file is loaded by <script src>,
 * reads its data URL from the container's data attributes and sets only SVG attributes
 * and classes (colours are in charts.css). One row per system, collapsed to a summary bar
 * whose segments are its steps; a system's button opens its steps as rows of their own.
 * The table below the chart holds the same facts for screen readers and keyboards.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var ROW = 26; // px per row; .phaseout-gantt__label has the same height in charts.css
  var HEADER = 34;
  var DAY_PX = { week: 6, month: 1.6 };
  var DAY_MS = 86400000;

  function parseDay(text) {
    var parts = text.split("-");
    return Date.UTC(+parts[0], +parts[1] - 1, +parts[2]);
  }

  function svg(name, attributes, parent) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) {
      element.setAttribute(key, attributes[key]);
    });
    if (parent) parent.appendChild(element);
    return element;
  }

  function title(element, text) {
    svg("title", {}, element).textContent = text;
  }

  function Chart(root, data) {
    this.root = root;
    this.data = data;
    this.scale = root.getAttribute("data-scale") || "week";
    this.onlyLate = false;
    this.open = {};
    this.first = parseDay(data.starts_on);
    var last = parseDay(data.finishes_on);
    data.deadlines.forEach(function (line) { last = Math.max(last, parseDay(line.date)); });
    data.systems.forEach(function (system) {
      if (system.deadline) last = Math.max(last, parseDay(system.deadline));
    });
    this.days = Math.round((last - this.first) / DAY_MS) + 14;
    this.labels = root.querySelector(".phaseout-gantt__labels");
    this.canvas = root.querySelector(".phaseout-gantt__canvas");
    if (data.systems.length === 1) this.open[data.systems[0].id] = true;
  }

  Chart.prototype.x = function (day, end) {
    return ((parseDay(day) - this.first) / DAY_MS + (end ? 1 : 0)) * DAY_PX[this.scale];
  };

  Chart.prototype.rows = function () {
    var rows = [];
    var self = this;
    this.data.systems.forEach(function (system) {
      if (self.onlyLate && !system.late_days) return;
      rows.push({ system: system });
      if (self.open[system.id]) {
        system.steps.forEach(function (step) { rows.push({ system: system, step: step }); });
      }
    });
    return rows;
  };

  Chart.prototype.draw = function () {
    var rows = this.rows();
    var width = this.days * DAY_PX[this.scale];
    var height = HEADER + rows.length * ROW;
    this.canvas.textContent = "";
    this.labels.textContent = "";
    var chart = svg("svg", {
      width: width, height: height, viewBox: "0 0 " + width + " " + height,
      "class": "phaseout-gantt__svg", "aria-hidden": "true", focusable: "false"
    }, this.canvas);
    this.drawAxis(chart, height);
    var positions = {};
    var self = this;
    var spacer = document.createElement("div");
    spacer.className = "phaseout-gantt__label phaseout-gantt__label--header";
    spacer.textContent = "System";
    this.labels.appendChild(spacer);
    rows.forEach(function (row, index) {
      var y = HEADER + index * ROW;
      if (!row.step) positions[row.system.id] = y;
      self.drawLabel(row);
      self.drawRow(chart, row, y);
    });
    this.drawLinks(chart, positions);
    this.drawDeadlines(chart, height);
  };

  Chart.prototype.drawAxis = function (chart, height) {
    var group = svg("g", { "class": "phaseout-gantt__axis" }, chart);
    var day = new Date(this.first);
    for (var offset = 0; offset < this.days; offset++) {
      var current = new Date(this.first + offset * DAY_MS);
      var tick = this.scale === "week" ? current.getUTCDay() === 1 : current.getUTCDate() === 1;
      if (!tick) continue;
      var x = offset * DAY_PX[this.scale];
      svg("line", { x1: x, x2: x, y1: HEADER - 6, y2: height, "class": "phaseout-gantt__grid" }, group);
      var text = svg("text", { x: x + 2, y: HEADER - 12, "class": "phaseout-gantt__tick" }, group);
      text.textContent = this.scale === "week"
        ? (current.getUTCMonth() + 1) + "/" + current.getUTCDate()
        : current.toLocaleString("en-US", { month: "short", year: "2-digit", timeZone: "UTC" });
    }
    var today = new Date();
    var todayText = today.toISOString().slice(0, 10);
    var todayX = this.x(todayText);
    if (todayX >= 0) {
      svg("line", { x1: todayX, x2: todayX, y1: HEADER - 6, y2: height, "class": "phaseout-gantt__today" }, group);
    }
    return day;
  };

  Chart.prototype.drawLabel = function (row) {
    var label = document.createElement("div");
    label.className = "phaseout-gantt__label" + (row.step ? " phaseout-gantt__label--step" : "");
    if (row.step) {
      label.textContent = row.step.label.replace(row.system.fisma_id + " ", "");
    } else {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "usa-button usa-button--unstyled phaseout-gantt__toggle";
      button.setAttribute("aria-expanded", this.open[row.system.id] ? "true" : "false");
      button.textContent = row.system.fisma_id + (row.system.late_days ? " (" + row.system.late_days + " days late)" : "");
      button.title = row.system.name;
      var self = this;
      button.addEventListener("click", function () {
        self.open[row.system.id] = !self.open[row.system.id];
        self.draw();
        var again = self.labels.querySelector('[data-system="' + row.system.id + '"]');
        if (again) again.focus();
      });
      button.setAttribute("data-system", row.system.id);
      label.appendChild(button);
    }
    this.labels.appendChild(label);
  };

  Chart.prototype.drawRow = function (chart, row, y) {
    var self = this;
    var group = svg("g", { "class": "phaseout-gantt__row" }, chart);
    if (!row.step) {
      var system = row.system;
      if (!system.starts_on) return;
      var summary = svg("rect", {
        x: this.x(system.starts_on), y: y + 5, height: ROW - 10,
        width: Math.max(2, this.x(system.finishes_on, true) - this.x(system.starts_on)),
        "class": "phaseout-gantt__summary" + (system.late_days ? " is-late" : "") + (system.critical ? " is-critical" : "")
      }, group);
      title(summary, system.fisma_id + ": " + system.starts_on + " to " + system.finishes_on +
        (system.late_days ? ", removal " + system.late_days + " days after its deadline" : ""));
      system.steps.forEach(function (step) {
        svg("rect", {
          x: self.x(step.starts_on), y: y + 9, height: ROW - 18,
          width: Math.max(1, self.x(step.finishes_on, true) - self.x(step.starts_on)),
          "class": "phaseout-gantt__segment step-" + step.step + (step.critical ? " is-critical" : "")
        }, group);
      });
      if (system.deadline) {
        var dx = this.x(system.deadline, true);
        svg("path", { d: "M" + dx + " " + (y + 2) + " l4 -4 h-8 z M" + dx + " " + (y + 2) + " v" + (ROW - 4), "class": "phaseout-gantt__deadline-mark" }, group);
      }
      return;
    }
    var step = row.step;
    var bar = svg("rect", {
      x: this.x(step.starts_on), y: y + 6, height: ROW - 12, rx: 2,
      width: Math.max(2, this.x(step.finishes_on, true) - this.x(step.starts_on)),
      "class": "phaseout-gantt__bar step-" + step.step + (step.late_days ? " is-late" : "") + (step.critical ? " is-critical" : "")
    }, group);
    title(bar, step.label + ": " + step.starts_on + " to " + step.finishes_on +
      (this.data.teams[step.team] ? ", " + this.data.teams[step.team] : "") +
      (step.late_days ? ", " + step.late_days + " days late" : "") + (step.critical ? ", on the critical chain" : ""));
  };

  Chart.prototype.drawLinks = function (chart, positions) {
    var self = this;
    var group = svg("g", { "class": "phaseout-gantt__links" }, chart);
    var byId = {};
    this.data.systems.forEach(function (system) { byId[system.id] = system; });
    this.data.links.forEach(function (link) {
      var from = byId[link.from], to = byId[link.to];
      if (positions[link.from] === undefined || positions[link.to] === undefined) return;
      var cutOver = from.steps.filter(function (step) { return step.step === "cut_over"; })[0];
      var waiting = to.steps.filter(function (step) { return step.step === "cut_over"; })[0];
      if (!cutOver || !waiting) return;
      var x1 = self.x(cutOver.finishes_on, true), y1 = positions[link.from] + ROW / 2;
      var x2 = self.x(waiting.starts_on), y2 = positions[link.to] + ROW / 2;
      svg("path", { d: "M" + x1 + " " + y1 + " C" + (x1 + 20) + " " + y1 + " " + (x2 - 20) + " " + y2 + " " + x2 + " " + y2, "class": "phaseout-gantt__link", "marker-end": "url(#phaseout-arrow)" }, group);
    });
    var defs = svg("defs", {}, chart);
    var marker = svg("marker", { id: "phaseout-arrow", viewBox: "0 0 8 8", refX: 8, refY: 4, markerWidth: 6, markerHeight: 6, orient: "auto" }, defs);
    svg("path", { d: "M0 0 L8 4 L0 8 z", "class": "phaseout-gantt__arrow" }, marker);
  };

  Chart.prototype.drawDeadlines = function (chart, height) {
    var self = this;
    var group = svg("g", { "class": "phaseout-gantt__deadlines" }, chart);
    this.data.deadlines.forEach(function (line) {
      var x = self.x(line.date, true);
      svg("line", { x1: x, x2: x, y1: 2, y2: height, "class": "phaseout-gantt__deadline" }, group);
      var text = svg("text", { x: x + 3, y: 11, "class": "phaseout-gantt__deadline-label" }, group);
      text.textContent = "Removal deadline " + line.date + " (" + line.systems + ")";
    });
  };

  function controls(root, chart) {
    root.querySelectorAll("[data-gantt-scale]").forEach(function (button) {
      button.addEventListener("click", function () {
        chart.scale = button.getAttribute("data-gantt-scale");
        root.querySelectorAll("[data-gantt-scale]").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        chart.draw();
      });
    });
    var late = root.querySelector("[data-gantt-late]");
    if (late) late.addEventListener("change", function () { chart.onlyLate = late.checked; chart.draw(); });
    var all = root.querySelector("[data-gantt-expand]");
    if (all) all.addEventListener("click", function () {
      var opening = all.getAttribute("aria-pressed") !== "true";
      chart.data.systems.forEach(function (system) { chart.open[system.id] = opening; });
      all.setAttribute("aria-pressed", opening ? "true" : "false");
      all.textContent = opening ? "Collapse all" : "Expand all";
      chart.draw();
    });
  }

  function start(root) {
    var status = root.querySelector("[data-gantt-status]");
    fetch(root.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        var chart = new Chart(root, data);
        controls(root, chart);
        chart.draw();
        root.classList.add("is-ready");
        status.textContent = "Chart of " + data.systems.length + " systems drawn. The table below lists the same dates.";
      })
      .catch(function () {
        status.textContent = "The chart could not be loaded. The table below lists the same dates.";
      });
  }

  document.querySelectorAll("[data-gantt]").forEach(start);
})();
